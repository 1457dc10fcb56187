"""``EarlyStopping``: stop ``fit`` when a monitored metric has stopped improving.

>>> from tinyflow import keras
>>> cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
"""
from __future__ import annotations

import warnings

from tinyflow.keras.callbacks.callback import Callback, monitor_direction
from tinyflow.keras.callbacks.progbar_logger import print_msg


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    Args:
      monitor: the logged quantity to watch (default ``"val_loss"``).
      min_delta: smallest change that counts as an improvement (default 0).
      patience: epochs without improvement before stopping (default 0).
      verbose: 1 prints when it stops (default 0).
      mode: ``"min"``, ``"max"`` or ``"auto"`` (from the metric's name; default).
      baseline: a value the metric must beat; None by default.
      restore_best_weights: at the end, set the weights of the best epoch (default False).
      start_from_epoch: epochs of warm-up before watching (default 0).
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline=None, restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"EarlyStopping mode {mode} is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.verbose, self.mode, self.baseline = verbose, mode, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights = None
        self.best = None
        self._sign = None

    def on_train_begin(self, logs=None):
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights = None
        self._sign = None

    def _improved(self, value, reference) -> bool:
        """min mode: value < reference - min_delta;  max mode: value > reference + min_delta."""
        return self._sign * (value - reference) > self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        if self._sign is None:
            self._sign = -1.0 if monitor_direction(self.model, self.monitor, self.mode, "EarlyStopping") == "min" \
                else 1.0
            self.best = -self._sign * float("inf")
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs or {})}", stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._improved(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
