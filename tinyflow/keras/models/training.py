"""``compile``, the train/test/predict steps, and the loops of ``fit``, ``evaluate`` and ``predict``.

A training step is the TF2 recipe written once::

    with tf.GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = compiled_loss(y, y_pred) + sum(model.losses)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))

By default it runs as a ``tf.function`` (traced once per input signature, with the batch axis left
open so the last, smaller batch reuses the trace); ``compile(run_eagerly=True)`` runs it as plain
Python for debugging. The loops do as little per step as possible: slice the arrays, call the
compiled step, and call only the callbacks that act per batch.

>>> import numpy as np
>>> from tinyflow import keras
>>> model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
>>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
>>> history = model.fit(np.ones((8, 1)), np.ones((8, 1)), epochs=2, verbose=0)
>>> sorted(history.history), len(history.history["loss"])
(['loss'], 2)
"""
from __future__ import annotations

import math
import warnings

import numpy as np

import tinyflow as tf
from tinyflow.config import functions_run_eagerly
from tinyflow.eager.tape import GradientTape
from tinyflow.keras.callbacks import CallbackList, TerminateOnNaN
from tinyflow.keras.layers.keras_tensor import flatten, map_structure, pack_like
from tinyflow.keras.models import compile_utils
from tinyflow.keras.models.compile_utils import compute_loss  # noqa: F401  (Model.compute_loss)
from tinyflow.keras.models.data_adapter import DataAdapter, is_dataset, to_array, train_validation_split


def compile_model(model, optimizer, loss, loss_weights, metrics, weighted_metrics, run_eagerly) -> None:
    if weighted_metrics is not None:
        raise NotImplementedError("`weighted_metrics` is not supported by tinyflow; pass `metrics`.")
    model._compile_state = compile_utils.CompileState(model, optimizer, loss, loss_weights, metrics, run_eagerly)
    model.train_function = model.test_function = model.predict_function = None


