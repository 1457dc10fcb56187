"""Regression losses: mean squared error, mean absolute error, Huber — functions and classes.

Each function returns one value per sample (the mean over the last axis); the classes
wrap them with a reduction (see :mod:`tinyflow.keras.losses.loss`).

>>> import tinyflow as tf
>>> tf.keras.losses.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]).numpy()
array([0.5], dtype=float32)
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras.losses.loss import (
    LossFunctionWrapper,
    _to_dtype,
    check_broadcastable,
    squeeze_or_expand_to_same_rank,
)


def _prepare(y_true, y_pred, fn_name: str):
    """Tensors of one dtype (y_pred's), with ranks matched the Keras way, checked to combine."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = _to_dtype(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_broadcastable(y_true, y_pred, fn_name)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``: shape ``[batch, d0, .. dN-1]``."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)


def huber(y_true, y_pred, delta: float = 1.0):
    """Quadratic for small errors, linear for large ones; mean over the last axis:

        0.5 * x²                     if |x| <= delta
        delta * |x| - 0.5 * delta²   otherwise          (x = y_pred - y_true)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "huber")
    delta = tf.cast(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = tf.abs(error)
    return tf.reduce_mean(tf.where(abs_error <= delta, 0.5 * tf.square(error),
                                   delta * abs_error - 0.5 * tf.square(delta)), axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


class MeanSquaredError(LossFunctionWrapper):
    """``loss = mean(square(y_true - y_pred))``.

    Args:
      reduction: ``"sum_over_batch_size"`` (default), ``"sum"`` or ``"none"``.
      name: default ``"mean_squared_error"``.
      dtype: computation dtype (default float32).

    >>> import tinyflow as tf
    >>> float(tf.keras.losses.MeanSquaredError()([1.0, 2.0], [1.0, 4.0]))
    2.0
    """

    def __init__(self, reduction="sum_over_batch_size", name: str = "mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """``loss = mean(abs(y_true - y_pred))``.

    >>> import tinyflow as tf
    >>> float(tf.keras.losses.MeanAbsoluteError()([1.0, 2.0], [1.0, 4.0]))
    1.0
    """

    def __init__(self, reduction="sum_over_batch_size", name: str = "mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class Huber(LossFunctionWrapper):
    """Huber loss: squared error below ``delta``, absolute error above it (see :func:`huber`).

    Args:
      delta: where the loss turns from quadratic to linear (default 1.0).
      reduction, name (default ``"huber_loss"``), dtype: as for every loss.

    >>> import tinyflow as tf
    >>> round(float(tf.keras.losses.Huber()([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])), 3)
    0.155
    """

    def __init__(self, delta: float = 1.0, reduction="sum_over_batch_size", name: str = "huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)
