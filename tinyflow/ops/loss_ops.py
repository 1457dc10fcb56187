"""Cross-entropy losses on logits, each one fused op with a numerically stable kernel.

Computing ``-log(softmax(x))`` in two steps overflows for large logits; the fused
kernels subtract the row maximum first (softmax) or use ``max(x, 0) - x·z +
log(1 + exp(-|x|))`` (sigmoid), so logits of ±1000 give finite losses and gradients.
The softmax losses also return ``softmax - labels`` from the forward pass, which
is exactly the gradient, as in TensorFlow.

>>> import tinyflow as tf
>>> loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0], logits=[[1000.0, 0.0]])
>>> loss.numpy()
array([0.], dtype=float32)
"""
from __future__ import annotations

from tinyflow.framework import dtypes, errors
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, register_gradient, register_op
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops import activation_ops, array_ops, math_ops

__all__ = ["sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
           "sparse_softmax_cross_entropy_with_logits"]


def _is_zeros(t) -> bool:
    """True for the zeros that backprop feeds to an unused output while building a graph, so the
    gradient can skip a term known to vanish — as TF does with its ``_is_zeros_tensor`` mark.
    (An eager zeros tensor carries no such mark: there the term is computed, and is zero.)"""
    op = getattr(t, "op", None)
    return getattr(op, "type", None) == "ZerosLike"


def _softmax_backprop_grad(grad_backprop, logits, axis):
    """Gradient reaching ``logits`` through the ``backprop = softmax(logits) - labels`` output
    (only second derivatives use it): the softmax Jacobian applied to ``grad_backprop``."""
    p = activation_ops.softmax(logits, axis=axis)
    return (grad_backprop - math_ops.reduce_sum(grad_backprop * p, axis=axis, keepdims=True)) * p


# -- sparse softmax cross entropy: integer labels ------------------------------------------------
def _sparse_xent_shape(logits, labels):
    batch = logits.shape[:-1] if logits.shape.rank is not None else TensorShape(None)
    if not labels.shape.is_compatible_with(batch):
        raise ShapeError(f"logits and labels must have the same first dimension, got logits shape "
                         f"{logits.shape._tf_str()} and labels shape {labels.shape._tf_str()}")
    return [(batch.merge_with(labels.shape), logits.dtype), (logits.shape, logits.dtype)]


def _sparse_xent_kernel(xp, logits, labels):
    if labels.shape != logits.shape[:-1]:  # only possible when the shapes were unknown while building
        raise errors.InvalidArgumentError(
            None, None, f"logits and labels must have the same first dimension, got logits shape "
            f"[{','.join(map(str, logits.shape))}] and labels shape [{','.join(map(str, labels.shape))}]")
    classes = logits.shape[-1]
    outside = (labels < 0) | (labels >= classes)
    if outside.any():  # TF checks on the CPU; a wrong label would otherwise give a silently wrong loss
        bad = int(labels[outside][0])
        values = " ".join(str(v) for v in labels.ravel().tolist())
        raise errors.InvalidArgumentError(
            None, None, f"Received a label value of {bad} which is outside the valid range of [0, {classes}).  "
            f"Label values: {values}")
    work = logits.astype("float32") if logits.dtype == "float16" else logits  # as TF: half computes in float
    shifted = work - xp.max(work, axis=-1, keepdims=True)  # the max is subtracted: exp cannot overflow
    log_sum_exp = xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))
    picked = xp.take_along_axis(shifted, labels[..., None].astype("int64"), axis=-1)
    loss = (log_sum_exp - picked)[..., 0]  # -log softmax[label]
    backprop = xp.exp(shifted - log_sum_exp) - (labels[..., None] == xp.arange(classes))  # softmax - one_hot
    return loss.astype(logits.dtype), backprop.astype(logits.dtype)


register_op("SparseSoftmaxCrossEntropyWithLogits", kernel=_sparse_xent_kernel, shape=_sparse_xent_shape,
            num_outputs=2)


