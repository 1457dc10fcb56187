"""Control flow: ``tf.cond``, ``tf.case``, ``tf.switch_case`` and ``tf.while_loop``.

Eagerly these are plain Python: evaluate the predicate and call one branch, or loop;
a GradientTape records the ops that ran, so gradients need nothing special.

In a graph (``compat.v1`` or while ``function`` traces) each branch is traced into its
own sub-graph (see :mod:`~tinyflow.ops.control_flow_util`) and one op stands for the
whole construct: an **If** op whose kernel runs the chosen branch, a **While** op whose
kernel loops (see :mod:`~tinyflow.ops.while_ops`). Both are differentiable: the If
gradient is another If, over the gradient graphs of the two branches.

>>> import tinyflow as tf
>>> f = tf.function(lambda x: tf.cond(x > 0.0, lambda: x * x, lambda: -x))
>>> print(f(tf.constant(3.0)).numpy(), f(tf.constant(-2.0)).numpy())
9.0 2.0
"""
from __future__ import annotations

from tinyflow.framework import context
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.framework.registry import register_gradient, register_op
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops import math_ops
from tinyflow.ops.base_ops import group, no_op  # noqa: F401  (tf.group lives here in TF; variables.py uses it)
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
from tinyflow.ops.while_ops import while_loop

__all__ = ["case", "cond", "switch_case", "while_loop"]


def cond(pred, true_fn=None, false_fn=None, name=None):
    """``true_fn()`` if ``pred`` else ``false_fn()``; in a graph, one If op that runs only the chosen branch.

    Args:
      pred: a scalar boolean tensor (a Python bool only in eager mode).
      true_fn, false_fn: callables without arguments; they must return the same structure
        of tensors with the same dtypes.
      name: name of the If op (default ``"cond"``).

    >>> import tinyflow as tf
    >>> print(tf.cond(tf.constant(True), lambda: tf.constant(1), lambda: tf.constant(2)).numpy())
    1
    """
    return _cond(pred, true_fn, false_fn, name)


