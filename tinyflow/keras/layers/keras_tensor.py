"""The functional API's symbolic graph: ``KerasTensor`` (a shape and a dtype) and ``Node`` (one layer call).

``keras.Input(shape=(8,))`` returns a KerasTensor. Calling a layer on KerasTensors does not compute
anything: the layer works out its output shape (by tracing ``call`` once in a scratch graph) and
records a ``Node`` — which layer was called, on which tensors, with which other arguments. A
functional ``Model(inputs, outputs)`` walks these nodes back from ``outputs`` and later replays the
layer calls, in order, on real tensors.

>>> from tinyflow import keras
>>> x = keras.Input(shape=(8,), name="pixels")
>>> y = keras.layers.Dense(4)(x)
>>> y.shape, y._keras_history.layer is y.node.layer
((None, 4), True)
"""
from __future__ import annotations

from typing import NamedTuple

from tinyflow.framework import dtypes


class KerasHistory(NamedTuple):
    """Where a KerasTensor came from: output ``tensor_index`` of call ``node_index`` of ``layer``."""

    layer: object
    node_index: int
    tensor_index: int


class KerasTensor:
    """A symbolic tensor of the functional API: a shape (``None`` for the batch) and a dtype, no value.

    Args:
      shape: tuple of ints and ``None`` (the batch dimension included).
      dtype: dtype name, default ``"float32"``.
      name: a label shown in ``repr``.
    """

    def __init__(self, shape, dtype="float32", name: str | None = None):
        self.shape = None if shape is None else tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtypes.as_dtype(dtype).name
        self.name = name or "keras_tensor"
        self._keras_history: KerasHistory | None = None

    @property
    def ndim(self) -> int | None:
        return None if self.shape is None else len(self.shape)

    @property
    def node(self):
        """The ``Node`` that produced this tensor."""
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    # A KerasTensor has no value: using it in a plain tinyflow op is a mistake worth explaining.
    def _as_tensor(self, dtype=None):
        raise TypeError(
            f"A KerasTensor ({self.name}, shape={self.shape}) cannot be used as input to a tinyflow op such "
            "as tf.matmul. A KerasTensor is a symbolic placeholder for a shape and dtype, used when building "
            "functional models: you can only pass it to Keras layers. Wrap the computation in a layer "
            "(e.g. keras.layers.Lambda(fn)) or write a Layer subclass."
        )

    def __array__(self, dtype=None, copy=None):
        self._as_tensor()

    def __bool__(self) -> bool:
        raise TypeError(f"A symbolic KerasTensor ({self.name}) has no value, so it cannot be used as a bool.")

    __hash__ = object.__hash__  # used as a dict key while wiring the graph


class Node:
    """One call of a layer on KerasTensors: the arguments (with tensors as leaves) and the outputs."""

    def __init__(self, layer, call_args: tuple, call_kwargs: dict, outputs):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.input_tensors = [t for t in flatten((call_args, call_kwargs)) if isinstance(t, KerasTensor)]
        self.outputs = outputs
        self.output_tensors = flatten(outputs)
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(self.output_tensors):
            t._keras_history = KerasHistory(layer, node_index, i)

    @property
    def parent_nodes(self) -> list:
        return [t.node for t in self.input_tensors if t._keras_history is not None]

    def replay(self, values: dict):
        """Call the layer on real tensors: ``values`` maps id(KerasTensor) -> tensor."""

        def substitute(x):
            return values[id(x)] if isinstance(x, KerasTensor) else x

        args = map_structure(substitute, self.call_args)
        kwargs = map_structure(substitute, self.call_kwargs)
        return self.layer(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Node {self.layer.name} inputs={[t.name for t in self.input_tensors]}>"


# -- nested structures (lists, tuples, dicts; dict keys sorted) --------------------------------------
def flatten(x) -> list:
    """The leaves of a nested list/tuple/dict, dict values in sorted key order."""
    if isinstance(x, list | tuple):
        return [leaf for item in x for leaf in flatten(item)]
    if isinstance(x, dict):
        return [leaf for k in sorted(x, key=str) for leaf in flatten(x[k])]
    return [x]


def map_structure(fn, x):
    """``x`` with every leaf replaced by ``fn(leaf)`` (same nesting)."""
    if isinstance(x, list | tuple):
        items = [map_structure(fn, v) for v in x]
        return type(x)(*items) if hasattr(x, "_fields") else type(x)(items)
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    return fn(x)


def pack_like(structure, leaves: list):
    """Put ``leaves`` (in ``flatten`` order) back into the nesting of ``structure``."""
    it = iter(leaves)

    def pack(s):
        if isinstance(s, list | tuple):
            items = [pack(v) for v in s]
            return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
        if isinstance(s, dict):
            packed = {k: pack(s[k]) for k in sorted(s, key=str)}
            return {k: packed[k] for k in s}
        return next(it)

    return pack(structure)


def any_symbolic(x) -> bool:
    return any(isinstance(t, KerasTensor) for t in flatten(x))


def trace_output_spec(fn, args: tuple, kwargs: dict):
    """Run ``fn(*args, **kwargs)`` once in a scratch graph, KerasTensors fed as placeholders, and
    return its outputs as KerasTensors (shape and dtype only). Variables it creates are made eagerly."""
    from tinyflow.framework.tensor import Tensor  # noqa: PLC0415
    from tinyflow.function import FuncGraph  # noqa: PLC0415
    from tinyflow.ops.base_ops import placeholder  # noqa: PLC0415

    graph = FuncGraph("keras_symbolic_call")
    with graph.as_default():
        def to_placeholder(x):
            return placeholder(x.dtype, x.shape) if isinstance(x, KerasTensor) else x

        out = fn(*map_structure(to_placeholder, args), **map_structure(to_placeholder, kwargs))

    def to_keras_tensor(t):
        if isinstance(t, Tensor):
            return KerasTensor(t.shape.dims, t.dtype)
        return t

    return map_structure(to_keras_tensor, out)
