"""What ``compile`` sets up: the optimizer, one loss per output, the metrics and the loss tracker.

Everything is resolved once here, not per step. ``"accuracy"``/``"acc"`` is the one metric that
waits for the first batch, as in Keras: the shapes (and the loss) decide between
``BinaryAccuracy`` (one output unit, or a binary cross-entropy loss), ``SparseCategoricalAccuracy``
(integer labels: ``y_true`` of lower rank, or a last axis of 1) and ``CategoricalAccuracy``.

>>> from tinyflow import keras
>>> model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
>>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
>>> type(model.optimizer).__name__, model._compile_state.loss_fns[0].name
('SGD', 'mean_squared_error')
"""
from __future__ import annotations

import importlib

import tinyflow as tf
from tinyflow.keras.layers.keras_tensor import flatten


class CompileState:
    """Holds the resolved training configuration (kept out of the model's attribute walk)."""

    def __init__(self, model, optimizer, loss, loss_weights, metrics, run_eagerly: bool):
        optimizers, losses, metrics_module = (_module(n) for n in ("optimizers", "losses", "metrics"))
        self.optimizer = optimizers.get(optimizer)
        self.loss_arg, self.metrics_arg, self.loss_weights_arg = loss, metrics, loss_weights
        self.run_eagerly = bool(run_eagerly)
        self.output_names = _output_names(model)
        n = len(self.output_names)
        self.loss_fns = [_resolve_loss(l, losses) for l in _per_output(loss, self.output_names, "loss")]
        weights = _per_output(loss_weights, self.output_names, "loss_weights") if loss_weights is not None \
            else [1.0] * n
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self.loss_tracker = metrics_module.Mean(name="loss")
        self._metric_specs = _per_output(metrics, self.output_names, "metrics", allow_flat_list=True) \
            if metrics is not None else [[] for _ in range(n)]
        self.output_metrics = None  # per output, the Metric objects (made at the first batch)
        self.functions: dict = {}  # "train"/"test"/"predict" -> compiled step function

    def build_metrics(self, y_true: list, y_pred: list) -> None:
        """Create the metric objects, now that the first batch shows the label and output shapes."""
        if self.output_metrics is not None:
            return
        metrics_module = _module("metrics")
        self.output_metrics = []
        for i, specs in enumerate(self._metric_specs):
            specs = specs if isinstance(specs, list | tuple) else [specs]
            made = [_resolve_metric(m, y_true[i], y_pred[i], self.loss_fns[i], metrics_module) for m in specs
                    if m is not None]
            if len(self.output_names) > 1:
                for m in made:
                    m.name = f"{self.output_names[i]}_{m.name}"
            self.output_metrics.append(made)

    def all_metrics(self) -> list:
        out = [self.loss_tracker]
        for ms in self.output_metrics or []:
            out.extend(ms)
        return out

    def compile_config(self) -> dict:
        """A JSON-friendly record of the compile arguments (for ``model.save``)."""
        optimizers, losses = _module("optimizers"), _module("losses")
        return {"optimizer": optimizers.serialize(self.optimizer),
                "loss": _serialize_nested(self.loss_arg, losses.serialize),
                "loss_weights": self.loss_weights_arg,
                "metrics": _serialize_nested(self.metrics_arg, _serialize_metric)}


def _module(name: str):
    return importlib.import_module(f"tinyflow.keras.{name}")


def _output_names(model) -> list:
    names = getattr(model, "output_names", None)
    if names:
        return list(names)
    return ["output"]


def _per_output(value, names: list, what: str, allow_flat_list: bool = False) -> list:
    """One entry per output from a single value, a list (in output order) or a dict (by output name)."""
    n = len(names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"In the dict argument `{what}`, key(s) {unknown} do not correspond to any model "
                             f"output. Received: {what}={value}; the outputs are {names}.")
        return [value.get(name) for name in names]
    if isinstance(value, list | tuple):
        if allow_flat_list and (n == 1 or not all(isinstance(v, list | tuple | type(None)) for v in value)):
            return [list(value) for _ in range(n)]  # the same metrics for every output
        if len(value) != n:
            raise ValueError(f"`{what}` should have one entry per model output ({n}: {names}), received "
                             f"{len(value)}: {value}")
        return list(value)
    return [value] * n


def _resolve_loss(identifier, losses):
    if identifier is None:
        return None
    fn = losses.get(identifier)
    if not isinstance(fn, losses.Loss):
        name = identifier if isinstance(identifier, str) else getattr(fn, "__name__", "loss")
        fn = losses.LossFunctionWrapper(fn, name=getattr(fn, "__name__", name))
    return fn


def _resolve_metric(identifier, y_true, y_pred, loss_fn, metrics_module):
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        is_binary = y_pred.shape[-1] == 1 or _is_binary_crossentropy(loss_fn)
        is_sparse = y_true.shape.rank < y_pred.shape.rank or (y_true.shape[-1] == 1 and y_pred.shape[-1] != 1)
        if is_binary:
            return metrics_module.BinaryAccuracy(name=identifier)
        if is_sparse:
            return metrics_module.SparseCategoricalAccuracy(name=identifier)
        return metrics_module.CategoricalAccuracy(name=identifier)
    metric = metrics_module.get(identifier)
    if isinstance(metric, type):
        metric = metric()
    if not isinstance(metric, metrics_module.Metric):
        name = identifier if isinstance(identifier, str) else getattr(metric, "__name__", "metric")
        metric = metrics_module.MeanMetricWrapper(metric, name=name)
    elif isinstance(identifier, str):
        metric.name = identifier
    return metric


def _is_binary_crossentropy(loss_fn) -> bool:
    name = getattr(loss_fn, "name", "") or ""
    return "binary_crossentropy" in name or type(loss_fn).__name__ == "BinaryCrossentropy"


def _serialize_metric(metric):
    if isinstance(metric, str):
        return metric
    if hasattr(metric, "get_config"):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return getattr(metric, "__name__", None)


def _serialize_nested(value, fn):
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: _serialize_nested(v, fn) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_serialize_nested(v, fn) for v in value]
    return value if isinstance(value, str) else fn(value)


def compute_loss(model, y, y_pred, sample_weight):
    """Weighted sum of the per-output losses, plus the model's regularization losses."""
    state = model._compile_state
    ys, preds = _align(y, model), flatten(y_pred)
    total = None
    for fn, weight, yt, yp in zip(state.loss_fns, state.loss_weights, ys, preds):
        if fn is None or yt is None:
            continue
        term = fn(yt, yp, sample_weight)
        term = term if weight == 1.0 else term * weight
        total = term if total is None else total + term
    regularization = model.losses
    if regularization:
        reg = tf.add_n([tf.cast(r, "float32") for r in regularization])
        total = reg if total is None else total + reg
    if total is None:
        raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
    return total


def update_metrics(model, y, y_pred, sample_weight) -> None:
    state = model._compile_state
    ys, preds = _align(y, model), flatten(y_pred)
    state.build_metrics(ys, preds)
    for metrics, yt, yp in zip(state.output_metrics, ys, preds):
        if yt is None:
            continue
        for m in metrics:
            m.update_state(yt, yp, sample_weight=sample_weight)


def _align(y, model) -> list:
    """Targets in output order (a dict of targets is matched by output name)."""
    names = model._compile_state.output_names
    if isinstance(y, dict):
        return [y.get(name) for name in names]
    ys = flatten(y)
    if len(ys) != len(names):
        raise ValueError(f"The model has {len(names)} output(s) {names}, but {len(ys)} target array(s) were given.")
    return ys
