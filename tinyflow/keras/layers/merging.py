"""Merge layers: combine a list of tensors into one — ``Add``, ``Subtract``, ``Multiply``, ``Average``,
``Maximum``, ``Minimum`` (element-wise, with broadcasting) and ``Concatenate`` (along an axis).

>>> from tinyflow import keras
>>> a, b = keras.Input(shape=(4,)), keras.Input(shape=(4,))
>>> keras.layers.Add()([a, b]).shape, keras.layers.Concatenate()([a, b]).shape
((None, 4), (None, 8))
"""
from __future__ import annotations

import functools

import tinyflow as tf
from tinyflow.framework.tensor_shape import TensorShape, broadcast_shapes
from tinyflow.keras.layers.layer import Layer


class _Merge(Layer):
    """Element-wise merge of a list of tensors of broadcast-compatible shapes."""

    _min_inputs = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, list) or len(input_shape) < self._min_inputs:
            raise ValueError(f"A merge layer should be called on a list of at least {self._min_inputs} inputs. "
                             f"Received: input_shape={input_shape}")
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, list | tuple):
            raise ValueError(f"A merge layer should be called on a list of inputs. Received: inputs={inputs} "
                             "(not a list of tensors)")
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        out = TensorShape(input_shape[0][1:])
        for shape in input_shape[1:]:
            merged = broadcast_shapes(out, TensorShape(shape[1:]))
            if merged is None:
                raise ValueError(f"Inputs have incompatible shapes. Received shapes {tuple(input_shape[0][1:])} "
                                 f"and {tuple(shape[1:])}")
            out = merged
        return (input_shape[0][0],) + tuple(out.dims)

    def compute_output_spec(self, inputs):
        from tinyflow.keras.layers.keras_tensor import KerasTensor  # noqa: PLC0415

        return KerasTensor(self.compute_output_shape([t.shape for t in inputs]), inputs[0].dtype)


class Add(_Merge):
    """``inputs[0] + inputs[1] + ...``."""

    def _merge(self, inputs):
        return functools.reduce(lambda a, b: a + b, inputs)


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    _min_inputs = 2

    def _merge(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: {len(inputs)}")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """``inputs[0] * inputs[1] * ...`` element-wise."""

    def _merge(self, inputs):
        return functools.reduce(lambda a, b: a * b, inputs)


class Average(_Merge):
    """``(inputs[0] + ... + inputs[n-1]) / n``."""

    def _merge(self, inputs):
        return functools.reduce(lambda a, b: a + b, inputs) / float(len(inputs))


class Maximum(_Merge):
    """Element-wise maximum."""

    def _merge(self, inputs):
        return functools.reduce(tf.maximum, inputs)


class Minimum(_Merge):
    """Element-wise minimum."""

    def _merge(self, inputs):
        return functools.reduce(tf.minimum, inputs)


class Concatenate(Layer):
    """Join a list of tensors along ``axis`` (default -1); all other axes must match.

    Args:
      axis: the concatenation axis (default -1).
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, list) or len(input_shape) < 1:
            raise ValueError(f"A `Concatenate` layer should be called on a list of at least 1 input. "
                             f"Received: input_shape={input_shape}")
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        return tf.concat(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise self._mismatch(input_shape)
        rank = ranks.pop()
        axis = self.axis % rank
        out = list(input_shape[0])
        for shape in input_shape[1:]:
            for i, (a, b) in enumerate(zip(out, shape)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise self._mismatch(input_shape)
                elif a is None:
                    out[i] = b
        return tuple(out)

    def _mismatch(self, input_shape) -> ValueError:
        return ValueError("A `Concatenate` layer requires inputs with matching shapes except for the "
                          f"concatenation axis. Received: input_shape={[tuple(s) for s in input_shape]}")

    def compute_output_spec(self, inputs):
        from tinyflow.keras.layers.keras_tensor import KerasTensor  # noqa: PLC0415

        return KerasTensor(self.compute_output_shape([t.shape for t in inputs]), inputs[0].dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def add(inputs, **kwargs):
    """Functional form: ``keras.layers.add([a, b])``."""
    return Add(**kwargs)(inputs)


def concatenate(inputs, axis: int = -1, **kwargs):
    """Functional form: ``keras.layers.concatenate([a, b], axis=-1)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
