"""Random ops (``tf.random.normal``, ``uniform`` ...) and TensorFlow's seeding rules.

Every random op gets two seeds, from the **global seed** (``tf.random.set_seed``; in a
graph, ``graph.seed``) and its own **op seed** (the ``seed=`` argument), by TF's rules:

1. neither set: a fresh random sequence every time (nondeterministic);
2. global set, op not: the op seed comes from a counter (per graph, or per eager context,
   restarted by ``set_seed``), so the program repeats after ``set_seed``;
3. op set, global not: a default global seed (87654321) is used;
4. both set: the pair determines the sequence.

Each random *node* (a graph or ``tf.function`` op; in eager, one kernel per op type and
seed pair) keeps its own numpy ``Generator`` in the run context's ``rngs`` dict, so running
it again continues its sequence: a ``Session`` owns its generators (a new session restarts
them); eager ops and functions share ``EAGER_CONTEXT.rngs``, which ``set_seed`` clears.

NB: we draw with numpy's PCG64 seeded from (global, op) on the host, so the *numbers* differ
from TensorFlow's (Philox on the device); the *rules* — what repeats and what does not — match.

>>> import tinyflow as tf
>>> tf.random.set_seed(1); a = tf.random.uniform([2])
>>> tf.random.set_seed(1); b = tf.random.uniform([2])
>>> bool((a.numpy() == b.numpy()).all())
True
"""
from __future__ import annotations

import itertools
import weakref

import numpy as np

from tinyflow.framework import context, dtypes, errors
from tinyflow.framework.dispatch import EAGER_CONTEXT, apply_op, convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.framework.registry import ShapeError, not_differentiable, register_op
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops import array_ops

__all__ = ["categorical", "normal", "set_seed", "shuffle", "truncated_normal", "uniform"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1

_global_seed: int | None = None  # eager global seed (tf.random.set_seed outside any graph)
_eager_op_count = 0  # eager op seeds when only the global seed is set; reset by set_seed
_graph_op_counts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # graph -> next op seed
_node_ids = itertools.count()  # a stable key for each random node built in a graph
_ENTROPY = np.random.default_rng()  # for eager ops with neither seed set


# -- seeds -----------------------------------------------------------------------------------
def set_seed(seed):
    """Set the global random seed (in a graph being built: that graph's seed).

    ``set_seed(s)`` again restarts every eager and ``tf.function`` random sequence;
    ``set_seed(None)`` goes back to nondeterministic numbers.

    >>> import tinyflow as tf
    >>> tf.random.set_seed(42)
    """
    global _global_seed, _eager_op_count
    g = context.building_graph()
    if g is not None:
        g.seed = seed
        return
    _global_seed = None if seed is None else int(seed)
    _eager_op_count = 0
    EAGER_CONTEXT.rngs.clear()  # TF resets its kernels' internal counters here


def get_seed(op_seed):
    """(seed, seed2) for an op with seed ``op_seed``, by TF's four rules (see the module docstring)."""
    global _eager_op_count
    g = context.building_graph()
    if g is None:
        global_seed = _global_seed
    elif g.seed is None and getattr(g, "_is_function", False):
        global_seed = _global_seed  # a tf.function traces with the global seed, like a fresh program
    else:
        global_seed = g.seed
    if global_seed is not None:
        if op_seed is None:
            if g is None:
                op_seed, _eager_op_count = _eager_op_count, _eager_op_count + 1
            else:
                op_seed = _graph_op_counts.get(g, 0)
                _graph_op_counts[g] = op_seed + 1
        seeds = (global_seed % _MAXINT32, int(op_seed) % _MAXINT32)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed) % _MAXINT32)
    else:
        seeds = (None, None)
    return (0, _MAXINT32) if seeds == (0, 0) else seeds


def _generator(ctx, key, seed, seed2):
    """The generator of one random node: created on first use, then kept in ``ctx.rngs``."""
    if key is None:  # an eager op that keeps no state (rules 1 and 2 give it fresh seeds each call)
        return _ENTROPY if seed is None else np.random.default_rng([seed, seed2])
    gen = ctx.rngs.get(key)
    if gen is None:
        gen = ctx.rngs[key] = np.random.default_rng() if seed is None else np.random.default_rng([seed, seed2])
    return gen


def _apply_random(op_type, inputs, shape, attrs, seed, name):
    """Add or run a random op: resolves the seeds, the node key and the (static or dynamic) shape."""
    static, dims = _shape_of(shape)
    seed1, seed2 = get_seed(seed)
    if context.building_graph() is not None:
        key = ("node", next(_node_ids))  # one generator per graph node
    elif seed is not None:
        key = ("eager", op_type, seed1, seed2, attrs.get("dtype"))  # TF caches one kernel per seed pair
    else:
        key = None
    attrs = {**attrs, "shape": static, "seed": seed1, "seed2": seed2, "_key": key}
    return apply_op(op_type, [*inputs, *dims], attrs, name=name)


