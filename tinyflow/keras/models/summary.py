"""``model.summary()``: a table of layers, their output shapes and parameter counts, drawn like Keras 3's.

Graph models (functional, Sequential) know every layer's output shape from their symbolic graph;
a subclassed model shows ``?`` until shapes are known. Functional models that are not a plain
chain get a fourth column, ``Connected to``. Each line goes through ``print_fn`` (default ``print``).

>>> from tinyflow import keras
>>> keras.backend.clear_session()
>>> model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2)])
>>> model.summary()
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                 ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ dense (Dense)                        │ (None, 2)                    │              10 │
└──────────────────────────────────────┴──────────────────────────────┴─────────────────┘
 Total params: 10 (40.00 B)
 Trainable params: 10 (40.00 B)
 Non-trainable params: 0 (0.00 B)
"""
from __future__ import annotations

import textwrap

import numpy as np

from tinyflow.keras.layers.input_layer import InputLayer


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable: bool = False) -> None:
    print_fn = print_fn or print
    rows, connected = _rows(model)
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected else [])
    if show_trainable:
        headers.append("Trainable")
    line_length = line_length or (108 if connected else 88)
    positions = positions or ([0.3, 0.56, 0.74, 1.0] if connected else [0.45, 0.8, 1.0])
    if show_trainable:
        positions = [p * line_length / (line_length + 12) for p in positions] + [1.0]
        line_length += 12  # room for " Trainable "
    bounds = [int(line_length * p) for p in positions]
    widths = [max(b - a - 3, len(h)) for a, b, h in zip([0] + bounds[:-1], bounds, headers)]
    right = {2}  # Param # is right-aligned
    print_fn(f'Model: "{model.name}"')
    print_fn("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    print_fn(_row(headers, widths, right, "┃"))
    print_fn("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for i, row in enumerate(rows):
        cells = row if show_trainable else row[:len(headers)]
        for line in _cell_lines(cells, widths):
            print_fn(_row(line, widths, right, "│"))
        if i < len(rows) - 1:
            print_fn("├" + "┼".join("─" * (w + 2) for w in widths) + "┤")
    print_fn("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    print_fn(f" Total params: {_total(trainable, non_trainable)}")
    print_fn(f" Trainable params: {trainable[0]:,} ({readable_memory_size(trainable[1])})")
    print_fn(f" Non-trainable params: {non_trainable[0]:,} ({readable_memory_size(non_trainable[1])})")


def _rows(model):
    """One row per layer: name (type), output shape, params, connections, trainable; and whether
    the "Connected to" column is needed."""
    from tinyflow.keras.models.functional import Functional  # noqa: PLC0415

    graph = model if isinstance(model, Functional) else None
    connected = graph is not None and not _is_chain(graph)
    layers = model.layers if graph is None else graph._model_layers  # functional: inputs too
    rows = []
    for layer in layers:
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        row = [f"{layer.name} ({type(layer).__name__})", _output_shape(layer), params]
        if connected:
            row.append(_connections(layer, graph))
        row.append("Y" if layer.trainable else "N")
        rows.append(row)
    return rows, connected


def _is_chain(graph) -> bool:
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        return False
    return all(len(node.input_tensors) == 1 and len(node.output_tensors) == 1 for node in graph._nodes) and \
        len({id(n.layer) for n in graph._nodes}) == len(graph._nodes)


def _output_shape(layer) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if nodes:
        shapes = [t.shape for t in nodes[0].output_tensors]
        return str(shapes[0]) if len(shapes) == 1 else str(shapes)
    shape = getattr(layer, "_build_input_shape", None)
    if shape is not None and type(layer).compute_output_shape is not _base_compute_output_shape():
        try:
            return str(tuple(layer.compute_output_shape(shape)))
        except Exception:  # noqa: BLE001  (best effort: show "?")
            return "?"
    return "?"


def _base_compute_output_shape():
    from tinyflow.keras.layers.layer import Layer  # noqa: PLC0415

    return Layer.compute_output_shape


def _connections(layer, graph) -> str:
    if isinstance(layer, InputLayer):
        return "-"
    in_model = {id(n) for n in graph._nodes}
    parts = []
    for node in layer._inbound_nodes:
        if id(node) not in in_model:
            continue
        for t in node.input_tensors:
            src, node_index, tensor_index = t._keras_history
            parts.append(f"{src.name}[{node_index}][{tensor_index}]")
    return "\n".join(parts) or "-"


def _cell_lines(cells: list, widths: list) -> list:
    """Split cells on newlines and wrap long ones; returns the table lines of one row."""
    wrapped = []
    for cell, width in zip(cells, widths):
        lines = []
        for part in str(cell).split("\n"):
            lines.extend(textwrap.wrap(part, width, break_on_hyphens=False) or [""])
        wrapped.append(lines)
    height = max(len(w) for w in wrapped)
    return [[w[i] if i < len(w) else "" for w in wrapped] for i in range(height)]


def _row(cells: list, widths: list, right: set, bar: str) -> str:
    parts = [f" {c:>{w}} " if i in right else f" {c:<{w}} " for i, (c, w) in enumerate(zip(cells, widths))]
    return bar + bar.join(parts) + bar


def _count(weights) -> tuple:
    n = sum(int(np.prod(v.shape.as_list())) for v in weights)
    size = sum(int(np.prod(v.shape.as_list())) * v.dtype.size for v in weights)
    return n, size


def _total(trainable, non_trainable) -> str:
    n, size = trainable[0] + non_trainable[0], trainable[1] + non_trainable[1]
    return f"{n:,} ({readable_memory_size(size)})"


def readable_memory_size(size: float) -> str:
    """Bytes in B/KB/MB/GB (1024-based, two decimals), as Keras prints them."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"
