"""Reverse-mode differentiation, shared by ``tf.gradients`` (graphs) and ``GradientTape``.

``backprop`` walks a list of recorded ops in reverse topological order. For each op it
sums the gradients arriving at its outputs, calls the op's registered gradient
function and passes the results on to the op's inputs. Gradient functions are built
from tinyflow ops, so the result is itself a graph (or eager tensors that an outer
tape records) — which is why higher-order gradients work.

>>> import tinyflow as tf
>>> with tf.Graph().as_default():
...     x = tf.constant(3.0)
...     y = x * x
...     (dy,) = tf.gradients(y, [x])
...     print(tf.compat.v1.Session().run(dy))
6.0
"""
from __future__ import annotations

import enum

import numpy as np

from tinyflow.framework import context
from tinyflow.framework.registry import GRADIENTS


def backprop(ops: list, targets: list, target_grads: list, sources: list, source_keys: list,
             stop_keys: frozenset = frozenset(), zeros_for_unconnected: bool = False) -> list:
    """Gradients of sum(targets · target_grads) with respect to each source.

    ``ops`` are recorded ops (graph Operations or tape entries) in topological order;
    tensors are identified by ``id``; an eager variable stands for itself, a graph
    variable for its handle tensor. Returns one gradient (or None) per source.
    """
    from tinyflow.ops import math_ops  # noqa: PLC0415  (ops are defined after this module)

    # A source may stand for several tensors (an eager variable and every value read from it).
    key_sets = [k if isinstance(k, tuple) else (k,) for k in source_keys]
    # Forward: which ops depend on a source? Only those can carry gradient to one.
    reaches_source = {k for ks in key_sets for k in ks}
    live = []
    for op in ops:
        for t in op.inputs:
            if id(t) in reaches_source:
                live.append(op)
                reaches_source.update(map(id, op.outputs))
                break
    # Backward: which of those lead to a target?
    needed = set(map(id, targets))
    relevant = []
    for op in reversed(live):
        for t in op.outputs:
            if id(t) in needed:
                relevant.append(op)
                needed.update(map(id, op.inputs))
                break

    grads: dict[int, list] = {}
    for t, g in zip(targets, target_grads):
        grads.setdefault(id(t), []).append(g)

    for op in relevant:  # already in reverse topological order
        outputs = op.outputs
        if len(outputs) == 1:  # most ops: no list building
            g = None if id(outputs[0]) in stop_keys else _sum(grads.get(id(outputs[0])))
            if g is None:
                continue
            out_grads = (g,)
        else:
            out_grads = [None if id(t) in stop_keys else _sum(grads.get(id(t))) for t in outputs]
            if all(g is None for g in out_grads):
                continue
        if op.type not in GRADIENTS:
            raise LookupError(
                f"No gradient defined for operation '{op.name}' (op type: {op.type}). Wrap it in "
                "tf.stop_gradient if no gradient should flow, or register one with @tf.RegisterGradient."
            )
        grad_fn = GRADIENTS[op.type]
        if grad_fn is None:  # declared not differentiable
            continue
        if len(out_grads) > 1:
            out_grads = [math_ops.zeros_like(t) if g is None else g for t, g in zip(op.outputs, out_grads)]
        in_grads = grad_fn(op, *out_grads)
        if not isinstance(in_grads, list | tuple):
            in_grads = [in_grads]
        if len(in_grads) != len(op.inputs):
            raise ValueError(f"Gradient function for '{op.type}' returned {len(in_grads)} gradients "
                             f"but the op has {len(op.inputs)} inputs.")
        for t, g in zip(op.inputs, in_grads):
            if g is not None and id(t) in reaches_source and t.dtype.is_floating:  # no gradient into ints
                grads.setdefault(id(t), []).append(g)

    results = []
    for s, ks in zip(sources, key_sets):
        g = _sum([g for k in ks for g in grads.get(k, ())])
        if g is None and zeros_for_unconnected:
            g = math_ops.zeros_like(s)
        results.append(g)
    return results


key = id  # tensors are identified by identity (they are unhashable, as in TF2)


class UnconnectedGradients(enum.Enum):
    """``tf.UnconnectedGradients``: what a gradient is for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


def _unconnected_mode(value) -> str:
    mode = value.value if isinstance(value, UnconnectedGradients) else value
    if mode not in ("none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: {value!r}; use 'none' or 'zero' "
                         "(or tf.UnconnectedGradients.NONE / .ZERO).")
    return mode


def _ones_for(y):
    """The seed d y / d y: a constant when y's shape is static (the plan folds it), else ones_like(y)."""
    from tinyflow.ops import base_ops, math_ops  # noqa: PLC0415

    if y.shape.is_fully_defined():
        return base_ops.constant(np.ones(y.shape.as_list(), y.dtype.as_numpy_dtype), name="grad_ys")
    return math_ops.ones_like(y)


def _sum(gs: list | None):
    if not gs:
        return None
    if len(gs) == 1:
        return gs[0]
    from tinyflow.ops import math_ops  # noqa: PLC0415

    return math_ops.add_n(gs)


def gradients(ys, xs, grad_ys=None, name: str = "gradients", stop_gradients=None,
              unconnected_gradients: str = "none", colocate_gradients_with_ops=False, gate_gradients=False,
              aggregation_method=None) -> list:
    """``tf.gradients``: symbolic gradients of ``sum(ys)`` with respect to ``xs`` in a graph.

    Returns a list with one tensor per ``x``, or ``None`` for an ``x`` that ``ys`` does
    not depend on (``unconnected_gradients='zero'`` gives zeros instead).
    """
    from tinyflow.framework.graph import name_scope  # noqa: PLC0415

    g = context.building_graph()
    if g is None:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    ys = list(ys) if isinstance(ys, list | tuple) else [ys]
    xs_list = list(xs) if isinstance(xs, list | tuple) else [xs]
    xs_t = [x._graph_handle(g) if hasattr(x, "_graph_handle") else x for x in xs_list]
    ys = [y.value() if hasattr(y, "_graph_handle") else y for y in ys]
    if grad_ys is None:
        grad_ys = [None] * len(ys)
    elif not isinstance(grad_ys, list | tuple):
        grad_ys = [grad_ys]
    stop = [s._graph_handle(g) if hasattr(s, "_graph_handle") else s for s in (stop_gradients or [])]
    if not isinstance(stop_gradients, list | tuple | type(None)):
        stop = [stop_gradients]
    with name_scope(name):
        seeds = [_ones_for(y) if gy is None else gy for y, gy in zip(ys, grad_ys)]
        return backprop(g.get_operations(), ys, seeds, xs_t, [key(x) for x in xs_t],
                        stop_keys=frozenset(key(s) for s in stop),
                        zeros_for_unconnected=(_unconnected_mode(unconnected_gradients) == "zero"))
