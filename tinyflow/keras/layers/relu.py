"""``ReLU``: the rectified linear unit as a layer, with Keras's optional slope, cap and threshold.

>>> import numpy as np
>>> from tinyflow import keras
>>> keras.layers.ReLU(max_value=1.0)(np.array([[-1.0, 0.5, 3.0]], np.float32)).numpy()
array([[0. , 0.5, 1. ]], dtype=float32)
"""
from __future__ import annotations

from tinyflow.keras import activations
from tinyflow.keras.layers.layer import Layer


class ReLU(Layer):
    """``max(x, 0)``; below ``threshold``: ``negative_slope * (x - threshold)``; capped at ``max_value``.

    Args:
      max_value: optional cap (default None). negative_slope: default 0.0. threshold: default 0.0.
    """

    def __init__(self, max_value=None, negative_slope: float = 0.0, threshold: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: {max_value}")
        if negative_slope < 0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be a negative value. Received: {negative_slope}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}
