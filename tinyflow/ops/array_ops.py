"""Shape ops: reshape, shape, expand_dims, squeeze, transpose, stack, unstack, one_hot.

A shape known while the graph is built becomes a static attribute; a shape given as a graph tensor
(``tf.reshape(x, tf.shape(y))``) becomes an extra input, resolved at run time. Related families:
:mod:`~tinyflow.ops.manip_ops` (concat, split, tile, pad ...), :mod:`~tinyflow.ops.creation_ops`
(zeros, fill, range ...) and :mod:`~tinyflow.ops.indexing_ops` (``x[...]``, gather, where ...).

>>> import tinyflow as tf
>>> tf.reshape(tf.constant([1, 2, 3, 4, 5, 6]), [2, 3]).shape
TensorShape([2, 3])
"""
from __future__ import annotations

import builtins
import math

import numpy as np  # host-side only (shape arithmetic), never math on tensor values

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, not_differentiable, register_gradient, register_op
from tinyflow.framework.tensor import Tensor
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops import base_ops
from tinyflow.ops._shape_util import (
    _as_shape,
    _axis,
    _dim_source,
    _fmt,
    _int,
    _ints,
    _known,
    _shape_tensor_dims,
    _static_value,
)

__all__ = [
    "expand_dims", "identity_n", "newaxis", "one_hot", "rank", "reshape", "shape", "shape_n", "size", "squeeze",
    "stack", "transpose", "unstack",
]

newaxis = None  # x[:, tf.newaxis] inserts a size-1 axis


# -- shape arguments -------------------------------------------------------------------------------
def _shape_arg(shape):
    """A shape argument as (static tuple, None) when known now, else (None, int tensor)."""
    if isinstance(shape, TensorShape):
        shape = [-1 if d is None else d for d in shape.as_list()]
    if isinstance(shape, list | tuple) and any(isinstance(d, Tensor) for d in shape):
        values = [d if not isinstance(d, Tensor) else _static_value(d) for d in shape]
        if any(v is None for v in values):
            return None, stack([d if isinstance(d, Tensor) else int(d) for d in shape], name="shape")
        shape = values
    if isinstance(shape, Tensor):
        value = _static_value(shape)
        return (None, shape) if value is None else (tuple(int(d) for d in value.tolist()), None)
    return tuple(-1 if d is None else int(d) for d in np.reshape(np.asarray(shape, dtype=object), [-1])), None


def _dims(x) -> list:
    """x's dims: Python ints where known now, scalar tensors (from tf.shape) where not."""
    if x.shape.is_fully_defined():
        return x.shape.as_list()
    s = shape(x)
    return [d if d is not None else s[i] for i, d in enumerate(x.shape.as_list())]


def _reshape_to(grad, x):
    """``grad`` reshaped to x's shape (static when known, else x's run-time shape)."""
    return reshape(grad, x.shape.as_list() if x.shape.is_fully_defined() else shape(x))


# -- reshape ---------------------------------------------------------------------------------------
def _reshape_kernel(xp, x, *shape_tensor, shape=None):
    return xp.reshape(x, shape if shape is not None else tuple(shape_tensor[0].tolist()))


def _reshape_shape(x, *shape_tensor, shape=None):
    dims = list(shape) if shape is not None else _shape_tensor_dims(shape_tensor[0])
    if dims is None:
        return (TensorShape(None), x.dtype)
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1:
        raise ShapeError(f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]}")
    # entries given as tf.shape(x)[i] equal x's dim i whatever its size: both stay out of the count
    shared = {} if shape is not None else _shared_dims(x, shape_tensor[0])
    n = None if x.shape.rank is None else \
        TensorShape([d for i, d in enumerate(x.shape) if i not in shared.values()]).num_elements()
    rest = [d for j, d in enumerate(dims) if j not in shared]
    known = math.prod(d for d in rest if d is not None and d >= 0)
    if n is not None and None not in rest:
        if unknown and (known == 0 or n % known) or not unknown and n != known:
            raise ShapeError(f"Cannot reshape a tensor with {n} elements to shape {_fmt(dims)} ({known} elements)")
        if unknown:
            dims[unknown[0]] = n // known
    return (_as_shape(dims), x.dtype)


