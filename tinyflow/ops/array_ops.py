"""Shape and indexing ops: reshape, shape, size, expand_dims ...

>>> import tinyflow as tf
>>> tf.reshape(tf.range(6), [2, 3]).shape
TensorShape([2, 3])
"""
from __future__ import annotations

import numpy as np

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, not_differentiable, register_gradient, register_op
from tinyflow.framework.tensor_shape import TensorShape

__all__ = ["expand_dims", "reshape", "shape", "size"]


# -- reshape ----------------------------------------------------------------------------------
def _reshape_kernel(xp, x, shape):
    return xp.reshape(x, shape)


def _reshape_shape(x, shape):
    known = x.shape.num_elements()
    shape = list(shape)
    if shape.count(-1) > 1:
        raise ShapeError(f"Cannot infer shape: more than one -1 in {shape}")
    if -1 in shape:
        rest = int(np.prod([d for d in shape if d != -1]))
        if known is not None and rest and known % rest:
            raise ShapeError(f"Cannot reshape a tensor with {known} elements to shape {shape}")
        shape[shape.index(-1)] = known // rest if known is not None and rest else None
    elif known is not None and known != int(np.prod(shape)):
        raise ShapeError(f"Cannot reshape a tensor with {known} elements to shape {shape} "
                         f"({int(np.prod(shape))} elements)")
    return (TensorShape(shape), x.dtype)


register_op("Reshape", kernel=_reshape_kernel, shape=_reshape_shape)


@register_gradient("Reshape")
def _reshape_grad(op, grad):
    x = op.inputs[0]
    if x.shape.is_fully_defined():
        return [reshape(grad, x.shape.as_list())]
    return [apply_op("ReshapeLike", [grad, x])]


def _reshape_like(xp, g, x):
    return xp.reshape(g, x.shape)


register_op("ReshapeLike", kernel=_reshape_like, shape=lambda g, x: (x.shape, g.dtype))


@register_gradient("ReshapeLike")
def _reshape_like_grad(op, grad):
    return [apply_op("ReshapeLike", [grad, op.inputs[0]]), None]


def reshape(tensor, shape, name=None):
    """Same values, new shape; one dim may be -1 (inferred)."""
    if hasattr(shape, "numpy"):
        shape = shape.numpy().tolist()
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    shape = tuple(-1 if d is None else int(d) for d in shape)
    return apply_op("Reshape", [tensor], {"shape": shape}, name=name or "Reshape")


# -- shape, size, rank ------------------------------------------------------------------------------
def _shape_kernel(xp, x, out_type):
    return xp.asarray(x.shape, dtype=out_type.as_numpy_dtype)


register_op("Shape", kernel=_shape_kernel,
            shape=lambda x, out_type: (TensorShape([x.shape.rank]), out_type))
not_differentiable("Shape")


def shape(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The dynamic shape of ``input`` as a 1-D int32 tensor."""
    return apply_op("Shape", [input], {"out_type": dtypes.as_dtype(out_type)}, name=name or "Shape")


def _size_kernel(xp, x, out_type):
    return xp.asarray(x.size, dtype=out_type.as_numpy_dtype)


register_op("Size", kernel=_size_kernel, shape=lambda x, out_type: (TensorShape([]), out_type))
not_differentiable("Size")


def size(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """Number of elements."""
    return apply_op("Size", [input], {"out_type": dtypes.as_dtype(out_type)}, name=name or "Size")


# -- expand_dims ------------------------------------------------------------------------------------
def expand_dims(input, axis, name=None):  # noqa: A002
    """Insert a size-1 axis at ``axis``."""
    x = convert_to_tensor(input)
    rank = x.shape.rank
    if rank is not None and not -rank - 1 <= axis <= rank:
        raise ValueError(f"axis {axis} is out of range for expand_dims of a rank-{rank} tensor; "
                         f"it must be in [{-rank - 1}, {rank}].")
    dims = x.shape.as_list()
    pos = axis if axis >= 0 else rank + 1 + axis
    new = [-1 if d is None else d for d in dims[:pos]] + [1] + [-1 if d is None else d for d in dims[pos:]]
    if new.count(-1) > 1:
        raise NotImplementedError("expand_dims on a tensor with several unknown dims")
    return reshape(x, new, name=name or "ExpandDims")


def expand_dims_many(x, axes):
    for a in sorted(axes):
        x = expand_dims(x, a)
    return x


def _getitem(tensor, key):
    raise NotImplementedError("slicing is implemented in the array ops module")
