"""Indexing: ``x[...]`` slicing (StridedSlice), tf.slice, gather, gather_nd, scatter_nd.

``x[1:, ::-1, tf.newaxis, 0]`` becomes one StridedSlice op whose attributes are TF's begin/end/strides
lists and five bit masks. Its kernel turns them back into a numpy index, and its gradient writes the
incoming gradient into zeros of the input's shape. Gathers have a scatter-add gradient.
Selecting by a condition (where, boolean_mask) is in :mod:`~tinyflow.ops.mask_ops`.

>>> import tinyflow as tf
>>> x = tf.reshape(tf.range(12), [3, 4])
>>> x[1:, ::2].numpy()
array([[ 4,  6],
       [ 8, 10]], dtype=int32)
"""
from __future__ import annotations

import builtins
import functools

import numpy as np  # host-side only: index types, and index checks on values known while building

from tinyflow.framework import errors
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, register_gradient, register_op
from tinyflow.framework.tensor import Tensor
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops import array_ops
from tinyflow.ops._shape_util import _as_shape, _axis, _fmt, _int, _ints, _shape_tensor_dims, _static_value
from tinyflow.ops.array_ops import shape

__all__ = ["gather", "gather_nd", "scatter_nd", "slice"]

_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


# -- StridedSlice: x[key] --------------------------------------------------------------------------
@functools.lru_cache(maxsize=512)
def _index(begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask) -> tuple:
    """TF's begin/end/strides + masks, turned back into a numpy basic index like (slice(1, None), 0)."""
    index = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if ellipsis_mask & bit:
            index.append(Ellipsis)
        elif new_axis_mask & bit:
            index.append(None)
        elif shrink_axis_mask & bit:
            index.append(b)
        else:
            index.append(builtins.slice(None if begin_mask & bit else b, None if end_mask & bit else e, s))
    return tuple(index)


def _strided_slice_kernel(xp, x, **attrs):
    return xp.asarray(x[_index(**attrs)])


def _strided_slice_shape(x, **attrs):
    index, r = _index(**attrs), x.shape.rank
    if r is None:
        return (TensorShape(None), x.dtype)
    used = sum(1 for k in index if k is not None and k is not Ellipsis)  # input dims the key consumes
    if used > r:
        raise ShapeError(f"Index out of range using input dim {r}; input has only {r} dims")
    at = index.index(Ellipsis) if Ellipsis in index else len(index)
    index = index[:at] + (builtins.slice(None),) * (r - used) + index[at + 1:]
    out, d = [], 0
    for k in index:
        if k is None:
            out.append(1)
            continue
        n = x.shape[d]
        if isinstance(k, builtins.slice):
            out.append(None if n is None else len(builtins.range(*k.indices(n))))
        elif n is not None and not -n <= k < n:
            raise ShapeError(f"slice index {k} of dimension {d} out of bounds.")
        d += 1
    return (TensorShape(out), x.dtype)


register_op("StridedSlice", kernel=_strided_slice_kernel, shape=_strided_slice_shape)


@register_gradient("StridedSlice")
def _strided_slice_grad(op, grad):
    attrs = {k: op.get_attr(k) for k in ("begin", "end", "strides") + _MASKS}
    return [apply_op("StridedSliceGrad", [shape(op.inputs[0]), grad], attrs)]


def _strided_slice_grad_kernel(xp, x_shape, grad, **attrs):
    out = xp.zeros(tuple(x_shape.tolist()), dtype=grad.dtype)  # dx = 0 except where x was read
    out[_index(**attrs)] = grad
    return out


register_op("StridedSliceGrad", kernel=_strided_slice_grad_kernel,
            shape=lambda x_shape, grad, **attrs: (_as_shape(_shape_tensor_dims(x_shape)), grad.dtype))


@register_gradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, grad):
    attrs = {k: op.get_attr(k) for k in ("begin", "end", "strides") + _MASKS}
    return [None, apply_op("StridedSlice", [grad], attrs)]


def _key_int(k):
    """An index entry as a Python int; None for a scalar int tensor known only at run time."""
    if isinstance(k, Tensor):
        value = _static_value(k)
        return None if value is None else int(value)
    return int(k)


def _is_int(k) -> bool:
    if isinstance(k, Tensor):
        return k.shape.rank == 0 and k.dtype.is_integer
    return isinstance(k, int | np.integer) and not isinstance(k, bool)


