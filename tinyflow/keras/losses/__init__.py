"""``keras.losses`` (also ``tf.losses``): loss classes, their per-sample functions, and ``get``.

``get("mse")`` returns the function ``mean_squared_error``; ``get("MeanSquaredError")`` an
instance of the class (which adds the reduction to one number), as in Keras.

>>> import tinyflow as tf
>>> tf.keras.losses.get("mse") is tf.keras.losses.mean_squared_error
True
"""
from tinyflow.keras.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values, squeeze_or_expand_to_same_rank
from tinyflow.keras.losses.probabilistic import (
    BCE,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    bce,
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from tinyflow.keras.losses.regression import (
    MAE,
    MSE,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
    huber,
    mae,
    mean_absolute_error,
    mean_squared_error,
    mse,
)

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "Huber", "Loss", "LossFunctionWrapper",
           "MeanAbsoluteError", "MeanSquaredError", "SparseCategoricalCrossentropy", "binary_crossentropy",
           "categorical_crossentropy", "deserialize", "get", "huber", "mae", "mean_absolute_error",
           "mean_squared_error", "mse", "serialize", "sparse_categorical_crossentropy"]

_CLASSES = [BinaryCrossentropy, CategoricalCrossentropy, Huber, MeanAbsoluteError, MeanSquaredError,
            SparseCategoricalCrossentropy]
_FUNCTIONS = [binary_crossentropy, categorical_crossentropy, huber, mean_absolute_error, mean_squared_error,
              sparse_categorical_crossentropy]
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
ALL_OBJECTS_DICT.update({"bce": bce, "BCE": BCE, "mae": mae, "MAE": MAE, "mse": mse, "MSE": MSE})


def serialize(loss) -> dict:
    """``{"class_name": ..., "config": ...}`` for a loss instance (a function serializes to its name)."""
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__, "config": loss.get_config(),
                "registered_name": None}
    return loss.__name__


def deserialize(config, custom_objects=None):
    """The loss described by ``serialize``'s output."""
    objects = dict(ALL_OBJECTS_DICT, **(custom_objects or {}))
    if isinstance(config, str):
        return get(config)
    cls = objects.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown loss: {config.get('class_name')!r}. Known: {sorted(objects)}.")
    return cls.from_config(config["config"])


def get(identifier):
    """A loss from a name (function or class name, case-sensitive as in Keras), a ``serialize`` dict,
    a class (instantiated with defaults), or a callable (returned as is)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    obj = ALL_OBJECTS_DICT.get(identifier) if isinstance(identifier, str) else identifier
    if isinstance(obj, type) and issubclass(obj, Loss):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Valid names: {sorted(ALL_OBJECTS_DICT)} "
                     "(or pass a loss instance such as tf.keras.losses.MeanSquaredError()).")
