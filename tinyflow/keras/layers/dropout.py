"""``Dropout``: while training, zero a random fraction ``rate`` of the inputs and scale the rest up.

During training each entry is kept with probability ``1 - rate`` and divided by ``1 - rate``, so the
expected value is unchanged; at inference (``training=False``, the default) the layer does nothing.

>>> import numpy as np
>>> from tinyflow import keras
>>> layer = keras.layers.Dropout(0.5, seed=0)
>>> x = np.ones((1, 4), np.float32)
>>> layer(x).numpy()  # inference: unchanged
array([[1., 1., 1., 1.]], dtype=float32)
>>> sorted(set(layer(x, training=True).numpy().ravel().tolist()) - {0.0})  # kept entries become 1 / 0.5
[2.0]
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras.layers.layer import Layer


class Dropout(Layer):
    """Randomly sets inputs to 0 with probability ``rate`` during training.

    Args:
      rate: float in [0, 1], the fraction of inputs to drop.
      noise_shape: optional shape of the keep/drop mask (size-1 axes share one decision).
      seed: optional int, for a repeatable sequence of masks.
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not (isinstance(rate, int | float) and 0 <= rate <= 1):
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 "
                             f"and 1. Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return tf.nn.dropout(inputs, rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}
