"""Random numbers without hidden state: ``tf.random.stateless_*`` and ``tf.random.Generator``.

* A **stateless** op is a pure function of its ``seed`` (a pair of ints) and its shape: the
  same seed gives the same numbers on every call, in every mode. Keras initializers with an
  integer seed use these.
* A ``Generator`` is an object that owns its state, like a variable: every draw advances it,
  wherever it runs (eager or inside ``tf.function``), and ``Generator.from_seed(s)`` repeats.

NB: as in random_ops.py, the numbers come from numpy's PCG64 seeded with the seed pair, not
from TF's Philox streams: the same rules, different numbers.

>>> import tinyflow as tf
>>> a = tf.random.stateless_normal([2], seed=[1, 2])
>>> b = tf.random.stateless_normal([2], seed=[1, 2])
>>> bool((a.numpy() == b.numpy()).all())
True
"""
from __future__ import annotations

import numpy as np

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import EAGER_CONTEXT, apply_op, convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.framework.registry import ShapeError, not_differentiable, register_op
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops import random_ops
from tinyflow.ops.random_ops import (
    FLOAT_TYPES,
    _host,
    _shape_of,
    _size,
    draw_categorical,
    draw_integers,
    draw_normal,
    draw_truncated_normal,
    draw_uniform,
    float_dtype,
    multinomial_shape,
    scale_shift,
)

__all__ = ["Generator", "get_global_generator", "set_global_generator", "stateless_categorical",
           "stateless_normal", "stateless_truncated_normal", "stateless_uniform"]


# -- stateless ops: (seed, shape) -> numbers ----------------------------------------------------------
def _seeded(seed):
    """A fresh generator from a [2] seed array: nothing survives the call."""
    return np.random.default_rng([int(s) % 2**64 for s in seed.tolist()])


def _stateless_shape(seed, *inputs, shape, dtype):
    if seed.shape.rank is not None and seed.shape.as_list() not in ([2], [None]):
        raise ShapeError(f"seed must have shape [2], not {seed.shape._tf_str()}")
    return (TensorShape(shape), dtype)


def _stateless(draw):
    def kernel(xp, seed, *dims, shape, dtype):
        return _host(xp, draw(_seeded(seed), _size(dims, shape), dtype))

    return kernel


def _stateless_int_kernel(xp, seed, minval, maxval, *dims, shape, dtype):
    return _host(xp, draw_integers(_seeded(seed), _size(dims, shape), dtype, minval, maxval))


for _name, _kernel in [("StatelessRandomNormalV2", _stateless(draw_normal)),
                       ("StatelessTruncatedNormalV2", _stateless(draw_truncated_normal)),
                       ("StatelessRandomUniformV2", _stateless(draw_uniform)),
                       ("StatelessRandomUniformIntV2", _stateless_int_kernel)]:
    register_op(_name, kernel=_kernel, shape=_stateless_shape)
    not_differentiable(_name)


def _seed_tensor(seed):
    seed = convert_to_tensor(seed)
    if seed.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"The seed of a stateless random op must be int32 or int64, got {seed.dtype.name}.")
    return seed


def _stateless_sample(op_type, shape, dtype, seed, bounds=()):
    static, dims = _shape_of(shape)

    def sample(name):
        return apply_op(op_type, [_seed_tensor(seed), *bounds, *dims], {"shape": static, "dtype": dtype},
                        name=name or op_type)

    return sample


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None, alg="auto_select"):
    """N(mean, stddev²) samples determined by ``seed`` (a shape [2] int tensor) alone."""
    dtype = float_dtype(dtype, "tf.random.stateless_normal")
    with name_scope(name, "stateless_random_normal") as scope:
        return scale_shift(_stateless_sample("StatelessRandomNormalV2", shape, dtype, seed), dtype, stddev, mean,
                           scope)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                               alg="auto_select"):
    """Like ``stateless_normal``, with values beyond two standard deviations re-drawn."""
    dtype = float_dtype(dtype, "tf.random.stateless_truncated_normal")
    with name_scope(name, "stateless_truncated_normal") as scope:
        return scale_shift(_stateless_sample("StatelessTruncatedNormalV2", shape, dtype, seed), dtype, stddev,
                           mean, scope)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None, alg="auto_select"):
    """Uniform samples on [minval, maxval) determined by ``seed`` alone (integers need both bounds)."""
    dtype = dtypes.as_dtype(dtype)
    if dtype.is_integer:
        if maxval is None:
            raise ValueError(f"For integer dtype {dtype!r}, minval and maxval must be both `None` or both "
                             f"non-`None`; got minval={minval} and maxval={maxval}.")
        bounds = [convert_to_tensor(minval, dtype=dtype), convert_to_tensor(maxval, dtype=dtype)]
        return _stateless_sample("StatelessRandomUniformIntV2", shape, dtype, seed, bounds)(name)
    dtype = float_dtype(dtype, "tf.random.stateless_uniform")
    maxval = 1 if maxval is None else maxval
    with name_scope(name, "stateless_random_uniform") as scope:
        sample = _stateless_sample("StatelessRandomUniformV2", shape, dtype, seed)
        if isinstance(minval, int | float) and isinstance(maxval, int | float):
            return scale_shift(sample, dtype, maxval - minval, minval, scope)
        lo, hi = convert_to_tensor(minval, dtype=dtype), convert_to_tensor(maxval, dtype=dtype)
        return apply_op("AddV2", [sample(None) * (hi - lo), lo], name=scope)


