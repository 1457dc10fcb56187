"""``TerminateOnNaN``: stop training as soon as the loss becomes NaN or infinite.

>>> from tinyflow import keras
>>> cb = keras.callbacks.TerminateOnNaN()
"""
from __future__ import annotations

import math

from tinyflow.keras.callbacks.callback import Callback
from tinyflow.keras.callbacks.progbar_logger import print_msg


class TerminateOnNaN(Callback):
    """Checks the running loss after every training batch; on NaN/inf prints
    ``"Batch N: Invalid loss, terminating training"`` and sets ``model.stop_training``."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None:
            loss = float(loss)
            if math.isnan(loss) or math.isinf(loss):
                print_msg(f"Batch {batch}: Invalid loss, terminating training")
                self.model.stop_training = True
