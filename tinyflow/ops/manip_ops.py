"""Joining, cutting, repeating and padding tensors: concat, split, tile, broadcast_to, pad, reverse.

Every op here has a gradient built from the others: concat's gradient splits, split's concatenates,
tile's sums the copies, pad's slices the padding off.

>>> import tinyflow as tf
>>> parts = tf.split(tf.reshape(tf.range(6), [2, 3]), [1, 2], axis=1)
>>> tf.concat(parts[::-1], axis=1).numpy()
array([[1, 2, 0],
       [4, 5, 3]], dtype=int32)
"""
from __future__ import annotations

import builtins

import numpy as np  # host-side only (split points), never math on tensor values

from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, register_gradient, register_op
from tinyflow.framework.tensor import Tensor
from tinyflow.framework.tensor_shape import TensorShape, broadcast_shapes
from tinyflow.ops import base_ops, math_ops
from tinyflow.ops._grad_util import unbroadcast
from tinyflow.ops._shape_util import _as_shape, _axis, _fmt, _int, _ints, _known, _shape_tensor_dims
from tinyflow.ops.array_ops import _dims, _shape_arg, reshape

__all__ = ["broadcast_to", "concat", "pad", "reverse", "split", "tile"]


# -- concat, split ---------------------------------------------------------------------------------
def _concat_shape(*values, axis):
    shapes = [v.shape for v in values]
    first = next((s for s in shapes if s.rank is not None), None)
    if first is None:
        return (TensorShape(None), values[0].dtype)
    r = first.rank
    if not -r <= axis < r:
        raise ShapeError(f"ConcatOp : Expected concatenating dimensions in the range [{-r}, {r}), but got {axis}")
    a = axis % r
    out = first.as_list()
    out[a] = 0
    for i, s in enumerate(shapes):
        if s.rank is None:
            out[a] = None
            continue
        if s.rank != r:
            raise ShapeError(f"ConcatOp : Ranks of all input tensors should match: shape[0] = "
                             f"{_fmt(shapes[0])} vs. shape[{i}] = {_fmt(s)}")
        for j, d in enumerate(s):
            if j == a:
                out[a] = None if out[a] is None or d is None else out[a] + d
            elif out[j] is None:
                out[j] = d
            elif d is not None and d != out[j]:
                raise ShapeError(f"ConcatOp : Dimension {j} in both shapes must be equal: shape[0] = "
                                 f"{_fmt(shapes[0])} vs. shape[{i}] = {_fmt(s)}")
    return (TensorShape(out), values[0].dtype)


register_op("ConcatV2", kernel=lambda xp, *values, axis: xp.concatenate(values, axis=axis), shape=_concat_shape,
            same_dtype=True)


@register_gradient("ConcatV2")
def _concat_grad(op, grad):
    return list(apply_op("SplitLike", [grad, *op.inputs], {"axis": op.get_attr("axis")}))


def _split_like_kernel(xp, grad, *likes, axis):
    ends = np.cumsum([x.shape[axis] for x in likes])
    return tuple(xp.split(grad, ends[:-1].tolist(), axis=axis))


# SplitLike(grad, *xs): grad cut into pieces shaped like xs along `axis` (concat's gradient; the
# sizes may be known only at run time). num_outputs=None: one output per `like` input.
register_op("SplitLike", kernel=_split_like_kernel, num_outputs=None,
            shape=lambda grad, *likes, axis: [(x.shape, grad.dtype) for x in likes])


@register_gradient("SplitLike")
def _split_like_grad(op, *grads):
    return [concat(list(grads), op.get_attr("axis"))] + [None] * (len(op.inputs) - 1)


def concat(values, axis, name="concat"):
    """Join tensors along an existing ``axis``; the other dims must match.

    >>> import tinyflow as tf
    >>> tf.concat([tf.zeros([2, 3]), tf.ones([2, 4])], axis=1).shape
    TensorShape([2, 7])
    """
    values = list(values)
    if len(values) == 1:
        return base_ops.identity(values[0], name=name)
    return apply_op("ConcatV2", values, {"axis": _int(axis, "axis")}, name=name)


