"""Helpers for gradient functions. The one that matters: :func:`unbroadcast`.

When ``x`` of shape (3,) is added to ``y`` of shape (2, 3), numpy broadcasting
repeats ``x`` twice; so the gradient for ``x`` must add up those two copies. One
helper does that for every binary op, instead of each op repeating the steps.

>>> import tinyflow as tf
>>> from tinyflow.ops._grad_util import unbroadcast
>>> unbroadcast(tf.ones([2, 3]), tf.zeros([3])).numpy()
array([2., 2., 2.], dtype=float32)
"""
from __future__ import annotations

from tinyflow.framework.dispatch import apply_op
from tinyflow.framework.registry import register_gradient, register_op
from tinyflow.framework.tensor import EagerTensor


def unbroadcast(grad, x):
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``x``'s shape."""
    if type(grad) is EagerTensor and type(x) is EagerTensor:  # eager: the arrays' shape tuples
        gshape, xshape = grad._value.shape, x._value.shape
    else:
        if grad.shape.rank is None or not x.shape.is_fully_defined():
            return apply_op("SumToShapeOf", [grad, x])  # shapes known only at run time
        gshape, xshape = tuple(grad.shape), tuple(x.shape)
    if gshape == xshape:
        return grad  # no broadcasting happened
    lead = len(gshape) - len(xshape)
    stretched = [lead + i for i, d in enumerate(xshape) if d == 1 and gshape[lead + i] != 1]
    if stretched:  # dims where x had size 1: sum them, keeping the axis
        grad = apply_op("Sum", [grad], {"axis": tuple(stretched), "keepdims": True})
    if lead:  # axes broadcasting added in front: sum them away
        grad = apply_op("Sum", [grad], {"axis": tuple(range(lead)), "keepdims": False})
    return grad


def _sum_to_shape_of(xp, grad, x):
    if grad.shape == x.shape:
        return grad
    lead = grad.ndim - x.ndim
    stretched = tuple(lead + i for i, d in enumerate(x.shape) if d == 1 and grad.shape[lead + i] != 1)
    axes = tuple(range(lead)) + stretched
    return xp.sum(grad, axis=axes, dtype=grad.dtype).reshape(x.shape) if axes else grad.reshape(x.shape)


register_op("SumToShapeOf", kernel=_sum_to_shape_of, shape=lambda g, x: (x.shape, g.dtype))


@register_gradient("SumToShapeOf")
def _sum_to_shape_grad(op, grad):
    return [apply_op("BroadcastLike", [grad, op.inputs[0]]), None]


def _broadcast_like(xp, g, target):
    out = xp.empty(target.shape, dtype=g.dtype)  # a fresh array; cheaper than broadcast_to on small ones
    out[...] = g
    return out


register_op("BroadcastLike", kernel=_broadcast_like, shape=lambda g, t: (t.shape, g.dtype))


@register_gradient("BroadcastLike")
def _broadcast_like_grad(op, grad):
    return [unbroadcast(grad, op.inputs[0]), None]

