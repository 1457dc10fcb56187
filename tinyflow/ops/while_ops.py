"""``tf.while_loop``: a Python loop eagerly, one **While** op in a graph.

The While op's kernel runs the compiled loop condition and body (two sub-graphs, see
:mod:`~tinyflow.ops.control_flow_util`) until the condition is false. It also returns
the loop state of every iteration as a hidden last output. The gradient is a
**WhileGrad** op that walks those states backwards, running the body's gradient graph
once per iteration and adding up the gradients of captured tensors (a weight used in
the body gets contributions from every iteration).

>>> import tinyflow as tf
>>> @tf.function
... def power(x, n):
...     _, y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * x), [0, tf.ones_like(x)])
...     return y
>>> print(power(tf.constant(2.0), tf.constant(10)).numpy())
1024.0
"""
from __future__ import annotations

from tinyflow.framework import context, dtypes
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.framework.registry import register_gradient, register_op
from tinyflow.framework.tensor import Tensor
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops.control_flow_util import (
    SubFunction,
    branch_gradients,
    building,
    flatten,
    match_captures,
    no_tapes,
    notify_tapes,
    pack_as,
    same_structure,
    side_effect_ops,
    trace_branch,
    zeros_for,
)

__all__ = ["while_loop"]


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true.

    Args:
      cond: callable returning a scalar boolean tensor.
      body: callable returning new values with the same structure, dtypes and shapes.
      loop_vars: a list or tuple (possibly nested) of tensors or Python numbers.
      shape_invariants: per loop variable, a less specific ``TensorShape`` (e.g. ``[None]``)
        for variables whose shape changes between iterations.
      maximum_iterations: stop after this many iterations even if ``cond`` is still true.
      parallel_iterations, back_prop, swap_memory: accepted for compatibility; ignored.

    Returns the final loop variables, in the structure of ``loop_vars``.

    >>> import tinyflow as tf
    >>> tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s + i), [0, 0])
    [4, 6]
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    single = not isinstance(loop_vars, list | tuple)
    if single:
        loop_vars = [loop_vars]
    if not loop_vars:
        raise ValueError("'loop_vars' must be provided.")
    if context.building_graph() is None:
        result = _eager_while(cond, body, loop_vars, maximum_iterations)
    else:
        result = build_while(cond, body, loop_vars, shape_invariants, maximum_iterations, name)
    return result[0] if single else result


def _eager_while(cond, body, loop_vars, maximum_iterations):
    limit = None if maximum_iterations is None else int(maximum_iterations)
    values, i = loop_vars, 0
    while (limit is None or i < limit) and bool(cond(*values)):
        out = body(*values)
        if len(loop_vars) == 1 and not isinstance(out, list | tuple):
            out = [out]
        if not same_structure(loop_vars, out, check_types=False):
            raise ValueError(_structure_error(loop_vars, out))
        values, i = out, i + 1
    return pack_as(loop_vars, flatten(values))


def build_while(cond, body, loop_vars, shape_invariants, maximum_iterations, name, symbol_names=None):
    """Trace ``cond`` and ``body`` and add one While op; returns the outputs in loop_vars' structure.
    ``symbol_names`` (from AutoGraph) names the loop variables in error messages."""
    g = context.building_graph()
    flat_in = [convert_to_tensor(v) for v in flatten(loop_vars)]
    names = _names(symbol_names, loop_vars, flat_in)
    invariants = _invariants(loop_vars, shape_invariants, flat_in, names)
    specs = [(s, t.dtype) for s, t in zip(invariants, flat_in)]
    with name_scope(name or "while") as scope:
        c_graph, _, c_outs = trace_branch("while_cond", cond, specs, g, structure=loop_vars)
        _check_condition(c_outs)
        b_graph, b_result, b_outs = trace_branch("while_body", body, specs, g, structure=loop_vars,
                                                 dtype_hints=[t.dtype for t in flat_in])
        if len(flat_in) == 1 and not isinstance(b_result, list | tuple | dict):
            b_result = [b_result]
        if not same_structure(loop_vars, b_result, check_types=False):
            raise ValueError(_structure_error(loop_vars, b_result))
        _check_body_outputs(flat_in, b_outs, invariants, names, symbol_names is not None)
        captured, (c_caps, b_caps) = match_captures([(c_graph, c_outs), (b_graph, b_outs)])
        cond_fn = SubFunction(c_graph, c_graph.inputs + c_caps, c_outs, side_effect_ops(c_graph))
        body_fn = SubFunction(b_graph, b_graph.inputs + b_caps, b_outs, side_effect_ops(b_graph))
        inputs = flat_in + captured
        attrs = {"cond": cond_fn, "body": body_fn, "n_vars": len(flat_in), "maximum_iterations": None,
                 "max_from_input": False, "T": [t.dtype for t in flat_in], "output_shapes": invariants}
        if isinstance(maximum_iterations, Tensor):
            inputs.append(convert_to_tensor(maximum_iterations))
            attrs["max_from_input"] = True
        elif maximum_iterations is not None:
            attrs["maximum_iterations"] = int(maximum_iterations)
        op_type = "While" if cond_fn.effects or body_fn.effects else "StatelessWhile"
        notify_tapes(captured)
        outs = apply_op(op_type, inputs, attrs, name=scope)
    return pack_as(loop_vars, list(outs[:len(flat_in)]))


