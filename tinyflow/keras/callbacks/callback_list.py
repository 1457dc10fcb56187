"""``CallbackList``: calls a list of callbacks in order; adds ``History`` and the progress bar for ``fit``.

Batch hooks cost time on every step, so the list checks once which callbacks use them and skips
the per-batch calls entirely when none does.

>>> from tinyflow import keras
>>> cbs = keras.callbacks.CallbackList([keras.callbacks.History()])
>>> cbs.on_epoch_end(0, {"loss": 1.0})
"""
from __future__ import annotations

from tinyflow.keras.callbacks.callback import Callback, uses_batch_hooks
from tinyflow.keras.callbacks.history import History
from tinyflow.keras.callbacks.progbar_logger import ProgbarLogger


class CallbackList(Callback):
    """A container of callbacks, itself usable as one callback.

    Args:
      callbacks: list of Callback instances.
      add_history: append a ``History`` if none is given. add_progbar: append a ``ProgbarLogger``.
      model: the model to attach. params: ``epochs``, ``steps``, ``verbose`` for ``set_params``.
    """

    def __init__(self, callbacks=None, add_history: bool = False, add_progbar: bool = False, model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"Expected a keras.callbacks.Callback instance, got {cb!r}. Subclass "
                                "keras.callbacks.Callback or use keras.callbacks.LambdaCallback.")
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_params(self, params: dict) -> None:
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)
        self._hooks = {mode: [cb for cb in self.callbacks if uses_batch_hooks(cb, mode)]
                       for mode in ("train", "test", "predict")}

    def set_model(self, model) -> None:
        self._model = model
        for cb in self.callbacks:
            cb.set_model(model)

    def batch_hooks(self, mode: str) -> bool:
        """True if some callback acts per batch in ``mode`` (``"train"``, ``"test"``, ``"predict"``)."""
        hooks = getattr(self, "_hooks", None)
        return bool(hooks[mode]) if hooks is not None else any(uses_batch_hooks(cb, mode) for cb in self.callbacks)

    def _call_batch(self, mode: str, hook: str, batch, logs) -> None:
        hooks = getattr(self, "_hooks", None)
        for cb in hooks[mode] if hooks is not None else self.callbacks:
            getattr(cb, hook)(batch, logs)

    # -- hooks ---------------------------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_begin(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_test_begin(self, logs=None):
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None):
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_predict_begin(self, logs=None):
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("train", "on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("train", "on_train_batch_end", batch, logs)

    on_batch_begin, on_batch_end = on_train_batch_begin, on_train_batch_end

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("test", "on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("test", "on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("predict", "on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("predict", "on_predict_batch_end", batch, logs)
