"""``Conv2D``: 2-D convolution over images ``(batch, height, width, channels)``.

Each of ``filters`` kernels of size ``kernel_size`` slides over the image with ``strides``;
``padding="valid"`` keeps only full windows, ``"same"`` pads so that ``out = ceil(in / stride)``.
``output = activation(conv2d(inputs, kernel) + bias)``, kernel shape ``(kh, kw, in_channels, filters)``.

>>> import numpy as np
>>> from tinyflow import keras
>>> conv = keras.layers.Conv2D(4, 3, activation="relu")
>>> conv(np.zeros((1, 8, 8, 1), np.float32)).shape
TensorShape([1, 6, 6, 4])
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras import activations, initializers, regularizers
from tinyflow.keras.layers.input_spec import InputSpec
from tinyflow.keras.layers.layer import Layer


class Conv2D(Layer):
    """2-D convolution layer (channels last).

    Args:
      filters: number of output channels.
      kernel_size: int or (kh, kw).
      strides: int or (sh, sw), default (1, 1).
      padding: ``"valid"`` (default) or ``"same"``.
      dilation_rate: int or pair, default (1, 1).
      activation: default None. use_bias: default True.
      kernel_initializer ``"glorot_uniform"``, bias_initializer ``"zeros"``; optional regularizers.

    Input shape: ``(batch, height, width, in_channels)``. Output: ``(batch, new_h, new_w, filters)``.
    """

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid", data_format=None,
                 dilation_rate=(1, 1), groups: int = 1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive value. "
                             f"Received filters={filters}.")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"tinyflow supports data_format='channels_last' only. Received: {data_format}")
        if groups != 1:
            raise NotImplementedError("Conv2D(groups > 1) is not implemented in tinyflow.")
        padding = padding.lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"Invalid value for argument `padding`. Expected 'valid' or 'same'. "
                             f"Received: padding={padding}")
        self.filters, self.padding = filters, padding
        self.kernel_size, self.strides = _pair(kernel_size), _pair(strides)
        self.dilation_rate = _pair(dilation_rate)
        self.data_format, self.groups = "channels_last", 1
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.input_spec = InputSpec(min_ndim=4)

    def build(self, input_shape) -> None:
        in_channels = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (in_channels, self.filters),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=4, axes={-1: in_channels})
        self.built = True

    def call(self, inputs):
        x = tf.nn.conv2d(inputs, self.kernel, strides=self.strides, padding=self.padding.upper(),
                         dilations=self.dilation_rate)  # (batch, new_h, new_w, filters)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        spatial = [_conv_length(input_shape[i + 1], self.kernel_size[i], self.strides[i], self.padding,
                                self.dilation_rate[i]) for i in range(2)]
        return (input_shape[0], *spatial, self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "groups": self.groups,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)}


def _pair(value) -> tuple:
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"Expected an int or a tuple of 2 ints. Received: {value}")
    return value


def _conv_length(size, k, stride, padding, dilation=1):
    """Output length along one axis: valid ``ceil((n - span + 1) / s)``, same ``ceil(n / s)``."""
    if size is None:
        return None
    span = (k - 1) * dilation + 1
    if padding == "same":
        return -(-size // stride)
    out = -(-(size - span + 1) // stride)
    if out <= 0:
        raise ValueError(f"Computed output size would be negative: input size {size} is smaller than the "
                         f"window {span} (padding='valid'). Use padding='same' or a smaller kernel/pool.")
    return out
