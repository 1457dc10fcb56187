"""``Softmax``: the softmax activation as a layer, e.g. to turn a logits model into a probability model.

>>> import numpy as np
>>> from tinyflow import keras
>>> keras.layers.Softmax()(np.array([[0.0, 0.0]], np.float32)).numpy()
array([[0.5, 0.5]], dtype=float32)
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras.layers.layer import Layer


class Softmax(Layer):
    """``exp(x) / sum(exp(x))`` along ``axis``.

    Args:
      axis: the normalized axis (default -1).
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs):
        return tf.nn.softmax(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
