"""Activation functions by name: ``Dense(64, activation="relu")`` looks ``"relu"`` up here.

Each is a short function of tinyflow ops with Keras 3's defaults (``leaky_relu``'s slope is 0.2,
``gelu`` is exact unless ``approximate=True``). ``get`` turns a name, ``None`` (linear) or a callable
into a function; ``serialize`` turns it back into a name for model configs.

>>> import tinyflow as tf
>>> from tinyflow.keras import activations
>>> activations.get("relu")(tf.constant([-1.0, 2.0])).numpy()
array([0., 2.], dtype=float32)
"""
from __future__ import annotations

import tinyflow as tf


def relu(x, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0):
    """``max(x, 0)``; with ``negative_slope`` a: ``a * x`` below ``threshold``; clipped at ``max_value``."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return tf.nn.relu(x)
    x = tf.convert_to_tensor(x)
    below = tf.cast(tf.less(x, threshold), x.dtype)  # 1 where x < threshold
    out = x * (1.0 - below) + negative_slope * (x - threshold) * below
    if max_value is not None:
        out = tf.minimum(out, tf.cast(max_value, x.dtype))
    return out


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return tf.nn.relu6(x)


def leaky_relu(x, negative_slope: float = 0.2):
    """``x`` for x >= 0, ``negative_slope * x`` below (Keras's default slope: 0.2)."""
    return tf.nn.leaky_relu(x, alpha=negative_slope)


def elu(x, alpha: float = 1.0):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` below."""
    out = tf.nn.elu(x)
    return out if alpha == 1.0 else tf.where(tf.greater(x, 0.0), out, alpha * out)


def selu(x):
    """``scale * elu(x, alpha)`` with scale = 1.05070098, alpha = 1.67326324 (self-normalizing)."""
    return tf.nn.selu(x)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return tf.sigmoid(x)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear in between."""
    return tf.nn.relu6(x + 3.0) / 6.0


def tanh(x):
    """``(exp(x) - exp(-x)) / (exp(x) + exp(-x))``."""
    return tf.tanh(x)


def softmax(x, axis: int = -1):
    """``exp(x) / sum(exp(x))`` along ``axis`` (default the last)."""
    return tf.nn.softmax(x, axis=axis)


def log_softmax(x, axis: int = -1):
    """``x - log(sum(exp(x)))`` along ``axis``."""
    return tf.nn.log_softmax(x, axis=axis)


def softplus(x):
    """``log(exp(x) + 1)``."""
    return tf.nn.softplus(x)


def softsign(x):
    """``x / (abs(x) + 1)``."""
    return tf.nn.softsign(x)


def silu(x):
    """``x * sigmoid(x)`` (also called swish)."""
    return tf.nn.silu(x)


swish = silu


def gelu(x, approximate: bool = False):
    """``x * P(X <= x)`` for a standard normal X; ``approximate=True`` uses the tanh formula."""
    return tf.nn.gelu(x, approximate=approximate)


def mish(x):
    """``x * tanh(softplus(x))``."""
    return x * tf.tanh(tf.nn.softplus(x))


def exponential(x):
    """``exp(x)``."""
    return tf.exp(x)


def linear(x):
    """The identity: ``x`` unchanged (what ``activation=None`` means)."""
    return x


_ACTIVATIONS = {f.__name__: f for f in (
    relu, relu6, leaky_relu, elu, selu, sigmoid, hard_sigmoid, tanh, softmax, log_softmax, softplus, softsign,
    silu, gelu, mish, exponential, linear)}
_ACTIVATIONS["swish"] = silu


def get(identifier):
    """A function for ``identifier``: a name (``"relu"``), ``None`` (linear), a config dict or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        identifier = identifier.get("config", identifier.get("class_name"))
    if isinstance(identifier, str):
        fn = _ACTIVATIONS.get(identifier)
        if fn is None:
            raise ValueError(f"Could not interpret activation function identifier: {identifier!r}. "
                             f"Valid names are: {sorted(_ACTIVATIONS)}")
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}. Pass a name "
                     f"({sorted(_ACTIVATIONS)}), None or a callable.")


def serialize(activation) -> str:
    """The name of a built-in activation (used in ``get_config``); a custom function's ``__name__``."""
    for name, fn in _ACTIVATIONS.items():
        if fn is activation:
            return "silu" if fn is silu else name
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize activation {activation!r}: give it a __name__ or use a built-in.")
    return name


def deserialize(name, custom_objects: dict | None = None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return get(name)
