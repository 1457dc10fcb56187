"""Activation functions (``tf.nn.relu``, ``elu``, ``gelu``, ``softmax`` ...), each op with its gradient beside it.

The ops TensorFlow implements as kernels are kernels here too (``Relu``, ``Elu``,
``Softplus``, ``Softmax`` ...); ``gelu`` and ``silu`` are short compositions of math
ops, as in TensorFlow, so their gradients come from the ops they are built from.

>>> import tinyflow as tf
>>> tf.nn.relu(tf.constant([-1.0, 2.0])).numpy()
array([0., 2.], dtype=float32)
>>> tf.nn.softmax(tf.constant([0.0, 0.0])).numpy()
array([0.5, 0.5], dtype=float32)
"""
from __future__ import annotations

import math

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.graph import name_scope
from tinyflow.framework.registry import ShapeError, register_gradient, register_op
from tinyflow.ops import math_ops
from tinyflow.ops.math_ops import FLOATS, NUMBERS, cast, exp, reduce_sum

__all__ = ["elu", "gelu", "leaky_relu", "log_softmax", "relu", "relu6", "selu", "silu", "softmax", "softplus",
           "softsign", "swish"]
MATH_ONLY = ["log_softmax", "softmax", "softplus", "softsign"]  # also tf.math.<name> in TF 2


def _same_shape(x, *others, **attrs):
    return (x.shape, x.dtype)


def _mask(condition, like):
    """1.0 where ``condition`` holds, else 0.0, in ``like``'s dtype (a bool tensor made numeric)."""
    return cast(condition, like.dtype)


# -- relu family ---------------------------------------------------------------------------------
def _relu_kernel(xp, x):
    return xp.maximum(x, 0)


register_op("Relu", kernel=_relu_kernel, shape=_same_shape, allowed=NUMBERS)


@register_gradient("Relu")
def _relu_grad(op, grad):
    return [apply_op("ReluGrad", [grad, op.outputs[0]])]


def _relu_grad_kernel(xp, grad, features):
    return xp.where(features > 0, grad, 0)  # grad · 1[x > 0]


register_op("ReluGrad", kernel=_relu_grad_kernel, shape=_same_shape, same_dtype=True, allowed=NUMBERS)


@register_gradient("ReluGrad")
def _relu_grad_grad(op, grad):
    return [apply_op("ReluGrad", [grad, op.inputs[1]]), None]  # linear in grad; a step in features


def relu(features, name=None):
    """max(features, 0).

    >>> import tinyflow as tf
    >>> tf.nn.relu([-2.0, 3.0]).numpy()
    array([0., 3.], dtype=float32)
    """
    return apply_op("Relu", [features], name=name or "Relu")


def _relu6_kernel(xp, x):
    return xp.minimum(xp.maximum(x, 0), 6)


register_op("Relu6", kernel=_relu6_kernel, shape=_same_shape, allowed=NUMBERS)


@register_gradient("Relu6")
def _relu6_grad(op, grad):
    x = op.inputs[0]
    return [grad * _mask(math_ops.logical_and(x > 0, x < 6), grad)]  # slope 1 on (0, 6), else 0


def relu6(features, name=None):
    """min(max(features, 0), 6)."""
    return apply_op("Relu6", [features], name=name or "Relu6")


def _leaky_relu_kernel(xp, x, alpha):
    return xp.where(x > 0, x, x * alpha)


register_op("LeakyRelu", kernel=_leaky_relu_kernel, shape=_same_shape, allowed=FLOATS)


@register_gradient("LeakyRelu")
def _leaky_relu_grad(op, grad):
    alpha = op.get_attr("alpha")
    positive = _mask(op.inputs[0] > 0, grad)
    return [grad * (alpha + (1.0 - alpha) * positive)]  # slope 1 for x > 0, alpha otherwise


def leaky_relu(features, alpha=0.2, name=None):
    """x for x > 0, alpha·x otherwise. Integer inputs are converted to float32, as in TF."""
    features = convert_to_tensor(features)
    if features.dtype.is_integer:
        features = cast(features, dtypes.float32)
    return apply_op("LeakyRelu", [features], {"alpha": float(alpha)}, name=name or "LeakyRelu")


def _elu_kernel(xp, x):
    return xp.where(x > 0, x, xp.expm1(xp.minimum(x, 0)))  # min() keeps expm1 from overflowing


register_op("Elu", kernel=_elu_kernel, shape=_same_shape, allowed=FLOATS)


@register_gradient("Elu")
def _elu_grad(op, grad):
    y = op.outputs[0]
    positive = _mask(y > 0, grad)
    return [grad * (positive + (1.0 - positive) * (y + 1.0))]  # d(eˣ - 1) = eˣ = y + 1


def elu(features, name=None):
    """x for x > 0, exp(x) - 1 otherwise."""
    return apply_op("Elu", [features], name=name or "Elu")


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _selu_kernel(xp, x):
    negative = _SELU_ALPHA * xp.expm1(xp.minimum(x, 0))
    return (_SELU_SCALE * xp.where(x > 0, x, negative)).astype(x.dtype, copy=False)


