"""``keras.losses.Loss``: a loss function plus how to reduce its per-sample values to one number.

``loss(y_true, y_pred, sample_weight=None)`` does three things:

1. converts both inputs to the loss's float dtype (``"float32"`` by default);
2. ``call(y_true, y_pred)`` computes one value per sample (MSE: the mean over the last axis);
3. weights them by ``sample_weight`` and reduces: ``"sum_over_batch_size"`` (the default:
   sum / number of values), ``"sum"``, or ``"none"`` (return the per-sample values).

Keras forgives one common shape slip: when one of ``y_true`` / ``y_pred`` has an extra last
axis of size 1 (``(32, 1)`` vs ``(32,)``), the other is expanded (or the extra axis squeezed)
first — see :func:`squeeze_or_expand_to_same_rank`.

>>> import tinyflow as tf
>>> mse = tf.keras.losses.MeanSquaredError()
>>> float(mse([[0.0], [1.0]], [[1.0], [1.0]]))      # per sample: 1, 0 -> mean 0.5
0.5
"""
from __future__ import annotations

import re

import tinyflow as tf
from tinyflow.keras import backend

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


class Loss:
    """Base class of losses: subclasses implement ``call(y_true, y_pred)`` (per-sample values).

    Args:
      name: name of the loss (a name scope in graphs).
      reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
        or ``"none"`` / ``None``.
      dtype: the computation dtype (default ``keras.backend.floatx()``, i.e. float32).
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None):
        self.name = name or backend.unique_name(_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = tf.as_dtype(dtype or backend.floatx())

    @property
    def dtype(self):
        return self._dtype.name

    def __call__(self, y_true, y_pred, sample_weight=None):
        with tf.name_scope(self.name):
            y_pred = _to_dtype(y_pred, self._dtype)
            y_true = _to_dtype(y_true, self._dtype)
            losses = self.call(y_true, y_pred)
            return reduce_weighted_values(losses, sample_weight, self.reduction, self._dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"Loss '{type(self).__name__}' must implement call(y_true, y_pred).")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, reduction={self.reduction}>"


class LossFunctionWrapper(Loss):
    """A ``Loss`` from a function ``fn(y_true, y_pred, **kwargs)`` of per-sample values."""

    def __init__(self, fn, reduction="sum_over_batch_size", name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {set(REDUCTIONS)}. Received: "
                         f"reduction={reduction}")
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """If the ranks differ by one and the longer shape ends in 1: expand a rank-1 partner to
    ``(n, 1)``, otherwise squeeze that last axis. ``(32, 1)`` vs ``(32,)`` becomes ``(32, 1)`` vs ``(32, 1)``."""
    r1, r2 = x1.shape.rank, x2.shape.rank
    if r1 is None or r2 is None or r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = tf.expand_dims(x2, axis=-1)
        else:
            x1 = tf.squeeze(x1, axis=-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = tf.expand_dims(x1, axis=-1)
        else:
            x2 = tf.squeeze(x2, axis=-1)
    return x1, x2


def check_broadcastable(y_true, y_pred, fn_name: str) -> None:
    """Raise a clear error when ``y_true`` and ``y_pred`` cannot be combined element-wise."""
    a, b = y_true.shape, y_pred.shape
    if a.rank is None or b.rank is None:
        return
    for d1, d2 in zip(reversed(a.as_list()), reversed(b.as_list())):
        if d1 is not None and d2 is not None and d1 != d2 and 1 not in (d1, d2):
            raise ValueError(
                f"{fn_name}: y_true and y_pred have incompatible shapes: y_true.shape={tuple(a.as_list())}, "
                f"y_pred.shape={tuple(b.as_list())}. They must be equal (or differ only by a last axis of size 1). "
                "Check the model's output size against the labels.")


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduce per-sample values: their sum, or the sum divided by their number."""
    if reduction is None or reduction == "none" or values.shape.rank == 0 or values.shape.as_list() == [0]:
        return values
    loss = tf.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            loss = tf.math.divide_no_nan(loss, tf.cast(tf.reduce_sum(sample_weight), loss.dtype))
        else:
            n = values.shape.num_elements()
            if n:  # known while the graph is built
                loss = loss / n
            else:  # the batch size is known only at run time; max(n, 1) gives 0 for an empty batch, like
                # Keras's divide_no_nan, with two cheap ops
                loss = loss / tf.maximum(tf.cast(tf.size(values), loss.dtype), 1.0)
    return loss


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size", dtype=None):
    """Multiply per-sample ``values`` by ``sample_weight`` (broadcast after matching ranks), then reduce."""
    reduction = standardize_reduction(reduction)
    values = _to_dtype(values, dtype or values.dtype)
    if sample_weight is not None:
        sample_weight = _to_dtype(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _to_dtype(x, dtype):
    """``x`` as a tensor of ``dtype``: Python/numpy values are converted directly, tensors cast."""
    if isinstance(x, tf.Tensor) or hasattr(x, "_as_tensor"):
        return tf.cast(x, dtype)
    return tf.convert_to_tensor(x, dtype=dtype)


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
