"""``Sum``, ``Mean`` and ``MeanMetricWrapper``: the running reductions most metrics are made of.

``Mean`` keeps ``total`` and ``count``; its result is ``total / count``. A batch of values of
shape ``(batch, ...)`` counts as ``batch`` samples (each the mean of its row), or as
``sum(sample_weight)`` weighted samples. ``MeanMetricWrapper(fn)`` averages ``fn(y_true, y_pred)``
over every sample seen — that is how accuracy, or a loss used as a metric, is computed.

>>> import tinyflow as tf
>>> m = tf.keras.metrics.Mean()
>>> m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
>>> float(m.result())
2.0
"""
from __future__ import annotations

import numbers

import tinyflow as tf
from tinyflow.keras.losses.loss import _to_dtype, squeeze_or_expand_to_same_rank
from tinyflow.keras.metrics.metric import Metric


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """One value per sample (``reduce_fn`` over all but the first axis), times its weight.
    Returns ``(values, sample_weight)`` with the weights reduced to one per sample too."""
    values = _to_dtype(values, dtype)
    if sample_weight is not None:
        sample_weight = _to_dtype(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.shape.rank, values.shape.rank
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=list(range(weight_ndim, values_ndim)))
        sample_weight = sample_weight * tf.ones_like(values)  # broadcast: every value has a weight
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, weight_ndim)))
    if values.shape.rank > 1:
        values = reduce_fn(values, axis=list(range(1, values.shape.rank)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of all values seen.

    >>> import tinyflow as tf
    >>> m = tf.keras.metrics.Sum()
    >>> float(m([1.0, 3.0, 5.0, 7.0]))
    16.0
    """

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), initializer="zeros", dtype=self._dtype, name="total")

    def update_state(self, values, sample_weight=None) -> None:
        values, _ = reduce_to_samplewise_values(values, sample_weight, tf.reduce_sum, self._dtype)
        self.total.assign_add(tf.reduce_sum(values))

    def result(self):
        return self.total.value()


class Mean(Metric):
    """The (weighted) mean of all values seen: ``total / count``.

    >>> import tinyflow as tf
    >>> m = tf.keras.metrics.Mean()
    >>> float(m([1.0, 3.0, 5.0, 7.0]))
    4.0
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), initializer="zeros", dtype=self._dtype, name="total")
        self.count = self.add_variable((), initializer="zeros", dtype=self._dtype, name="count")

    def update_state(self, values, sample_weight=None) -> None:
        if isinstance(sample_weight, numbers.Number) and getattr(values, "shape", None) is not None \
                and len(values.shape) == 0:  # fit's loss tracker: one scalar weighted by the batch size
            self.total.assign_add(tf.cast(values, self._dtype) * float(sample_weight))
            self.count.assign_add(float(sample_weight))
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, tf.reduce_mean, self._dtype)
        self.total.assign_add(tf.reduce_sum(values))
        if sample_weight is not None:
            num_samples = tf.reduce_sum(sample_weight)
        elif (values.shape.rank or 0) >= 1:
            num_samples = values.shape[0] if values.shape[0] is not None else tf.size(values)
        else:
            num_samples = 1
        self.count.assign_add(tf.cast(num_samples, self._dtype))

    def result(self):
        return tf.math.divide_no_nan(self.total.value(), self.count.value())


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Args:
      fn: a function of ``(y_true, y_pred)`` returning per-sample values (e.g. a loss function).
      name: name of the metric.
      dtype: dtype of the result.
      **kwargs: passed on to ``fn``.

    >>> import tinyflow as tf
    >>> m = tf.keras.metrics.MeanMetricWrapper(tf.keras.losses.mean_absolute_error, name="mae")
    >>> float(m([[1.0], [2.0]], [[1.5], [2.0]]))
    0.25
    """

    def __init__(self, fn, name: str | None = None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper needs a function fn(y_true, y_pred), got {fn!r}.")
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), "fn": getattr(self._fn, "__name__", self._fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("fn"), str):
            from tinyflow.keras import metrics  # noqa: PLC0415  (the registry of metric functions)

            config["fn"] = metrics.FUNCTIONS[config["fn"]]
        return cls(**config)
