"""``Lambda``: wrap a function of tensors as a layer, e.g. inside a functional model.

>>> import tinyflow as tf
>>> from tinyflow import keras
>>> x = keras.Input(shape=(3,))
>>> keras.layers.Lambda(lambda t: 2.0 * t)(x).shape
(None, 3)
"""
from __future__ import annotations

from tinyflow.keras.layers.keras_tensor import KerasTensor
from tinyflow.keras.layers.layer import Layer


class Lambda(Layer):
    """``output = function(inputs, **arguments)``. The function must not create variables.

    Args:
      function: a callable of tensors.
      output_shape: optional shape of one output sample (else found by tracing the function).
      arguments: optional dict of keyword arguments for the function.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.output_shape_arg = None if output_shape is None else tuple(output_shape)
        self.arguments = arguments or {}

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_spec(self, inputs, **kwargs):
        if self.output_shape_arg is not None and isinstance(inputs, KerasTensor):
            return KerasTensor((inputs.shape[0],) + self.output_shape_arg, self.compute_dtype)
        return super().compute_output_spec(inputs, **kwargs)

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Lambda layer '{self.name}' wraps a Python function, which cannot be saved as JSON. To save this "
            "model, write the computation as a Layer subclass (and pass it in custom_objects when loading).")