def _bad_key(k):
    return TypeError(
        f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/tf.int64 "
        f"tensors are valid indices, got {k!r}. To pick entries by a list of indices use tf.gather(x, indices, "
        "axis=...); to pick them by a boolean mask use tf.boolean_mask(x, mask).")


def _slice_bound(p, k):
    if p is None:
        return None
    if not _is_int(p):
        raise _bad_key(k)
    value = _key_int(p)
    if value is None:
        raise TypeError(f"Slice bounds known only at run time are not supported ({k!r}); use "
                        "tf.gather(x, tf.range(start, stop), axis=...) instead.")
    return value


def getitem(tensor, key, name="strided_slice"):
    """``tensor[key]`` for ints, slices (any step), ``...`` and ``tf.newaxis``: one StridedSlice op.
    A scalar int tensor known only at run time (inside a graph) indexes through ``tf.gather``."""
    x = convert_to_tensor(tensor)
    key = key if isinstance(key, tuple) else (key,)
    begin, end, strides, masks = [], [], [], dict.fromkeys(_MASKS, 0)
    runtime = []  # (position in key, scalar tensor) of indices known only at run time
    for i, k in enumerate(key):
        bit = 1 << i
        if k is Ellipsis:
            if masks["ellipsis_mask"]:
                raise ValueError("Multiple ellipses in slice spec not allowed")
            masks["ellipsis_mask"] |= bit
            k = (0, 0, 1)
        elif k is None:
            masks["new_axis_mask"] |= bit
            k = (0, 0, 1)
        elif isinstance(k, builtins.slice):
            parts = [_slice_bound(p, k) for p in (k.start, k.stop, k.step)]
            if parts[2] == 0:
                raise ValueError("slice step cannot be zero")
            masks["begin_mask"] |= bit if parts[0] is None else 0
            masks["end_mask"] |= bit if parts[1] is None else 0
            k = (parts[0] or 0, parts[1] or 0, 1 if parts[2] is None else parts[2])
        elif _is_int(k):
            value = _key_int(k)
            if value is None:
                runtime.append((i, k))
                masks["begin_mask"] |= bit
                masks["end_mask"] |= bit
                k = (0, 0, 1)  # a full slice now; gathered below
            else:
                masks["shrink_axis_mask"] |= bit
                k = (value, value + 1, 1)
        else:
            raise _bad_key(k)
        begin.append(k[0])
        end.append(k[1])
        strides.append(k[2])
    attrs = {"begin": tuple(begin), "end": tuple(end), "strides": tuple(strides), **masks}
    out = apply_op("StridedSlice", [x], attrs, name=name)
    for i, k in reversed(runtime):  # last first, so earlier output axes keep their positions
        out = gather(out, k, axis=_output_axis(key, i, x.shape.rank))
    return out


def _output_axis(key, i, rank) -> int:
    """The result axis made by ``key[i]`` (a run-time index, sliced in full so far)."""
    axis = 0
    for k in key[:i]:
        if k is Ellipsis:
            if rank is None:
                raise TypeError("An index known only at run time after `...` needs a tensor of known rank.")
            axis += rank - sum(1 for k2 in key if k2 is not None and k2 is not Ellipsis)
        elif k is None or isinstance(k, builtins.slice) or _key_int(k) is None:
            axis += 1
    return axis


def slice(input_, begin, size, name=None):  # noqa: A001  (TF's name)
    """``input_[begin[i] : begin[i] + size[i]]`` along every axis; a size of -1 means "to the end"."""
    begin, size = _ints(begin, "begin"), _ints(size, "size")
    key = tuple(builtins.slice(b, None if s == -1 else b + s) for b, s in zip(begin, size))
    return getitem(input_, key, name=name or "Slice")


# -- gather and its scatter-add gradient -----------------------------------------------------------
def _index_error(xp, indices, n: int) -> str | None:
    """TF's message for the first index outside [0, n), or None if all are inside."""
    if indices.size == 0 or int(indices.min()) >= 0 and int(indices.max()) < n:
        return None
    at = tuple(xp.argwhere((indices < 0) | (indices >= n))[0].tolist())
    where = f"[{','.join(map(str, at))}]" if at else ""
    return f"indices{where} = {int(indices[at])} is not in [0, {n})"


