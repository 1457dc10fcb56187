"""Choosing entries by a condition: where, boolean_mask, sequence_mask.

``where(c, x, y)`` picks element-wise and sends the gradient to whichever side was picked;
``boolean_mask`` keeps the True entries (a gather, so it is differentiable too).

>>> import tinyflow as tf
>>> x = tf.constant([-1.0, 2.0, -3.0])
>>> tf.where(x > 0, x, 0.0).numpy(), tf.boolean_mask(x, x < 0).numpy()
(array([0., 2., 0.], dtype=float32), array([-1., -3.], dtype=float32))
"""
from __future__ import annotations

from tinyflow.framework import context, dtypes, errors
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, not_differentiable, register_gradient, register_op
from tinyflow.framework.tensor import Tensor
from tinyflow.framework.tensor_shape import TensorShape, broadcast_shapes
from tinyflow.ops import array_ops, creation_ops, math_ops, reduction_ops
from tinyflow.ops._grad_util import unbroadcast
from tinyflow.ops.array_ops import expand_dims, reshape
from tinyflow.ops.indexing_ops import gather

__all__ = ["boolean_mask", "sequence_mask", "where"]


# -- where, boolean_mask ---------------------------------------------------------------------------
def _select_shape(condition, x, y):
    cx = broadcast_shapes(condition.shape, x.shape)
    out = None if cx is None else broadcast_shapes(cx, y.shape)
    if out is None:
        raise ShapeError(f"condition, x and y must broadcast together, but have shapes {condition.shape._tf_str()}, "
                         f"{x.shape._tf_str()} and {y.shape._tf_str()}")
    return (out, x.dtype)


register_op("SelectV2", kernel=lambda xp, c, x, y: xp.where(c, x, y), shape=_select_shape)


@register_gradient("SelectV2")
def _select_grad(op, grad):
    c, x, y = op.inputs
    zeros = math_ops.zeros_like(grad)  # each output entry came from x or from y, never both
    return [None, unbroadcast(where(c, grad, zeros), x), unbroadcast(where(c, zeros, grad), y)]


register_op("Where", kernel=lambda xp, c: xp.argwhere(c).astype(xp.int64),
            shape=lambda c: (TensorShape([None, c.shape.rank]), dtypes.int64))
not_differentiable("Where")


def where(condition, x=None, y=None, name=None):
    """``where(c, x, y)``: x where c is True, else y (the three broadcast together); the gradient flows
    to x where c is True and to y elsewhere. ``where(c)``: the int64 coordinates of the True entries,
    shape ``[num_true, rank]`` (not differentiable).

    >>> import tinyflow as tf
    >>> tf.where([True, False, True], [1.0, 2.0, 3.0], 0.0).numpy()
    array([1., 0., 3.], dtype=float32)
    """
    if (x is None) != (y is None):
        raise ValueError("x and y must both be non-None or both be None.")
    condition = convert_to_tensor(condition)
    if x is None:
        return apply_op("Where", [condition], name=name or "Where")
    if not isinstance(x, Tensor) and isinstance(y, Tensor):
        x = convert_to_tensor(x, dtype=y.dtype)
    x = convert_to_tensor(x)
    y = convert_to_tensor(y, dtype=x.dtype if not isinstance(y, Tensor) else None)
    for i, (t, want) in enumerate([(condition, dtypes.bool), (y, x.dtype)]):
        if t.dtype is not want:
            msg = (f"cannot compute SelectV2 as input #{2 * i}(zero-based) was expected to be a {want._tf_name} "
                   f"tensor but is a {t.dtype._tf_name} tensor")
            if context.executing_eagerly():
                raise errors.InvalidArgumentError(None, None, msg + " [Op:SelectV2]")
            raise TypeError(msg)
    return apply_op("SelectV2", [condition, x, y], name=name or "SelectV2")


def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The entries of ``tensor`` where ``mask`` is True. A K-D mask covers axes ``axis..axis+K-1``,
    which collapse into one axis of length ``count(mask)``. Differentiable (through gather).

    >>> import tinyflow as tf
    >>> tf.boolean_mask(tf.constant([[1, 2], [3, 4], [5, 6]]), [True, False, True]).numpy()
    array([[1, 2],
           [5, 6]], dtype=int32)
    """
    tensor, mask = convert_to_tensor(tensor), convert_to_tensor(mask)
    k, a = mask.shape.rank, 0 if axis is None else int(axis)
    if k is None:
        raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None. E.g. "
                         "shape=[None] is ok, but shape=None is not.")
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    covered = tensor.shape[a:a + k]
    if not covered.is_compatible_with(mask.shape):
        raise ValueError(f"Shapes {covered} and {mask.shape} are incompatible")
    if k > 1:
        dims = array_ops._dims(tensor)
        tensor = reshape(tensor, dims[:a] + [-1] + dims[a + k:])  # masked axes -> one axis
    positions = reshape(where(reshape(mask, [-1])), [-1])  # int64 indices of the True entries
    return gather(tensor, positions, axis=a, name=name)


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """``mask[..., j] = j < lengths[...]``: shape ``lengths.shape + [maxlen]`` (maxlen defaults to
    the largest length).

    >>> import tinyflow as tf
    >>> tf.sequence_mask([1, 3], 4).numpy()
    array([[ True, False, False, False],
           [ True,  True,  True, False]])
    """
    lengths = convert_to_tensor(lengths)
    if maxlen is None:
        maxlen = reduction_ops.reduce_max(lengths)
    positions = creation_ops.range(maxlen, dtype=lengths.dtype)  # 0, 1, ..., maxlen-1
    mask = math_ops.less(positions, expand_dims(lengths, -1), name=name or "SequenceMask")
    return mask if dtypes.as_dtype(dtype) is dtypes.bool else math_ops.cast(mask, dtype)
