"""Making tensors from a shape or a range: fill, zeros, ones, eye, range, linspace.

>>> import tinyflow as tf
>>> tf.zeros([2, 3]).dtype, tf.range(5).dtype, tf.range(0.0, 1.0, 0.25).dtype
(tf.float32, tf.int32, tf.float32)
"""
from __future__ import annotations

import builtins
import math

import numpy as np  # host-side only: constants and shape arithmetic

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, not_differentiable, register_gradient, register_op
from tinyflow.framework.tensor import Tensor
from tinyflow.framework.tensor_shape import TensorShape, broadcast_shapes
from tinyflow.ops import math_ops
from tinyflow.ops._shape_util import _as_shape, _axis, _fmt, _int, _shape_tensor_dims, _static_value
from tinyflow.ops.array_ops import _shape_arg, expand_dims, reshape

__all__ = ["eye", "fill", "linspace", "ones", "range", "zeros"]


# -- fill, zeros, ones, eye ------------------------------------------------------------------------
def _fill_kernel(xp, dims, value):
    if value.ndim != 0:
        raise ValueError(f"value must be a scalar, got a tensor of shape {_fmt(value.shape)}")
    out = xp.empty(tuple(dims.tolist()), dtype=value.dtype)
    out[...] = value
    return out


register_op("Fill", kernel=_fill_kernel, shape=lambda dims, value: (_as_shape(_shape_tensor_dims(dims)), value.dtype))


@register_gradient("Fill")
def _fill_grad(op, grad):
    return [None, math_ops.reduce_sum(grad)]


def fill(dims, value, name=None):
    """A tensor of shape ``dims`` filled with the scalar ``value`` (its dtype too)."""
    static, dynamic = _shape_arg(dims)
    if static is not None:
        if any(d < 0 for d in static):
            raise ValueError(f"Fill dimensions must be >= 0, got {list(static)}")
        dynamic = convert_to_tensor(np.asarray(static, dtype=np.int32))
    return apply_op("Fill", [dynamic, value], name=name or "Fill")


def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros (``False`` for bool) with the given shape and dtype (default float32)."""
    return fill(shape, np.zeros((), dtypes.as_dtype(dtype).as_numpy_dtype), name=name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones with the given shape and dtype (default float32)."""
    return fill(shape, np.ones((), dtypes.as_dtype(dtype).as_numpy_dtype), name=name or "ones")


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Identity matrix (or a batch of them, shape ``batch_shape + [num_rows, num_columns]``)."""
    rows = _int(num_rows, "num_rows")
    cols = rows if num_columns is None else _int(num_columns, "num_columns")
    matrix = np.eye(rows, cols, dtype=dtypes.as_dtype(dtype).as_numpy_dtype)
    if batch_shape is not None:
        matrix = np.broadcast_to(matrix, [int(b) for b in batch_shape] + [rows, cols]).copy()
    return convert_to_tensor(matrix, name=name or "eye")


_RANGE_ORDER = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


def _range_error(start, limit, delta) -> str | None:
    if delta == 0:
        return f"Requires delta != 0: {delta}"
    if delta > 0 and start > limit or delta < 0 and start < limit:
        which = "start <= limit when delta > 0" if delta > 0 else "start >= limit when delta < 0"
        return f"Requires {which}: {start}/{limit}"
    return None


def _range_kernel(xp, start, limit, delta):
    dtype = start.dtype
    start, limit, delta = start.item(), limit.item(), delta.item()  # host scalars: they size the output
    if _range_error(start, limit, delta):
        raise ValueError(_range_error(start, limit, delta))
    return xp.arange(start, limit, delta, dtype=dtype)


def _range_shape(start, limit, delta):
    values = [_static_value(t) for t in (start, limit, delta)]
    if any(v is None for v in values):
        return (TensorShape([None]), start.dtype)
    s, lim, d = (v.item() for v in values)
    if _range_error(s, lim, d):
        raise ShapeError(_range_error(s, lim, d))
    return (TensorShape([math.ceil((lim - s) / d)]), start.dtype)


register_op("Range", kernel=_range_kernel, shape=_range_shape, same_dtype=True)
not_differentiable("Range")


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001  (TF's name)
    """``[start, start + delta, ...]`` up to but excluding ``limit``; ``range(n)`` counts 0..n-1.
    The dtype is int32 for Python ints and float32 as soon as one argument is a float.

    >>> import tinyflow as tf
    >>> tf.range(1, 10, 3).numpy()
    array([1, 4, 7], dtype=int32)
    """
    if limit is None:
        start, limit = 0, start
    args = [start, limit, delta]
    if dtype is None:
        kinds = [a.dtype if isinstance(a, Tensor) else dtypes.float32 if isinstance(a, float | np.floating)
                 else dtypes.int32 for a in args]
        dtype = builtins.max(kinds, key=lambda d: _RANGE_ORDER.index(d) if d in _RANGE_ORDER else -1)
    dtype = dtypes.as_dtype(dtype)
    args = [math_ops.cast(a, dtype) if isinstance(a, Tensor) else convert_to_tensor(np.asarray(a, dtype.as_numpy_dtype))
            for a in args]
    return apply_op("Range", args, name=name)


def linspace(start, stop, num, name=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive, along a new ``axis``.
    Built from other ops, so it is differentiable in ``start`` and ``stop``."""
    start = start if isinstance(start, Tensor) else convert_to_tensor(start, dtype=dtypes.float32)
    stop = stop if isinstance(stop, Tensor) else convert_to_tensor(stop, dtype=start.dtype)
    n = _int(num, "num")
    r = broadcast_shapes(start.shape, stop.shape).rank
    a = _axis(axis, r, extra=1)
    step = (stop - start) / float(builtins.max(n - 1, 1))  # values: start + i * step
    i = reshape(math_ops.cast(range(n), start.dtype), [n] + [1] * (r - a))
    return math_ops.add(expand_dims(start, a), i * expand_dims(step, a), name=name or "LinSpace")