def _check_indices(xp, indices, n: int) -> None:
    message = _index_error(xp, indices, n)
    if message:
        raise ValueError(message)


def _batch_index(xp, indices, batch_shape) -> tuple:
    """Index (arange over each batch axis, broadcast against indices..., indices) for batch_dims > 0."""
    r = indices.ndim
    grids = [xp.arange(n).reshape((1,) * i + (n,) + (1,) * (r - i - 1)) for i, n in enumerate(batch_shape)]
    return (*grids, indices)


def _gather_kernel(xp, params, indices, axis, batch_dims):
    _check_indices(xp, indices, params.shape[axis])
    if batch_dims == 0:
        return xp.take(params, indices, axis=axis)
    moved = xp.moveaxis(params, axis, batch_dims)  # (*batch, n, *middle, *trailing)
    out = moved[_batch_index(xp, indices, params.shape[:batch_dims])]  # (*batch, *index_rest, *middle, *trail)
    return xp.moveaxis(out, _middle_axes(indices.ndim, axis, batch_dims), _middle_target(axis, batch_dims))


def _middle_axes(indices_rank, axis, batch_dims) -> list:
    """Where params' dims between the batch dims and ``axis`` sit after indexing the moved params."""
    return list(builtins.range(indices_rank, indices_rank + axis - batch_dims))


def _middle_target(axis, batch_dims) -> list:
    return list(builtins.range(batch_dims, axis))


def _gather_shape(params, indices, axis, batch_dims):
    p, i = params.shape, indices.shape
    if p.rank is None or i.rank is None:
        return (TensorShape(None), params.dtype)
    if not p[:batch_dims].is_compatible_with(i[:batch_dims]):
        raise ShapeError(f"params.shape[:{batch_dims}] = {p[:batch_dims]} must match indices.shape[:{batch_dims}] "
                         f"= {i[:batch_dims]} (batch_dims={batch_dims})")
    known = _static_value(indices)  # eager, or a constant: check the values now
    message = None if known is None or p[axis] is None else _index_error(np, known, p[axis])
    if message:
        raise ShapeError(message)
    return (p[:axis].concatenate(i[batch_dims:]).concatenate(p[axis + 1:]), params.dtype)


register_op("GatherV2", kernel=_gather_kernel, shape=_gather_shape)


@register_gradient("GatherV2")
def _gather_grad(op, grad):
    params, indices = op.inputs
    return [_scatter_add_like(grad, indices, params, op.get_attr("axis"), op.get_attr("batch_dims")), None]


def _scatter_add_like(grad, indices, params, axis, batch_dims):
    """Zeros shaped like ``params`` with ``grad`` added at ``indices``: the gradient of
    ``gather(params, indices, axis=axis, batch_dims=batch_dims)`` (top_k's too)."""
    attrs = {"axis": axis, "batch_dims": batch_dims}
    return apply_op("GatherV2Grad", [grad, indices, shape(params)], attrs)


def _gather_grad_kernel(xp, grad, indices, params_shape, axis, batch_dims):
    """dparams: zeros, then ``dparams[indices] += grad`` — np.add.at sums repeated indices."""
    out = xp.zeros(tuple(params_shape.tolist()), dtype=grad.dtype)
    if batch_dims == 0:
        xp.add.at(out, (builtins.slice(None),) * axis + (indices,), grad)
        return out
    grad = xp.moveaxis(grad, _middle_target(axis, batch_dims), _middle_axes(indices.ndim, axis, batch_dims))
    xp.add.at(xp.moveaxis(out, axis, batch_dims), _batch_index(xp, indices, out.shape[:batch_dims]), grad)
    return out


register_op("GatherV2Grad", kernel=_gather_grad_kernel,
            shape=lambda grad, indices, s, axis, batch_dims: (_as_shape(_shape_tensor_dims(s)), grad.dtype))


