"""``LayerNormalization``: normalize each sample over its feature axis, then scale and shift.

``output = (x - mean) / sqrt(variance + epsilon) * gamma + beta``, with mean and (biased) variance
taken over ``axis`` separately for every sample — unlike BatchNormalization, nothing is averaged
over the batch, so training and inference compute the same thing.

>>> import numpy as np
>>> from tinyflow import keras
>>> y = keras.layers.LayerNormalization()(np.array([[1.0, 2.0, 3.0]], np.float32)).numpy()
>>> np.round(y, 3)
array([[-1.224,  0.   ,  1.224]], dtype=float32)
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras import initializers, regularizers
from tinyflow.keras.layers.layer import Layer


class LayerNormalization(Layer):
    """Layer normalization (Ba et al., 2016).

    Args:
      axis: int or list of ints, the axes normalized (default -1).
      epsilon: added to the variance (default 1e-3).
      center: learn an offset ``beta`` (default True). scale: learn a factor ``gamma`` (default True).
      beta_initializer: default ``"zeros"``. gamma_initializer: default ``"ones"``.
    """

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, list | tuple) else axis
        self.epsilon, self.center, self.scale = epsilon, center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._axes = sorted(a % ndim for a in axes)
        param_shape = tuple(input_shape[a] for a in self._axes)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=param_shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer)
        if self.center:
            self.beta = self.add_weight(name="beta", shape=param_shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer)
        # gamma and beta broadcast against the input: (d_axis,) -> (1, ..., d_axis, ..., 1)
        self._broadcast_shape = [input_shape[a] if a in self._axes else 1 for a in range(ndim)]
        self.built = True

    def call(self, inputs):
        mean = tf.reduce_mean(inputs, axis=self._axes, keepdims=True)
        variance = tf.reduce_mean(tf.square(inputs - mean), axis=self._axes, keepdims=True)
        inv = tf.math.rsqrt(variance + self.epsilon)  # 1 / sqrt(var + eps)
        if self.gamma is not None:
            inv = inv * self._broadcast(self.gamma)
        outputs = (inputs - mean) * inv
        if self.beta is not None:
            outputs = outputs + self._broadcast(self.beta)
        return outputs

    def _broadcast(self, v):
        if self._axes == [len(self._broadcast_shape) - 1]:
            return v
        return tf.reshape(v, self._broadcast_shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer)}
