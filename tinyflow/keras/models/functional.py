"""``Functional``: the model ``keras.Model(inputs, outputs)`` returns — a replayable graph of layer calls.

At construction the graph is walked back from ``outputs`` to ``inputs`` and its nodes are put in
topological order (every node after the nodes it reads from). Calling the model replays them in
that order on real tensors. A layer may appear in several nodes (shared weights); a model may
have several inputs and outputs (lists or dicts).

>>> import numpy as np
>>> from tinyflow import keras
>>> a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b")
>>> shared = keras.layers.Dense(2)
>>> out = keras.layers.Add()([shared(a), shared(b)])
>>> model = keras.Model([a, b], out)
>>> model([np.ones((1, 3), np.float32), np.ones((1, 3), np.float32)]).shape, len(model.weights)
(TensorShape([1, 2]), 2)
"""
from __future__ import annotations

from tinyflow.keras import backend
from tinyflow.keras.layers.input_layer import InputLayer
from tinyflow.keras.layers.input_spec import InputSpec
from tinyflow.keras.layers.keras_tensor import KerasTensor, flatten, map_structure, pack_like
from tinyflow.keras.models.model import Model


class Functional(Model):
    """A model defined by its input and output KerasTensors.

    Args:
      inputs: a KerasTensor from ``keras.Input``, or a list/dict of them.
      outputs: KerasTensor(s) computed from ``inputs`` by layer calls (a tensor, list or dict).
      name: default ``"functional"``, ``"functional_1"`` ...
    """

    def __init__(self, inputs, outputs, name: str | None = None, trainable: bool = True, **kwargs):
        super().__init__(name=name or backend.unique_name("functional"), trainable=trainable, **kwargs)
        for t in flatten(inputs):
            if not isinstance(t, KerasTensor) or t._keras_history is None:
                raise ValueError(f"All `inputs` values must be KerasTensors. Received: inputs={inputs} including "
                                 f"invalid value {t} of type {type(t)}")
            if not isinstance(t._keras_history.layer, InputLayer):
                raise ValueError(f"Model inputs must come from `keras.Input` (thus holding past layer metadata). "
                                 f"Received: {t} produced by layer '{t._keras_history.layer.name}'.")
        for t in flatten(outputs):
            if not isinstance(t, KerasTensor) or t._keras_history is None:
                raise ValueError(f"All `outputs` values must be KerasTensors produced by layer calls. Received: "
                                 f"{t!r} of type {type(t)}")
        self._inputs_struct = inputs if not isinstance(inputs, tuple) else list(inputs)
        self._outputs_struct = outputs if not isinstance(outputs, tuple) else list(outputs)
        self._nodes, self._model_layers = _graph_order(flatten(inputs), flatten(outputs))
        self.input_spec = [InputSpec(shape=t.shape, allow_last_axis_squeeze=True) for t in flatten(inputs)]
        if not isinstance(inputs, list | dict):
            self.input_spec = self.input_spec[0]
        self._build_input_shape = map_structure(lambda t: t.shape, self._inputs_struct)
        self.built = True

    @property
    def inputs(self) -> list:
        return flatten(self._inputs_struct)

    @property
    def outputs(self) -> list:
        return flatten(self._outputs_struct)

    @property
    def input_names(self) -> list:
        return [t._keras_history.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list:
        return [t._keras_history.layer.name for t in self.outputs]

    def _direct_sublayers(self) -> list:
        return list(self._model_layers)

    def call(self, inputs, training=None):
        values = {}
        for kt, value in zip(self.inputs, self._flatten_inputs(inputs)):
            values[id(kt)] = value
        for node in self._nodes:
            outputs = flatten(node.replay(values))
            for kt, value in zip(node.output_tensors, outputs):
                values[id(kt)] = value
        return pack_like(self._outputs_struct, [values[id(t)] for t in self.outputs])

    def _flatten_inputs(self, inputs) -> list:
        """The call's inputs in the order of ``self.inputs`` (a dict may be keyed by input names)."""
        if isinstance(inputs, dict) and not isinstance(self._inputs_struct, dict):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise ValueError(f"Missing data for input {missing[0]!r}. You passed a data dictionary with keys "
                                 f"{sorted(inputs)}. Expected the following keys: {self.input_names}")
            return [inputs[n] for n in self.input_names]
        flat = flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(f'Layer "{self.name}" expects {len(self.inputs)} input(s), but it received '
                             f"{len(flat)} input tensors. Inputs received: {inputs}")
        return flat

    def get_config(self) -> dict:
        from tinyflow.keras.models import graph_config  # noqa: PLC0415

        return {"name": self.name, "trainable": self.trainable, **graph_config.serialize_graph(self)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from tinyflow.keras.models import graph_config  # noqa: PLC0415

        inputs, outputs = graph_config.rebuild_graph(config, custom_objects)
        return cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _graph_order(inputs: list, outputs: list) -> tuple[list, list]:
    """Keras's ordering of a graph: ``(nodes, layers)``, deepest first.

    A depth-first walk from the outputs finds the nodes (each after its parents) and numbers the
    layers in the order first met. A node's depth is its distance from the outputs; layers are
    listed by decreasing depth, ties by that number — so weights come out in Keras's order.
    """
    input_ids = {id(t) for t in inputs}
    walk, done, active, index = [], set(), set(), {}

    def visit(tensor, consumer):
        node = tensor.node
        if id(node) in done:
            return
        if id(node) in active:
            raise ValueError(f"The graph has a cycle at layer '{node.layer.name}'.")
        if isinstance(node.layer, InputLayer) and id(tensor) not in input_ids:
            raise ValueError(
                f"Graph disconnected: cannot find parent for tensor {tensor} at layer '{consumer}'. The model's "
                f"inputs are {[t.name for t in inputs]}; this tensor comes from another keras.Input. Pass it in "
                "`inputs` too.")
        index.setdefault(id(node.layer), (len(index), node.layer))
        active.add(id(node))
        if id(tensor) not in input_ids:
            for t in node.input_tensors:
                visit(t, node.layer.name)
        active.discard(id(node))
        done.add(id(node))
        walk.append(node)

    for t in outputs:
        visit(t, "<model output>")
    node_depth, layer_depth = {}, {}
    for node in reversed(walk):  # outputs first: push depths towards the inputs
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        node_depth[id(node)] = layer_depth[id(node.layer)] = depth
        if not isinstance(node.layer, InputLayer):
            for parent in node.parent_nodes:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    nodes = sorted((n for n in walk if not isinstance(n.layer, InputLayer)), key=lambda n: -node_depth[id(n)])
    ranked = sorted(index.values(), key=lambda item: (-layer_depth[id(item[1])], item[0]))
    input_layers = _unique([t._keras_history.layer for t in inputs])
    layers = input_layers + [layer for _, layer in ranked if not isinstance(layer, InputLayer)]
    return nodes, layers


def _unique(layers: list) -> list:
    seen, out = set(), []
    for layer in layers:
        if id(layer) not in seen:
            seen.add(id(layer))
            out.append(layer)
    return out
