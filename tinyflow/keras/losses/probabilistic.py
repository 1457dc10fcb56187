"""Cross-entropy losses: binary, categorical (one-hot labels) and sparse categorical (integer labels).

With probabilities (``from_logits=False``) the predictions are clipped to
``[epsilon, 1 - epsilon]`` (``epsilon = 1e-7``) before the log, so a confident wrong answer
costs about 16 instead of infinity. With logits the stable formulas of ``tf.nn`` are used.

Inside a ``tf.function`` (so in ``model.fit``) Keras looks one step back: if ``y_pred`` came
straight out of a sigmoid (or softmax) op, the loss is computed from that op's input, the
logits — more accurate, and no clipping. Eager tensors don't remember their op, so eager
calls use the clipped probabilities.

>>> import tinyflow as tf
>>> loss = tf.keras.losses.binary_crossentropy([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
>>> [round(float(v), 3) for v in loss]
[0.916, 0.714]
"""
from __future__ import annotations

import warnings

import tinyflow as tf
from tinyflow.framework.tensor import SymbolicTensor
from tinyflow.keras import backend
from tinyflow.keras.losses.loss import LossFunctionWrapper, _to_dtype


# -- the per-sample functions --------------------------------------------------------------------------
def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1):
    """``mean(-(y·log p + (1-y)·log(1-p)), axis)``; labels smoothed toward 0.5 by ``label_smoothing``."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = _to_dtype(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return tf.reduce_mean(_binary_crossentropy(y_true, y_pred, from_logits), axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1):
    """``-sum(y · log p, axis)`` for one-hot (or soft) labels ``y``; smoothing mixes ``y`` with the uniform
    distribution: ``y·(1 - s) + s / num_classes``."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = _to_dtype(y_true, y_pred.dtype)
    if y_pred.shape.rank and y_pred.shape[-1] == 1:
        warnings.warn("In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider using "
                      "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning, stacklevel=2)
    if label_smoothing:
        num_classes = y_true.shape[-1] or tf.cast(tf.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return _categorical_crossentropy(y_true, y_pred, from_logits, axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False, ignore_class=None,
                                    axis: int = -1):
    """``-log p[label]`` for integer labels (shape ``[batch]`` or ``[batch, 1]``); samples whose label
    is ``ignore_class`` get loss 0."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    if y_true.shape.rank == y_pred.shape.rank and y_true.shape[-1] == 1:
        y_true = tf.squeeze(y_true, axis=-1)
    valid = None
    if ignore_class is not None:
        valid = tf.not_equal(y_true, tf.cast(ignore_class, y_true.dtype))
        y_true = y_true * tf.cast(valid, y_true.dtype)
    result = _sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis)
    if valid is not None:
        result = tf.where(valid, result, tf.zeros_like(result))
    return result


bce = BCE = binary_crossentropy


# -- the cross entropies themselves (Keras's backend functions) ------------------------------------------------
def _binary_crossentropy(target, output, from_logits: bool):
    _check_same_shape(target, output)
    output, from_logits = _get_logits(output, from_logits, "Sigmoid", "binary_crossentropy")
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = backend.epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -(target * tf.math.log(output) + (1.0 - target) * tf.math.log(1.0 - output))


def _categorical_crossentropy(target, output, from_logits: bool, axis: int):
    if target.shape.rank is not None and target.shape.rank < 1:
        raise ValueError(f"Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    _check_same_shape(target, output)
    output, from_logits = _get_logits(output, from_logits, "Softmax", "categorical_crossentropy")
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)  # rows sum to 1
    eps = backend.epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.math.log(output), axis=axis)


def _sparse_categorical_crossentropy(target, output, from_logits: bool, axis: int):
    rank = output.shape.rank
    if axis != -1 and axis != rank - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    output, from_logits = _get_logits(output, from_logits, "Softmax", "sparse_categorical_crossentropy")
    target = tf.cast(target, tf.int64)
    if target.shape.rank == rank and target.shape[-1] == 1:
        target = tf.squeeze(target, axis=-1)
    if target.shape.rank != rank - 1:
        raise ValueError(f"Argument `output` must have rank (ndim) `target.ndim - 1`. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}. Integer labels have one "
                         "axis fewer than the predicted class scores.")
    for d1, d2 in zip(target.shape.as_list(), output.shape.as_list()[:-1]):
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Arguments `target` and `output` must have the same shape up until the last "
                             f"dimension: target.shape={target.shape}, output.shape={output.shape}")
    if not from_logits:
        eps = backend.epsilon()
        output = tf.math.log(tf.clip_by_value(output, eps, 1.0 - eps))
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


def _check_same_shape(target, output) -> None:
    if target.shape.rank is None or output.shape.rank is None:
        return
    if target.shape.rank != output.shape.rank:
        raise ValueError(f"Arguments `target` and `output` must have the same rank (ndim). Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    for d1, d2 in zip(target.shape.as_list(), output.shape.as_list()):
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: "
                             f"target.shape={target.shape}, output.shape={output.shape}")


def _get_logits(output, from_logits: bool, op_type: str, fn_name: str):
    """In a graph, an output made by a ``Sigmoid``/``Softmax`` op is replaced by that op's input."""
    if isinstance(output, SymbolicTensor) and output.op.type == op_type:
        if from_logits:
            warnings.warn(f'"`{fn_name}` received `from_logits=True`, but the `output` argument was produced by '
                          f"a {op_type} activation and thus does not represent logits. Was this intended?",
                          stacklevel=3)
        return output.op.inputs[0], True
    return output, from_logits


# -- the classes ---------------------------------------------------------------------------------------------
class BinaryCrossentropy(LossFunctionWrapper):
    """Cross entropy of 0/1 labels and predicted probabilities (or logits, with ``from_logits=True``).

    Args:
      from_logits: ``y_pred`` holds logits, not probabilities (default False).
      label_smoothing: in [0, 1]; labels become ``y·(1 - s) + 0.5·s`` (default 0).
      axis: the axis averaged per sample (default -1).
      reduction, name (default ``"binary_crossentropy"``), dtype: as for every loss.

    >>> import tinyflow as tf
    >>> round(float(tf.keras.losses.BinaryCrossentropy()([[0.0, 1.0]], [[0.4, 0.6]])), 4)
    0.5108
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name: str = "binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross entropy of one-hot labels and predicted class probabilities (or logits).

    Args:
      from_logits: ``y_pred`` holds logits (default False).
      label_smoothing: in [0, 1]; labels become ``y·(1 - s) + s / num_classes`` (default 0).
      axis: the class axis (default -1).
      reduction, name (default ``"categorical_crossentropy"``), dtype: as for every loss.

    >>> import tinyflow as tf
    >>> round(float(tf.keras.losses.CategoricalCrossentropy()([[0, 1, 0]], [[0.05, 0.95, 0.0]])), 4)
    0.0513
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name: str = "categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross entropy of integer labels and predicted class probabilities (or logits).

    Args:
      from_logits: ``y_pred`` holds logits (default False).
      ignore_class: a label value whose samples get loss 0 (default None).
      reduction, name (default ``"sparse_categorical_crossentropy"``), dtype: as for every loss.

    >>> import tinyflow as tf
    >>> round(float(tf.keras.losses.SparseCategoricalCrossentropy()([1], [[0.05, 0.95, 0.0]])), 4)
    0.0513
    """

    def __init__(self, from_logits: bool = False, ignore_class=None, reduction="sum_over_batch_size",
                 name: str = "sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class)
        self.from_logits, self.ignore_class = from_logits, ignore_class
