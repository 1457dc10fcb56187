"""Sub-graphs for control flow: the branches of ``tf.cond`` and the body of ``tf.while_loop``.

In graph mode a branch cannot be "some of the ops of the graph": the If op must run
exactly one branch, and the While op must run its body again and again. So each
branch (or loop condition, or loop body) is traced into its own small
:class:`BranchGraph`, and compiled into a :class:`SubFunction` that a kernel runs with
the same :class:`~tinyflow.framework.plan.Plan` executor ``Session.run`` uses.

Tensors of the enclosing graph that a branch uses become **captures**: a placeholder
inside the branch, and an extra input of the If/While op outside. That keeps the
data flow explicit, so gradients flow back to captured tensors (a weight used in a
loop body, say) through the op's ordinary inputs.

>>> import tinyflow as tf
>>> from tinyflow.ops.control_flow_util import trace_branch
>>> g = tf.Graph()
>>> with g.as_default():
...     w = tf.constant(3.0)
...     branch, structure, outs = trace_branch("body", lambda x: x * w, [([], tf.float32)], g)
>>> [ph.op.type for _, ph in branch.captures], outs[0].op.type  # w became a capture
(['Placeholder'], 'Mul')
"""
from __future__ import annotations

import contextlib
import weakref

from tinyflow import backend, nest
from tinyflow.framework import context
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.graph import Operation
from tinyflow.framework.plan import Plan
from tinyflow.framework.registry import OPS
from tinyflow.framework.tensor import SymbolicTensor, Tensor
from tinyflow.function import FuncGraph
from tinyflow.gradients import backprop
from tinyflow.ops import math_ops


class BranchGraph(FuncGraph):
    """The graph one branch or loop body is traced into; ``outer`` is the graph around it."""

    def __init__(self, name: str, outer):
        super().__init__(name)
        self.outer = outer
        self._is_function = getattr(outer, "_is_function", False)  # TF1 or TF2 rules for `==`
        self.handle_vars: dict[int, object] = {}  # id(placeholder) -> Variable, for captured handles
        self._keep: list = []  # captured eager values, kept alive while their id is a key
        _share_graph_variables(self)

    def _capture(self, value: Tensor) -> Tensor:
        if isinstance(value, SymbolicTensor):
            if value.graph is self:
                return value
            if isinstance(value.graph, BranchGraph) and value.graph not in _ancestors(self):
                raise ValueError(
                    f"Tensor {value.name} in {value.graph.name} is accessed from {self.name}. A tensor made inside "
                    "one branch or loop body only exists there: return it from that function instead.")
        ph = self._capture_ids.get(id(value))
        if ph is not None:
            return ph
        with building(self.outer):
            outer_t = convert_to_tensor(value)  # captured by the outer graph first, if it is nested
        ph = self._capture_ids.get(id(outer_t))
        if ph is None:
            ph = self._placeholder(outer_t, "capture")
            self._capture_ids[id(outer_t)] = ph
            self.captures.append((outer_t, ph))
        self._capture_ids[id(value)] = ph
        self._keep.append(value)
        return ph

    def _placeholder(self, like, name: str):
        with self.name_scope(None), self.control_dependencies(None), building(self):
            ph = apply_op("Placeholder", [], {"dtype": like.dtype, "shape": like.shape}, name=name)
        var = variable_of(like)
        if var is not None:
            self.handle_vars[id(ph)] = var
        return ph

    def _capture_variable(self, var):
        """The handle of ``var`` inside this graph: a capture of the outer graph's handle."""
        with building(self.outer):
            outer_handle = var._graph_handle(self.outer)
        return self._capture(outer_handle)

    def _create_op(self, op_type, inputs, attrs, output_specs, name) -> Operation:
        if op_type == "VarHandleOp":  # a variable read in the branch: capture its outer handle instead
            var = attrs["var"]
            if var._graph is self:
                raise ValueError(
                    f"Creating variable {name!r} inside a tf.cond branch or tf.while_loop body of a TF1 graph is "
                    "not supported: create the variable before the control flow op and use it inside.")
            return self._capture_variable(var).op
        return super()._create_op(op_type, inputs, attrs, output_specs, name)

    def _note_variable_created(self, var) -> None:
        self.outer._note_variable_created(var)  # lifted out of the whole function, as TF does

    def used_captures(self, outputs: list) -> list:
        """The captures that some op (or an output) of this graph really uses, in creation order."""
        used = {id(t) for op in self._ops for t in op.inputs} | {id(t) for t in outputs}
        return [(o, p) for o, p in self.captures if id(p) in used]


def _ancestors(g) -> list:
    out = []
    while g is not None:
        out.append(g)
        g = getattr(g, "outer", None)
    return out


def _share_graph_variables(branch: BranchGraph) -> None:
    """Give TF1 graph variables a handle inside ``branch`` (a workaround, see NOTE).

    NOTE: ``Variable._graph_handle`` refuses graphs other than the variable's own, so a
    branch cannot create a handle on demand for a ``compat.v1`` variable. We pre-register a
    captured handle for each variable of the root graph; captures nobody uses are dropped
    by :meth:`BranchGraph.used_captures`. A hook in ``_graph_handle`` (call
    ``graph._capture_variable(self)`` when the graph has it) would make this unnecessary.
    """
    root = _ancestors(branch)[-1]
    for var in root.get_collection("variables"):
        if var._graph is root and branch not in var._handles:
            var._handles[branch] = branch._capture_variable(var)


def variable_of(t):
    """The Variable behind a handle tensor (a VarHandleOp output or a captured handle), else None."""
    op = getattr(t, "op", None)
    if op is None:
        return None
    if op.type == "VarHandleOp":
        return op.attrs["var"]
    return getattr(t.graph, "handle_vars", {}).get(id(t))