def _cond(pred, true_fn, false_fn, name, symbol_names=None):
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    if context.building_graph() is None:
        return true_fn() if bool(pred) else false_fn()
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool")
    g = context.building_graph()
    with name_scope(name or "cond") as scope:
        pred = _scalar_predicate(convert_to_tensor(pred), "tf.cond")
        t_graph, t_result, t_outs = trace_branch("true_fn", true_fn, [], g)
        f_graph, f_result, f_outs = trace_branch("false_fn", false_fn, [], g)
        _check_same_outputs(t_result, f_result, t_outs, f_outs, symbol_names)
        captured, (t_inputs, f_inputs) = match_captures([(t_graph, t_outs), (f_graph, f_outs)])
        branches = [SubFunction(gr, ins, [o for o in outs if o is not None], side_effect_ops(gr))
                    for gr, ins, outs in [(t_graph, t_inputs, t_outs), (f_graph, f_inputs, f_outs)]]
        pairs = [(a, b) for a, b in zip(t_outs, f_outs) if a is not None]
        attrs = {"then_branch": branches[0], "else_branch": branches[1], "Tout": [a.dtype for a, _ in pairs],
                 "output_shapes": [_most_specific(a.shape, b.shape) for a, b in pairs]}
        op_type = "If" if branches[0].effects or branches[1].effects else "StatelessIf"
        notify_tapes(captured)
        outs = iter(apply_op(op_type, [pred, *captured], attrs, name=scope))
    if not any(o is not None for o in t_outs) and not isinstance(t_result, list | tuple | dict):
        return g._ops[-1]  # nothing to return but the op itself (e.g. branches that only print)
    return pack_as(t_result, [next(outs) if o is not None else None for o in t_outs])


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The first ``fn`` whose ``pred`` is true (``tf.case``), as nested conds.

    ``pred_fn_pairs`` is a list of ``(pred, fn)`` pairs; without ``default`` the last
    pair's ``fn`` is the default. ``exclusive=True`` (check that at most one predicate
    holds) is only checked eagerly.
    """
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    if not pairs:
        raise ValueError("pred_fn_pairs must not be empty.")
    if default is None:
        pairs, default = pairs[:-1], pairs[-1][1]
    if exclusive and context.building_graph() is None:
        true_preds = [i for i, (p, _) in enumerate(pairs) if bool(p)]
        if len(true_preds) > 1:
            raise ValueError(f"Input error: exclusive=True and more than one predicate evaluated as True: "
                             f"pairs {true_preds}.")
    fn = default
    for pred, branch in reversed(pairs):
        fn = _chain(pred, branch, fn)
    with name_scope(name):
        return fn()


def _chain(pred, branch, otherwise):
    return lambda: cond(pred, branch, otherwise)


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """``branch_fns[branch_index]()``, or ``default()`` when the index is out of range."""
    fns = sorted(branch_fns.items()) if isinstance(branch_fns, dict) else list(enumerate(branch_fns))
    if default is None:
        default = fns[-1][1]
    if context.building_graph() is None:
        index = int(branch_index)
        return dict(fns).get(index, default)()
    pairs = [(math_ops.equal(branch_index, i), fn) for i, fn in fns]
    return case(pairs, default=default, name=name)


# -- checks ---------------------------------------------------------------------------------------
def _scalar_predicate(pred, where: str):
    shape = pred.shape
    if shape.rank:
        if shape.num_elements() not in (None, 1):
            raise ValueError(f"The predicate of {where} must be a scalar, but has shape {shape}. "
                             "Reduce it first, e.g. with tf.reduce_all(pred) or tf.reduce_any(pred).")
        from tinyflow.ops import array_ops  # noqa: PLC0415

        pred = array_ops.reshape(pred, [])
    return pred


def _check_same_outputs(t_result, f_result, t_outs, f_outs, symbol_names) -> None:
    if symbol_names is not None:  # AutoGraph's if statement: explain per variable
        start = 0
        for name, a, b in zip(symbol_names, t_result, f_result):
            if not same_structure(a, b):
                raise TypeError(f"'{name}' must have the same nested structure in the main and else branches:"
                                f"\n\n{a!r}\n\n{b!r}")
            n = len(flatten(a))
            for x, y in zip(t_outs[start:start + n], f_outs[start:start + n]):
                if x is not None and y is not None and x.dtype != y.dtype:
                    raise TypeError(f"'{name}' has dtype {x.dtype.name} in the main branch, but dtype "
                                    f"{y.dtype.name} in the else branch")
            start += n

    def error(detail):
        return TypeError("true_fn and false_fn arguments to tf.cond must have the same number, type, and overall "
                         f"structure of return values.\n\ntrue_fn output: {t_result}\nfalse_fn output: "
                         f"{f_result}\n\nError details:\n{detail}")

    if not same_structure(t_result, f_result) or len(t_outs) != len(f_outs):
        raise error("The two structures don't have the same nested structure.")
    for a, b in zip(t_outs, f_outs):
        if (a is None) != (b is None):
            raise error(f"{a} and {b} have different types (one branch returns a tensor, the other none)")
        if a is not None and a.dtype != b.dtype:
            raise error(f"{a} and {b} have different types")


def _most_specific(a: TensorShape, b: TensorShape) -> TensorShape:
    if a.rank is None or b.rank is None or a.rank != b.rank:
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])


# -- the If op --------------------------------------------------------------------------------------
def _if_kernel(xp, pred, *inputs, then_branch, else_branch, Tout, output_shapes, ctx):
    branch = then_branch if bool(pred) else else_branch
    return tuple(branch.plan(ctx).run(list(inputs)))


def _if_shape(pred, *inputs, then_branch, else_branch, Tout, output_shapes):
    return list(zip(output_shapes, Tout))


# num_outputs=-1: as many outputs as the branches return. "If" runs even when unused in a
# function (its branches print or assign); "StatelessIf" only when needed, as in TF.
register_op("If", kernel=_if_kernel, shape=_if_shape, num_outputs=-1, stateful=True, side_effects=True)
register_op("StatelessIf", kernel=_if_kernel, shape=_if_shape, num_outputs=-1, stateful=True)


@register_gradient("If")
def _if_grad(op, *grads):
    """d/dinputs of If(pred, branches) = If(pred, gradient graph of each branch).

    NOTE: the gradient branch recomputes its forward ops from the captured inputs (TF
    instead makes the forward If output its intermediates); random ops inside a branch
    therefore draw new values in the backward pass.
    """
    branches = [op.get_attr("then_branch"), op.get_attr("else_branch")]
    inputs = op.inputs[1:]
    wrt = [j for j, t in enumerate(inputs) if t.dtype.is_floating]
    outs = [k for k, t in enumerate(op.outputs) if t.dtype.is_floating]
    none = [None] * len(op.inputs)
    if not wrt or not outs:
        return none
    raw = [branch_gradients(b, [op.outputs[k] for k in outs], [b.outputs[k] for k in outs],
                            [b.inputs[j] for j in wrt]) for b in branches]
    keep = [i for i in range(len(wrt)) if any(gs[i] is not None for _, gs in raw)]
    if not keep:
        return none
    subs = []
    for b, (seeds, gs) in zip(branches, raw):
        with no_tapes(), building(b.graph):
            filled = [gs[i] if gs[i] is not None else zeros_for(b.inputs[wrt[i]], b.graph) for i in keep]
        subs.append(SubFunction(b.graph, b.inputs + seeds, filled))
    attrs = {"then_branch": subs[0], "else_branch": subs[1], "Tout": [inputs[wrt[i]].dtype for i in keep],
             "output_shapes": [inputs[wrt[i]].shape for i in keep]}
    results = apply_op("StatelessIf", [op.inputs[0], *inputs, *[grads[k] for k in outs]], attrs, name="cond_grad")
    for i, g in zip(keep, results):
        none[1 + wrt[i]] = g
    return none


register_gradient("StatelessIf")(_if_grad)
