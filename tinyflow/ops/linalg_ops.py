"""Norms and small linear-algebra helpers built from other ops (so their gradients come free).

>>> import tinyflow as tf
>>> tf.norm(tf.constant([3.0, 4.0])).numpy()
5.0
"""
from __future__ import annotations

import numpy as np

from tinyflow.framework.dispatch import convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.ops import array_ops, math_ops, reduction_ops

__all__ = ["norm"]


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002  (TF's name)
    """Vector norm over ``axis`` (all elements when None): ``'euclidean'``/2, 1, or ``np.inf``.

    Matrix norms (``axis`` of two dims with ord 'fro') are the Frobenius norm.
    """
    with name_scope(name, "norm"):
        x = convert_to_tensor(tensor)
        keep = bool(keepdims)
        if ord in ("euclidean", "fro", 2, 2.0):
            return math_ops.sqrt(math_ops.reduce_sum(x * x, axis=axis, keepdims=keep))
        if ord in (1, 1.0):
            return math_ops.reduce_sum(math_ops.abs(x), axis=axis, keepdims=keep)
        if ord == np.inf:
            return reduction_ops.reduce_max(math_ops.abs(x), axis=axis, keepdims=keep)
        raise ValueError(f"'ord' must be a supported vector norm, got {ord!r}: use 'euclidean', 1, 2 or np.inf.")


def matrix_transpose(a, name="matrix_transpose"):
    """Swap the last two axes."""
    x = convert_to_tensor(a)
    rank = x.shape.rank
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    return array_ops.transpose(x, perm, name=name)
