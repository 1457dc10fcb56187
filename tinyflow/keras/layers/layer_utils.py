"""Helpers of ``Layer``: input conversion, shape tuples, names, and the automatic ``get_config``.

>>> from tinyflow.keras.layers.layer_utils import to_snake_case
>>> to_snake_case("MaxPooling2D"), to_snake_case("BatchNormalization")
('max_pooling2d', 'batch_normalization')
"""
from __future__ import annotations

import inspect
import json
import re

import numpy as np

from tinyflow.framework.dispatch import convert_to_tensor
from tinyflow.framework.tensor import Tensor
from tinyflow.variables import Variable


def convert_input(x, dtype: str, autocast: bool):
    """numpy/Python values -> tensors; float inputs -> ``dtype`` when ``autocast`` (Keras's rule)."""
    if isinstance(x, Tensor | Variable):
        if autocast and x.dtype.is_floating and x.dtype.name != dtype:
            from tinyflow.ops.math_ops import cast  # noqa: PLC0415

            return cast(x, dtype)
        return x
    if isinstance(x, np.ndarray | np.generic | list | float | int):
        array = np.asarray(x)
        if array.dtype.kind == "f" and autocast:
            return convert_to_tensor(array.astype(dtype, copy=False))
        return convert_to_tensor(array)
    return x


def to_snake_case(name: str) -> str:
    """``"Dense"`` -> ``"dense"``, ``"MaxPooling2D"`` -> ``"max_pooling2d"`` (Keras's rule)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def shape_tuple(x):
    shape = x.shape
    return tuple(shape.dims) if hasattr(shape, "dims") else tuple(shape)


def auto_config(layer, base: dict) -> dict:
    args, kwargs = layer._init_args
    try:
        bound = inspect.signature(type(layer).__init__).bind(None, *args, **kwargs)
        extra = {k: v for k, v in bound.arguments.items() if k != "self"}
        var_kw = [p.name for p in inspect.signature(type(layer).__init__).parameters.values()
                  if p.kind is inspect.Parameter.VAR_KEYWORD]
        for name in var_kw:
            extra.update(extra.pop(name, {}))
        json.dumps(extra)
    except (TypeError, ValueError):
        raise NotImplementedError(
            f"Layer {type(layer).__name__} was created by passing non-serializable argument values in "
            "`__init__()`, and therefore the layer must override `get_config()` in order to be serializable. "
            "Please implement `get_config()`.") from None
    params = inspect.signature(type(layer).__init__).parameters
    takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    config = {k: v for k, v in base.items() if takes_kwargs or k in params}
    config.update(extra)
    return config
