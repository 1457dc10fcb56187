"""``Embedding``: turn integer ids into dense vectors by looking up rows of a trainable table.

>>> import numpy as np
>>> from tinyflow import keras
>>> layer = keras.layers.Embedding(input_dim=10, output_dim=3)
>>> layer(np.array([[1, 2, 2]])).shape  # (batch, sequence) -> (batch, sequence, output_dim)
TensorShape([1, 3, 3])
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras import initializers, regularizers
from tinyflow.keras.layers.layer import Layer


class Embedding(Layer):
    """``output[..., :] = embeddings[inputs[...]]``: row lookup in an ``(input_dim, output_dim)`` table.

    Args:
      input_dim: vocabulary size (largest id + 1).
      output_dim: size of each vector.
      embeddings_initializer: default ``"uniform"``, i.e. ``RandomUniform(-0.05, 0.05)``.
      embeddings_regularizer: optional penalty.
      mask_zero: not supported (must be False).

    Input shape: ``(batch, ...)`` integers. Output shape: ``(batch, ..., output_dim)``.
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero: bool = False, **kwargs):
        super().__init__(**kwargs)
        if mask_zero:
            raise NotImplementedError("Embedding(mask_zero=True) needs Keras masking, which tinyflow does not "
                                      "implement; pad with id 0 and let the model learn to ignore it.")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = False
        self.autocast = False  # ids stay integers

    def build(self, input_shape=None) -> None:
        self.embeddings = self.add_weight(name="embeddings", shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.dtype.name not in ("int32", "int64"):
            inputs = tf.cast(inputs, "int32")
        return tf.gather(self.embeddings, inputs)  # (batch, ..., output_dim)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "mask_zero": self.mask_zero}
