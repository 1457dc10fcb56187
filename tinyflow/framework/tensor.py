"""``Tensor``: the value flowing along a graph edge.

Two kinds share one base class, as in TensorFlow 2:

* :class:`EagerTensor` holds an array (``_value``) — what ops return in eager mode;
* :class:`SymbolicTensor` is output ``value_index`` of an :class:`~tinyflow.framework.graph.Operation`
  in a graph — a promise of a value that ``Session.run`` or a ``function`` computes later.

Operators (``+ - * / @ ** -x``, comparisons, ``[]``) are defined once here and call the
public ops, so they build graph nodes or run eagerly depending on the mode.

>>> import tinyflow as tf
>>> print(tf.constant([1, 2, 3]) * 2)
tf.Tensor([2 4 6], shape=(3,), dtype=int32)
"""
from __future__ import annotations

import numpy as np

from tinyflow import backend
from tinyflow.framework import dtypes
from tinyflow.framework.tensor_shape import TensorShape


class Tensor:
    """Base class of eager and symbolic tensors. ``isinstance(x, tf.Tensor)`` is true for both."""

    __slots__ = ("__weakref__",)
    __array_priority__ = 100  # make numpy defer to our operators: np.float32(2) * t -> Tensor

    # shape helpers shared by both kinds
    @property
    def ndim(self) -> int | None:
        return self.shape.rank

    def get_shape(self) -> TensorShape:
        return self.shape

    def ref(self) -> _TensorRef:
        """A hashable reference, for use as a dict key (tensors themselves are unhashable)."""
        return _TensorRef(self)

    __hash__ = None  # type: ignore[assignment]  # TF2: `==` is elementwise, so tensors are unhashable

    # -- operators: each calls a public op, so it works in every mode ------------------------------
    def __add__(self, other):
        return _bin("AddV2", self, other, None, "add")

    def __radd__(self, other):
        return _bin("AddV2", other, self, None, "add")

    def __sub__(self, other):
        return _bin("Sub", self, other, None, "sub")

    def __rsub__(self, other):
        return _bin("Sub", other, self, None, "sub")

    def __mul__(self, other):
        return _bin("Mul", self, other, None, "mul")

    def __rmul__(self, other):
        return _bin("Mul", other, self, None, "mul")

    def __truediv__(self, other):
        return _math.truediv(self, other, name="truediv")

    def __rtruediv__(self, other):
        return _math.truediv(other, self, name="truediv")

    def __floordiv__(self, other):
        return _math.floordiv(self, other, name="floordiv")

    def __rfloordiv__(self, other):
        return _math.floordiv(other, self, name="floordiv")

    def __mod__(self, other):
        return _math.floormod(self, other, name="mod")

    def __pow__(self, other):
        return _math.pow(self, other, name="pow")

    def __rpow__(self, other):
        return _math.pow(other, self, name="pow")

    def __matmul__(self, other):
        return _math.matmul(self, other, name="matmul")

    def __rmatmul__(self, other):
        return _math.matmul(other, self, name="matmul")

    def __neg__(self):
        return _math.negative(self, name="neg")

    def __abs__(self):
        return _math.abs(self, name="Abs")

    def __lt__(self, other):
        return _math.less(self, other, name="Less")

    def __le__(self, other):
        return _math.less_equal(self, other, name="LessEqual")

    def __gt__(self, other):
        return _math.greater(self, other, name="Greater")

    def __ge__(self, other):
        return _math.greater_equal(self, other, name="GreaterEqual")

    def __eq__(self, other):  # type: ignore[override]
        return _math.equal(self, other, name="Equal")

    def __ne__(self, other):  # type: ignore[override]
        return _math.not_equal(self, other, name="NotEqual")

    def __and__(self, other):
        return _math.logical_and(self, other, name="LogicalAnd")

    def __or__(self, other):
        return _math.logical_or(self, other, name="LogicalOr")

    def __invert__(self):
        return _math.logical_not(self, name="LogicalNot")

    def __getitem__(self, key):
        return _array._getitem(self, key)


