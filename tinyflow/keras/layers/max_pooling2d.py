"""``MaxPooling2D``: keep the largest value of each ``pool_size`` window, per channel.

>>> import numpy as np
>>> from tinyflow import keras
>>> keras.layers.MaxPooling2D()(np.zeros((1, 6, 6, 3), np.float32)).shape  # 2x2 windows, stride 2
TensorShape([1, 3, 3, 3])
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras.layers.conv2d import _conv_length, _pair
from tinyflow.keras.layers.input_spec import InputSpec
from tinyflow.keras.layers.layer import Layer


class MaxPooling2D(Layer):
    """Max pooling over 2-D windows (channels last).

    Args:
      pool_size: int or (ph, pw), default (2, 2).
      strides: int or pair; default None means ``pool_size``.
      padding: ``"valid"`` (default) or ``"same"``.
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"tinyflow supports data_format='channels_last' only. Received: {data_format}")
        padding = padding.lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"Invalid value for argument `padding`. Expected 'valid' or 'same'. "
                             f"Received: padding={padding}")
        self.pool_size = _pair(pool_size)
        self.strides = self.pool_size if strides is None else _pair(strides)
        self.padding, self.data_format = padding, "channels_last"
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        return tf.nn.max_pool2d(inputs, ksize=self.pool_size, strides=self.strides, padding=self.padding.upper())

    def compute_output_shape(self, input_shape):
        spatial = [_conv_length(input_shape[i + 1], self.pool_size[i], self.strides[i], self.padding)
                   for i in range(2)]
        return (input_shape[0], *spatial, input_shape[3])

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format}