@register_gradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent_grad(op, grad_loss, grad_backprop):
    logits = op.inputs[0]
    grad = array_ops.expand_dims(grad_loss, -1) * op.outputs[1]  # dloss/dlogits = softmax - one_hot
    if not _is_zeros(grad_backprop):
        grad = grad + _softmax_backprop_grad(grad_backprop, logits, -1)
    return [grad, None]


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """Cross entropy between ``softmax(logits)`` and integer class ``labels``.

    loss[i] = -log softmax(logits[i])[labels[i]] = logsumexp(logits[i]) - logits[i, labels[i]]

    Args:
      labels: int32/int64 tensor of shape ``[d_0, ..., d_{r-1}]``, values in ``[0, num_classes)``.
      logits: float tensor of shape ``[d_0, ..., d_{r-1}, num_classes]`` (unscaled: not a softmax output).
      name: optional name.

    >>> import tinyflow as tf
    >>> tf.nn.sparse_softmax_cross_entropy_with_logits([1], [[0.0, 0.0]]).numpy()
    array([0.6931472], dtype=float32)
    """
    labels = convert_to_tensor(labels)
    logits = convert_to_tensor(logits)
    if not logits.dtype.is_floating:
        raise TypeError(f"`logits` must be float16, float32 or float64 (the unscaled scores), got "
                        f"{logits.dtype.name}. Cast them first, e.g. tf.cast(logits, tf.float32).")
    if labels.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"Value for attr 'Tlabels' of {labels.dtype.name} is not in the list of allowed values: "
                        "int32, int64 — the labels are class indices; for one-hot or probability labels use "
                        "tf.nn.softmax_cross_entropy_with_logits.")
    lshape, xshape = labels.shape, logits.shape
    if xshape.rank == 0:
        raise ValueError(f"`logits` cannot be a scalar. Received logits={logits}`")
    if xshape.rank is not None and lshape.rank is not None and lshape.rank != xshape.rank - 1:
        raise ValueError("`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                         f"labels.shape={lshape} of rank {lshape.rank} and logits.shape={xshape} of rank "
                         f"{xshape.rank}")
    if lshape.is_fully_defined() and xshape.rank is not None and xshape[:-1].is_fully_defined() \
            and lshape.as_list() != xshape[:-1].as_list():
        raise ValueError("`labels.shape` must equal `logits.shape` except for the last dimension. Received: "
                         f"labels.shape={lshape} and logits.shape={xshape}")
    loss, _ = apply_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels],
                       name=name or "SparseSoftmaxCrossEntropyWithLogits")
    return loss


# -- softmax cross entropy: a probability distribution per row --------------------------------------
def _xent_shape(logits, labels, axis):
    if not logits.shape.is_compatible_with(labels.shape):
        raise ShapeError(f"logits and labels must be same size: logits_size={logits.shape._tf_str()} "
                         f"labels_size={labels.shape._tf_str()}")
    shape = logits.shape.merge_with(labels.shape)
    if shape.rank is None:
        return [(TensorShape(None), logits.dtype), (shape, logits.dtype)]
    if not -shape.rank <= axis < shape.rank:
        raise ShapeError(f"axis {axis} is out of range for logits of rank {shape.rank}")
    dims = shape.as_list()
    del dims[axis]
    return [(TensorShape(dims), logits.dtype), (shape, logits.dtype)]


def _xent_kernel(xp, logits, labels, axis):
    if logits.shape != labels.shape:
        raise ValueError(f"logits and labels must be same size: logits_size={list(logits.shape)} "
                         f"labels_size={list(labels.shape)}")
    shifted = logits - xp.max(logits, axis=axis, keepdims=True)
    neg_log_probs = xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True)) - shifted  # -log softmax
    loss = xp.sum(labels * neg_log_probs, axis=axis)  # H(labels, softmax(logits))
    backprop = xp.exp(-neg_log_probs) - labels
    return xp.asarray(loss).astype(logits.dtype, copy=False), backprop