class EagerTensor(Tensor):
    """A tensor with a value, produced by eager execution.

    >>> import tinyflow as tf
    >>> t = tf.constant([[1.0, 2.0]])
    >>> t.shape, t.dtype, t.numpy().tolist()
    (TensorShape([1, 2]), tf.float32, [[1.0, 2.0]])
    """

    __slots__ = ("_value", "dtype")

    def __init__(self, value, dtype: dtypes.DType | None = None):
        self._value = value
        if dtype is None:  # the dtype's numpy class names it (a dict lookup: this runs for every eager op)
            dtype = dtypes._BY_CLASS.get(type(value.dtype)) or dtypes.from_numpy(value.dtype)
        self.dtype = dtype

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    @property
    def device(self) -> str:
        return "/job:localhost/replica:0/task:0/device:" + (
            "GPU:0" if type(self._value).__module__.startswith("cupy") else "CPU:0"
        )

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    def numpy(self):
        """A numpy copy of the value (a numpy scalar for rank 0, as TF returns)."""
        v = backend.to_numpy(self._value)
        return v[()].copy() if v.ndim == 0 else v.copy()

    def __array__(self, dtype=None, copy=None):
        v = backend.to_numpy(self._value)
        return v if dtype is None else v.astype(dtype)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __index__(self) -> int:
        if not self.dtype.is_integer:
            raise TypeError(f"Only integer tensors can be used as an index, got {self.dtype.name}")
        return int(self._value)

    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(self._value.shape[0]):
            yield self[i]

    def __format__(self, spec: str) -> str:
        if self._value.ndim == 0:
            return format(self._value.item(), spec)
        return format(str(self), spec)

    def __str__(self) -> str:
        body = _np_str(self.numpy())
        sep = "\n" if "\n" in body else ""
        return f"tf.Tensor({sep}{body}, shape={self.shape}, dtype={self.dtype.name})"

    def __repr__(self) -> str:
        return f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={_np_repr(self.numpy())}>"

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class SymbolicTensor(Tensor):
    """Output ``value_index`` of ``op`` in a graph; it has no value until the graph runs.

    >>> import tinyflow as tf
    >>> with tf.Graph().as_default():
    ...     c = tf.constant(2.0) + 1.0
    >>> c
    <tf.Tensor 'add:0' shape=() dtype=float32>
    """

    __slots__ = ("op", "value_index", "dtype", "_shape")

    def __init__(self, op, value_index: int, dtype: dtypes.DType, shape: TensorShape):
        self.op = op
        self.value_index = value_index
        self.dtype = dtype
        self._shape = shape

    @property
    def shape(self) -> TensorShape:
        return self._shape

    # TF1 graphs: tensors are dict keys (feed_dict) and `==` is identity. Inside a
    # tf.function, TF2's rule holds: `==` builds an Equal op.
    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other):  # type: ignore[override]
        if getattr(self.op.graph, "_is_function", False):
            return Tensor.__eq__(self, other)
        return self is other

    def __ne__(self, other):  # type: ignore[override]
        if getattr(self.op.graph, "_is_function", False):
            return Tensor.__ne__(self, other)
        return self is not other

    def set_shape(self, shape) -> None:
        """Refine the static shape (TF's ``set_shape``)."""
        self._shape = self._shape.merge_with(shape)

    @property
    def name(self) -> str:
        return f"{self.op.name}:{self.value_index}"

    @property
    def graph(self):
        return self.op.graph

    @property
    def device(self) -> str:
        return ""

    def consumers(self) -> list:
        return [op for op in self.op.graph.get_operations() if any(t is self for t in op.inputs)]

    def eval(self, feed_dict=None, session=None):
        """Run the default session (or ``session``) to compute this tensor."""
        from tinyflow.session import _session_for  # noqa: PLC0415

        return _session_for(session, self).run(self, feed_dict)

    def numpy(self):
        raise NotImplementedError(
            f"Tensor {self.name} is symbolic: it has no value until the graph runs. "
            "Call sess.run(tensor) in graph mode, or return it from the tf.function."
        )

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(
            f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. This error may indicate "
            "that you're trying to pass a Tensor to a NumPy call, which is not supported."
        )

    def __bool__(self) -> bool:
        raise TypeError(
            "Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. You can attempt the "
            "following resolutions to the problem: If you are running in Graph mode, use Eager execution "
            "mode or decorate this function with @tf.function. If you are using AutoGraph, you can try "
            "decorating this function with @tf.function. If that does not work, then you may be using an "
            "unsupported feature or your source code may not be visible to AutoGraph."
        )

    def __len__(self) -> int:
        raise TypeError(
            f"len is not well defined for a symbolic Tensor ({self.name}). Please call `x.shape` rather "
            "than `len(x)` for shape information."
        )

    def __iter__(self):
        raise TypeError(
            "Iterating over a symbolic `tf.Tensor` is not allowed. You can attempt the following "
            "resolutions to the problem: If you are running in Graph mode, use Eager execution mode or "
            "decorate this function with @tf.function."
        )

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    def __str__(self) -> str:
        return f'Tensor("{self.name}", shape={self.shape}, dtype={self.dtype.name})'


class _TensorRef:
    """What ``Tensor.ref()`` returns: hashes and compares by identity; ``deref()`` gives the tensor."""

    __slots__ = ("_t",)

    def __init__(self, t):
        self._t = t

    def deref(self):
        return self._t

    def __hash__(self) -> int:
        return id(self._t)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _TensorRef) and other._t is self._t


def _np_str(v) -> str:
    return np.array2string(np.asarray(v), separator=" ") if np.ndim(v) else str(v)


def _np_repr(v) -> str:
    return repr(v) if np.ndim(v) else str(v)


# The operators above call into the op modules, which import this module; so the op
# package hands itself over once it is loaded (see tinyflow/ops/__init__.py).
_math = _array = _bin = None


def bind_operator_modules(math_module, array_module, apply_binary) -> None:
    """Called once by ``tinyflow.ops`` so that ``+``, ``*``, ``[]`` ... reach the registered ops."""
    global _math, _array, _bin
    _math, _array, _bin = math_module, array_module, apply_binary
