"""``ModelCheckpoint``: save the model (or its weights) after each epoch, optionally only the best one.

The file name may contain ``{epoch}`` and logged values, e.g. ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``.
Files are written atomically (see ``keras.models.saving``): an interrupted save never leaves a
half-written checkpoint in place of a good one.

>>> from tinyflow import keras
>>> cb = keras.callbacks.ModelCheckpoint("best.keras", monitor="val_loss", save_best_only=True)
"""
from __future__ import annotations

import os
import warnings

from tinyflow.keras.callbacks.callback import Callback, monitor_direction
from tinyflow.keras.callbacks.progbar_logger import print_msg


class ModelCheckpoint(Callback):
    """Save the model or its weights during training.

    Args:
      filepath: ``*.keras`` (whole model) or ``*.weights.npz`` (``save_weights_only=True``).
      monitor: quantity for ``save_best_only`` (default ``"val_loss"``).
      verbose: 1 prints a line per save (default 0).
      save_best_only: only save when ``monitor`` improved (default False).
      save_weights_only: ``model.save_weights`` instead of ``model.save`` (default False).
      mode: ``"auto"``, ``"min"`` or ``"max"``.
      save_freq: ``"epoch"`` (default) or a number of batches.
      initial_value_threshold: the value to beat for the first save with ``save_best_only``.
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose, self.mode = monitor, verbose, mode
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.save_freq = save_freq
        self.best = initial_value_threshold
        self._sign = None
        self._batches_since_save = 0
        self._current_epoch = 0
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer values")
        if save_weights_only and not self.filepath.endswith(".weights.npz"):
            raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must "
                             f"end in `.weights.npz` (tinyflow weights format). Received: filepath={self.filepath}")
        if not save_weights_only and not self.filepath.endswith(".keras"):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format). Received: "
                             f"filepath={self.filepath}")

    def _wants_batch_hooks(self, mode: str) -> bool:
        return mode == "train" and self.save_freq != "epoch"

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch: int, batch, logs) -> None:
        logs = {k: float(v) for k, v in (logs or {}).items()}
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs) if batch is None else \
                self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}') from e
        if os.path.isdir(path):
            raise OSError(f"Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
                          f"existing directory: {path}")
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=2)
            else:
                if self._sign is None:
                    direction = monitor_direction(self.model, self.monitor, self.mode, "ModelCheckpoint")
                    self._sign = -1.0 if direction == "min" else 1.0
                    if self.best is None:
                        self.best = -self._sign * float("inf")
                best = f"{self.best:.5f}"
                if not self._sign * (current - self.best) > 0:
                    if self.verbose > 0:
                        print_msg(f"Epoch {epoch + 1}: {self.monitor} did not improve from {best}")
                    return
                if self.verbose > 0:
                    print_msg(f"Epoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                              f"saving model to {path}")
                self.best = current
        elif self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
