"""``Activation``: apply an activation function as a layer of its own.

>>> import numpy as np
>>> from tinyflow import keras
>>> keras.layers.Activation("relu")(np.array([[-1.0, 2.0]], np.float32)).numpy()
array([[0., 2.]], dtype=float32)
"""
from __future__ import annotations

from tinyflow.keras import activations
from tinyflow.keras.layers.layer import Layer


class Activation(Layer):
    """``output = activation(inputs)``.

    Args:
      activation: a name (``"relu"``, ``"softmax"`` ...) or a callable.

    Input and output shape: the same, any rank.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
