"""Static values: what a shape rule can know about a tensor while the graph is built.

In eager mode every value is known. In a graph, a constant's value is known, and so is the
shape of ``x`` behind ``tf.shape(x)`` (and ``tf.shape(x)[i]``) even though the Shape op only
runs later. These helpers let ops take shape, axis and size arguments as Python values,
eager tensors or graph tensors, and still infer static output shapes.

>>> import tinyflow as tf
>>> from tinyflow.ops._shape_util import _shape_tensor_dims
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
...     _shape_tensor_dims(tf.shape(x)), _shape_tensor_dims(tf.constant([2, 5]))
([None, 3], [2, 5])
"""
from __future__ import annotations

import numpy as np  # host-side only: values known while building

from tinyflow import backend
from tinyflow.framework.registry import ShapeError
from tinyflow.framework.tensor import EagerTensor, Tensor
from tinyflow.framework.tensor_shape import TensorShape


def _fmt(dims) -> str:
    """TF's spelling of a shape in runtime errors: [2,3], [?,3]."""
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _static_value(t):
    """The value of ``t`` as a numpy array if known now (eager tensor, graph constant), else None."""
    if isinstance(t, EagerTensor):
        return t.numpy()
    if getattr(t, "_value", None) is not None:  # an eager input seen by a shape rule
        return backend.to_numpy(t._value)
    op = getattr(t, "op", None)
    if op is not None and op.type == "Const":
        return op.attrs["value"]
    return None


def _dim_source(t):
    """(x, i) if the scalar tensor ``t`` is ``tf.shape(x)[i]`` in a graph, else None."""
    op = getattr(t, "op", None)
    if op is not None and op.type == "StridedSlice" and op.inputs[0].op.type == "Shape" \
            and op.get_attr("shrink_axis_mask") == 1 and len(op.get_attr("begin")) == 1:
        x, i = op.inputs[0].op.inputs[0], op.get_attr("begin")[0]
        if i >= 0 or x.shape.rank is not None:
            return x, i if i >= 0 else i + x.shape.rank
    return None


def _static_dim(t):
    """A scalar int tensor's value if known now; also sees through ``tf.shape(x)[i]``."""
    v = _static_value(t)
    if v is not None:
        return int(v)
    source = _dim_source(t)
    return None if source is None or source[0].shape.rank is None else source[0].shape[source[1]]


def _shape_tensor_dims(t) -> list | None:
    """Known entries of a 1-D shape tensor (None where unknown); None if even its length is unknown.
    Sees through constants, ``tf.shape(x)`` and lists packed by ``tf.stack``."""
    v = _static_value(t)
    if v is not None:
        return [int(d) for d in np.reshape(v, [-1])]
    op = getattr(t, "op", None)
    if op is not None and op.type == "Shape":
        return op.inputs[0].shape.dims
    if op is not None and op.type == "Pack":
        return [_static_dim(d) for d in op.inputs]
    n = t.shape[0] if t.shape.rank == 1 else None
    return None if n is None else [None] * n


def _as_shape(dims) -> TensorShape:
    return TensorShape(None if dims is None else [None if d is None or d < 0 else d for d in dims])


def _axis(axis: int, rank: int | None, extra: int = 0) -> int:
    """Normalise a possibly negative axis for a rank-``rank`` tensor (+``extra`` new axes)."""
    if rank is None:
        if axis < 0:
            raise ShapeError(f"A negative axis ({axis}) needs a tensor of known rank.")
        return axis
    n = rank + extra
    if not -n <= axis < n:
        raise ShapeError(f"Expected axis in the range [{-n}, {n}), but got {axis}")
    return axis % n


def _known(v, what: str):
    """A scalar argument that must be known now: a Python number, an eager scalar or a graph constant."""
    if isinstance(v, Tensor):
        value = _static_value(v)
        if value is None:
            raise TypeError(f"`{what}` must be known while the graph is built (a Python number or a constant); "
                            f"got the graph tensor {v!r}.")
        return value.item()
    return v


def _int(v, what: str) -> int:
    return int(_known(v, what))


def _ints(v, what: str) -> tuple:
    """A list of ints that must be known now: a list (of ints or scalars), an array, or a constant tensor."""
    if isinstance(v, Tensor):
        value = _static_value(v)
        if value is None:
            raise TypeError(f"`{what}` must be known while the graph is built; got the graph tensor {v!r}.")
        v = value
    if hasattr(v, "tolist"):
        v = v.tolist()
    return tuple(_int(d, what) for d in (v if isinstance(v, list | tuple) else [v]))