class SubFunction:
    """A compiled piece of a branch graph: ``run`` its ``outputs`` from values for its ``inputs``.

    One :class:`Plan` is kept per run context (a ``Session``, or the eager context of a
    ``function``), because stateful kernels are bound to the context that owns the variables.
    """

    def __init__(self, graph, inputs: list, outputs: list, effects: list = ()):
        self.graph, self.inputs, self.outputs, self.effects = graph, list(inputs), list(outputs), list(effects)
        self._plans: dict[int, tuple] = {}

    def plan(self, ctx) -> Plan:
        entry = self._plans.get(id(ctx))
        if entry is None or entry[0]() is not ctx or entry[1].xp is not backend.xp:
            plan = Plan(self.graph, self.outputs, self.effects, self.inputs, ctx)
            entry = self._plans[id(ctx)] = (_ref(ctx), plan)
        return entry[1]

    def __repr__(self) -> str:
        return f"<SubFunction {self.graph.name}: {len(self.inputs)} inputs -> {len(self.outputs)} outputs>"


def _ref(obj):
    try:
        return weakref.ref(obj)
    except TypeError:  # None and other non-weakrefable contexts: keep them alive
        return lambda: obj


def side_effect_ops(graph) -> list:
    return [op for op in graph.get_operations() if OPS[op.type].side_effects]


# -- tracing -------------------------------------------------------------------------------------
@contextlib.contextmanager
def building(graph):
    """Make ``graph`` the graph new ops go into (even if it is not the innermost one)."""
    context.push_graph(graph)
    try:
        yield graph
    finally:
        context.pop_graph()


@contextlib.contextmanager
def no_tapes():
    """Hide the active GradientTapes: ops inside a branch are not ops of the enclosing computation."""
    saved = context.tape_stack[:]
    context.tape_stack.clear()
    try:
        yield
    finally:
        context.tape_stack[:] = saved


def trace_branch(name: str, fn, arg_specs: list, outer, structure=None, dtype_hints=None):
    """Trace ``fn`` into a new BranchGraph. ``arg_specs`` are (shape, dtype) pairs of its inputs.

    Returns ``(graph, result_structure, flat_outputs)``; the graph's ``inputs`` are the
    argument placeholders. Leaves of the result that are not tensors (None, ops) become None.
    """
    graph = BranchGraph(name, outer)
    with no_tapes(), building(graph):
        graph.inputs = [apply_op("Placeholder", [], {"dtype": dt, "shape": sh}, name=f"{name}_input")
                        for sh, dt in arg_specs]
        args = pack_as(structure, graph.inputs) if structure is not None else graph.inputs
        result = fn(*args)
        leaves = flatten(result)
        hints = dtype_hints or [None] * len(leaves)
        outputs = [_as_output(x, h) for x, h in zip(leaves, hints + [None] * (len(leaves) - len(hints)))]
    return graph, result, outputs


def _as_output(x, dtype_hint=None):
    if x is None or isinstance(x, Operation):
        return None
    if hasattr(x, "_graph_handle"):  # a Variable: its current value
        return x.value()
    if isinstance(x, Tensor):
        return convert_to_tensor(x)  # captures tensors of the outer graph
    return convert_to_tensor(x, dtype_hint=dtype_hint)


# -- plumbing shared by If and While -------------------------------------------------------
def match_captures(graphs_and_outputs: list) -> tuple[list, list]:
    """The union of the branches' captures (the op's extra inputs), and for each branch the
    placeholders that receive them, aligned with that union (unused ones get a dummy)."""
    outer, seen = [], {}
    per_graph = []
    for graph, outputs in graphs_and_outputs:
        used = graph.used_captures([o for o in outputs if o is not None])
        per_graph.append({id(o): p for o, p in used})
        for o, _ in used:
            if id(o) not in seen:
                seen[id(o)] = len(outer)
                outer.append(o)
    aligned = []
    for (graph, _), mine in zip(graphs_and_outputs, per_graph):
        aligned.append([mine[id(o)] if id(o) in mine else graph._placeholder(o, "unused_capture") for o in outer])
    return outer, aligned


def notify_tapes(captured: list) -> None:
    """Variables read inside a branch were hidden from active tapes; tell them now, so that
    the If/While op is recorded (its input is the variable's handle)."""
    for t in captured:
        var = variable_of(t)
        if var is not None:
            for tape in context.tape_stack:
                tape._variable_accessed(var, t)


def zeros_for(t, graph):
    """Zeros shaped like input ``t`` of a branch graph (a variable handle holds a Variable, so read it)."""
    if id(t) in graph.handle_vars:
        return math_ops.zeros_like(apply_op("ReadVariableOp", [t]))
    return math_ops.zeros_like(t)


def branch_gradients(sub: SubFunction, seeds_like: list, targets: list, sources: list) -> tuple[list, list]:
    """Backprop inside ``sub.graph``: new placeholders for the output gradients (seeds), and
    the gradients of ``targets`` w.r.t. ``sources`` (None where unconnected)."""
    with no_tapes(), building(sub.graph):
        seeds = [apply_op("Placeholder", [], {"dtype": t.dtype, "shape": t.shape}, name="output_grad")
                 for t in seeds_like]
        grads = backprop(sub.graph.get_operations(), targets, seeds, sources, [id(s) for s in sources])
    return seeds, grads


# -- nested structures: tf.nest's helpers under the names this package uses ---------------------------
flatten = nest.flatten
pack_as = nest.pack_sequence_as
same_structure = nest.same_structure