# -- checks ---------------------------------------------------------------------------------------
def _names(symbol_names, loop_vars, flat_in) -> list:
    if symbol_names is not None and len(symbol_names) == len(flat_in):
        return [f"'{n}'" for n in symbol_names]
    return [getattr(t, "name", f"loop_vars[{i}]") for i, t in enumerate(flat_in)]


def _shape_le(shape: TensorShape, invariant: TensorShape) -> bool:
    """True if ``shape`` is at least as specific as ``invariant`` (TF's _ShapeLessThanOrEqual)."""
    if invariant.rank is None:
        return True
    if shape.rank != invariant.rank:
        return False
    return all(b is None or a == b for a, b in zip(shape.as_list(), invariant.as_list()))


def _invariants(loop_vars, shape_invariants, flat_in, names) -> list:
    if shape_invariants is None:
        return [t.shape for t in flat_in]
    flat = []

    def walk(structure, inv):
        if isinstance(structure, list | tuple | dict):
            keys = sorted(structure) if isinstance(structure, dict) else range(len(structure))
            for k in keys:
                walk(structure[k], inv[k])
        else:
            flat.append(TensorShape(inv))

    walk(loop_vars, shape_invariants)
    for t, inv, n in zip(flat_in, flat, names):
        if not _shape_le(t.shape, inv):
            raise ValueError(f"The shape invariant specified for {n} is not compatible with the initial shape of "
                             f"the loop variable. It enters the loop with shape {t.shape}, but the specified "
                             f"shape invariant is {inv}.")
    return flat


def _check_condition(c_outs) -> None:
    if len(c_outs) != 1 or c_outs[0] is None:
        raise TypeError(f"The cond of tf.while_loop must return one scalar boolean tensor, but returned "
                        f"{len(c_outs)} values.")
    shape = c_outs[0].shape
    if shape.rank and shape.num_elements() not in (None, 1):
        raise ValueError(f"The cond of tf.while_loop must return a scalar boolean tensor, but it returned shape "
                         f"{shape}. Reduce it first, e.g. with tf.reduce_any(...).")


def _check_body_outputs(flat_in, b_outs, invariants, names, autograph: bool) -> None:
    for t, out, inv, n in zip(flat_in, b_outs, invariants, names):
        if out is None:
            raise ValueError(f"{n} is None at the end of the iteration." if autograph else
                             f"The body of tf.while_loop returned None for {n}; it must return a tensor for "
                             "every loop variable.")
        if out.dtype != t.dtype:
            raise TypeError(f"{n} has dtype {t.dtype.name} before the loop, but dtype {out.dtype.name} after one "
                            "iteration" if autograph else f"Loop var {n} enters the loop with type {t.dtype!r}, but "
                            f"has type {out.dtype!r} after 1 iteration.")
        if not _shape_le(out.shape, inv):
            raise ValueError(f"{n} has shape {inv} before the loop, but shape {out.shape} after one iteration. "
                             "tinyflow's AutoGraph keeps loop shapes fixed; to let a shape vary, write the loop "
                             "with tf.while_loop(..., shape_invariants=...)." if autograph else
                             f"Input tensor `{n}` enters the loop with shape {inv}, but has shape {out.shape} "
                             "after one iteration. To allow the shape to vary across iterations, use the "
                             "`shape_invariants` argument of tf.while_loop to specify a less-specific shape.")


def _structure_error(loop_vars, out) -> str:
    return ("The two structures don't have the same nested structure.\n\n"
            f"First structure (loop_vars): {loop_vars}\n\nSecond structure (returned by body): {out}\n\n"
            "The body of tf.while_loop must return the loop variables in the same structure as loop_vars.")


