"""``Callback``: hooks that ``fit``, ``evaluate`` and ``predict`` call at fixed points.

Override any of ``on_{train,test,predict}_{begin,end}``, ``on_epoch_{begin,end}`` and
``on_{train,test,predict}_batch_{begin,end}``; each receives a ``logs`` dict (metric name -> value).
``self.model`` is the model being trained, ``self.params`` holds ``epochs``, ``steps`` and ``verbose``.

>>> from tinyflow import keras
>>> class Printer(keras.callbacks.Callback):
...     def on_epoch_end(self, epoch, logs=None):
...         print(f"epoch {epoch}: {sorted(logs)}")
"""
from __future__ import annotations


class Callback:
    """Base class of callbacks: every hook does nothing."""

    def __init__(self):
        self.params: dict = {}
        self._model = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        return self._model

    # epoch and run hooks
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...

    # batch hooks (``on_batch_*`` are the older names of the training ones)
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def uses_batch_hooks(callback, mode: str) -> bool:
    """Does ``callback`` do anything per batch in ``mode``? (If no callback does, the loop skips the calls.)"""
    wants = getattr(callback, "_wants_batch_hooks", None)
    if wants is not None:
        return wants(mode)
    for hook in _BATCH_HOOKS[mode]:
        if hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook):
            return True
    return False


def monitor_direction(model, monitor: str, mode: str, who: str) -> str:
    """``"min"`` or ``"max"``: from ``mode``, else from the metric (``_direction``) or its name."""
    if mode in ("min", "max"):
        return mode
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss":
        return "min"
    for metric in getattr(model, "metrics", None) or []:
        direction = getattr(metric, "_direction", None)
        if getattr(metric, "name", None) == name and direction in ("up", "down"):
            return "max" if direction == "up" else "min"
    lowered = name.lower()
    if any(k in lowered for k in ("acc", "auc", "precision", "recall", "f1", "iou")):
        return "max"
    if any(k in lowered for k in ("loss", "error", "mae", "mse", "crossentropy", "hinge")):
        return "min"
    raise ValueError(f"{who} callback received monitor={monitor} but tinyflow isn't able to automatically "
                     "determine whether that metric should be maximized or minimized. Pass `mode='max'` in "
                     "order to monitor based on the highest metric value, or pass `mode='min'` in order to use "
                     "the lowest value.")
