"""``tf.custom_gradient``: a function that says what its own gradient is.

The decorated function returns ``(y, grad_fn)``. The ops that computed ``y`` are hidden
from differentiation; instead one **CustomGradient** node links the inputs to ``y``, and
its gradient calls ``grad_fn(upstream)``. The classic use is numerical stability: the
derivative of ``log(1 + eˣ)`` written naively is ``eˣ / (1 + eˣ)`` = inf/inf = NaN at x=100,
but ``1 - 1 / (1 + eˣ)`` is fine.

>>> import tinyflow as tf
>>> @tf.custom_gradient
... def log1pexp(x):
...     e = tf.exp(x)
...     def grad(upstream):
...         return upstream * (1 - 1 / (1 + e))
...     return tf.math.log(1 + e), grad
>>> x = tf.constant(100.0)
>>> with tf.GradientTape() as tape:
...     tape.watch(x)
...     y = log1pexp(x)
>>> print(tape.gradient(y, x).numpy())
1.0

Variables: if the function reads variables that are not among its arguments,
``grad_fn`` must accept a keyword argument ``variables`` (the list of those variables)
and return ``(input_grads, variable_grads)``. Keyword arguments of the decorated function
are passed through but never differentiated (TF supports them only eagerly).
"""
from __future__ import annotations

import functools
import inspect

from tinyflow.framework import context
from tinyflow.framework.dispatch import _EagerOp, _record, apply_op, convert_to_tensor
from tinyflow.framework.registry import register_gradient, register_op
from tinyflow.framework.tensor import EagerTensor, Tensor
from tinyflow.ops.control_flow_util import flatten, pack_as

__all__ = ["custom_gradient"]


def custom_gradient(f=None):
    """Decorator: ``f(*args)`` returns ``(y, grad_fn)``; gradients of ``y`` come from ``grad_fn``.

    ``grad_fn(*upstream)`` gets one upstream gradient per output tensor of ``y`` and returns
    one gradient (or None) per positional argument of ``f``.
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        return _call(f, args, kwargs)

    return decorated


def _call(f, args, kwargs):
    watcher = _VariableWatcher()
    saved = context.tape_stack[:]
    context.tape_stack[:] = [watcher]  # outer tapes do not see the inner ops; the watcher sees variable reads
    try:
        result, grad_fn = f(*args, **kwargs)
    finally:
        context.tape_stack[:] = saved
    variables = [v for v in watcher.variables if all(v is not a for a in args)]
    if variables and not _accepts_variables(grad_fn):
        raise TypeError("If using @custom_gradient with a function that uses variables, then grad_fn must "
                        "accept a keyword argument 'variables'.")
    ys = [convert_to_tensor(y) for y in flatten(result)]
    g = context.building_graph()
    xs = [_source(a, g) for a in args]  # tensors and variables are differentiable inputs
    var_handles = [v if g is None else v._graph_handle(g) for v in variables]
    for tape in context.tape_stack:
        for v, h in zip(variables, var_handles):
            tape._variable_accessed(v, h)
    inputs = ys + [x for x in xs if x is not None] + var_handles
    attrs = {"grad_fn": grad_fn, "num_y": len(ys), "arg_slots": [x is not None for x in xs],
             "variables": variables, "name": getattr(f, "__name__", "custom_gradient")}
    if g is None:
        outputs = tuple(EagerTensor(y._value, y.dtype) for y in ys)  # new tensors: what the tape records
        if context.tape_stack:
            _record(_EagerOp("CustomGradient", inputs, outputs, attrs), inputs, outputs)
    else:
        outputs = apply_op("CustomGradient", inputs, attrs, name=attrs["name"])
    return pack_as(result, list(outputs))


def _source(a, g):
    """What stands for argument ``a`` as an input: a tensor, a variable (its handle), else None."""
    if hasattr(a, "_graph_handle"):
        return a if g is None else a._graph_handle(g)
    if isinstance(a, Tensor):
        return convert_to_tensor(a)
    return None


def _accepts_variables(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "variables" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


class _VariableWatcher:
    """Stands in for the tape stack while ``f`` runs: records nothing, notes variables read."""

    def __init__(self):
        self.variables: list = []

    def _record(self, op, inputs, outputs) -> None:
        pass

    def _variable_accessed(self, var, handle) -> None:
        if all(v is not var for v in self.variables):
            self.variables.append(var)

    def _eager_read(self, var, value) -> None:
        pass


# -- the op: an identity on y whose gradient is grad_fn --------------------------------------------
def _custom_kernel(xp, *inputs, grad_fn, num_y, arg_slots, variables, name):
    return tuple(inputs[:num_y])


register_op("CustomGradient", kernel=_custom_kernel, num_outputs=-1,
            shape=lambda *inputs, num_y, **attrs: [(t.shape, t.dtype) for t in inputs[:num_y]])


@register_gradient("CustomGradient")
def _custom_gradient_grad(op, *grads):
    """No gradient for the hidden computation of y; grad_fn's for the arguments and variables."""
    num_y, slots, variables = op.get_attr("num_y"), op.get_attr("arg_slots"), op.get_attr("variables")
    grad_fn = op.get_attr("grad_fn")
    if variables:
        input_grads, var_grads = grad_fn(*grads, variables=variables)
        var_grads = list(var_grads)
        if len(var_grads) != len(variables):
            raise ValueError("Must return gradient for each variable from @custom_gradient grad_fn.")
    else:
        input_grads, var_grads = grad_fn(*grads), []
    input_grads = flatten(input_grads) if isinstance(input_grads, list | tuple) else [input_grads]
    if len(input_grads) != len(slots):
        raise ValueError(f"custom_gradient function expected to return {len(slots)} gradients but returned "
                         f"{len(input_grads)} instead.")
    kept = [g for g, used in zip(input_grads, slots) if used]
    return [None] * num_y + [_tensor_or_none(g) for g in kept + var_grads]


def _tensor_or_none(g):
    return None if g is None else convert_to_tensor(g)
