"""The ops every graph needs: constants, placeholders, identity, variables, grouping.

>>> import tinyflow as tf
>>> tf.identity(tf.constant(2.0)).numpy()
2.0
"""
from __future__ import annotations

from tinyflow.framework import context, dtypes
from tinyflow.framework.dispatch import _to_array, apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, not_differentiable, register_gradient, register_op
from tinyflow.framework.tensor import EagerTensor
from tinyflow.framework.tensor_shape import TensorShape


# -- Const: a value baked into the graph --------------------------------------------------------
def _const_kernel(xp, value):
    return xp.asarray(value)


register_op("Const", kernel=_const_kernel,
            shape=lambda value: (TensorShape(value.shape), dtypes.from_numpy(value.dtype)))
not_differentiable("Const")


def constant(value, dtype=None, shape=None, name: str = "Const"):
    """A tensor holding ``value``; with ``shape`` a scalar is broadcast (``tf.constant(0, shape=[2])``).

    >>> import tinyflow as tf
    >>> tf.constant([[1, 2], [3, 4]], dtype=tf.float32).shape
    TensorShape([2, 2])
    """
    import numpy as np  # noqa: PLC0415  (host-side conversion only)

    if isinstance(value, EagerTensor) and dtype is None and shape is None:
        return value if context.building_graph() is None else convert_to_tensor(value)
    if isinstance(value, EagerTensor):
        value = value.numpy()
    # Python values follow TF's inference (floats -> float32, ints -> int32, or int64 when too big)
    # and refuse lossy conversions (1.5 to int32); numpy arrays keep their dtype unless one is given.
    array = _to_array(value, dtypes.as_dtype(dtype) if dtype is not None else None)
    if shape is not None:
        shape = list(shape)
        if array.size == 1:
            array = np.broadcast_to(array.reshape(()), shape).copy()
        elif array.size == int(np.prod(shape)):
            array = array.reshape(shape)
        else:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {value!r} "
                            f"(converted from {value!r}) has {array.size} elements, but got `shape` {shape} "
                            f"with {int(np.prod(shape))} elements).")
    return convert_to_tensor(array, name=name)


# -- Placeholder: a graph input, fed by Session.run or by a function's arguments --------------------
def _placeholder_kernel(xp, dtype, shape):
    raise RuntimeError("A Placeholder is never executed: its value is always fed.")


register_op("Placeholder", kernel=_placeholder_kernel, shape=lambda dtype, shape: (shape, dtype))
not_differentiable("Placeholder")


def placeholder(dtype, shape=None, name: str | None = None):
    """``tf.compat.v1.placeholder``: a graph input that must be fed in ``Session.run``."""
    if context.executing_eagerly():
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    return apply_op("Placeholder", [], {"dtype": dtypes.as_dtype(dtype), "shape": TensorShape(shape)},
                    name=name or "Placeholder")


# -- Identity and StopGradient ------------------------------------------------------------------
register_op("Identity", kernel=lambda xp, x: x, shape=lambda x: (x.shape, x.dtype))


@register_gradient("Identity")
def _identity_grad(op, grad):
    return [grad]


def identity(input, name: str | None = None):  # noqa: A002  (TF's argument name)
    """Return a tensor with the same value (a new node in a graph)."""
    return apply_op("Identity", [input], name=name or "Identity")


register_op("StopGradient", kernel=lambda xp, x: x, shape=lambda x: (x.shape, x.dtype))
not_differentiable("StopGradient")


def stop_gradient(input, name: str | None = None):  # noqa: A002
    """The same value, but gradients do not flow back through it."""
    return apply_op("StopGradient", [input], name=name or "StopGradient")


# -- variables ----------------------------------------------------------------------------------
def _handle_kernel(xp, var, shape, dtype):
    return var  # the slot holds the Variable object; reads and writes go through ctx


register_op("VarHandleOp", kernel=_handle_kernel, shape=lambda var, shape, dtype: (shape, dtype))
not_differentiable("VarHandleOp")


def _read_kernel(xp, var, ctx):
    return ctx.read(var)


register_op("ReadVariableOp", kernel=_read_kernel, shape=lambda h: (h.shape, h.dtype), stateful=True)


@register_gradient("ReadVariableOp")
def _read_grad(op, grad):
    return [grad]


def _assign_shape(h, value):
    if not h.shape.is_compatible_with(value.shape):
        raise ShapeError(f"Cannot assign to a variable of shape {h.shape} a value of shape {value.shape}: "
                         "the shapes must match")
    return (h.shape, h.dtype)


def _assign_kernel(xp, var, value, ctx):
    ctx.write(var, value)
    return value


def _assign_add_kernel(xp, var, delta, ctx):
    new = ctx.read(var) + delta
    ctx.write(var, new)
    return new


def _assign_sub_kernel(xp, var, delta, ctx):
    new = ctx.read(var) - delta
    ctx.write(var, new)
    return new


for _name, _kernel in [("AssignVariableOp", _assign_kernel), ("AssignAddVariableOp", _assign_add_kernel),
                       ("AssignSubVariableOp", _assign_sub_kernel)]:
    register_op(_name, kernel=_kernel, shape=_assign_shape, stateful=True, side_effects=True,
                same_dtype=True)
    not_differentiable(_name)


# ResourceApplyGradientDescent(var, alpha, delta): var -= alpha·delta as one fused step, as TF's
# optimizers do (one plan step instead of a Mul and an AssignSub per variable).
def _apply_gradient_descent_kernel(xp, var, alpha, delta, ctx):
    new = ctx.read(var) - alpha * delta
    ctx.write(var, new)
    return new


register_op("ResourceApplyGradientDescent", kernel=_apply_gradient_descent_kernel,
            shape=lambda h, alpha, delta: _assign_shape(h, delta), stateful=True, side_effects=True,
            same_dtype=True)
not_differentiable("ResourceApplyGradientDescent")


# -- NoOp and group -----------------------------------------------------------------------------
register_op("NoOp", kernel=lambda xp: None, shape=lambda: (TensorShape([]), dtypes.bool))
not_differentiable("NoOp")


def no_op(name: str | None = None):
    """An op that does nothing; useful as a target with control dependencies."""
    if context.building_graph() is None:
        return None
    return apply_op("NoOp", [], name=name or "NoOp").op


def group(*inputs, name: str | None = None):
    """One op that runs after all of ``inputs`` (ops or tensors). Eager: does nothing."""
    g = context.building_graph()
    if g is None:
        return None
    flat = [x for i in inputs for x in (i if isinstance(i, list | tuple) else [i]) if x is not None]
    with g.control_dependencies(flat):
        return apply_op("NoOp", [], name=name or "group_deps").op