def _stateless_multinomial_kernel(xp, logits, seed, num_samples, output_dtype):
    return draw_categorical(xp, _seeded(seed), logits, num_samples, output_dtype)


register_op("StatelessMultinomial", kernel=_stateless_multinomial_kernel, shape=multinomial_shape)
not_differentiable("StatelessMultinomial")


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """``tf.random.categorical`` whose draws are determined by ``seed`` alone."""
    attrs = {"num_samples": int(num_samples), "output_dtype": dtypes.as_dtype(dtype)}
    return apply_op("StatelessMultinomial", [logits, _seed_tensor(seed)], attrs, name=name or "stateless_categorical")


# -- Generator: the state lives in the object ----------------------------------------------------------
def _generator_kernel(draw):
    def kernel(xp, *dims, ctx, shape, dtype, _generator):
        return _host(xp, draw(_generator._rng, _size(dims, shape), dtype))

    return kernel


def _generator_int_kernel(xp, minval, maxval, *dims, ctx, shape, dtype, _generator):
    return _host(xp, draw_integers(_generator._rng, _size(dims, shape), dtype, minval, maxval))


def _generator_shape(*inputs, shape, dtype, _generator):
    return (TensorShape(shape), dtype)


for _name, _kernel in [("StatefulStandardNormalV2", _generator_kernel(draw_normal)),
                       ("StatefulTruncatedNormal", _generator_kernel(draw_truncated_normal)),
                       ("StatefulUniform", _generator_kernel(draw_uniform)),
                       ("StatefulUniformInt", _generator_int_kernel)]:
    register_op(_name, kernel=_kernel, shape=_generator_shape, stateful=True)
    not_differentiable(_name)


class Generator:
    """A random number generator that owns its state (``tf.random.Generator``).

    Create it with ``Generator.from_seed(seed)`` (repeatable) or
    ``Generator.from_non_deterministic_state()``; each draw advances it.

    NB: TF keeps the state in a variable (so a Session has its own copy); here the numpy
    generator inside the object is the state, shared by every mode that uses the object.

    >>> import tinyflow as tf
    >>> g = tf.random.Generator.from_seed(1)
    >>> g.normal([2, 3]).shape
    TensorShape([2, 3])
    """

    def __init__(self, seed=None):
        self.reset_from_seed(seed)

    @classmethod
    def from_seed(cls, seed, alg=None):
        return cls(seed)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        return cls(None)

    def reset_from_seed(self, seed) -> None:
        """Restart the sequence as if just created with ``from_seed(seed)``."""
        seeds = None if seed is None else [int(s) % 2**64 for s in np.ravel(seed)]
        self._rng = np.random.default_rng(seeds)

    def _sample(self, op_type, shape, dtype, bounds=()):
        static, dims = _shape_of(shape)

        def sample(name):
            return apply_op(op_type, [*bounds, *dims], {"shape": static, "dtype": dtype, "_generator": self},
                            name=name or op_type)

        return sample

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        dtype = float_dtype(dtype, "Generator.normal")
        with name_scope(name, "stateful_normal") as scope:
            return scale_shift(self._sample("StatefulStandardNormalV2", shape, dtype), dtype, stddev, mean, scope)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        dtype = float_dtype(dtype, "Generator.truncated_normal")
        with name_scope(name, "truncated_normal") as scope:
            return scale_shift(self._sample("StatefulTruncatedNormal", shape, dtype), dtype, stddev, mean, scope)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        dtype = dtypes.as_dtype(dtype)
        if maxval is None:
            if dtype.is_integer:
                raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
            maxval = 1
        if dtype.is_integer:
            bounds = [convert_to_tensor(minval, dtype=dtype), convert_to_tensor(maxval, dtype=dtype)]
            return self._sample("StatefulUniformInt", shape, dtype, bounds)(name)
        if dtype not in FLOAT_TYPES:
            raise ValueError(f"Invalid dtype {dtype!r}")
        with name_scope(name, "stateful_uniform") as scope:
            return scale_shift(self._sample("StatefulUniform", shape, dtype), dtype, maxval - minval, minval, scope)

    def make_seeds(self, count=1):
        """A [2, count] int64 tensor of fresh seeds for stateless ops."""
        return convert_to_tensor(self._rng.integers(0, 2**63 - 1, size=(2, count), dtype=np.int64))

    def split(self, count=1) -> list:
        """``count`` new, independent generators derived from (and advancing) this one."""
        return [Generator(seed) for seed in self._rng.integers(0, 2**63 - 1, size=(count, 2)).tolist()]


def get_global_generator() -> Generator:
    """The generator behind ``tf.random.get_global_generator()``: made on first use, from the global
    seed when one is set (``tf.random.set_seed`` starts a new one)."""
    g = EAGER_CONTEXT.rngs.get("global_generator")
    if g is None:
        g = EAGER_CONTEXT.rngs["global_generator"] = Generator(random_ops._global_seed)
    return g


def set_global_generator(generator: Generator) -> None:
    EAGER_CONTEXT.rngs["global_generator"] = generator
