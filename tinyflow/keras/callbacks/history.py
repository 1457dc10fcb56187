"""``History``: records the epoch logs of ``fit``; ``fit`` returns it.

>>> from tinyflow import keras
>>> h = keras.callbacks.History()
>>> h.on_train_begin(); h.on_epoch_end(0, {"loss": 0.5})
>>> h.history, h.epoch
({'loss': [0.5]}, [0])
"""
from __future__ import annotations

from tinyflow.keras.callbacks.callback import Callback


class History(Callback):
    """``history.history`` maps each metric name (``"loss"``, ``"val_loss"`` ...) to its per-epoch values."""

    def __init__(self):
        super().__init__()
        self.history: dict = {}
        self.epoch: list = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self
