"""Sorting: ``tf.math.top_k``, ``tf.sort`` and ``tf.argsort``, all built on one op, TopKV2.

TopKV2 returns the k largest entries along the last axis and their positions. Sorting ascending
is top_k of ``-x``; sorting along another axis transposes it to the end and back. The gradient of
the values scatters the incoming gradient back to the positions the values came from.

>>> import tinyflow as tf
>>> tf.sort(tf.constant([3, 1, 2])).numpy(), tf.argsort(tf.constant([3, 1, 2])).numpy()
(array([1, 2, 3], dtype=int32), array([1, 2, 0], dtype=int32))
"""
from __future__ import annotations

import builtins
import collections

from tinyflow.framework import dtypes
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import ShapeError, register_gradient, register_op
from tinyflow.framework.tensor_shape import TensorShape
from tinyflow.ops import math_ops
from tinyflow.ops._shape_util import _axis, _int
from tinyflow.ops.array_ops import transpose
from tinyflow.ops.indexing_ops import _scatter_add_like

__all__ = ["argsort", "sort"]  # top_k is tf.math.top_k / tf.nn.top_k, not a top-level name

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def _top_k_kernel(xp, x, k, sorted):  # noqa: A002  (TF's attr name)
    k = x.shape[-1] if k is None else k
    if x.shape[-1] < k:
        raise ValueError(f"input must have at least k columns. Had {x.shape[-1]}, needed {k}")
    key = -x.astype(xp.int64) if x.dtype.kind in "ub" else -x  # argsort(-x) = largest first
    order = xp.argsort(key, axis=-1, kind="stable")[..., :k]  # ties: the lower index first, as in TF
    return xp.take_along_axis(x, order, axis=-1), order.astype(xp.int32)


def _top_k_shape(x, k, sorted):  # noqa: A002
    if x.shape.rank is None:
        return [(TensorShape(None), x.dtype), (TensorShape(None), dtypes.int32)]
    if x.shape.rank == 0:
        raise ShapeError("input must be >= 1-D, got shape []")
    n = x.shape[-1]
    if k is not None and n is not None and n < k:
        raise ShapeError(f"input must have at least k columns. Had {n}, needed {k}")
    out = x.shape[:-1].concatenate([n if k is None else k])
    return [(out, x.dtype), (out, dtypes.int32)]


# k=None (tinyflow only): the whole last axis, for sort/argsort when its length is known only at run time
register_op("TopKV2", kernel=_top_k_kernel, shape=_top_k_shape, num_outputs=2)


@register_gradient("TopKV2")
def _top_k_grad(op, grad_values, grad_indices):
    x, r = op.inputs[0], op.inputs[0].shape.rank  # values = gather(x, indices, axis=r-1, batch_dims=r-1)
    return [_scatter_add_like(grad_values, op.outputs[1], x, axis=r - 1, batch_dims=r - 1)]


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """The ``k`` largest entries along the last axis, largest first, and their indices (ties: lower
    index first). Returns a namedtuple ``(values, indices)``.

    >>> import tinyflow as tf
    >>> tf.math.top_k(tf.constant([1.0, 5.0, 3.0]), k=2).indices.numpy()
    array([1, 2], dtype=int32)
    """
    attrs = {"k": None if k is None else _int(k, "k"), "sorted": bool(sorted)}
    values, indices = apply_op("TopKV2", [input], attrs, name=name or "TopKV2")
    return TopKV2(values, indices if index_type == dtypes.int32 else math_ops.cast(indices, index_type))


def _sorted_along(values, axis, direction):
    """(sorted values, indices) along ``axis``: move it last, take top_k of everything, move back."""
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"direction should be one of ASCENDING or DESCENDING. Received: direction={direction}")
    x = convert_to_tensor(values)
    r = x.shape.rank
    if r is None:
        raise ValueError("sort needs a tensor of known rank.")
    a = _axis(_int(axis, "axis"), r)
    perm = [i for i in builtins.range(r) if i != a] + [a]
    if a != r - 1:
        x = transpose(x, perm)
    if direction == "ASCENDING":  # smallest first = largest of the flipped values first
        flipped = x.dtype.max - x if x.dtype.is_unsigned else -x
        v, i = top_k(flipped, k=None if x.shape[-1] is None else x.shape[-1])
        v = x.dtype.max - v if x.dtype.is_unsigned else -v
    else:
        v, i = top_k(x, k=None if x.shape[-1] is None else x.shape[-1])
    if a != r - 1:
        back = [perm.index(j) for j in builtins.range(r)]
        v, i = transpose(v, back), transpose(i, back)
    return v, i


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """``values`` sorted along ``axis`` (differentiable: the gradient follows each value back)."""
    return _sorted_along(values, axis, direction)[0]


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The int32 indices that sort ``values`` along ``axis``. Ties keep their order (always stable)."""
    return _sorted_along(values, axis, direction)[1]
