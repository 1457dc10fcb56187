"""``Dense``: the fully connected layer, ``activation(inputs @ kernel + bias)``.

>>> import numpy as np
>>> from tinyflow import keras
>>> layer = keras.layers.Dense(4, activation="relu")
>>> layer(np.ones((2, 3), np.float32)).shape
TensorShape([2, 4])
>>> [w.shape for w in layer.get_weights()]  # kernel (input_dim, units), bias (units,)
[(3, 4), (4,)]
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras import activations, initializers, regularizers
from tinyflow.keras.layers.input_spec import InputSpec
from tinyflow.keras.layers.layer import Layer


class Dense(Layer):
    """Densely connected layer: ``output = activation(dot(input, kernel) + bias)``.

    Args:
      units: positive int, size of the output.
      activation: name or callable (default None: linear).
      use_bias: add a bias vector (default True).
      kernel_initializer: default ``"glorot_uniform"``. bias_initializer: default ``"zeros"``.
      kernel_regularizer, bias_regularizer: optional penalties added to the loss.
      kernel_constraint, bias_constraint: optional projections applied after each update.

    Input shape: ``(batch, ..., input_dim)``. Output shape: ``(batch, ..., units)``.
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = kernel_constraint  # callables: variable value -> projected value
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        x = tf.matmul(inputs, self.kernel)  # (batch, ..., units)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)}
