"""``InputSpec``: what a built layer accepts (rank, fixed axes), checked on every call with Keras's messages.

>>> import numpy as np
>>> from tinyflow import keras
>>> layer = keras.layers.Dense(2)
>>> _ = layer(np.zeros((1, 3), np.float32))  # builds: the last axis must now be 3
>>> layer.input_spec
InputSpec(min_ndim=2, axes={-1: 3})
"""
from __future__ import annotations


class InputSpec:
    """Constraints on a layer input.

    Args:
      dtype: expected dtype name, or None.
      shape: full expected shape (``None`` entries match anything).
      ndim: exact rank. ``max_ndim``/``min_ndim``: rank bounds.
      axes: ``{axis: size}`` for axes whose size is fixed (e.g. ``{-1: 3}`` after Dense is built).
      allow_last_axis_squeeze: accept a rank one lower whose last expected axis is 1.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze: bool = False, name=None):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        if self.axes and self.ndim is not None:
            bad = [a for a in self.axes if (a if a >= 0 else -a - 1) >= self.ndim]
            if bad:
                raise ValueError(f"Axis {bad[0]} is greater than the maximum allowed value: {self.ndim - 1}")

    def __repr__(self) -> str:
        parts = [f"{k}={getattr(self, k)}" for k in ("dtype", "shape", "ndim", "max_ndim", "min_ndim")
                 if getattr(self, k) is not None]
        if self.axes:
            parts.append(f"axes={self.axes}")
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes}


def assert_input_compatibility(input_spec, inputs: list, layer_name: str) -> None:
    """Raise ``ValueError`` (Keras's wording) if an input breaks its spec. ``inputs`` is a flat list."""
    if not input_spec:
        return
    specs = list(input_spec) if isinstance(input_spec, list | tuple) else [input_spec]
    if len(inputs) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(inputs)} '
                         f"input tensors. Inputs received: {inputs}")
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        if spec is None:
            continue
        shape = _shape_tuple(x)
        if shape is None:
            continue
        head = f'Input {index} of layer "{layer_name}" is incompatible with the layer:'
        if spec.allow_last_axis_squeeze and spec.shape is not None:
            if _squeeze_last(shape) != _squeeze_last(spec.shape) and not _compatible(
                    _squeeze_last(shape), _squeeze_last(spec.shape)):
                raise ValueError(f"{head} expected shape={spec.shape}, found shape={shape}")
            continue
        ndim = len(shape)
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise ValueError(f"{head} expected ndim={spec.ndim}, found ndim={ndim}. Full shape received: {shape}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{head} expected max_ndim={spec.max_ndim}, found ndim={ndim}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(f"{head} expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        dtype = _dtype_name(x)
        if spec.dtype is not None and dtype is not None and dtype != spec.dtype:
            raise ValueError(f"{head} expected dtype={spec.dtype}, found dtype={dtype}")
        for axis, value in spec.axes.items():
            if value is None or not -ndim <= axis < ndim:
                continue
            if shape[axis] not in (value, None):
                raise ValueError(f"{head} expected axis {axis} of input shape to have value {value}, "
                                 f"but received input with shape {shape}")
        if spec.shape is not None:
            for have, want in zip(shape, spec.shape):
                if want is not None and have is not None and have != want:
                    raise ValueError(f"{head} expected shape={spec.shape}, found shape={shape}")


def _squeeze_last(shape: tuple) -> tuple:
    return shape[:-1] if shape and shape[-1] == 1 else shape


def _compatible(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _shape_tuple(x):
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    if hasattr(shape, "dims"):  # a TensorShape
        dims = shape.dims
        return None if dims is None else tuple(dims)
    return tuple(shape)


def _dtype_name(x):
    dtype = getattr(x, "dtype", None)
    return getattr(dtype, "name", dtype) if dtype is not None else None
