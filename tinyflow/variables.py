"""``Variable``: mutable state that survives across steps (weights, counters).

In eager mode a variable holds its array. In a ``compat.v1`` graph it is a node
whose value lives in each ``Session`` and must be initialized there first. A
variable created while a ``function`` traces is lifted out and made eagerly, as
TensorFlow does, so it exists once, not once per trace.

>>> import tinyflow as tf
>>> v = tf.Variable([1.0, 2.0])
>>> v.assign_add([1.0, 1.0]).numpy()
array([2., 3.], dtype=float32)
"""
from __future__ import annotations

import weakref

import numpy as np

from tinyflow import backend
from tinyflow.framework import context, dtypes
from tinyflow.framework.dispatch import EAGER_CONTEXT, apply_op, convert_to_tensor
from tinyflow.framework.registry import OPS, ShapeError
from tinyflow.framework.tensor import EagerTensor, Tensor
from tinyflow.framework.tensor_shape import TensorShape

GLOBAL_VARIABLES = "variables"
TRAINABLE_VARIABLES = "trainable_variables"


class Variable:
    """A tensor-like value that ops can read and ``assign`` can change.

    Args:
      initial_value: a tensor, array, Python value, or a callable returning one.
      trainable: watched by tapes and collected by ``trainable_variables`` (default True).
      name: name of the variable (default ``"Variable"``).
      dtype: convert the initial value to this dtype.
      shape: the static shape; ``None`` dims let ``assign`` change the size.
    """

    def __init__(self, initial_value=None, trainable: bool = True, validate_shape: bool = True,
                 name: str | None = None, dtype=None, shape=None, constraint=None, **unused):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        self.trainable = bool(trainable)
        self.constraint = constraint
        self._handles: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        graph = context.building_graph()
        if graph is not None and getattr(graph, "_is_function", False):
            graph._note_variable_created(self)  # lifted out of the function, like TF's init_scope
            graph = None
        if graph is None:
            with context.init_scope():
                self._init_eager(initial_value, name, dtype, shape)
        else:
            self._init_graph(graph, initial_value, name, dtype, shape)

    # -- creation ----------------------------------------------------------------------------
    def _init_eager(self, initial_value, name, dtype, shape) -> None:
        if callable(initial_value):
            initial_value = initial_value()
        t = convert_to_tensor(initial_value, dtype=dtype) if not isinstance(initial_value, Tensor) \
            else initial_value
        if dtype is not None and t.dtype is not dtypes.as_dtype(dtype):
            from tinyflow.ops.math_ops import cast  # noqa: PLC0415

            t = cast(t, dtype)
        self._graph = None
        self._value = t._value
        self.dtype = t.dtype
        self._shape = TensorShape(shape) if shape is not None else t.shape
        self._name = (name or "Variable") + ":0"
        self._initial_value = t
        self.initializer = None

    def _init_graph(self, graph, initial_value, name, dtype, shape) -> None:
        with graph.name_scope(name or "Variable") as scope:  # "Variable", then "Variable_1", ...
            if callable(initial_value):
                initial_value = initial_value()
            init = convert_to_tensor(initial_value, dtype=dtype)
            self._graph = graph
            self.dtype = init.dtype
            self._shape = TensorShape(shape) if shape is not None else init.shape
            self._name = scope[:-1] + ":0"
            attrs = {"var": self, "shape": self._shape, "dtype": self.dtype}
            handle = apply_op("VarHandleOp", [], attrs, name=scope)  # named exactly like the scope
            self._handles[graph] = handle
            self.initializer = apply_op("AssignVariableOp", [handle, init], name="Assign").op
            self._initial_value = init
        graph.add_to_collection(GLOBAL_VARIABLES, self)
        if self.trainable:
            graph.add_to_collection(TRAINABLE_VARIABLES, self)

    # -- properties --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def initial_value(self):
        return self._initial_value

    @property
    def graph(self):
        return self._graph

    @property
    def op(self):
        return self._graph_handle(self._graph).op if self._graph is not None else None

    @property
    def device(self) -> str:
        return ""

    # -- reading -----------------------------------------------------------------------------
    def _graph_handle(self, graph) -> Tensor:
        """The tensor standing for this variable inside ``graph`` (made once per graph)."""
        h = self._handles.get(graph)
        if h is None:
            if self._graph is not None and graph is not self._graph:
                raise ValueError(f"Variable {self.name} belongs to another graph; it cannot be used here. "
                                 "Create the variable inside the graph that uses it.")
            with graph.name_scope(None), graph.control_dependencies(None):
                h = apply_op("VarHandleOp", [], {"var": self, "shape": self._shape, "dtype": self.dtype},
                             name=self._name.split(":")[0].split("/")[-1])
            self._handles[graph] = h
        return h

    def _tape_handle(self):
        g = context.building_graph()
        return self if g is None else self._graph_handle(g)

    def _as_tensor(self, dtype=None) -> Tensor:
        if dtype is not None and dtypes.as_dtype(dtype) is not self.dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for variable "
                             f"{self.name} with dtype {self.dtype.name}")
        return self.value()

    def value(self) -> Tensor:
        """The current value, as a tensor (an op that reads it, in a graph)."""
        g = context.building_graph()
        if g is None:
            if self._graph is not None:
                raise RuntimeError(f"Variable {self.name} belongs to a graph: read it with sess.run().")
            t = EagerTensor(self._value, self.dtype)
            if context.tape_stack:
                for tape in context.tape_stack:
                    tape._variable_accessed(self, self)
                    tape._eager_read(self, t)  # the tape treats t as the variable; no op is recorded
            return t
        handle = self._graph_handle(g)
        for tape in context.tape_stack:
            tape._variable_accessed(self, handle)
        return apply_op("ReadVariableOp", [handle], name="ReadVariableOp")

    read_value = value

    def numpy(self):
        if self._graph is not None:
            raise NotImplementedError("numpy() is only available for eager variables; use sess.run(v).")
        return EagerTensor(self._value, self.dtype).numpy()

    def __array__(self, dtype=None, copy=None):
        v = backend.to_numpy(self._value) if self._graph is None else self.numpy()
        return v if dtype is None else v.astype(dtype)

    def eval(self, session=None):
        return self.value().eval(session=session)

    # -- writing -----------------------------------------------------------------------------
    def _update(self, op_type: str, inputs: list, name: str, read_value: bool):
        """Run one of the registered update ops on this variable. Eagerly the op's own shape rule and
        kernel run at once on the Variable (the run context writes its value); in a graph it is a node."""
        inputs = [convert_to_tensor(t, dtype=self.dtype) for t in inputs]
        g = context.building_graph()
        if g is None and self._graph is None:
            opdef = OPS[op_type]
            if inputs[-1]._value.shape != self._value.shape:  # as in apply_op: the shape rule runs only
                try:                                           # when something looks off (None dims allow it)
                    opdef.shape(self, *inputs)
                except ShapeError as e:
                    raise ValueError(f"{e} (variable {self.name})") from None
            opdef.kernel(backend.xp, self, *[t._value for t in inputs], ctx=EAGER_CONTEXT)
            return self if read_value else None
        out = apply_op(op_type, [self._graph_handle(g), *inputs], name=name)
        return out if read_value else out.op

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Set the value: ``v.assign(x)`` (returns the variable in eager mode, a tensor in a graph)."""
        return self._update("AssignVariableOp", [value], name or "AssignVariableOp", read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """``v += delta``."""
        return self._update("AssignAddVariableOp", [delta], name or "AssignAddVariableOp", read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """``v -= delta``."""
        return self._update("AssignSubVariableOp", [delta], name or "AssignSubVariableOp", read_value)

    def _apply_gradient_descent(self, alpha, delta):
        """``self -= alpha * delta`` in one step (TF's ResourceApplyGradientDescent); used by optimizers."""
        return self._update("ResourceApplyGradientDescent", [alpha, delta], "ApplyGradientDescent", False)

    def load(self, value, session=None):
        from tinyflow.session import _session_for  # noqa: PLC0415

        _session_for(session, None)._store_value(self, np.asarray(value, self.dtype.as_numpy_dtype))

    # -- Python protocol -----------------------------------------------------------------------
    __hash__ = None  # type: ignore[assignment]  # TF2: variables are unhashable, use .ref()

    def ref(self):
        from tinyflow.framework.tensor import _TensorRef  # noqa: PLC0415

        return _TensorRef(self)

    def __repr__(self) -> str:
        if self._graph is not None:
            return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"
        v = self.numpy()
        shown = repr(v) if np.ndim(v) else str(v)
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}, numpy={shown}>"

    def __bool__(self) -> bool:
        return bool(self.value())

    def __float__(self) -> float:
        return float(self.numpy())

    def __int__(self) -> int:
        return int(self.numpy())

    def __len__(self) -> int:
        return len(self.value())

    def __iter__(self):
        return iter(self.value())

    def __format__(self, spec):
        return format(self.value(), spec)

    __array_priority__ = 100
    __add__, __radd__, __sub__, __rsub__ = Tensor.__add__, Tensor.__radd__, Tensor.__sub__, Tensor.__rsub__
    __mul__, __rmul__, __truediv__, __rtruediv__ = Tensor.__mul__, Tensor.__rmul__, Tensor.__truediv__, \
        Tensor.__rtruediv__
    __floordiv__, __rfloordiv__, __mod__ = Tensor.__floordiv__, Tensor.__rfloordiv__, Tensor.__mod__
    __pow__, __rpow__, __matmul__, __rmatmul__ = Tensor.__pow__, Tensor.__rpow__, Tensor.__matmul__, \
        Tensor.__rmatmul__
    __neg__, __abs__, __getitem__ = Tensor.__neg__, Tensor.__abs__, Tensor.__getitem__
    __lt__, __le__, __gt__, __ge__ = Tensor.__lt__, Tensor.__le__, Tensor.__gt__, Tensor.__ge__
    __eq__, __ne__ = Tensor.__eq__, Tensor.__ne__  # type: ignore[assignment]
    __and__, __or__, __invert__ = Tensor.__and__, Tensor.__or__, Tensor.__invert__


def global_variables(scope=None) -> list:
    return context.get_default_graph().get_collection(GLOBAL_VARIABLES, scope)


def trainable_variables(scope=None) -> list:
    return context.get_default_graph().get_collection(TRAINABLE_VARIABLES, scope)


def variables_initializer(var_list, name: str = "init"):
    """One op that runs the initializers of ``var_list``."""
    from tinyflow.ops.base_ops import group  # noqa: PLC0415

    return group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer():
    """``tf.compat.v1.global_variables_initializer()``: initialize every variable of the graph."""
    return variables_initializer(global_variables(), name="init")
