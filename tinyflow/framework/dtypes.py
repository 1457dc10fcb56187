"""Data types with TensorFlow's names: ``tf.float32``, ``tf.int32``, ``tf.bool`` ...

A :class:`DType` wraps a numpy dtype and remembers TF's own spelling of it
(``float`` for float32, ``double`` for float64), which appears in error texts.

>>> import tinyflow as tf
>>> tf.float32, tf.as_dtype("int64").is_integer
(tf.float32, True)
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np


class DType:
    """One element type. Compare with ``is`` or ``==``; there is one object per type."""

    __slots__ = ("name", "as_numpy_dtype", "_tf_name", "is_floating", "is_integer", "is_bool", "is_unsigned")

    def __init__(self, name: str, np_dtype: Any, tf_name: str):
        self.name = name
        self.as_numpy_dtype = np.dtype(np_dtype).type
        self._tf_name = tf_name  # the spelling TF's C++ runtime uses in error messages
        kind = np.dtype(np_dtype).kind
        self.is_floating = kind == "f"
        self.is_integer = kind in "iu"
        self.is_unsigned = kind == "u"
        self.is_bool = kind == "b"

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def is_numeric(self) -> bool:
        return not self.is_bool

    @property
    def size(self) -> int:
        return np.dtype(self.as_numpy_dtype).itemsize

    @property
    def min(self):
        return np.finfo(self.as_numpy_dtype).min if self.is_floating else np.iinfo(self.as_numpy_dtype).min

    @property
    def max(self):
        return np.finfo(self.as_numpy_dtype).max if self.is_floating else np.iinfo(self.as_numpy_dtype).max

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DType):
            return self is other
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    __hash__ = object.__hash__  # one object per dtype; identity hashing keeps dtype checks cheap

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16, "half")
float32 = DType("float32", np.float32, "float")
float64 = DType("float64", np.float64, "double")
int8 = DType("int8", np.int8, "int8")
int16 = DType("int16", np.int16, "int16")
int32 = DType("int32", np.int32, "int32")
int64 = DType("int64", np.int64, "int64")
uint8 = DType("uint8", np.uint8, "uint8")
bool = DType("bool", np.bool_, "bool")  # noqa: A001  (TF's own name)
half, double = float16, float64

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, bool]
_BY_NUMPY = {np.dtype(d.as_numpy_dtype): d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL} | {"half": float16, "double": float64, "float": float32}


def as_dtype(value: Any) -> DType:
    """Convert a DType, numpy dtype, type or name to a :class:`DType`.

    >>> as_dtype("float32") is as_dtype(np.float32)
    True
    """
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        if value in _BY_NAME:
            return _BY_NAME[value]
        raise TypeError(f"Cannot convert value {value!r} to a TensorFlow DType. Known names: {sorted(_BY_NAME)}")
    if value is float:
        return float32
    if value is int:
        return int32
    if value is builtins.bool:
        return bool
    try:
        return _BY_NUMPY[np.dtype(value)]
    except (TypeError, KeyError):
        raise TypeError(f"Cannot convert value {value!r} to a TensorFlow DType.") from None


_BY_CLASS = {type(np.dtype(d.as_numpy_dtype)): d for d in _ALL}  # numpy 2 has one class per dtype


def from_numpy(np_dtype: np.dtype) -> DType:
    """The DType for a numpy dtype object (fast path used by every eager op)."""
    d = _BY_CLASS.get(type(np_dtype)) or _BY_NUMPY.get(np_dtype)
    if d is None:
        raise TypeError(f"numpy dtype {np_dtype} has no tinyflow DType; supported: {[x.name for x in _ALL]}")
    return d