# -- the While op ---------------------------------------------------------------------------------
def _while_kernel(xp, *args, cond, body, n_vars, maximum_iterations, max_from_input, T, output_shapes, ctx):
    limit = int(args[-1]) if max_from_input else maximum_iterations
    values, captured = list(args[:n_vars]), list(args[n_vars:len(args) - max_from_input])
    cond_plan, body_plan = cond.plan(ctx), body.plan(ctx)
    history = []  # the loop state at the start of every iteration, for the gradient
    while (limit is None or len(history) < limit) and cond_plan.run(values + captured)[0]:
        history.append(values)
        values = body_plan.run(values + captured)
    return (*values, history)


def _while_shape(*inputs, T, output_shapes, **attrs):
    # NOTE: like TF's while_v2, which accumulates intermediates in extra TensorList outputs (dtype
    # variant), the last output holds the per-iteration states; tinyflow types it int32, unknown shape.
    return [*zip(output_shapes, T), (TensorShape(None), dtypes.int32)]


register_op("While", kernel=_while_kernel, shape=_while_shape, num_outputs=-1, stateful=True, side_effects=True)
register_op("StatelessWhile", kernel=_while_kernel, shape=_while_shape, num_outputs=-1, stateful=True)


@register_gradient("While")
def _while_grad(op, *grads):
    """Reverse the loop: g_state(k) = d body(state k) / d state(k) · g_state(k+1); captures add up."""
    n, body = op.get_attr("n_vars"), op.get_attr("body")
    captured = op.inputs[n:n + len(body.inputs) - n]
    var_idx = [k for k in range(n) if op.outputs[k].dtype.is_floating]
    cap_idx = [j for j, t in enumerate(captured) if t.dtype.is_floating]
    result = [None] * len(op.inputs)
    if not var_idx:
        return result
    grad_fn = _body_gradient(body, n, var_idx, cap_idx, [op.outputs[k] for k in var_idx])
    attrs = {"body_grad": grad_fn, "n_caps": len(captured), "n_grads": len(var_idx), "cap_idx": cap_idx,
             "T": [op.inputs[k].dtype for k in var_idx] + [captured[j].dtype for j in cap_idx],
             "output_shapes": [op.inputs[k].shape for k in var_idx] + [captured[j].shape for j in cap_idx]}
    outs = apply_op("WhileGrad", [op.outputs[-1], *captured, *[grads[k] for k in var_idx]], attrs,
                    name="while_grad")
    for i, k in enumerate(var_idx):
        result[k] = outs[i]
    for i, j in enumerate(cap_idx):
        result[n + j] = outs[len(var_idx) + i]
    return result


register_gradient("StatelessWhile")(_while_grad)


def _body_gradient(body: SubFunction, n: int, var_idx: list, cap_idx: list, seeds_like: list) -> SubFunction:
    """A SubFunction: (state, captures, output grads) -> (grads of the float loop vars, of float captures)."""
    sources = [body.inputs[k] for k in var_idx] + [body.inputs[n + j] for j in cap_idx]
    seeds, grads = branch_gradients(body, seeds_like, [body.outputs[k] for k in var_idx], sources)
    with no_tapes(), building(body.graph):
        filled = [g if g is not None else zeros_for(s, body.graph) for g, s in zip(grads, sources)]
    return SubFunction(body.graph, body.inputs + seeds, filled)


def _while_grad_kernel(xp, history, *args, body_grad, n_caps, n_grads, cap_idx, T, output_shapes, ctx):
    captured, grads = list(args[:n_caps]), list(args[n_caps:])
    plan = body_grad.plan(ctx)
    cap_grads = None
    for state in reversed(history):
        out = plan.run(list(state) + captured + grads)
        grads, step = out[:n_grads], out[n_grads:]
        cap_grads = step if cap_grads is None else [a + b for a, b in zip(cap_grads, step)]
    if cap_grads is None:  # the loop ran zero times
        cap_grads = [xp.zeros_like(ctx.read(c) if hasattr(c, "_graph_handle") else c)
                     for c in (captured[j] for j in cap_idx)]
    return (*grads, *cap_grads)


register_op("WhileGrad", kernel=_while_grad_kernel, num_outputs=-1, stateful=True,
            shape=lambda *inputs, T, output_shapes, **attrs: list(zip(output_shapes, T)))


@register_gradient("WhileGrad")
def _while_grad_grad(op, *grads):
    raise NotImplementedError(
        "Second derivatives through tf.while_loop are not supported in graph mode: tinyflow differentiates a "
        "graph-mode while loop once. Compute higher-order derivatives eagerly (outside tf.function), where the "
        "loop is plain Python, or unroll the loop with a Python for loop.")