@register_gradient("GatherV2Grad")
def _gather_grad_grad(op, grad):
    attrs = {"axis": op.get_attr("axis"), "batch_dims": op.get_attr("batch_dims")}
    return [apply_op("GatherV2", [grad, op.inputs[1]], attrs), None, None]


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Entries of ``params`` along ``axis`` at ``indices``: shape ``params.shape[:axis] + indices.shape
    [batch_dims:] + params.shape[axis+1:]``. Out-of-range indices are an error. The gradient adds the
    incoming gradient into a zero tensor at ``indices`` (TF returns it as IndexedSlices; tinyflow dense).

    >>> import tinyflow as tf
    >>> tf.gather(tf.constant([[1, 2], [3, 4], [5, 6]]), [2, 0]).numpy()
    array([[5, 6],
           [1, 2]], dtype=int32)
    """
    params, indices = convert_to_tensor(params), convert_to_tensor(indices)
    if not indices.dtype.is_integer:
        raise TypeError(f"Value passed to parameter 'indices' has DataType {indices.dtype.name} not in list of "
                        "allowed values: int16, int32, int64")
    b = int(batch_dims) + (indices.shape.rank if batch_dims < 0 else 0)
    a = b if axis is None else _int(axis, "axis")
    try:
        a = _axis(a, params.shape.rank)
    except ShapeError as e:
        raise errors.InvalidArgumentError(None, None, f"{e} [Op:GatherV2]") from None
    if a < b:
        raise ValueError(f"batch_dims ({b}) must be less than or equal to axis ({a}).")
    return apply_op("GatherV2", [params, indices], {"axis": a, "batch_dims": b}, name=name or "GatherV2")


# -- gather_nd and scatter_nd ----------------------------------------------------------------------
def _nd_index(xp, indices, shape, what="param shape") -> tuple:
    """``indices[..., k]`` checked against ``shape`` and split into one index array per axis."""
    k = indices.shape[-1]
    bad = xp.any((indices < 0) | (indices >= xp.asarray(shape[:k])), axis=-1)
    if bool(bad.any()):
        at = tuple(xp.argwhere(bad)[0].tolist())
        where = f"[{','.join(map(str, at))}]" if at else ""
        raise ValueError(f"indices{where} = {indices[at].tolist()} does not index into {what} {_fmt(shape)}")
    return tuple(xp.moveaxis(indices, -1, 0))


def _gather_nd_shape(params, indices):
    p, i = params.shape, indices.shape
    if p.rank is None or i.rank is None or i[-1] is None:
        return (TensorShape(None), params.dtype)
    if i[-1] > p.rank:
        raise ShapeError(f"indices.shape[-1] must be <= params.rank, but saw indices shape: {i._tf_str()} and "
                         f"params shape: {p._tf_str()}")
    return (i[:-1].concatenate(p[i[-1]:]), params.dtype)


register_op("GatherNd", kernel=lambda xp, params, indices: params[_nd_index(xp, indices, params.shape)],
            shape=_gather_nd_shape)


@register_gradient("GatherNd")
def _gather_nd_grad(op, grad):
    params, indices = op.inputs
    return [scatter_nd(indices, grad, shape(params)), None]


def gather_nd(params, indices, batch_dims=0, name=None):
    """``params[tuple(indices[..., :])]``: each row of the last axis of ``indices`` addresses one entry
    (or slice) of ``params``. Result shape: ``indices.shape[:-1] + params.shape[indices.shape[-1]:]``."""
    if batch_dims != 0:
        raise NotImplementedError("tinyflow's gather_nd supports batch_dims=0 only.")
    return apply_op("GatherNd", [params, indices], name=name or "GatherNd")


def _scatter_nd_kernel(xp, indices, updates, out_shape):
    out = xp.zeros(tuple(out_shape.tolist()), dtype=updates.dtype)
    xp.add.at(out, _nd_index(xp, indices, out.shape, "shape"), updates)  # repeated indices add up
    return out


register_op("ScatterNd", kernel=_scatter_nd_kernel,
            shape=lambda indices, updates, s: (_as_shape(_shape_tensor_dims(s)), updates.dtype))


@register_gradient("ScatterNd")
def _scatter_nd_grad(op, grad):
    return [None, gather_nd(grad, op.inputs[0]), None]


def scatter_nd(indices, updates, shape, name=None):  # noqa: A002  (TF's name)
    """Zeros of ``shape`` with ``updates`` added at ``indices`` (the reverse of gather_nd)."""
    static, dynamic = array_ops._shape_arg(shape)
    out_shape = dynamic if static is None else convert_to_tensor(np.asarray(static, np.int32))
    return apply_op("ScatterNd", [indices, updates, out_shape], name=name or "ScatterNd")
