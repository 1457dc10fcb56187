"""Normalisation and regularisation helpers of ``tf.nn``: bias_add, moments, l2_normalize,
batch_normalization, dropout, l2_loss, embedding_lookup and the loss averaging of distributed training.

Only ``bias_add`` is an op of its own; the others are short compositions of math and
random ops (as in TensorFlow), so their gradients come from the ops they are built from.

>>> import tinyflow as tf
>>> mean, variance = tf.nn.moments(tf.constant([1.0, 2.0, 3.0]), axes=[0])
>>> float(mean), round(float(variance), 4)
(2.0, 0.6667)
"""
from __future__ import annotations

import numbers

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.framework.registry import ShapeError, register_gradient, register_op
from tinyflow.framework.tensor import Tensor
from tinyflow.ops import array_ops, math_ops, random_ops
from tinyflow.ops._grad_util import unbroadcast
from tinyflow.ops.base_ops import stop_gradient

__all__ = ["batch_normalization", "bias_add", "compute_average_loss", "dropout", "embedding_lookup", "l2_loss",
           "l2_normalize", "moments", "scale_regularization_loss"]
MATH_ONLY = ["l2_normalize"]  # also tf.math.l2_normalize


# -- bias_add ------------------------------------------------------------------------------------
def _channel_axis(rank, data_format):
    return 1 if data_format.startswith("NC") else rank - 1


def _bias_add_shape(value, bias, data_format):
    rank = value.shape.rank
    if bias.shape.rank is not None and bias.shape.rank != 1:
        raise ShapeError(f"Shape must be rank 1 but is rank {bias.shape.rank}")
    if rank is None:
        return (value.shape, value.dtype)
    if rank < 2:
        raise ShapeError(f"Shape must be at least rank 2 but is rank {rank}")
    c, b = value.shape[_channel_axis(rank, data_format)], bias.shape[0]
    if c is not None and b is not None and c != b:
        raise ShapeError(f"Dimensions must be equal, but are {c} and {b}")
    return (value.shape, value.dtype)


def _bias_add_kernel(xp, value, bias, data_format):
    if data_format.startswith("NC"):  # bias (C,) against (N, C, H, W ...): as (C, 1, 1 ...)
        bias = bias.reshape((-1,) + (1,) * (value.ndim - 2))
    return value + bias


register_op("BiasAdd", kernel=_bias_add_kernel, shape=_bias_add_shape, same_dtype=True, allowed=math_ops.NUMBERS)


@register_gradient("BiasAdd")
def _bias_add_grad(op, grad):
    value, bias = op.inputs
    if op.get_attr("data_format").startswith("NC"):
        axes = [a for a in range(grad.shape.rank) if a != 1]
        return [grad, math_ops.reduce_sum(grad, axis=axes)]  # sum over everything but the channels
    return [grad, unbroadcast(grad, bias)]


def bias_add(value, bias, data_format=None, name=None):
    """value + bias, where ``bias`` is 1-D and matches the channel axis (the last one, or axis 1 for "NC...").

    >>> import tinyflow as tf
    >>> tf.nn.bias_add(tf.zeros([2, 3]), [1.0, 2.0, 3.0]).numpy()[0]
    array([1., 2., 3.], dtype=float32)
    """
    data_format = data_format or "N...C"
    if not (data_format.startswith("NC") or data_format.endswith("C")):
        raise ValueError(f"data_format must be of the form `N...C` or `NC...`, got {data_format!r}")
    return apply_op("BiasAdd", [value, bias], {"data_format": data_format}, name=name or "BiasAdd")


# -- moments, l2_normalize, batch_normalization ----------------------------------------------------------
def moments(x, axes, shift=None, keepdims=False, name=None):
    """Mean and variance of ``x`` over ``axes``: (mean(x), mean((x - mean(x))²)).

    ``shift`` is accepted for TF compatibility and ignored (as TF does). float16 inputs
    are summarised in float32 and cast back, as in TF.
    """
    with name_scope(name, "moments"):
        x = convert_to_tensor(x)
        y = math_ops.cast(x, dtypes.float32) if x.dtype is dtypes.float16 else x
        axes = list(axes) if isinstance(axes, list | tuple) else [axes]
        mean = math_ops.reduce_mean(y, axis=axes, keepdims=True, name="mean")
        # NOTE: stop_gradient as in TF: d variance / d mean is zero at the mean anyway
        centred = y - stop_gradient(mean)
        variance = math_ops.reduce_mean(math_ops.square(centred), axis=axes, keepdims=keepdims, name="variance")
        if not keepdims:
            mean = math_ops.reduce_mean(y, axis=axes, name="mean")
        if x.dtype is dtypes.float16:
            mean, variance = math_ops.cast(mean, x.dtype), math_ops.cast(variance, x.dtype)
        return mean, variance


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x², axis), epsilon)): unit L2 norm along ``axis`` (all axes when None).

    >>> import tinyflow as tf
    >>> tf.math.l2_normalize([3.0, 4.0]).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    axis = dim if axis is None else axis
    with name_scope(name, "l2_normalize") as scope:
        x = convert_to_tensor(x)
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis=axis, keepdims=True)
        inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, inv_norm, name=scope)


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """scale·(x - mean)/sqrt(variance + variance_epsilon) + offset (offset/scale may be None).

    Computed as x·inv + (offset - mean·inv) with inv = scale/sqrt(variance + epsilon), as in TF.
    """
    with name_scope(name, "batchnorm") as scope:
        x = convert_to_tensor(x)
        inv = math_ops.rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv = inv * scale
        shift = offset - mean * inv if offset is not None else -mean * inv
        return math_ops.add(x * math_ops.cast(inv, x.dtype), math_ops.cast(shift, x.dtype), name=scope)


