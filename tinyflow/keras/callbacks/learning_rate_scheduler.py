"""``LearningRateScheduler``: set the learning rate at the start of every epoch from ``schedule``.

>>> from tinyflow import keras
>>> cb = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch < 10 else lr * 0.9)
"""
from __future__ import annotations

import numpy as np

from tinyflow.keras.callbacks.callback import Callback
from tinyflow.keras.callbacks.progbar_logger import print_msg


class LearningRateScheduler(Callback):
    """Args: schedule: ``f(epoch, lr) -> new lr`` (epochs counted from 0; ``f(epoch)`` also accepted);
    verbose: 1 prints each change (default 0). The rate is logged as ``"learning_rate"``."""

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            lr = self.schedule(epoch, float(np.asarray(optimizer.learning_rate)))
        except TypeError:  # the one-argument form f(epoch)
            lr = self.schedule(epoch)
        if not isinstance(lr, float | np.floating | int) or isinstance(lr, bool):
            lr = np.asarray(lr)
            if lr.ndim != 0 or lr.dtype.kind != "f":
                raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(lr)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(np.asarray(self.model.optimizer.learning_rate))
