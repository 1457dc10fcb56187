"""JSON form of a functional model's graph, in Keras 3's layout, and its inverse.

Each layer is listed once (in graph order) with its own config and its ``inbound_nodes``: for
every call of the layer inside this model, the call's arguments with each KerasTensor written
as ``{"class_name": "__keras_tensor__", "config": {"shape", "dtype", "keras_history": [layer,
node, tensor]}}``. ``input_layers``/``output_layers`` name the model's ends the same way.

>>> from tinyflow import keras
>>> x = keras.Input(shape=(2,), name="x")
>>> cfg = keras.Model(x, keras.layers.Dense(1, name="out")(x)).get_config()
>>> [layer["name"] for layer in cfg["layers"]], cfg["output_layers"]
(['x', 'out'], ['out', 0, 0])
"""
from __future__ import annotations

from tinyflow.keras.layers.keras_tensor import KerasTensor, map_structure


def serialize_graph(model) -> dict:
    from tinyflow.keras import layers as layers_module  # noqa: PLC0415

    nodes_of = {}  # layer id -> that layer's nodes inside this model, in call order
    for t in model.inputs:
        nodes_of.setdefault(id(t._keras_history.layer), []).append(t.node)
    for node in model._nodes:
        nodes_of.setdefault(id(node.layer), []).append(node)

    def history(t: KerasTensor) -> list:
        layer, _, tensor_index = t._keras_history
        return [layer.name, nodes_of[id(layer)].index(t.node), tensor_index]

    def arg(x):
        if isinstance(x, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(x.shape), "dtype": x.dtype, "keras_history": history(x)}}
        return x

    layer_configs = []
    for layer in model._model_layers:
        entry = layers_module.serialize(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [] if isinstance(layer, layers_module.InputLayer) else [
            {"args": map_structure(arg, list(node.call_args)), "kwargs": map_structure(arg, node.call_kwargs)}
            for node in nodes_of[id(layer)]]
        layer_configs.append(entry)
    return {"layers": layer_configs,
            "input_layers": map_structure(history, model._inputs_struct),
            "output_layers": map_structure(history, model._outputs_struct)}


def rebuild_graph(config: dict, custom_objects=None):
    """Re-create the layers and replay their calls; returns ``(inputs, outputs)`` KerasTensors."""
    from tinyflow.keras import layers as layers_module  # noqa: PLC0415

    created, outputs_of = {}, {}  # layer name -> layer; layer name -> list of node outputs
    pending = []
    for entry in config["layers"]:
        layer = layers_module.deserialize(entry, custom_objects=custom_objects)
        created[entry["name"]] = layer
        if isinstance(layer, layers_module.InputLayer):
            outputs_of[entry["name"]] = [layer.output_tensor]
        else:
            outputs_of[entry["name"]] = []
            pending.extend((entry["name"], i, node) for i, node in enumerate(entry["inbound_nodes"]))

    def tensor(history):
        name, node_index, tensor_index = history
        outs = outputs_of[name][node_index]
        return outs if isinstance(outs, KerasTensor) else _flat(outs)[tensor_index]

    def ready(x) -> bool:
        if _is_tensor_ref(x):
            name, node_index, _ = x["config"]["keras_history"]
            return node_index < len(outputs_of[name])
        if isinstance(x, list | tuple):
            return all(ready(v) for v in x)
        if isinstance(x, dict):
            return all(ready(v) for v in x.values())
        return True

    def resolve(x):
        if _is_tensor_ref(x):
            return tensor(x["config"]["keras_history"])
        if isinstance(x, list):
            return [resolve(v) for v in x]
        if isinstance(x, dict):
            return {k: resolve(v) for k, v in x.items()}
        return x

    while pending:  # replay each node once its inputs exist (a layer's nodes in their order)
        progress = False
        for item in list(pending):
            name, index, node = item
            if index != len(outputs_of[name]) or not ready(node):
                continue
            outputs_of[name].append(created[name](*resolve(node["args"]), **resolve(node["kwargs"])))
            pending.remove(item)
            progress = True
        if not progress:
            raise ValueError(f"Cannot rebuild the functional model: the nodes of {sorted({p[0] for p in pending})} "
                             "refer to layers that never produce their inputs. The config is inconsistent.")
    return _structure(config["input_layers"], tensor), _structure(config["output_layers"], tensor)


def _structure(x, tensor):
    """Histories ``[name, node, index]`` (possibly in lists/dicts) -> the KerasTensors."""
    if isinstance(x, list) and len(x) == 3 and isinstance(x[0], str) and isinstance(x[1], int):
        return tensor(x)
    if isinstance(x, dict):
        return {k: _structure(v, tensor) for k, v in x.items()}
    return [_structure(v, tensor) for v in x]


def _is_tensor_ref(x) -> bool:
    return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__"


def _flat(x) -> list:
    from tinyflow.keras.layers.keras_tensor import flatten  # noqa: PLC0415

    return flatten(x)
