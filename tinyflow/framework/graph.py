"""``Graph`` and ``Operation``: TF1's define-then-run data structure.

A graph is a list of operations in creation order. Each operation has a type
(``"AddV2"``), a unique name (``"add"``, ``"add_1"``, ``"scope/add"``), input tensors,
attributes and output tensors. Creation order is always a valid topological order,
which the plan executor relies on.

>>> import tinyflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     a = tf.constant(1.0, name="a")
...     with tf.name_scope("scope"):
...         b = a + a
>>> [op.name for op in g.get_operations()], b.name
(['a', 'scope/add'], 'scope/add:0')
"""
from __future__ import annotations

import contextlib
import re

from tinyflow.framework import context
from tinyflow.framework.tensor import SymbolicTensor
from tinyflow.framework.tensor_shape import TensorShape

_VALID_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")


class Operation:
    """A node: ``type`` names the registered op, ``inputs`` are tensors, ``outputs`` its results."""

    def __init__(self, graph: Graph, op_type: str, name: str, inputs: list, attrs: dict, output_specs: list,
                 control_inputs: list):
        self.graph = graph
        self.type = op_type
        self.name = name
        self.inputs = inputs
        self.attrs = attrs
        self.control_inputs = control_inputs
        self._id = len(graph._ops)  # creation index = a topological order
        self.outputs = [SymbolicTensor(self, i, dt, TensorShape(sh)) for i, (sh, dt) in enumerate(output_specs)]

    def get_attr(self, name: str):
        try:
            return self.attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self.name}' (type {self.type}) has no attr named '{name}'.") from None

    def values(self) -> tuple:
        return tuple(self.outputs)

    @property
    def node_def(self) -> dict:
        return {"name": self.name, "op": self.type, "input": [t.name for t in self.inputs],
                "attr": {k: v for k, v in self.attrs.items() if not k.startswith("_")}}

    def run(self, feed_dict=None, session=None) -> None:
        """Run this op in the default session (or ``session``)."""
        from tinyflow.session import _session_for  # noqa: PLC0415

        _session_for(session, self).run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"


class Graph:
    """A TensorFlow computation graph.

    >>> import tinyflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    >>> x.graph is g, x.shape
    (True, TensorShape([None, 3]))
    """

    def __init__(self):
        self._ops: list[Operation] = []
        self._by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._name_stack = ""
        self._control_stack: list[list] = []
        self._collections: dict[str, list] = {}
        self._finalized = False
        self.seed: int | None = None  # graph-level random seed (compat.v1.set_random_seed)

    # -- building ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self):
        """Make this the graph that new ops are added to, inside the ``with`` block."""
        context.push_graph(self)
        try:
            yield self
        finally:
            context.pop_graph()

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """``name`` prefixed by the current name scope, made unique with ``_1``, ``_2`` ..."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        i = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = i + 1
        if i > 0:
            base = key
            while f"{base}_{i}" in self._names_in_use:
                i += 1
            if mark_as_used:
                self._names_in_use[f"{base}_{i}"] = 1
            name = f"{name}_{i}"
        return name

    def _create_op(self, op_type: str, inputs: list, attrs: dict, output_specs: list, name: str) -> Operation:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        if not _VALID_NAME.match(name.rstrip("/")):
            raise ValueError(f"'{name}' is not a valid node name")
        control = [op for frame in self._control_stack for op in frame]
        # a name ending in "/" is absolute: a scope name already made unique by name_scope
        unique = name[:-1] if name.endswith("/") else self.unique_name(name)
        op = Operation(self, op_type, unique, inputs, attrs, output_specs, control)
        self._ops.append(op)
        self._by_name[op.name] = op
        return op

    @contextlib.contextmanager
    def name_scope(self, name: str | None):
        """Prefix op names with ``name/``; a repeated scope becomes ``name_1/``."""
        saved = self._name_stack
        if name is None or name == "":
            self._name_stack = ""
        elif name.endswith("/"):
            self._name_stack = name[:-1]  # an absolute scope, reused as is
        else:
            self._name_stack = self.unique_name(name)
        try:
            yield self._name_stack + "/" if self._name_stack else ""
        finally:
            self._name_stack = saved

    def get_name_scope(self) -> str:
        return self._name_stack

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run only after ``control_inputs`` (tensors or ops). ``None`` clears."""
        if control_inputs is None:
            saved = self._control_stack
            self._control_stack = []
            try:
                yield
            finally:
                self._control_stack = saved
            return
        ops = [c.op if isinstance(c, SymbolicTensor) else c for c in control_inputs]
        for o in ops:
            if not isinstance(o, Operation):
                raise TypeError(f"Control input must be an Operation or a Tensor, got {o!r}")
        self._control_stack.append(ops)
        try:
            yield
        finally:
            self._control_stack.pop()

    def finalize(self) -> None:
        self._finalized = True

    @property
    def finalized(self) -> bool:
        return self._finalized

    # -- lookup ----------------------------------------------------------------------------------
    def get_operations(self) -> list[Operation]:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        if ":" in name:
            raise ValueError(f"Name '{name}' appears to refer to a Tensor, not a Operation.")
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.") from None

    def get_tensor_by_name(self, name: str) -> SymbolicTensor:
        if ":" not in name:
            raise ValueError(
                f"The name '{name}' refers to an Operation, not a Tensor. Tensor names must be of the form "
                '"<op_name>:<output_index>".'
            )
        op_name, idx = name.rsplit(":", 1)
        if op_name not in self._by_name:
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                           f"'{op_name}', does not exist in the graph.")
        op = self._by_name[op_name]
        if int(idx) >= len(op.outputs):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                           f"'{op_name}', exists but only has {len(op.outputs)} outputs.")
        return op.outputs[int(idx)]

    def as_graph_element(self, obj):
        if isinstance(obj, str):
            return self.get_tensor_by_name(obj) if ":" in obj else self.get_operation_by_name(obj)
        return obj

    # -- collections (TF1) -----------------------------------------------------------------------
    def add_to_collection(self, name: str, value) -> None:
        self._collections.setdefault(name, []).append(value)

    def get_collection(self, name: str, scope: str | None = None) -> list:
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        return [v for v in items if getattr(v, "name", "").startswith(scope)]

    def get_collection_ref(self, name: str) -> list:
        return self._collections.setdefault(name, [])

    def __repr__(self) -> str:
        return f"<tinyflow.Graph object at {hex(id(self))} with {len(self._ops)} ops>"


@contextlib.contextmanager
def name_scope(name: str | None, default_name: str | None = None, values=None):
    """``tf.name_scope``: prefix the names of ops created inside. Eager mode ignores it."""
    g = context.building_graph()
    if g is None:
        yield (name or default_name or "") + "/"
        return
    with g.name_scope(name if name is not None else default_name) as scope:
        yield scope


def control_dependencies(control_inputs):
    """``tf.control_dependencies``: in eager mode ops already run in order, so it does nothing."""
    g = context.building_graph()
    if g is None:
        return contextlib.nullcontext()
    return g.control_dependencies(control_inputs)


def get_default_graph() -> Graph:
    return context.get_default_graph()
