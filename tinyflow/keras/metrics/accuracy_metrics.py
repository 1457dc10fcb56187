"""Accuracy metrics: how often predictions match labels — exact, binary (thresholded), categorical
(one-hot labels, argmax) and sparse categorical (integer labels, argmax).

Each is a function returning one 0/1 match per sample, averaged by ``MeanMetricWrapper``.

>>> import tinyflow as tf
>>> m = tf.keras.metrics.SparseCategoricalAccuracy()
>>> float(m([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]]))
0.5
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras import backend
from tinyflow.keras.losses.loss import _to_dtype, squeeze_or_expand_to_same_rank
from tinyflow.keras.metrics.reduction_metrics import MeanMetricWrapper


def accuracy(y_true, y_pred):
    """1 where ``y_pred == y_true`` exactly, averaged over the last axis."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = _to_dtype(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return tf.reduce_mean(tf.cast(tf.equal(y_true, y_pred), backend.floatx()), axis=-1)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5):
    """1 where ``(y_pred > threshold) == y_true``, averaged over the last axis."""
    y_true = tf.convert_to_tensor(y_true)
    y_pred = tf.convert_to_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = tf.cast(y_pred > tf.cast(threshold, y_pred.dtype), y_true.dtype)
    return tf.reduce_mean(tf.cast(tf.equal(y_true, y_pred), backend.floatx()), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1 where ``argmax(y_pred) == argmax(y_true)`` (one-hot labels)."""
    y_true = tf.argmax(y_true, axis=-1)
    y_pred = tf.argmax(tf.convert_to_tensor(y_pred), axis=-1)
    return tf.cast(tf.equal(y_true, tf.cast(y_pred, y_true.dtype)), backend.floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where ``argmax(y_pred) == y_true`` (integer labels of shape ``[batch]`` or ``[batch, 1]``)."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    if y_true.shape.rank == y_pred.shape.rank and y_true.shape[-1] == 1:
        y_true = tf.squeeze(y_true, axis=-1)  # (batch, 1) labels -> (batch,)
    y_pred = tf.cast(tf.argmax(y_pred, axis=-1), y_true.dtype)
    return tf.cast(tf.equal(y_true, y_pred), backend.floatx())


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly.

    >>> import tinyflow as tf
    >>> float(tf.keras.metrics.Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]]))
    0.75
    """

    def __init__(self, name: str = "accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the 0/1 labels.

    Args:
      name: default ``"binary_accuracy"``.
      dtype: dtype of the result.
      threshold: in (0, 1) (default 0.5).

    >>> import tinyflow as tf
    >>> float(tf.keras.metrics.BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]))
    0.75
    """

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5):
        if threshold is not None and not 0 < threshold < 1:
            raise ValueError(f"Invalid value for argument `threshold`. Expected a value in interval (0, 1). "
                             f"Received: threshold={threshold}")
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the largest prediction is at the one-hot label's position.

    >>> import tinyflow as tf
    >>> float(tf.keras.metrics.CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
    0.5
    """

    def __init__(self, name: str = "categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the largest prediction is at the integer label's position."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}
