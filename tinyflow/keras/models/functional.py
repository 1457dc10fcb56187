"""``Functional``: the model ``keras.Model(inputs, outputs)`` returns — a replayable graph of layer calls.

At construction the graph is walked back from ``outputs`` to ``inputs`` and its nodes are put in
topological order (every node after the nodes it reads from). Calling the model replays them in
that order on real tensors. A layer may appear in several nodes (shared weights); a model may
have several inputs and outputs (lists or dicts).

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
        self._nodes = _nodes_in_order(flatten(inputs), flatten(outputs))
        self._model_layers = _unique([t._keras_history.layer for t in flatten(inputs)]
                                     + [node.layer for node in self._nodes])
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


def _nodes_in_order(inputs: list, outputs: list) -> list:
    """The nodes between ``inputs`` and ``outputs``, each after its parents (depth-first post-order)."""
    input_ids = {id(t) for t in inputs}
    ordered, done, active = [], set(), set()

    def visit(tensor, consumer):
        if id(tensor) in input_ids:
            return
        node = tensor.node
        if isinstance(node.layer, InputLayer):
            raise ValueError(
                f"Graph disconnected: cannot find parent for tensor {tensor} at layer '{consumer}'. The model's "
                f"inputs are {[t.name for t in inputs]}; this tensor comes from another keras.Input. Pass it in "
                "`inputs` too.")
        if id(node) in done:
            return
        if id(node) in active:
            raise ValueError(f"The graph has a cycle at layer '{node.layer.name}'.")
        active.add(id(node))
        for t in node.input_tensors:
            visit(t, node.layer.name)
        active.discard(id(node))
        done.add(id(node))
        ordered.append(node)

    for t in outputs:
        visit(t, "<model output>")
    return ordered


def _unique(layers: list) -> list:
    seen, out = set(), []
    for layer in layers:
        if id(layer) not in seen:
            seen.add(id(layer))
            out.append(layer)
    return out