def _shared_dims(x, shape_tensor) -> dict:
    """{position in the shape list: dim of x} for entries that are ``tf.shape(x)[i]`` (x itself)."""
    op = getattr(shape_tensor, "op", None)
    if op is None or op.type != "Pack":
        return {}
    shared = {j: src[1] for j, src in enumerate(map(_dim_source, op.inputs)) if src and src[0] is x}
    return shared if len(set(shared.values())) == len(shared) else {}


register_op("Reshape", kernel=_reshape_kernel, shape=_reshape_shape)


@register_gradient("Reshape")
def _reshape_grad(op, grad):
    return [_reshape_to(grad, op.inputs[0])] + [None] * (len(op.inputs) - 1)


def reshape(tensor, shape, name=None):
    """Same values, new shape; one dim may be -1 (inferred). ``shape`` may be a list (entries may be
    scalar tensors, e.g. ``[tf.shape(x)[0], -1]``) or a 1-D int tensor such as ``tf.shape(y)``.

    >>> import tinyflow as tf
    >>> tf.reshape(tf.constant([1, 2, 3, 4, 5, 6]), [3, -1]).shape
    TensorShape([3, 2])
    """
    static, dynamic = _shape_arg(shape)
    if static is not None:
        return apply_op("Reshape", [tensor], {"shape": static}, name=name or "Reshape")
    return apply_op("Reshape", [tensor, dynamic], {"shape": None}, name=name or "Reshape")


# -- shape, size, rank -----------------------------------------------------------------------------
def _shape_kernel(xp, x, out_type):
    return xp.asarray(x.shape, dtype=out_type.as_numpy_dtype)


register_op("Shape", kernel=_shape_kernel, shape=lambda x, out_type: (TensorShape([x.shape.rank]), out_type))
not_differentiable("Shape")