def _shape_of(shape):
    """(static shape as a tuple with None for unknown dims, [] or [the shape tensor])."""
    values, tensor = array_ops._shape_arg(shape)
    if tensor is None:
        if any(d < 0 for d in values):
            raise ValueError(f"The shape of a random tensor must be fully defined, got {list(values)}.")
        return values, []
    dims = array_ops._shape_tensor_dims(tensor)
    return (None if dims is None else tuple(dims)), [tensor]


def _size(dims, shape):
    return shape if not dims else tuple(int(d) for d in dims[0].tolist())


def _random_shape(*inputs, shape, dtype, **attrs):
    return (TensorShape(shape), dtype)


def _host(xp, array):
    return xp.asarray(array)  # numbers are drawn on the host; the device backend copies them over


# -- normal, truncated normal, uniform ------------------------------------------------------------------
# The draws take a numpy Generator; the stateful kernels below and the stateless ops
# (stateless_random_ops.py) differ only in where that generator comes from.
def _draw_dtype(dtype):
    return np.float64 if dtype is dtypes.float64 else np.float32  # float16 is drawn in float32


def draw_normal(gen, size, dtype):
    return gen.standard_normal(size, dtype=_draw_dtype(dtype)).astype(dtype.as_numpy_dtype)


def draw_truncated_normal(gen, size, dtype):
    out = gen.standard_normal(size)
    outside = np.abs(out) > 2.0
    while outside.any():  # re-draw every value beyond two standard deviations
        out[outside] = gen.standard_normal(int(outside.sum()))
        outside = np.abs(out) > 2.0
    return out.astype(dtype.as_numpy_dtype)


def draw_uniform(gen, size, dtype):
    u = gen.random(size, dtype=_draw_dtype(dtype)).astype(dtype.as_numpy_dtype)
    if dtype is dtypes.float16:  # rounding to half precision must not reach 1.0: the range is [0, 1)
        u = np.minimum(u, np.nextafter(np.float16(1), np.float16(0)))
    return u


def draw_integers(gen, size, dtype, minval, maxval):
    lo, hi = int(minval), int(maxval)
    if lo >= hi:
        raise errors.InvalidArgumentError(None, None, f"Need minval < maxval: {lo} >= {hi}")
    return gen.integers(lo, hi, size, dtype=dtype.as_numpy_dtype)


def _stateful(draw):
    """A stateful kernel: ``draw`` with this node's own generator (kept in ``ctx.rngs``)."""

    def kernel(xp, *dims, ctx, shape, dtype, seed, seed2, _key):
        return _host(xp, draw(_generator(ctx, _key, seed, seed2), _size(dims, shape), dtype))

    return kernel


def _uniform_int_kernel(xp, minval, maxval, *dims, ctx, shape, dtype, seed, seed2, _key):
    gen = _generator(ctx, _key, seed, seed2)
    return _host(xp, draw_integers(gen, _size(dims, shape), dtype, minval, maxval))


for _name, _kernel in [("RandomStandardNormal", _stateful(draw_normal)),
                       ("TruncatedNormal", _stateful(draw_truncated_normal)),
                       ("RandomUniform", _stateful(draw_uniform)), ("RandomUniformInt", _uniform_int_kernel)]:
    register_op(_name, kernel=_kernel, shape=_random_shape, stateful=True)
    not_differentiable(_name)

FLOAT_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


def float_dtype(dtype, what):
    dtype = dtypes.as_dtype(dtype)
    if dtype not in FLOAT_TYPES:
        raise ValueError(f"Invalid dtype {dtype!r} for {what}: use float16, float32 or float64.")
    return dtype


def _is(value, number):
    return isinstance(value, int | float) and value == number


def scale_shift(sample, dtype, scale, shift, scope):
    """``sample(name)``·scale + shift, named ``scope``; skips the ops when scale is 1 and shift 0
    (then the random op itself takes the scope's name)."""
    if _is(scale, 1) and _is(shift, 0):
        return sample(scope)
    rnd = sample(None)
    if not _is(scale, 1):
        rnd = rnd * convert_to_tensor(scale, dtype=dtype)
    return apply_op("AddV2", [rnd, convert_to_tensor(shift, dtype=dtype)], name=scope)