# -- the steps ---------------------------------------------------------------------------------------------
def unpack(data):
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` -> ``(x, y, sample_weight)``."""
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: "
                     f"a tuple of {len(data)} elements.")


def train_step(model, data) -> dict:
    x, y, sample_weight = unpack(data)
    with GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = compile_utils.compute_loss(model, y, y_pred, sample_weight)
    weights = model.trainable_weights
    if weights:
        grads = tape.gradient(loss, weights)
        model.optimizer.apply_gradients(zip(grads, weights))
    else:
        warnings.warn("The model does not have any trainable weights.", stacklevel=2)
    return _metrics_result(model, loss, x, y, y_pred, sample_weight)


def test_step(model, data) -> dict:
    x, y, sample_weight = unpack(data)
    y_pred = model(x, training=False)
    loss = compile_utils.compute_loss(model, y, y_pred, sample_weight)
    return _metrics_result(model, loss, x, y, y_pred, sample_weight)


def _metrics_result(model, loss, x, y, y_pred, sample_weight) -> dict:
    state = model._compile_state
    tracker = state.loss_tracker  # a Mean: the loss averaged over samples, weighting each batch by its size
    batch_size = tf.cast(tf.shape(flatten(x)[0])[0], tracker.total.dtype)
    tracker.total.assign_add(tf.cast(loss, tracker.total.dtype) * batch_size)
    tracker.count.assign_add(batch_size)
    compile_utils.update_metrics(model, y, y_pred, sample_weight)
    logs = {m.name: m.result() for m in state.all_metrics()}
    return {k: logs[k] for k in sorted(logs)}  # sorted keys, as Keras logs are


class CompiledStep:
    """A step function as a ``tf.function``: one trace per input structure, dtypes and non-batch shape."""

    def __init__(self, step):
        self.function = tf.function(step, autograph=False)
        self._concrete: dict = {}

    def concrete_for(self, data):
        key = _signature(data)
        fn = self._concrete.get(key)
        if fn is None:
            specs = map_structure(lambda a: tf.TensorSpec([None] + list(a.shape[1:]), _dtype(a)), data)
            fn = self._concrete[key] = self.function.get_concrete_function(specs)
        return fn

    def __call__(self, data):
        return self.concrete_for(data)(data)


def make_function(model, kind: str):
    """The compiled (or, with ``run_eagerly``, plain) ``train``/``test``/``predict`` step of ``model``."""
    state = model._compile_state
    if state is None:
        raise ValueError(f"You must call `compile()` before using the model for `{kind}`.")
    fn = state.functions.get(kind)
    if fn is None:
        step = {"train": model.train_step, "test": model.test_step, "predict": model.predict_step}[kind]
        fn = step if state.run_eagerly or functions_run_eagerly() else CompiledStep(step)
        state.functions[kind] = fn
        setattr(model, f"{kind}_function", fn)
    return fn


def _signature(data):
    return tuple((a.dtype, tuple(a.shape[1:])) for a in flatten(data)) + (_structure_key(data),)


def _structure_key(x):
    if isinstance(x, list | tuple):
        return (type(x).__name__, tuple(_structure_key(v) for v in x))
    if isinstance(x, dict):
        return ("dict", tuple((k, _structure_key(x[k])) for k in sorted(x)))
    return None


def _dtype(a):
    return a.dtype if isinstance(a.dtype, tf.DType) else tf.as_dtype(a.dtype)


def _run_steps(fn, data: DataAdapter, batches, callbacks, mode: str, model=None):
    """Call ``fn`` on each batch; returns the last logs (None if there was no batch)."""
    hooks = callbacks.batch_hooks(mode)
    begin, end = getattr(callbacks, f"on_{mode}_batch_begin"), getattr(callbacks, f"on_{mode}_batch_end")
    logs = None
    call = fn
    resolve_once = isinstance(fn, CompiledStep) and data.num_samples is not None  # arrays: one signature
    for step, batch in enumerate(batches):
        if resolve_once and call is fn:
            call = fn.concrete_for(batch)  # later batches share dtypes and inner shapes: skip the lookup
        if hooks:
            begin(step)
        logs = call(batch)
        if hooks:
            end(step, logs)
        if model is not None and model.stop_training:
            break
    return logs


# -- fit -------------------------------------------------------------------------------------------------
def fit(model, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
        class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
        validation_freq):
    verbose = 1 if verbose == "auto" else verbose
    if validation_split and validation_data is None:
        if is_dataset(x):
            raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, not datasets. "
                             "Pass `validation_data` instead.")
        arrays = map_structure(to_array, (x, y, sample_weight))
        (x, y, sample_weight), validation_data = train_validation_split(arrays, validation_split)
    data = DataAdapter(x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight)
    val = None
    if validation_data is not None:
        vx, vy, vsw = unpack(validation_data) if isinstance(validation_data, tuple) else (validation_data, None, None)
        val = DataAdapter(vx, vy, vsw, None if is_dataset(vx) else (validation_batch_size or batch_size),
                          validation_steps)
    train_fn = make_function(model, "train")
    callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model, verbose=verbose,
                             epochs=epochs, steps=data.num_batches)
    rng = np.random.default_rng(_shuffle_seed()) if shuffle and not is_dataset(x) else None
    model.stop_training = False
    model.history = callbacks._history
    callbacks.on_train_begin()
    warned = any(isinstance(cb, TerminateOnNaN) for cb in callbacks.callbacks)
    epoch_logs = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callbacks.on_epoch_begin(epoch)
        logs = _run_steps(train_fn, data, data.batches(rng), callbacks, "train", model)
        epoch_logs = {k: float(v) for k, v in (logs or {}).items()}
        if val is not None and (epoch + 1) % validation_freq == 0:
            val_logs = _evaluate_loop(model, val, callbacks)
            epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
        callbacks.on_epoch_end(epoch, epoch_logs)
        if not warned and not math.isfinite(epoch_logs.get("loss", 0.0)):
            warned = True
            warnings.warn(_NAN_MESSAGE.format(epoch=epoch + 1, loss=epoch_logs["loss"]), RuntimeWarning, stacklevel=3)
        if model.stop_training:
            break
    callbacks.on_train_end(epoch_logs)
    return model.history


_NAN_MESSAGE = (
    "Epoch {epoch}: the training loss is {loss}. The weights have probably become NaN or infinite, so further "
    "training cannot recover. Check the data for NaN/inf values (e.g. np.isfinite(x).all()), try a lower learning "
    "rate, and pass callbacks=[keras.callbacks.TerminateOnNaN()] to stop at the first bad batch.")


def _shuffle_seed() -> int:
    """A seed from tinyflow's random state, so ``tf.random.set_seed`` also fixes the shuffling."""
    return int(tf.random.uniform([], maxval=2**31 - 1, dtype=tf.int32))


# -- evaluate, predict --------------------------------------------------------------------------------------
def _evaluate_loop(model, data: DataAdapter, callbacks) -> dict:
    test_fn = make_function(model, "test")
    model.reset_metrics()
    callbacks.on_test_begin()
    logs = _run_steps(test_fn, data, data.batches(), callbacks, "test")
    logs = {k: float(v) for k, v in (logs or {}).items()}
    callbacks.on_test_end(logs)
    return logs


def evaluate(model, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict):
    verbose = 1 if verbose == "auto" else verbose
    make_function(model, "test")
    data = DataAdapter(x, y, sample_weight, batch_size, steps)
    callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose, epochs=1,
                             steps=data.num_batches)
    logs = _evaluate_loop(model, data, callbacks)
    return logs if return_dict else _flatten_in_order(model, logs)


def _flatten_in_order(model, logs: dict):
    names = [m.name for m in model.metrics]
    values = [logs[n] for n in names if n in logs] + [logs[k] for k in sorted(logs) if k not in names]
    return values[0] if len(values) == 1 else values


def predict(model, x, batch_size, verbose, steps, callbacks):
    verbose = 1 if verbose == "auto" else verbose
    fn = _predict_function(model)
    data = DataAdapter(x, None, None, batch_size, steps)
    callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose, epochs=1,
                             steps=data.num_batches)
    callbacks.on_predict_begin()
    hooks = callbacks.batch_hooks("predict")
    outputs = []
    for step, batch in enumerate(data.batches()):
        if hooks:
            callbacks.on_predict_batch_begin(step)
        out = fn((batch[0],))
        outputs.append(map_structure(lambda t: np.asarray(t), out))
        if hooks:
            callbacks.on_predict_batch_end(step, {"outputs": out})
    callbacks.on_predict_end()
    if not outputs:
        raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). Please use "
                         "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)` for "
                         "more information of where went wrong, or file a issue/bug to `tf.keras`.")
    return _concat(outputs)