def _split_sizes(dim, num_split, size_splits, axis):
    """Piece sizes along the split axis, checked against its length ``dim`` (None = unknown)."""
    if size_splits is None:
        if dim is not None and dim % num_split:
            raise ShapeError(f"Number of ways to split should evenly divide the split dimension, but got "
                             f"split_dim {axis} (size = {dim}) and num_split {num_split}")
        return [None if dim is None else dim // num_split] * num_split
    sizes = list(size_splits)
    if sizes.count(-1) > 1:
        raise ShapeError(f"size_splits may contain at most one -1, got {sizes}")
    rest = sum(s for s in sizes if s != -1)
    if dim is not None and (rest > dim or -1 not in sizes and rest != dim):
        raise ShapeError("Determined shape must either match input shape along split_dim exactly if fully "
                         "specified, or be less than the size of the input along split_dim if not fully "
                         f"specified.  Got: {rest}")
    if -1 in sizes:
        sizes[sizes.index(-1)] = None if dim is None else dim - rest
    return sizes


def _split_kernel(xp, value, axis, num_split, size_splits):
    sizes = _split_sizes(value.shape[axis], num_split, size_splits, axis)
    return tuple(xp.split(value, np.cumsum(sizes)[:-1].tolist(), axis=axis))


def _split_shape(value, axis, num_split, size_splits):
    if value.shape.rank is None:
        return [(TensorShape(None), value.dtype)] * num_split
    dims = value.shape.as_list()
    out = []
    for s in _split_sizes(dims[axis], num_split, size_splits, axis):
        out.append((TensorShape(dims[:axis] + [s] + dims[axis + 1:]), value.dtype))
    return out


register_op("SplitV", kernel=_split_kernel, shape=_split_shape, num_outputs=None)  # num_split outputs


@register_gradient("SplitV")
def _split_grad(op, *grads):
    return [concat(list(grads), op.get_attr("axis"))]


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Cut ``value`` along ``axis`` into ``n`` equal pieces (an int) or pieces of the listed sizes
    (one size may be -1). Returns a list.

    >>> import tinyflow as tf
    >>> [p.shape[1] for p in tf.split(tf.zeros([2, 7]), [3, -1], axis=1)]
    [3, 4]
    """
    value = convert_to_tensor(value)
    try:
        axis = _axis(_int(axis, "axis"), value.shape.rank)
    except ShapeError as e:
        raise ValueError(str(e)) from None
    if isinstance(num_or_size_splits, int | np.integer) or \
            isinstance(num_or_size_splits, Tensor) and num_or_size_splits.shape.rank == 0:
        n, sizes = _int(num_or_size_splits, "num_or_size_splits"), None
    else:
        sizes = _ints(num_or_size_splits, "num_or_size_splits")
        n = len(sizes)
    attrs = {"axis": axis, "num_split": n, "size_splits": sizes}
    return list(apply_op("SplitV", [value], attrs, name=name))


# -- tile, broadcast_to, pad, reverse --------------------------------------------------------------
def _tile_shape(x, multiples):
    if x.shape.rank is None:
        return (TensorShape([None] * len(multiples)), x.dtype)
    if len(multiples) != x.shape.rank:
        raise ShapeError(f"Expected multiples argument to be a vector of length {x.shape.rank} but got length "
                         f"{len(multiples)}")
    return (TensorShape([None if d is None else d * m for d, m in zip(x.shape, multiples)]), x.dtype)


def _tile_kernel(xp, x, multiples):
    if len(multiples) != x.ndim:  # xp.tile would quietly pad `multiples` with ones
        raise ValueError(f"multiples has length {len(multiples)}, the input has rank {x.ndim}")
    return xp.tile(x, multiples)


register_op("Tile", kernel=_tile_kernel, shape=_tile_shape)


@register_gradient("Tile")
def _tile_grad(op, grad):
    # y = tile(x, m) viewed as shape [m0, d0, m1, d1, ...] holds m0·m1·... copies of x: sum them
    x, m = op.inputs[0], op.get_attr("multiples")
    pairs = [v for md in zip(m, _dims(x)) for v in md]
    return [math_ops.reduce_sum(reshape(grad, pairs), axis=list(builtins.range(0, 2 * len(m), 2)))]


def tile(input, multiples, name=None):  # noqa: A002
    """Repeat ``input`` ``multiples[i]`` times along axis i."""
    return apply_op("Tile", [input], {"multiples": _ints(multiples, "multiples")}, name=name or "Tile")


def _broadcast_to_kernel(xp, x, *shape_tensor, shape=None):
    return xp.broadcast_to(x, shape if shape is not None else tuple(shape_tensor[0].tolist()))


def _broadcast_to_shape(x, *shape_tensor, shape=None):
    target = _as_shape(list(shape) if shape is not None else _shape_tensor_dims(shape_tensor[0]))
    out = broadcast_shapes(x.shape, target)
    if out is None or x.shape.rank is not None and target.rank is not None and \
            (x.shape.rank > target.rank or out.is_fully_defined() and out != target):
        raise ShapeError(f"Incompatible shapes: {x.shape._tf_str()} vs. {target._tf_str()}")
    return (target, x.dtype)


register_op("BroadcastTo", kernel=_broadcast_to_kernel, shape=_broadcast_to_shape)


@register_gradient("BroadcastTo")
def _broadcast_to_grad(op, grad):
    return [unbroadcast(grad, op.inputs[0])] + [None] * (len(op.inputs) - 1)


def broadcast_to(input, shape, name=None):  # noqa: A002
    """``input`` repeated along broadcast axes to ``shape`` (numpy's broadcasting rules)."""
    static, dynamic = _shape_arg(shape)
    if static is not None:
        return apply_op("BroadcastTo", [input], {"shape": static}, name=name or "BroadcastTo")
    return apply_op("BroadcastTo", [input, dynamic], {"shape": None}, name=name or "BroadcastTo")


def _pad_kernel(xp, x, paddings, constant_values):
    if len(paddings) != x.ndim:  # xp.pad would quietly reuse the rows it has
        raise ValueError(f"paddings has {len(paddings)} rows, the input has rank {x.ndim}")
    return xp.pad(x, paddings, mode="constant", constant_values=constant_values)


def _pad_shape(x, paddings, constant_values):
    if x.shape.rank is None:
        return (TensorShape([None] * len(paddings)), x.dtype)
    if len(paddings) != x.shape.rank:
        raise ShapeError(f"The first dimension of paddings must be the rank of inputs[{len(paddings)},2] "
                         f"{x.shape._tf_str()}")
    return (TensorShape([None if d is None else d + a + b for d, (a, b) in zip(x.shape, paddings)]), x.dtype)


register_op("PadV2", kernel=_pad_kernel, shape=_pad_shape)


@register_gradient("PadV2")
def _pad_grad(op, grad):
    return [grad[tuple(builtins.slice(a, -b if b else None) for a, b in op.get_attr("paddings"))]]  # cut pads off


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Add ``paddings[i] = [before, after]`` entries of ``constant_values`` around axis i.

    >>> import tinyflow as tf
    >>> tf.pad(tf.ones([2, 3]), [[1, 1], [0, 2]]).shape
    TensorShape([4, 5])
    """
    if mode.upper() != "CONSTANT":
        if mode.upper() in ("REFLECT", "SYMMETRIC"):
            raise NotImplementedError(f"tinyflow's tf.pad supports mode='CONSTANT' only, got mode={mode!r}.")
        raise ValueError(f"Value of argument `mode` expected to be one of \"CONSTANT\", \"REFLECT\", or "
                         f"\"SYMMETRIC\". Received `mode` = {mode}")
    flat = _ints(np.reshape(paddings, [-1]) if not isinstance(paddings, Tensor) else paddings, "paddings")
    pairs = tuple(zip(flat[0::2], flat[1::2]))  # ((before, after) per axis)
    if any(a < 0 or b < 0 for a, b in pairs):
        raise ValueError(f"Paddings must be non-negative, got {[list(p) for p in pairs]}")
    attrs = {"paddings": pairs, "constant_values": _known(constant_values, "constant_values")}
    return apply_op("PadV2", [tensor], attrs, name=name or "Pad")


register_op("ReverseV2", kernel=lambda xp, x, axis: xp.flip(x, axis), shape=lambda x, axis: (x.shape, x.dtype))


@register_gradient("ReverseV2")
def _reverse_grad(op, grad):
    return [reverse(grad, op.get_attr("axis"))]


def reverse(tensor, axis, name=None):
    """Reverse the order of entries along each axis in ``axis``."""
    t = convert_to_tensor(tensor)
    axes = tuple(_axis(a, t.shape.rank) for a in _ints(axis, "axis"))
    return apply_op("ReverseV2", [t], {"axis": axes}, name=name or "ReverseV2")