def l2_loss(t, name=None):
    """sum(t²) / 2 (without the square root), the classic weight-decay term."""
    with name_scope(name, "L2Loss") as scope:
        return math_ops.multiply(math_ops.reduce_sum(math_ops.square(t)), 0.5, name=scope)


# -- dropout --------------------------------------------------------------------------------------------
def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Set each element to 0 with probability ``rate`` and scale the kept ones by 1/(1 - rate),
    so the expected value is unchanged.

    Args:
      x: floating tensor.
      rate: probability of dropping an element, in [0, 1).
      noise_shape: shape of the keep/drop mask, broadcast against x (default: x's shape).
      seed: op seed (see tf.random.set_seed).

    >>> import tinyflow as tf
    >>> y = tf.nn.dropout(tf.ones([1000]), rate=0.5, seed=1)
    >>> sorted(set(y.numpy().tolist()))
    [0.0, 2.0]
    """
    is_number = isinstance(rate, numbers.Real)
    if is_number and not 0 <= rate < 1:
        raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), got {rate:g}")
    with name_scope(name, "dropout") as scope:
        x = convert_to_tensor(x)
        if not x.dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be scaled. Got a "
                             f"{x.dtype!r} tensor instead.")
        if is_number and rate == 0:
            random_ops.get_seed(seed)  # as TF: the fast path still uses up an op seed
            return x
        if not is_number:
            rate = convert_to_tensor(rate, dtype=x.dtype)
        u = random_ops.uniform(_noise_shape(x, noise_shape), dtype=x.dtype, seed=seed)
        keep = math_ops.cast(u >= rate, x.dtype)  # 1 with probability 1 - rate
        return math_ops.multiply(x * (1.0 / (1.0 - rate)), keep, name=scope)


def _noise_shape(x, noise_shape):
    """The mask shape: x's (static if known, else its run-time shape), with None entries of an
    explicit ``noise_shape`` filled from x."""
    if noise_shape is None:
        return x.shape.as_list() if x.shape.is_fully_defined() else array_ops.shape(x)
    if isinstance(noise_shape, Tensor):
        return noise_shape
    dims = list(noise_shape)
    if x.shape.rank is not None and len(dims) == x.shape.rank:
        dims = [x.shape[i] if d is None else d for i, d in enumerate(dims)]
    if any(d is None for d in dims):
        runtime = array_ops.shape(x)
        dims = [runtime[i] if d is None else d for i, d in enumerate(dims)]
    return dims


# -- embedding lookup and loss averaging -------------------------------------------------------------------
def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of ``params`` at ``ids``: ``tf.gather(params, ids)`` (a one-element list of shards is allowed)."""
    from tinyflow.ops.indexing_ops import gather  # noqa: PLC0415  (a sibling family, loaded after this one)

    if isinstance(params, list | tuple):
        if len(params) != 1:
            raise NotImplementedError("tinyflow's embedding_lookup takes one params tensor, not a sharded list.")
        params = params[0]
    if max_norm is not None:
        raise NotImplementedError("embedding_lookup(max_norm=...) is not supported by tinyflow.")
    return gather(params, ids, name=name or "embedding_lookup")


def _num_replicas_in_sync() -> int:
    """Replicas of the current tf.distribute strategy (1 outside one, or without tinyflow.distribute)."""
    try:
        from tinyflow import distribute  # noqa: PLC0415
    except ImportError:
        return 1
    return distribute.get_strategy().num_replicas_in_sync


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(per_example_loss · sample_weight) / global_batch_size — the loss a replica should minimise
    so that summing the replicas' gradients gives the gradient of the global mean.

    ``global_batch_size`` defaults to this batch's size × the strategy's replicas in sync.

    >>> import tinyflow as tf
    >>> float(tf.nn.compute_average_loss([1.0, 2.0, 3.0], global_batch_size=6))
    1.0
    """
    loss = convert_to_tensor(per_example_loss)
    if loss.shape.rank == 0:
        raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor with at least rank 1, "
                         f"received: {loss}")
    if sample_weight is not None:
        loss = loss * math_ops.cast(sample_weight, loss.dtype)
    if global_batch_size is None:
        global_batch_size = array_ops.shape(loss)[0] * _num_replicas_in_sync()
    elif isinstance(global_batch_size, numbers.Number) and global_batch_size <= 0:
        raise ValueError(f"global_batch_size must be positive. Received: global_batch_size={global_batch_size}")
    return math_ops.reduce_sum(loss) / math_ops.cast(global_batch_size, loss.dtype)


def scale_regularization_loss(regularization_loss):
    """regularization_loss / replicas in sync, so the replicas' sum counts it once."""
    loss = convert_to_tensor(regularization_loss)
    return loss / math_ops.cast(_num_replicas_in_sync(), loss.dtype)