register_op("Selu", kernel=_selu_kernel, shape=_same_shape, allowed=FLOATS)


@register_gradient("Selu")
def _selu_grad(op, grad):
    y = op.outputs[0]
    positive = _mask(y > 0, grad)
    # y = scale·x  or  scale·alpha·(eˣ - 1);  dy/dx = scale  or  y + scale·alpha
    return [grad * (positive * _SELU_SCALE + (1.0 - positive) * (y + _SELU_SCALE * _SELU_ALPHA))]


def selu(features, name=None):
    """scale·x for x > 0, scale·alpha·(exp(x) - 1) otherwise (alpha≈1.6733, scale≈1.0507)."""
    return apply_op("Selu", [features], name=name or "Selu")


# -- smooth activations ----------------------------------------------------------------------------
def _softplus_kernel(xp, x):
    return xp.logaddexp(x, 0)  # log(eˣ + 1) without overflow


register_op("Softplus", kernel=_softplus_kernel, shape=_same_shape, allowed=FLOATS)


@register_gradient("Softplus")
def _softplus_grad(op, grad):
    return [grad * math_ops.sigmoid(op.inputs[0])]  # d log(1 + eˣ) = σ(x)


def softplus(features, name=None):
    """log(exp(features) + 1), computed stably."""
    return apply_op("Softplus", [features], name=name or "Softplus")


def _softsign_kernel(xp, x):
    return x / (1 + xp.abs(x))


register_op("Softsign", kernel=_softsign_kernel, shape=_same_shape, allowed=FLOATS)


@register_gradient("Softsign")
def _softsign_grad(op, grad):
    x = op.inputs[0]
    return [grad / math_ops.square(1.0 + math_ops.abs(x))]  # d x/(1+|x|) = 1/(1+|x|)²


def softsign(features, name=None):
    """features / (abs(features) + 1)."""
    return apply_op("Softsign", [features], name=name or "Softsign")


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit: x·Φ(x).

    exact (default): 0.5·x·(1 + erf(x/√2));
    approximate=True: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).

    >>> import tinyflow as tf
    >>> round(float(tf.nn.gelu(1.0)), 4)
    0.8413
    """
    with name_scope(name, "Gelu"):
        x = convert_to_tensor(features)
        if approximate:
            inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
            return 0.5 * x * (1.0 + math_ops.tanh(inner))
        return 0.5 * x * (1.0 + math_ops.erf(x * (1.0 / math.sqrt(2.0))))


def silu(features, beta=1.0, name=None):
    """x·σ(beta·x) (also called swish)."""
    with name_scope(name, "silu"):
        x = convert_to_tensor(features)
        return x * math_ops.sigmoid(x if beta == 1.0 else beta * x)


swish = silu


# -- softmax and log_softmax -------------------------------------------------------------------------
def _softmax_shape(logits, axis):
    rank = logits.shape.rank
    if rank is not None and rank == 0:
        raise ShapeError("Shape must be at least rank 1 but is rank 0")
    if rank is not None and not -rank <= axis < rank:
        raise ShapeError(f"`axis` must be in the range [{-rank}, {rank}) where {rank} is the number of "
                         f"dimensions in the input. Received: axis={axis}")
    return (logits.shape, logits.dtype)


def _softmax_kernel(xp, logits, axis):
    e = xp.exp(logits - xp.max(logits, axis=axis, keepdims=True))  # subtract the max: no overflow
    return e / xp.sum(e, axis=axis, keepdims=True)


register_op("Softmax", kernel=_softmax_kernel, shape=_softmax_shape, allowed=FLOATS)


@register_gradient("Softmax")
def _softmax_grad(op, grad):
    y, axis = op.outputs[0], op.get_attr("axis")
    return [(grad - reduce_sum(grad * y, axis=axis, keepdims=True)) * y]  # dx = y·(g - Σ g·y)


def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits), axis), along ``axis`` (default: the last one).

    >>> import tinyflow as tf
    >>> tf.nn.softmax([[1.0, 1.0, 1.0, 1.0]]).numpy()
    array([[0.25, 0.25, 0.25, 0.25]], dtype=float32)
    """
    return apply_op("Softmax", [logits], {"axis": -1 if axis is None else int(axis)}, name=name or "Softmax")


def _log_softmax_kernel(xp, logits, axis):
    shifted = logits - xp.max(logits, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


register_op("LogSoftmax", kernel=_log_softmax_kernel, shape=_softmax_shape, allowed=FLOATS)


@register_gradient("LogSoftmax")
def _log_softmax_grad(op, grad):
    y, axis = op.outputs[0], op.get_attr("axis")
    return [grad - reduce_sum(grad, axis=axis, keepdims=True) * exp(y)]  # dx = g - softmax·Σ g


def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits), axis)), computed stably (the max is subtracted first)."""
    return apply_op("LogSoftmax", [logits], {"axis": -1 if axis is None else int(axis)},
                    name=name or "LogSoftmax")

