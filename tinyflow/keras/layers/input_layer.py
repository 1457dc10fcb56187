"""``keras.Input`` and ``InputLayer``: the entry points of a functional model.

``Input(shape=(8, 8))`` makes an ``InputLayer`` and returns its output, a KerasTensor of shape
``(None, 8, 8)`` — ``None`` is the batch size, left open. Layers called on it build the model's graph.

>>> from tinyflow import keras
>>> x = keras.Input(shape=(8, 8), name="image")
>>> x.shape, x.dtype, x.name
((None, 8, 8), 'float32', 'image')
"""
from __future__ import annotations

from tinyflow.framework import dtypes
from tinyflow.keras import backend
from tinyflow.keras.layers.keras_tensor import KerasTensor, Node
from tinyflow.keras.layers.layer import Layer


class InputLayer(Layer):
    """The layer behind ``keras.Input``: no weights, one output, its KerasTensor.

    Args:
      shape: shape of one sample (without the batch axis).
      batch_size: optional fixed batch size.
      dtype: default ``"float32"``.
      batch_shape: the full shape instead of ``shape`` + ``batch_size``.
      name: default ``input_layer``, ``input_layer_1`` ...
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, input_tensor=None,
                 optional: bool = False, name: str | None = None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        kwargs.pop("trainable", None)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise NotImplementedError("Sparse inputs are not supported by tinyflow.")
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_size is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `batch_size` and `batch_shape` at the same time.")
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument.")
        if shape is not None:
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._dtype = dtypes.as_dtype(dtype or backend.floatx()).name
        self.built = True
        output = KerasTensor(self.batch_shape, self._dtype, name=self.name)
        Node(self, (), {}, output)
        self.output_tensor = output

    def call(self):
        return None

    def get_config(self) -> dict:
        return {"batch_shape": list(self.batch_shape), "dtype": self._dtype, "sparse": False, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,
          optional: bool = False) -> KerasTensor:  # noqa: N802  (Keras's name)
    """A symbolic input of a functional model: ``keras.Input(shape=(784,))``.

    Args:
      shape: shape of one sample, not counting the batch axis (``None`` entries allowed).
      batch_size: optional fixed batch size. dtype: default ``"float32"``. name: optional.
      batch_shape: full shape including the batch axis, instead of ``shape``.
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, optional=optional)
    return layer.output_tensor
