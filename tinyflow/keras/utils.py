"""``keras.utils``: small helpers — one-hot labels, seeding everything, the progress bar.

>>> from tinyflow.keras.utils import to_categorical
>>> to_categorical([0, 2], num_classes=3)
array([[1., 0., 0.],
       [0., 0., 1.]], dtype=float32)
"""
from __future__ import annotations

import random

import numpy as np

from tinyflow.keras.callbacks.progbar_logger import Progbar
from tinyflow.keras.models.saving import custom_object_scope, get_custom_objects, register_keras_serializable

__all__ = ["Progbar", "custom_object_scope", "get_custom_objects", "normalize", "register_keras_serializable",
           "set_random_seed", "to_categorical"]


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer class labels: shape ``(n,)`` (or ``(n, 1)``) -> ``(n, num_classes)`` float32.

    Args:
      x: integer labels 0 .. num_classes-1, any shape.
      num_classes: default ``max(x) + 1``.
    """
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(x)) + 1 if x.size else 0
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(f"Labels must lie in [0, {num_classes}); got values from {x.min()} to {x.max()}.")
    out = np.zeros((x.shape[0], num_classes), dtype=np.float32)
    out[np.arange(x.shape[0]), x] = 1.0
    return out.reshape(shape + (num_classes,))


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """``x`` divided by its ``order``-norm along ``axis`` (zero vectors stay zero)."""
    x = np.asarray(x)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm)


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, numpy's global generator and tinyflow (``tf.random.set_seed``) at once,
    so that weight initialization, dropout and ``fit``'s shuffling repeat exactly."""
    import tinyflow as tf  # noqa: PLC0415

    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})")
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
