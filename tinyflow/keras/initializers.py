"""Weight initializers: ``initializer(shape, dtype) -> tensor``, with Keras 3's names and defaults.

The variance-scaling family draws with a spread set by the weight's fans (for a kernel of shape
``(..., in, out)``: fan_in = in × receptive field, fan_out = out × receptive field):

* ``GlorotUniform``: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)) (Dense's default)
* ``GlorotNormal``: truncated N(0, sqrt(2 / (fan_in + fan_out)) / 0.8796...)
* ``HeUniform``: limit = sqrt(6 / fan_in);  ``HeNormal``: stddev = sqrt(2 / fan_in) / 0.8796...
* ``LecunUniform``: limit = sqrt(3 / fan_in); ``LecunNormal``: stddev = sqrt(1 / fan_in) / 0.8796...

(0.8796... is the stddev of a unit normal truncated at ±2, so the truncated draw keeps the variance.)

``seed=None`` draws from tinyflow's global random state, so ``tf.random.set_seed`` makes a run
repeatable; an integer seed gives the same values on every call, as in Keras 3.

>>> from tinyflow.keras import initializers
>>> initializers.get("ones")((2,)).numpy()
array([1., 1.], dtype=float32)
>>> w = initializers.GlorotUniform(seed=1)((3, 4))
>>> bool((abs(w.numpy()) <= (6 / 7) ** 0.5).all())
True
"""
from __future__ import annotations

import math

import numpy as np

import tinyflow as tf
from tinyflow.framework import dtypes

_TRUNCATED_STDDEV = 0.87962566103423978  # stddev of N(0, 1) truncated to [-2, 2]


class Initializer:
    """Base class: ``__call__(shape, dtype=None)`` returns a tensor; ``get_config`` its arguments."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return tf.zeros(tuple(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return tf.ones(tuple(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every entry equal to ``value`` (default 0.0)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return tf.constant(np.full(tuple(shape), self.value, _dtype(dtype).as_numpy_dtype))

    def get_config(self) -> dict:
        return {"value": self.value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only). Args: gain (default 1.0)."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. Received: "
                             f"shape={tuple(shape)} of rank {len(shape)}.")
        return tf.constant(self.gain * np.eye(*shape, dtype=_dtype(dtype).as_numpy_dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


class RandomInitializer(Initializer):
    """Shared seed handling: ``seed=None`` uses the global random state; an int gives fixed values."""

    def __init__(self, seed: int | None = None):
        if seed is not None and not isinstance(seed, int):
            raise ValueError(f"`seed` argument should be an instance of `int` or None. Received: seed={seed}")
        self.seed = seed

    def _draw(self, kind: str, shape, dtype, **params):
        shape, dtype = tuple(shape), _dtype(dtype)
        if self.seed is None:
            return getattr(tf.random, kind)(shape, dtype=dtype, **params)
        return getattr(tf.random, "stateless_" + kind)(shape, seed=[self.seed, 0], dtype=dtype, **params)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """N(mean, stddev). Args: mean (default 0.0), stddev (default 0.05), seed."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self._draw("normal", shape, dtype, mean=self.mean, stddev=self.stddev)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """N(mean, stddev) redrawn beyond 2 stddevs. Args: mean (0.0), stddev (0.05), seed."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self._draw("truncated_normal", shape, dtype, mean=self.mean, stddev=self.stddev)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """U(minval, maxval). Args: minval (default -0.05), maxval (default 0.05), seed."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return self._draw("uniform", shape, dtype, minval=self.minval, maxval=self.maxval)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Spread proportional to ``scale / n``, n = fan_in, fan_out or their mean (``mode``).

    Args: scale (1.0), mode (``"fan_in"``, ``"fan_out"``, ``"fan_avg"``), distribution
    (``"truncated_normal"``, ``"untruncated_normal"``, ``"uniform"``), seed.
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: int | None = None):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: expected one of {{'fan_in', 'fan_out', 'fan_avg'}}. "
                             f"Received: mode={mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError("Invalid `distribution` argument: expected one of {'uniform', 'truncated_normal', "
                             f"'untruncated_normal'}}. Received: distribution={distribution}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            return self._draw("truncated_normal", shape, dtype, mean=0.0,
                              stddev=math.sqrt(scale) / _TRUNCATED_STDDEV)
        if self.distribution == "untruncated_normal":
            return self._draw("normal", shape, dtype, mean=0.0, stddev=math.sqrt(scale))
        limit = math.sqrt(3.0 * scale)
        return self._draw("uniform", shape, dtype, minval=-limit, maxval=limit)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, **super().get_config()}


def _fixed(name: str, scale: float, mode: str, distribution: str, doc: str):
    """A VarianceScaling preset whose config is just the seed (as in Keras)."""

    def __init__(self, seed: int | None = None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc,
                                           "__module__": __name__})


GlorotUniform = _fixed("GlorotUniform", 1.0, "fan_avg", "uniform",
                       "Glorot (Xavier) uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _fixed("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                      "Glorot (Xavier) normal: truncated normal, stddev = sqrt(2 / (fan_in + fan_out)).")
HeUniform = _fixed("HeUniform", 2.0, "fan_in", "uniform", "He uniform: limit = sqrt(6 / fan_in).")
HeNormal = _fixed("HeNormal", 2.0, "fan_in", "truncated_normal", "He normal: stddev = sqrt(2 / fan_in).")
LecunUniform = _fixed("LecunUniform", 1.0, "fan_in", "uniform", "LeCun uniform: limit = sqrt(3 / fan_in).")
LecunNormal = _fixed("LecunNormal", 1.0, "fan_in", "truncated_normal", "LeCun normal: stddev = sqrt(1 / fan_in).")


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape; conv kernels ``(kh, kw, in, out)`` count the receptive field."""
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = int(np.prod(shape[:-2]))
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _dtype(dtype):
    from tinyflow.keras import backend  # noqa: PLC0415

    return dtypes.as_dtype(dtype or backend.floatx())


_CLASSES = {c.__name__: c for c in (
    Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, GlorotUniform,
    GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal)}
_ALIASES = {"zeros": Zeros, "ones": Ones, "constant": Constant, "identity": Identity, "random_normal": RandomNormal,
            "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
            "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_uniform": HeUniform,
            "he_normal": HeNormal, "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
            "uniform": RandomUniform, "normal": RandomNormal}
# lower-case function-style names, as in keras.initializers.glorot_uniform(...)
zeros, ones, constant, glorot_uniform, glorot_normal = Zeros, Ones, Constant, GlorotUniform, GlorotNormal
he_uniform, he_normal, random_normal, random_uniform = HeUniform, HeNormal, RandomNormal, RandomUniform


def get(identifier):
    """An initializer from a name (``"he_normal"``), a class name, a config dict, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = _CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown initializer class: {identifier.get('class_name')!r}")
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret initializer identifier: {identifier!r}. "
                             f"Valid names are: {sorted(_ALIASES)}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")


def serialize(initializer) -> dict:
    """``{"class_name": ..., "config": ...}`` for a built-in initializer."""
    if isinstance(initializer, Initializer):
        return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
    name = getattr(initializer, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize the initializer {initializer!r}: use a keras.initializers class.")
    return name


def deserialize(config, custom_objects: dict | None = None):
    if isinstance(config, str) and custom_objects and config in custom_objects:
        return custom_objects[config]
    return get(config)
