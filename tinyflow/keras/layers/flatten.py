"""``Flatten``: collapse every axis but the batch axis, ``(batch, 8, 8)`` -> ``(batch, 64)``.

>>> import numpy as np
>>> from tinyflow import keras
>>> keras.layers.Flatten()(np.zeros((2, 8, 8), np.float32)).shape
TensorShape([2, 64])
"""
from __future__ import annotations

import math

import tinyflow as tf
from tinyflow.keras.layers.layer import Layer


class Flatten(Layer):
    """Flattens the input, keeping the batch size. A ``(batch,)`` input becomes ``(batch, 1)``.

    Args:
      data_format: only ``"channels_last"`` (the default) is supported.
    """

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"tinyflow supports data_format='channels_last' only. Received: "
                             f"data_format={data_format}")
        self.data_format = "channels_last"

    def call(self, inputs):
        shape = inputs.shape.as_list()
        rest = shape[1:]
        if None not in rest:
            return tf.reshape(inputs, [-1, math.prod(rest)])  # (batch, d1 * d2 * ...)
        if shape[0] is not None:
            return tf.reshape(inputs, [shape[0], -1])
        return tf.reshape(inputs, tf.stack([tf.shape(inputs)[0], -1]))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        flat = None if None in rest else math.prod(rest)
        return (input_shape[0], flat)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
