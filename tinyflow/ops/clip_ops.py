"""Clipping values and norms: ``clip_by_value``, ``clip_by_norm``, ``clip_by_global_norm``.

All three are compositions of math ops, as in TensorFlow, so their gradients come from
those ops: ``clip_by_value`` passes the gradient where the value was inside the range
(boundaries included) and sends it to the bound where the value was clipped.

>>> import tinyflow as tf
>>> tf.clip_by_value(tf.constant([-2.0, 0.5, 3.0]), -1.0, 1.0).numpy()
array([-1. ,  0.5,  1. ], dtype=float32)
"""
from __future__ import annotations

import builtins
import numbers
from collections.abc import Sequence

from tinyflow.framework.dispatch import convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.ops.base_ops import constant, identity
from tinyflow.ops.math_ops import add_n, cast, maximum, minimum, reduce_sum, sqrt

__all__ = ["clip_by_global_norm", "clip_by_norm", "clip_by_value"]
# global_norm is tf.linalg.global_norm (and tf.compat.v1.global_norm) in TensorFlow 2, not tf.global_norm.


def _check_same_shape(values, clipped, what):
    if not values.shape.is_compatible_with(clipped.shape):
        raise ValueError(f"Shapes {values.shape} and {clipped.shape} are incompatible: the {what} would "
                         "broadcast t to a bigger shape; it must be a scalar or broadcastable to t's shape.")


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clip ``t`` to [clip_value_min, clip_value_max]: min(max(t, lo), hi), element-wise.

    The bounds are scalars or broadcastable to ``t``'s shape (never making it bigger). Their
    dtype must match ``t``'s: clipping an int32 tensor with 0.5 is a TypeError.
    """
    with name_scope(name, "clip_by_value") as scope:
        values = convert_to_tensor(t)
        t_min = minimum(values, clip_value_max)
        _check_same_shape(values, t_min, "clip_value_max")
        t_max = maximum(t_min, clip_value_min, name=scope)
        _check_same_shape(values, t_max, "clip_value_min")
        return t_max


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescale ``t`` so that its L2 norm (over ``axes``, all by default) is at most ``clip_norm``:
    t · clip_norm / max(‖t‖₂, clip_norm). A tensor already inside the norm ball is unchanged.

    >>> import tinyflow as tf
    >>> tf.clip_by_norm(tf.constant([3.0, 4.0]), 1.0).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    with name_scope(name, "clip_by_norm") as scope:
        values = convert_to_tensor(t)
        if isinstance(clip_norm, numbers.Number):
            clip_norm = builtins.max(clip_norm, 0)  # a negative clip_norm counts as zero, as in TF
        else:
            clip_norm = cast(maximum(clip_norm, 0), values.dtype)
        l2sum = reduce_sum(values * values, axes, keepdims=True)
        nonzero = cast(l2sum > 0, values.dtype)
        # √l2sum, but with a finite gradient where l2sum == 0 (TF uses where() for the same purpose)
        l2norm = sqrt(l2sum + (1 - nonzero)) * nonzero
        intermediate = values * clip_norm
        _check_same_shape(values, intermediate, "clip_norm")
        return identity(intermediate / maximum(l2norm, clip_norm), name=scope)


def _check_list(t_list):
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return list(t_list)


def global_norm(t_list, name=None):
    """√(Σ ‖t‖²) over all the tensors in ``t_list``; ``None`` entries are ignored."""
    t_list = _check_list(t_list)
    with name_scope(name, "global_norm"):
        values = [convert_to_tensor(t) for t in t_list if t is not None]
        if not values:
            raise ValueError("global_norm needs at least one tensor in `t_list` that is not None.")
        return sqrt(add_n([reduce_sum(v * v) for v in values]), name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scale every tensor of ``t_list`` by clip_norm / max(global_norm, clip_norm).

    Returns ``(list_clipped, global_norm)``. ``None`` entries stay ``None``; ``use_norm`` replaces
    the computed global norm. If the norm is inf or NaN, every clipped tensor is NaN (a signal
    that training went wrong), as in TF.

    >>> import tinyflow as tf
    >>> clipped, norm = tf.clip_by_global_norm([tf.constant([3.0]), None, tf.constant([4.0])], 1.0)
    >>> float(norm), clipped[0].numpy(), clipped[1]
    (5.0, array([0.6], dtype=float32), None)
    """
    t_list = _check_list(t_list)
    use_norm = global_norm(t_list, name) if use_norm is None else convert_to_tensor(use_norm)
    with name_scope(name, "clip_by_global_norm"):
        one = constant(1.0, dtype=use_norm.dtype)
        scale_for_finite = clip_norm * minimum(1.0 / use_norm, one / clip_norm)
        scale = scale_for_finite + (use_norm - use_norm)  # NaN when use_norm is inf or NaN
        clipped = []
        for i, t in enumerate(t_list):
            if t is None:
                clipped.append(None)
                continue
            v = convert_to_tensor(t)
            clipped.append(identity(v * cast(scale, v.dtype), name=f"clip_by_global_norm_{i}"))
    return clipped, use_norm