def _seeded_sample(op_type, shape, dtype, seed):
    def sample(name):
        return _apply_random(op_type, [], shape, {"dtype": dtype}, seed, name or op_type)

    return sample


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from N(mean, stddev²) with the given shape.

    >>> import tinyflow as tf
    >>> tf.random.normal([2, 3], seed=1).shape
    TensorShape([2, 3])
    """
    dtype = float_dtype(dtype, "tf.random.normal")
    with name_scope(name, "random_normal") as scope:
        return scale_shift(_seeded_sample("RandomStandardNormal", shape, dtype, seed), dtype, stddev, mean, scope)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from N(mean, stddev²) with values beyond two standard deviations re-drawn."""
    dtype = float_dtype(dtype, "tf.random.truncated_normal")
    with name_scope(name, "truncated_normal") as scope:
        return scale_shift(_seeded_sample("TruncatedNormal", shape, dtype, seed), dtype, stddev, mean, scope)


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples from the uniform distribution on [minval, maxval) (floats: default [0, 1)).

    Integer dtypes need ``maxval``, as in TF.

    >>> import tinyflow as tf
    >>> tf.random.uniform([3], maxval=10, dtype=tf.int32, seed=1).dtype
    tf.int32
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in FLOAT_TYPES + (dtypes.int32, dtypes.int64):
        raise ValueError(f"Invalid dtype {dtype!r}")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    with name_scope(name, "random_uniform") as scope:
        if dtype.is_integer:
            bounds = [convert_to_tensor(minval, dtype=dtype), convert_to_tensor(maxval, dtype=dtype)]
            for b in bounds:
                if b.shape.rank not in (None, 0):
                    raise ValueError(f"minval and maxval must be scalars (0-D), got shape {b.shape}")
            return _apply_random("RandomUniformInt", bounds, shape, {"dtype": dtype}, seed, scope)
        if isinstance(minval, int | float) and isinstance(maxval, int | float):
            sample = _seeded_sample("RandomUniform", shape, dtype, seed)
            return scale_shift(sample, dtype, maxval - minval, minval, scope)
        rnd = _apply_random("RandomUniform", [], shape, {"dtype": dtype}, seed, "RandomUniform")
        lo, hi = convert_to_tensor(minval, dtype=dtype), convert_to_tensor(maxval, dtype=dtype)
        return apply_op("AddV2", [rnd * (hi - lo), lo], name=scope)  # rnd·(max - min) + min


# -- categorical and shuffle ------------------------------------------------------------------------
def draw_categorical(xp, gen, logits, num_samples, output_dtype):
    """Inverse-CDF sampling: for u ~ U[0, 1), the class is how many cumulative probabilities u passed."""
    z = logits.astype("float64")
    p = xp.exp(z - xp.max(z, axis=1, keepdims=True))
    cdf = xp.cumsum(p, axis=1)
    cdf /= cdf[:, -1:]  # (batch, classes), rising to 1
    u = _host(xp, gen.random((logits.shape[0], num_samples)))  # (batch, num_samples)
    index = xp.sum(u[:, :, None] >= cdf[:, None, :], axis=2)
    return xp.minimum(index, logits.shape[1] - 1).astype(output_dtype.as_numpy_dtype)


def _multinomial_kernel(xp, logits, *, ctx, num_samples, output_dtype, shape, seed, seed2, _key):
    return draw_categorical(xp, _generator(ctx, _key, seed, seed2), logits, num_samples, output_dtype)


def multinomial_shape(logits, *seed, num_samples, output_dtype, **attrs):
    if logits.shape.rank not in (None, 2):
        raise ShapeError(f"logits should be a matrix, got shape {logits.shape._tf_str()}")
    batch = logits.shape[0] if logits.shape.rank else None
    return (TensorShape([batch, num_samples]), output_dtype)


register_op("Multinomial", kernel=_multinomial_kernel, shape=multinomial_shape, stateful=True,
            allowed=("float16", "float32", "float64"))
not_differentiable("Multinomial")


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draw ``num_samples`` class indices per row of ``logits`` [batch, classes] (unnormalised log-probs).

    Returns a [batch, num_samples] int64 tensor (or ``dtype``: int32/int64).

    >>> import tinyflow as tf
    >>> tf.random.categorical(tf.math.log([[0.5, 0.5]]), 5, seed=1).shape
    TensorShape([1, 5])
    """
    dtype = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    if dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(f"Invalid dtype {dtype!r} for categorical: use int32 or int64.")
    attrs = {"num_samples": array_ops._int(num_samples, "num_samples"), "output_dtype": dtype}
    return _apply_random("Multinomial", [logits], (), attrs, seed, name or "categorical")


def _shuffle_kernel(xp, value, *, ctx, shape, seed, seed2, _key):
    if value.ndim == 0:
        return value
    gen = _generator(ctx, _key, seed, seed2)
    return value[_host(xp, gen.permutation(value.shape[0]))]


register_op("RandomShuffle", kernel=_shuffle_kernel, shape=lambda value, **attrs: (value.shape, value.dtype),
            stateful=True)
not_differentiable("RandomShuffle")


def shuffle(value, seed=None, name=None):
    """``value`` with its first dimension randomly permuted.

    >>> import tinyflow as tf
    >>> sorted(tf.random.shuffle([1, 2, 3], seed=1).numpy().tolist())
    [1, 2, 3]
    """
    return _apply_random("RandomShuffle", [value], (), {}, seed, name or "RandomShuffle")
