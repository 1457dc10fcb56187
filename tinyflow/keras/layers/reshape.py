"""``Reshape``: give each sample a new shape with the same number of entries (the batch axis stays).

>>> import numpy as np
>>> from tinyflow import keras
>>> keras.layers.Reshape((4, 2))(np.zeros((3, 8), np.float32)).shape
TensorShape([3, 4, 2])
"""
from __future__ import annotations

import math

import tinyflow as tf
from tinyflow.keras.layers.layer import Layer


class Reshape(Layer):
    """Reshapes each sample to ``target_shape``.

    Args:
      target_shape: tuple of ints, without the batch axis; one entry may be -1 (inferred).

    Input shape: ``(batch, ...)``. Output shape: ``(batch,) + target_shape``.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"There must be at most one unknown dimension (-1) in target_shape. "
                             f"Received: target_shape={self.target_shape}")

    def call(self, inputs):
        batch = inputs.shape[0]
        if batch is not None:
            return tf.reshape(inputs, (batch,) + self.target_shape)
        if -1 not in self.target_shape:
            return tf.reshape(inputs, (-1,) + self.target_shape)
        return tf.reshape(inputs, tf.concat([tf.shape(inputs)[:1], list(self.target_shape)], axis=0))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        target = list(self.target_shape)
        if None not in rest:
            total, known = math.prod(rest), math.prod(d for d in target if d != -1)
            if -1 in target:
                if known == 0 or total % known:
                    raise ValueError(self._mismatch(input_shape))
                target[target.index(-1)] = total // known
            elif total != known:
                raise ValueError(self._mismatch(input_shape))
        else:
            target = [None if d == -1 else d for d in target]
        return (input_shape[0],) + tuple(target)

    def _mismatch(self, input_shape) -> str:
        return (f"The total size of the tensor must be unchanged. Received: input_shape={tuple(input_shape[1:])}, "
                f"target_shape={self.target_shape}")

    def build(self, input_shape) -> None:
        self.compute_output_shape(input_shape)  # fail early, naming both shapes
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": list(self.target_shape)}
