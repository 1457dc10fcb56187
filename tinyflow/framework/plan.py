"""The plan executor: the hot path shared by ``Session.run`` and ``function``.

Compiling a plan does the per-graph work once: find the ops the fetches need
(stopping at fed tensors), order them (creation order is topological), give every
tensor a slot in a flat list, pre-compute constants, bind each kernel to its
attributes, and note after which step each intermediate buffer can be released.
Running a plan is then a plain loop of kernel calls over the slot list.

>>> import tinyflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [2])
...     y = x * 2.0 + 1.0
>>> from tinyflow.framework.plan import Plan
>>> Plan(g, [y], [], [x], ctx=None).run([np.array([1.0, 2.0], np.float32)])[0].tolist()
[3.0, 5.0]
"""
from __future__ import annotations

import functools
import operator

from tinyflow import backend
from tinyflow.framework import errors
from tinyflow.framework.registry import OPS


class Plan:
    """A compiled (fetches, feeds) pair: ``run(feed_values) -> fetch values``."""

    def __init__(self, graph, fetches: list, targets: list, feeds: list, ctx):
        self.xp = xp = backend.xp  # the control-flow ops run their sub-plans with the same module
        fed = {id(t) for t in feeds}
        ops = _needed_ops(fetches, targets, fed)
        slot: dict[int, int] = {}

        def slot_of(t) -> int:
            if id(t) not in slot:
                slot[id(t)] = len(slot)
            return slot[id(t)]

        self._feed_slots = [slot_of(t) for t in feeds]
        constants: dict[int, object] = {}
        steps: list[tuple] = []
        producers: list = []  # op behind each step, for error messages
        for op in ops:
            opdef = OPS[op.type]
            if op.type == "Placeholder":
                if id(op.outputs[0]) not in fed:
                    t = op.outputs[0]
                    raise errors.InvalidArgumentError(
                        None, op, f"You must feed a value for placeholder tensor '{op.name}' with dtype "
                        f"{t.dtype._tf_name} and shape {t.shape._tf_str()}\n\t [[{{{{node {op.name}}}}}]]")
                continue
            if op.type == "Const":  # values known at compile time go straight into the slots
                constants[slot_of(op.outputs[0])] = xp.asarray(op.attrs["value"])
                continue
            if op.type == "VarHandleOp":
                constants[slot_of(op.outputs[0])] = op.attrs["var"]
                continue
            fn = _bind(opdef, op.attrs, ctx, xp)
            ins = tuple(slot_of(t) for t in op.inputs)
            if opdef.num_outputs == 1:
                steps.append([fn, ins, slot_of(op.outputs[0]), ()])
                producers.append(op)
            else:  # keep the tuple in a hidden slot, then unpack it with itemgetter steps
                hidden = slot_of(op)
                steps.append([fn, ins, hidden, ()])
                producers.append(op)
                for k, t in enumerate(op.outputs):
                    steps.append([operator.itemgetter(k), (hidden,), slot_of(t), ()])
                    producers.append(op)
        self._fetch_slots = [slot_of(t) for t in fetches]
        _add_frees(steps, keep=set(self._fetch_slots) | set(constants))
        self._steps = [(fn, _getter(ins), out, free) for fn, ins, out, free in steps]
        self._producers = producers
        self._initial = [None] * len(slot)
        for i, v in constants.items():
            self._initial[i] = v
        self.num_ops = len(ops)

    def run(self, feed_values: list) -> list:
        slots = self._initial[:]
        for i, v in zip(self._feed_slots, feed_values):
            slots[i] = v
        fn = None
        try:
            for fn, get, out, free in self._steps:
                slots[out] = fn(*get(slots))
                for i in free:
                    slots[i] = None
        except Exception as e:  # the loop variables still name the failing step
            raise self._explain(fn, out, e) from e
        return [slots[i] for i in self._fetch_slots]

    def _explain(self, fn, out, exc: Exception) -> Exception:
        index = next(k for k, s in enumerate(self._steps) if s[2] == out and s[0] is fn)
        op = self._producers[index]
        if isinstance(exc, errors.OpError):
            if exc.op is None:
                exc.op = op
            return exc
        shapes = ", ".join(t.shape._tf_str() for t in op.inputs)
        return errors.InvalidArgumentError(
            None, op, f"{type(exc).__name__}: {exc}\n\t [[{{{{node {op.name}}}}} = {op.type}, input shapes: "
            f"{shapes}]]")


def _needed_ops(fetches: list, targets: list, fed: set) -> list:
    needed: dict[int, object] = {}
    stack = [t.op for t in fetches if id(t) not in fed] + list(targets)
    while stack:
        op = stack.pop()
        if id(op) in needed:
            continue
        needed[id(op)] = op
        stack.extend(t.op for t in op.inputs if id(t) not in fed)
        stack.extend(op.control_inputs)
    return sorted(needed.values(), key=lambda op: op._id)


def _bind(opdef, attrs: dict, ctx, xp):
    """The kernel as a callable of the input arrays alone."""
    if opdef.ufunc and not attrs:
        return getattr(xp, opdef.ufunc)
    if opdef.bind is not None:
        fn = opdef.bind(xp, **attrs)
        if fn is not None:
            return fn
    if opdef.stateful:
        return functools.partial(opdef.kernel, xp, ctx=ctx, **attrs)
    return functools.partial(opdef.kernel, xp, **attrs)


def _add_frees(steps: list, keep: set) -> None:
    """Release each intermediate buffer right after the step that uses it last."""
    last_use: dict[int, int] = {}
    for k, (_, ins, _, _) in enumerate(steps):
        for i in ins:
            last_use[i] = k
    frees: dict[int, list] = {}
    for i, k in last_use.items():
        if i not in keep:
            frees.setdefault(k, []).append(i)
    for k, s in enumerate(steps):
        s[3] = tuple(frees.get(k, ()))


def _getter(ins: tuple):
    """A C-level function: slots -> the tuple (or list) of this step's input values."""
    if len(ins) == 1:
        return operator.itemgetter(slice(ins[0], ins[0] + 1))  # a 1-element list
    if len(ins) == 0:
        return operator.itemgetter(slice(0, 0))
    return operator.itemgetter(*ins)
