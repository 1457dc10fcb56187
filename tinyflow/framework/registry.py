"""The op registry: every op is defined once, and all three execution modes use it.

An op has a **shape rule** (static output shapes and dtypes, used while a graph is
built and to explain errors), a **kernel** ``kernel(xp, *arrays, **attrs)`` that
computes with the array module ``xp`` (numpy or cupy), and a **gradient**
``grad(op, *output_grads) -> input grads`` written with tinyflow ops, so gradients
are themselves differentiable.

>>> from tinyflow.framework.registry import OPS, GRADIENTS
>>> OPS["AddV2"].name, "AddV2" in GRADIENTS
('AddV2', True)
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field


class ShapeError(ValueError):
    """Raised by a shape rule; the dispatcher adds the node name and input shapes (TF's format).

    ``eager_message``, when given, is the text TF's eager kernel uses for the same mistake
    (``Incompatible shapes: [2,3] vs. [4]``), shown instead in eager mode."""

    def __init__(self, message: str, eager_message: str | None = None):
        super().__init__(message)
        self.eager_message = eager_message


@dataclass
class OpDef:
    """What the registry knows about one op type."""

    name: str
    kernel: Callable  # kernel(xp, *arrays, **attrs) -> array or tuple of arrays
    shape: Callable  # shape(*inputs, **attrs) -> (TensorShape-like, DType) or a list of them
    num_outputs: int = 1  # None or -1: the shape rule decides how many (split, unstack, If, While)
    same_dtype: bool = False  # all inputs share one dtype T (binary math ops): checked, never cast
    allowed: tuple = ()  # names of allowed input dtypes; empty = any
    stateful: bool = False  # reads/writes state (variables, RNG); the kernel gets ctx=<run context>
    side_effects: bool = False  # must run even if nothing uses its output (assign, print)
    ufunc: str | None = None  # kernel is exactly getattr(xp, ufunc): the plan binds it directly
    bind: Callable | None = None  # bind(xp, **attrs) -> a faster callable of the arrays, or None
    allowed_dtypes: frozenset = frozenset()  # filled from `allowed` at registration
    _bound: dict = field(default_factory=dict)  # array module -> kernel bound to it (eager fast path)

    def bound(self, xp) -> Callable:
        """The kernel as a function of arrays only, for array module ``xp`` (cached)."""
        fn = self._bound.get(xp)
        if fn is None:
            fn = getattr(xp, self.ufunc) if self.ufunc else functools.partial(self.kernel, xp)
            self._bound[xp] = fn
        return fn


OPS: dict[str, OpDef] = {}
GRADIENTS: dict[str, Callable | None] = {}  # op type -> grad fn; None = declared not differentiable


def register_op(name: str, *, kernel: Callable, shape: Callable, **options) -> OpDef:
    """Add an op to the registry (each name once)."""
    if name in OPS:
        raise KeyError(f"Op '{name}' is already registered.")
    opdef = OPS[name] = OpDef(name=name, kernel=kernel, shape=shape, **options)
    if opdef.allowed:
        from tinyflow.framework.dtypes import as_dtype  # noqa: PLC0415

        opdef.allowed_dtypes = frozenset(as_dtype(n) for n in opdef.allowed)
    return opdef


def register_gradient(op_type: str):
    """Decorator: ``@register_gradient("Exp")`` on ``def _(op, grad): return [grad * op.outputs[0]]``."""

    def decorator(fn: Callable) -> Callable:
        if op_type in GRADIENTS:
            raise KeyError(f"Gradient for op type '{op_type}' is already registered.")
        GRADIENTS[op_type] = fn
        return fn

    return decorator


RegisterGradient = register_gradient  # TF's spelling


def not_differentiable(op_type: str) -> None:
    """Declare that ``op_type`` has no gradient: backprop stops there (returns None) without error."""
    GRADIENTS[op_type] = None


NotDifferentiable = not_differentiable


def ufunc_kernel(name: str) -> Callable:
    """A kernel that is just ``xp.<name>``; the plan executor binds the array function directly."""

    def kernel(xp, *arrays):
        return getattr(xp, name)(*arrays)

    kernel.__name__ = f"xp_{name}"
    return kernel