def _predict_function(model):
    if model._compile_state is None:  # predict works without compile
        fn = getattr(model, "_uncompiled_predict", None)
        if fn is None:
            fn = model._uncompiled_predict = CompiledStep(model.predict_step)
        return fn
    return make_function(model, "predict")


def _concat(outputs: list):
    """Join the per-batch outputs along the batch axis, keeping their structure."""
    leaves = [flatten(o) for o in outputs]
    joined = [np.concatenate([lv[i] for lv in leaves], axis=0) for i in range(len(leaves[0]))]
    return pack_like(outputs[0], joined)


# -- on one batch ----------------------------------------------------------------------------------------
def _batch(x, y, sample_weight, class_weight=None):
    data = DataAdapter(x, y, sample_weight, batch_size=None, class_weight=class_weight)
    data.batch_size, data.num_batches = max(data.num_samples, 1), 1
    return data.first_batch()


def train_on_batch(model, x, y, sample_weight, class_weight, return_dict):
    """One step on one batch. As in Keras 3, metrics keep accumulating across calls
    (``model.reset_metrics()`` starts them over)."""
    logs = make_function(model, "train")(_batch(x, y, sample_weight, class_weight))
    logs = {k: float(v) for k, v in logs.items()}
    return logs if return_dict else _flatten_in_order(model, logs)


def test_on_batch(model, x, y, sample_weight, return_dict):
    logs = make_function(model, "test")(_batch(x, y, sample_weight))
    logs = {k: float(v) for k, v in logs.items()}
    return logs if return_dict else _flatten_in_order(model, logs)


def predict_on_batch(model, x):
    out = _predict_function(model)((_batch(x, None, None)[0],))
    return map_structure(lambda t: np.asarray(t), out)
