"""``keras.metrics`` (also ``tf.metrics``): running statistics for training logs, and ``get``.

>>> import tinyflow as tf
>>> type(tf.keras.metrics.get("mse")).__name__
'MeanSquaredError'
"""
from tinyflow.keras.losses.probabilistic import (
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from tinyflow.keras.losses.regression import mean_absolute_error, mean_squared_error
from tinyflow.keras.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
)
from tinyflow.keras.metrics.metric import Metric, _snake_case
from tinyflow.keras.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
from tinyflow.keras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from tinyflow.keras.metrics.regression_metrics import MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError

__all__ = ["Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "CategoricalAccuracy", "CategoricalCrossentropy",
           "Mean", "MeanAbsoluteError", "MeanMetricWrapper", "MeanSquaredError", "Metric", "RootMeanSquaredError",
           "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy", "Sum", "binary_accuracy",
           "binary_crossentropy", "categorical_accuracy", "categorical_crossentropy", "deserialize", "get",
           "mean_absolute_error", "mean_squared_error", "serialize", "sparse_categorical_accuracy",
           "sparse_categorical_crossentropy"]

_CLASSES = [Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy, CategoricalCrossentropy, Mean,
            MeanAbsoluteError, MeanMetricWrapper, MeanSquaredError, RootMeanSquaredError,
            SparseCategoricalAccuracy, SparseCategoricalCrossentropy, Sum]
# The per-sample functions (what compile's "accuracy" and MeanMetricWrapper configs refer to).
FUNCTIONS = {fn.__name__: fn for fn in (accuracy, binary_accuracy, binary_crossentropy, categorical_accuracy,
                                        categorical_crossentropy, mean_absolute_error, mean_squared_error,
                                        sparse_categorical_accuracy, sparse_categorical_crossentropy)}
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
                         "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError})


def serialize(metric) -> dict | str:
    """``{"class_name": ..., "config": ...}`` for a metric (a function serializes to its name)."""
    if isinstance(metric, Metric):
        return {"module": "keras.metrics", "class_name": type(metric).__name__, "config": metric.get_config(),
                "registered_name": None}
    return metric.__name__


def deserialize(config, custom_objects=None):
    """The metric described by ``serialize``'s output."""
    if isinstance(config, str):
        return get(config)
    objects = dict(ALL_OBJECTS_DICT, **(custom_objects or {}))
    cls = objects.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown metric: {config.get('class_name')!r}. Known: {sorted(objects)}.")
    return cls.from_config(config["config"])


def get(identifier):
    """A metric from a name (``"accuracy"``, ``"mse"``, ``"BinaryAccuracy"`` ... case-sensitive, as in
    Keras), a ``serialize`` dict, a class (instantiated) or a callable (returned as is).

    NOTE: ``compile(metrics=["accuracy"])`` chooses binary / categorical / sparse accuracy from the
    shapes of the labels and predictions; ``get("accuracy")`` is the exact-match ``Accuracy``.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    obj = ALL_OBJECTS_DICT.get(identifier) if isinstance(identifier, str) else identifier
    if isinstance(obj, type) and issubclass(obj, Metric):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Valid names: "
                     f"{sorted(ALL_OBJECTS_DICT)}.")
