"""``BatchNormalization``: normalize with batch statistics while training, with running averages after.

Training (``training=True``, as inside ``fit``): with the mean and (biased) variance of the batch over
every axis but ``axis``,
``output = (x - mean) / sqrt(variance + epsilon) * gamma + beta``, and the running statistics move:
``moving_mean = moving_mean * momentum + mean * (1 - momentum)`` (same for the variance).
Inference (``training=False``): the same formula with ``moving_mean`` and ``moving_variance``.
The moving statistics are non-trainable weights; a frozen layer (``trainable=False``) always runs in
inference mode, as in Keras.

>>> import numpy as np
>>> from tinyflow import keras
>>> bn = keras.layers.BatchNormalization()
>>> y = bn(np.array([[0.0], [2.0]], np.float32), training=True)
>>> [w.name.split("/")[-1] for w in bn.weights]
['gamma:0', 'beta:0', 'moving_mean:0', 'moving_variance:0']
>>> bn.moving_mean.numpy()  # 0.99 * 0 + 0.01 * 1
array([0.01], dtype=float32)
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras import initializers, regularizers
from tinyflow.keras.layers.input_spec import InputSpec
from tinyflow.keras.layers.layer import Layer


class BatchNormalization(Layer):
    """Batch normalization (Ioffe and Szegedy, 2015).

    Args:
      axis: the feature axis, kept (default -1).
      momentum: of the moving averages (default 0.99).
      epsilon: added to the variance (default 1e-3).
      center, scale: learn ``beta`` / ``gamma`` (default True).
      beta_initializer ``"zeros"``, gamma_initializer ``"ones"``, moving_mean_initializer ``"zeros"``,
      moving_variance_initializer ``"ones"``.
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        axis = self.axis % ndim
        shape = (input_shape[axis],)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer)
        if self.center:
            self.beta = self.add_weight(name="beta", shape=shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer)
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape,
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: input_shape[axis]})
        self._reduction_axes = [a for a in range(ndim) if a != axis]
        self._broadcast_shape = [input_shape[axis] if a == axis else 1 for a in range(ndim)]
        self.built = True

    def call(self, inputs, training=None):
        if training and self.trainable:
            mean = tf.reduce_mean(inputs, axis=self._reduction_axes)  # (channels,)
            variance = tf.reduce_mean(tf.square(inputs - self._broadcast(mean)), axis=self._reduction_axes)
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m + variance * (1.0 - m))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        inv = tf.math.rsqrt(variance + self.epsilon)  # 1 / sqrt(var + eps), (channels,)
        if self.gamma is not None:
            inv = inv * self.gamma
        outputs = (inputs - self._broadcast(mean)) * self._broadcast(inv)
        if self.beta is not None:
            outputs = outputs + self._broadcast(self.beta)
        return outputs

    def _broadcast(self, v):
        """(channels,) -> a shape that broadcasts along ``axis``."""
        if self.axis in (-1, len(self._broadcast_shape) - 1):
            return v
        return tf.reshape(v, self._broadcast_shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer)}