def shape(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The dynamic shape of ``input`` as a 1-D int32 tensor (known only at run time in a graph)."""
    return apply_op("Shape", [input], {"out_type": dtypes.as_dtype(out_type)}, name=name or "Shape")


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """``[tf.shape(x) for x in input]``."""
    return [shape(x, out_type, name=name or "ShapeN") for x in input]


def _size_kernel(xp, x, out_type):
    return xp.asarray(x.size, dtype=out_type.as_numpy_dtype)


register_op("Size", kernel=_size_kernel, shape=lambda x, out_type: (TensorShape([]), out_type))
not_differentiable("Size")


def size(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """Number of elements."""
    return apply_op("Size", [input], {"out_type": dtypes.as_dtype(out_type)}, name=name or "Size")


register_op("Rank", kernel=lambda xp, x: xp.asarray(x.ndim, dtype=xp.int32),
            shape=lambda x: (TensorShape([]), dtypes.int32))
not_differentiable("Rank")


def rank(input, name=None):  # noqa: A002
    """Number of dimensions, as an int32 scalar tensor."""
    return apply_op("Rank", [input], name=name or "Rank")


def identity_n(input, name=None):  # noqa: A002
    """``[tf.identity(x) for x in input]``."""
    return [base_ops.identity(x, name=name or "IdentityN") for x in input]


# -- expand_dims, squeeze, transpose ---------------------------------------------------------------
def _expand_dims_shape(x, axis):
    if x.shape.rank is None:
        return (TensorShape(None), x.dtype)
    r = x.shape.rank
    if not -r - 1 <= axis <= r:
        raise ShapeError(f"Tried to expand dim index {axis} for tensor with {r} dimensions.")
    dims = x.shape.as_list()
    dims.insert(axis % (r + 1), 1)
    return (TensorShape(dims), x.dtype)


register_op("ExpandDims", kernel=lambda xp, x, axis: xp.expand_dims(x, axis), shape=_expand_dims_shape)


@register_gradient("ExpandDims")
def _expand_dims_grad(op, grad):
    return [squeeze(grad, [op.get_attr("axis")])]


def expand_dims(input, axis, name=None):  # noqa: A002
    """Insert a size-1 axis at ``axis`` (negative counts from the end of the result).

    >>> import tinyflow as tf
    >>> tf.expand_dims(tf.zeros([2, 3]), -1).shape
    TensorShape([2, 3, 1])
    """
    return apply_op("ExpandDims", [input], {"axis": _int(axis, "axis")}, name=name or "ExpandDims")


def _squeeze_shape(x, axis):
    if x.shape.rank is None:
        return (TensorShape(None), x.dtype)
    dims, r = x.shape.as_list(), x.shape.rank
    if axis is None:
        return (TensorShape(None if None in dims else [d for d in dims if d != 1]), x.dtype)
    for a in axis:
        if not -r <= a < r:
            raise ShapeError(f"Tried to squeeze dim index {a} for tensor with {r} dimensions.")
        if dims[a] not in (1, None):
            raise ShapeError(f"Can not squeeze dim[{a % r}], expected a dimension of 1, got {dims[a]}")
    drop = {a % r for a in axis}
    return (TensorShape([d for i, d in enumerate(dims) if i not in drop]), x.dtype)


register_op("Squeeze", kernel=lambda xp, x, axis: xp.squeeze(x, axis=axis), shape=_squeeze_shape)


@register_gradient("Squeeze")
def _squeeze_grad(op, grad):
    return [_reshape_to(grad, op.inputs[0])]


def squeeze(input, axis=None, name=None):  # noqa: A002
    """Remove size-1 axes: all of them (``axis=None``) or those listed in ``axis``."""
    if axis is not None:
        axis = _ints(axis, "axis")
    return apply_op("Squeeze", [input], {"axis": axis}, name=name or "Squeeze")


def _transpose_shape(x, perm):
    if x.shape.rank is None:
        return (TensorShape(None if perm is None else [None] * len(perm)), x.dtype)
    dims = x.shape.as_list()
    if perm is None:
        return (TensorShape(dims[::-1]), x.dtype)
    if len(perm) != len(dims):
        raise ShapeError(f"transpose expects a vector of size {len(dims)}. But input(1) is a vector of size "
                         f"{len(perm)}")
    if sorted(perm) != list(builtins.range(len(dims))):
        raise ShapeError(f"perm {list(perm)} is not a permutation of 0..{len(dims) - 1}")
    return (TensorShape([dims[p] for p in perm]), x.dtype)


register_op("Transpose", kernel=lambda xp, x, perm: xp.transpose(x, perm), shape=_transpose_shape)


@register_gradient("Transpose")
def _transpose_grad(op, grad):
    perm = op.get_attr("perm")  # y[i...] = x[perm applied]  =>  dx = transpose(dy, inverse perm)
    return [transpose(grad, None if perm is None else [perm.index(i) for i in builtins.range(len(perm))])]


def transpose(a, perm=None, conjugate=False, name="transpose"):
    """Permute the axes: result axis i is input axis ``perm[i]`` (default: reverse them all)."""
    perm = None if perm is None else _ints(perm, "perm")
    return apply_op("Transpose", [a], {"perm": perm}, name=name)


# -- stack, unstack -------------------------------------------------------------------------------
def _pack_shape(*values, axis):
    merged = values[0].shape
    for i, v in enumerate(values[1:], start=1):
        if not merged.is_compatible_with(v.shape):
            raise ShapeError(f"Shapes of all inputs must match: values[0].shape = {values[0].shape._tf_str()} "
                             f"!= values[{i}].shape = {v.shape._tf_str()}")
        merged = merged.merge_with(v.shape)
    if merged.rank is None:
        return (TensorShape(None), values[0].dtype)
    dims = merged.as_list()
    dims.insert(_axis(axis, len(dims), extra=1), len(values))
    return (TensorShape(dims), values[0].dtype)


register_op("Pack", kernel=lambda xp, *values, axis: xp.stack(values, axis=axis), shape=_pack_shape,
            same_dtype=True)


@register_gradient("Pack")
def _pack_grad(op, grad):
    return unstack(grad, num=len(op.inputs), axis=op.get_attr("axis"))


def stack(values, axis=0, name="stack"):
    """Join same-shaped tensors along a new axis: N tensors of shape S give shape S with N at ``axis``.

    >>> import tinyflow as tf
    >>> tf.stack([tf.zeros([3]), tf.ones([3])], axis=1).shape
    TensorShape([3, 2])
    """
    return apply_op("Pack", list(values), {"axis": _int(axis, "axis")}, name=name)


def _unpack_kernel(xp, value, num, axis):
    if value.shape[axis] != num:
        raise ValueError(f"Input shape axis {axis} must equal {num}, got shape {_fmt(value.shape)}")
    return tuple(xp.moveaxis(value, axis, 0))


def _unpack_shape(value, num, axis):
    if value.shape.rank is None:
        return [(TensorShape(None), value.dtype)] * num
    dims = value.shape.as_list()
    if dims[axis] not in (None, num):
        raise ShapeError(f"Input shape axis {axis} must equal {num}, got shape {_fmt(dims)}")
    del dims[axis]
    return [(TensorShape(dims), value.dtype)] * num


register_op("Unpack", kernel=_unpack_kernel, shape=_unpack_shape, num_outputs=None)  # num outputs


@register_gradient("Unpack")
def _unpack_grad(op, *grads):
    return [stack(list(grads), axis=op.get_attr("axis"))]


def unstack(value, num=None, axis=0, name="unstack"):
    """Split along ``axis`` into a list of tensors with that axis removed (the reverse of ``stack``)."""
    value = convert_to_tensor(value)
    try:
        axis = _axis(_int(axis, "axis"), value.shape.rank)
    except ShapeError as e:
        raise ValueError(str(e)) from None
    if num is None:
        num = value.shape[axis]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {value.shape}")
    return list(apply_op("Unpack", [value], {"num": int(num), "axis": axis}, name=name))


# -- one_hot ---------------------------------------------------------------------------------------
def _one_hot_kernel(xp, indices, depth, on_value, off_value, axis, dtype):
    hot = xp.expand_dims(indices, -1) == xp.arange(depth)  # (..., depth); out-of-range rows stay all off
    out = xp.where(hot, xp.asarray(on_value, dtype.as_numpy_dtype), xp.asarray(off_value, dtype.as_numpy_dtype))
    return out if axis == -1 else xp.moveaxis(out, -1, axis)


def _one_hot_shape(indices, depth, on_value, off_value, axis, dtype):
    if indices.shape.rank is None:
        return (TensorShape(None), dtype)
    dims = indices.shape.as_list()
    dims.insert(len(dims) if axis == -1 else axis, depth)
    return (TensorShape(dims), dtype)


register_op("OneHot", kernel=_one_hot_kernel, shape=_one_hot_shape, allowed=("uint8", "int8", "int32", "int64"))
not_differentiable("OneHot")


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """``on_value`` where ``j == indices[...]`` along a new axis of size ``depth``, else ``off_value``.
    The dtype is float32 unless given or implied by ``on_value``/``off_value``.

    >>> import tinyflow as tf
    >>> tf.one_hot([0, 2], 3).numpy()
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    indices = convert_to_tensor(indices)
    if dtype is None:  # from on_value or off_value if given: 1.0 -> float32, 1 -> int32
        given = on_value if on_value is not None else off_value
        dtype = dtypes.float32 if given is None else given.dtype if hasattr(given, "dtype") else type(given)
    dtype = dtypes.as_dtype(dtype)
    on = 1 if on_value is None else _known(on_value, "on_value")
    off = 0 if off_value is None else _known(off_value, "off_value")
    axis = -1 if axis is None or axis == -1 else _axis(axis, indices.shape.rank, extra=1)
    attrs = {"depth": _int(depth, "depth"), "on_value": on, "off_value": off, "axis": axis, "dtype": dtype}
    return apply_op("OneHot", [indices], attrs, name=name or "one_hot")


def _getitem(tensor, key):
    """``tensor[key]`` (Tensor.__getitem__): a StridedSlice, see :mod:`tinyflow.ops.indexing_ops`."""
    from tinyflow.ops import indexing_ops  # noqa: PLC0415  (indexing_ops builds on this module)

    return indexing_ops.getitem(tensor, key)