register_op("SoftmaxCrossEntropyWithLogits", kernel=_xent_kernel, shape=_xent_shape, num_outputs=2,
            same_dtype=True, allowed=math_ops.FLOATS)


@register_gradient("SoftmaxCrossEntropyWithLogits")
def _xent_grad(op, grad_loss, grad_backprop):
    logits, axis = op.inputs[0], op.get_attr("axis")
    g = array_ops.expand_dims(grad_loss, axis)
    grad_logits = g * op.outputs[1]  # softmax - labels
    if not _is_zeros(grad_backprop):
        grad_logits = grad_logits + _softmax_backprop_grad(grad_backprop, logits, axis)
    grad_labels = g * -activation_ops.log_softmax(logits, axis=axis)  # dloss/dlabels = -log softmax
    if not _is_zeros(grad_backprop):
        grad_labels = grad_labels - grad_backprop  # backprop = softmax - labels: d/dlabels = -1
    return [grad_logits, grad_labels]


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Cross entropy between ``softmax(logits)`` and the distributions ``labels`` along ``axis``.

    loss = -sum(labels · log_softmax(logits), axis). Gradients flow into both arguments (wrap
    ``labels`` in ``tf.stop_gradient`` if they are targets that depend on trainable values).

    >>> import tinyflow as tf
    >>> tf.nn.softmax_cross_entropy_with_logits([[0.0, 1.0]], [[0.0, 0.0]]).numpy()
    array([0.6931472], dtype=float32)
    """
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels, dtype=logits.dtype if not hasattr(labels, "dtype") else None)
    rank = logits.shape.rank
    axis = int(axis)
    if rank is not None and axis < 0:
        axis += rank
    return apply_op("SoftmaxCrossEntropyWithLogits", [logits, labels], {"axis": axis},
                    name=name or "SoftmaxCrossEntropyWithLogits")[0]


# -- sigmoid cross entropy: independent yes/no labels -------------------------------------------------
def _sigmoid_xent_kernel(xp, logits, labels):
    # z·-log σ(x) + (1-z)·-log(1-σ(x))  =  max(x, 0) - x·z + log(1 + e^(-|x|))
    return xp.maximum(logits, 0) - logits * labels + xp.log1p(xp.exp(-xp.abs(logits)))


def _sigmoid_xent_shape(logits, labels):
    if not logits.shape.is_compatible_with(labels.shape):
        raise ShapeError(f"`logits` and `labels` must have the same shape, received ({logits.shape} vs "
                         f"{labels.shape}).")
    return (logits.shape.merge_with(labels.shape), logits.dtype)


register_op("SigmoidCrossEntropyWithLogits", kernel=_sigmoid_xent_kernel, shape=_sigmoid_xent_shape,
            same_dtype=True, allowed=math_ops.FLOATS)


@register_gradient("SigmoidCrossEntropyWithLogits")
def _sigmoid_xent_grad(op, grad):
    logits, labels = op.inputs
    return [grad * (math_ops.sigmoid(logits) - labels), grad * -logits]  # dx = σ(x) - z,  dz = -x


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Logistic loss of ``logits`` against ``labels`` in [0, 1], element-wise:

    loss = z·-log σ(x) + (1 - z)·-log(1 - σ(x)), computed as max(x, 0) - x·z + log(1 + exp(-|x|)).

    >>> import tinyflow as tf
    >>> tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0], logits=[0.0]).numpy()
    array([0.6931472], dtype=float32)
    """
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels, dtype=logits.dtype if not hasattr(labels, "dtype") else None)
    if not labels.shape.is_compatible_with(logits.shape):
        raise ValueError(f"`logits` and `labels` must have the same shape, received ({logits.shape} vs "
                         f"{labels.shape}).")
    return apply_op("SigmoidCrossEntropyWithLogits", [logits, labels],
                    name=name or "logistic_loss")
