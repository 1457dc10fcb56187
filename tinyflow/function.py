"""``tf.function``: trace Python into a graph once per input signature, then run the plan.

Calling a ``Function`` computes a *signature key* from its arguments — dtype and
shape for tensors, the value itself for Python scalars, identity for other
objects. A new key means a new trace: the Python body runs once with symbolic
placeholders, building a :class:`FuncGraph`; Python side effects (``print``)
happen only then. Every call runs the traced graph through the same
:class:`~tinyflow.framework.plan.Plan` executor a ``Session`` uses.

>>> import tinyflow as tf
>>> @tf.function
... def f(x):
...     print("tracing")
...     return x * x
>>> f(tf.constant(2.0)).numpy()
tracing
4.0
>>> f(tf.constant(3.0)).numpy(), f.experimental_get_tracing_count()
(9.0, 1)
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from tinyflow import backend, config, nest
from tinyflow.framework import context, dtypes
from tinyflow.framework.dispatch import EAGER_CONTEXT, apply_op, convert_to_tensor
from tinyflow.framework.graph import Graph
from tinyflow.framework.plan import Plan
from tinyflow.framework.registry import OPS
from tinyflow.framework.tensor import EagerTensor, SymbolicTensor, Tensor
from tinyflow.framework.tensor_shape import TensorShape


class TensorSpec:
    """Describes a tensor argument: ``TensorSpec(shape=[None, 3], dtype=tf.float32)``."""

    def __init__(self, shape, dtype=dtypes.float32, name: str | None = None):
        self.shape = TensorShape(shape)
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name

    def is_compatible_with(self, value) -> bool:
        return getattr(value, "dtype", None) == self.dtype and self.shape.is_compatible_with(value.shape)

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={self.name!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, TensorSpec) and (self.shape, self.dtype) == (other.shape, other.dtype)

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype))


class FuncGraph(Graph):
    """The graph a ``function`` traces into. Eager tensors used inside become captures."""

    _is_function = True

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.captures: list[tuple[EagerTensor, SymbolicTensor]] = []
        self._capture_ids: dict[int, SymbolicTensor] = {}
        self.created_variables: list = []

    def _capture(self, value: Tensor) -> Tensor:
        if isinstance(value, SymbolicTensor):
            if value.graph is not self:
                raise ValueError(f"{value} belongs to another graph and cannot be used inside the "
                                 f"tf.function '{self.name}'. Pass it as an argument instead.")
            return value
        ph = self._capture_ids.get(id(value))
        if ph is None:
            with self.name_scope(None), self.control_dependencies(None):
                ph = apply_op("Placeholder", [], {"dtype": value.dtype, "shape": value.shape}, name="capture")
            self._capture_ids[id(value)] = ph
            self.captures.append((value, ph))
        return ph

    def _note_variable_created(self, var) -> None:
        self.created_variables.append(var)


class ConcreteFunction:
    """One trace of a ``Function``: a graph plus its compiled plan."""

    def __init__(self, graph: FuncGraph, inputs: list, structured_outputs):
        self.graph = graph
        self.inputs = inputs
        self.structured_outputs = structured_outputs  # symbolic tensors and Python values, as returned
        self._output_leaves = nest.flatten(structured_outputs)
        self.outputs = [t for t in self._output_leaves if isinstance(t, SymbolicTensor)]
        effects = [op for op in graph.get_operations() if OPS[op.type].side_effects]
        feeds = inputs + [ph for _, ph in graph.captures]
        self._plan = Plan(graph, self.outputs, effects, feeds, ctx=EAGER_CONTEXT)

    @property
    def captured_inputs(self) -> list:
        return [c for c, _ in self.graph.captures]

    def __call__(self, *args, **kwargs):
        xp = backend.xp
        values = [_array_of(x, xp) for x in nest.flatten((args, kwargs)) if _is_tensor_arg(x)]
        values += [c._value for c, _ in self.graph.captures]
        results = iter(self._plan.run(values))
        flat = [EagerTensor(next(results)) if isinstance(leaf, SymbolicTensor) else leaf
                for leaf in self._output_leaves]
        return nest.pack_sequence_as(self.structured_outputs, flat)


class Function:
    """A Python function compiled to graphs on demand. Created by :func:`function`."""

    def __init__(self, python_function, input_signature=None, autograph: bool = True, jit_compile=None,
                 reduce_retracing: bool = False, name: str | None = None):
        self._python_function = python_function
        self._input_signature = list(input_signature) if input_signature is not None else None
        self._autograph = autograph
        self._cache: dict = {}
        self._tracing_count = 0
        self._bound: dict[int, Function] = {}
        self.__name__ = name or getattr(python_function, "__name__", "function")
        functools.update_wrapper(self, python_function, updated=())

    @property
    def python_function(self):
        return self._python_function

    def _converted(self):
        if not self._autograph:
            return self._python_function
        from tinyflow.autograph import convert  # noqa: PLC0415

        return convert(self._python_function)

    def __get__(self, instance, owner):
        if instance is None:
            return self
        bound = self._bound.get(id(instance))
        if bound is None:
            bound = Function(functools.partial(self._python_function, instance), self._input_signature,
                             self._autograph, name=self.__name__)
            bound._python_function.__name__ = self.__name__  # type: ignore[attr-defined]
            self._bound[id(instance)] = bound
        return bound

    def __call__(self, *args, **kwargs):
        if context.building_graph() is not None:  # called while tracing: inline the Python body
            return self._converted()(*args, **kwargs)
        if config.functions_run_eagerly():
            return self._python_function(*args, **kwargs)
        if context.tape_stack:
            # NOTE: a GradientTape outside is recording. TF records one call op whose gradient is
            # built from the traced graph; tinyflow instead runs the Python body eagerly, so the tape
            # sees every op (same numbers; the graph's speed is given up only under a tape).
            return self._converted()(*args, **kwargs)
        args = self._apply_signature(args)
        key = _signature_key((args, kwargs))
        concrete = self._cache.get(key)
        if concrete is None:
            concrete = self._cache[key] = self._trace(args, kwargs)
        return concrete(*args, **kwargs)

    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The trace for these arguments (tracing now if needed)."""
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        args = self._apply_signature(args)
        key = _signature_key((args, kwargs))
        if key not in self._cache:
            self._cache[key] = self._trace(args, kwargs)
        return self._cache[key]

    def experimental_get_tracing_count(self) -> int:
        """How many times the Python body has been traced."""
        return self._tracing_count

    def _apply_signature(self, args: tuple) -> tuple:
        sig = self._input_signature
        if sig is None:
            return args
        if len(args) != len(sig):
            raise TypeError(f"{self.__name__}() takes {len(sig)} positional arguments as given by its "
                            f"input_signature, got {len(args)}.")
        out = []
        for i, (a, spec) in enumerate(zip(args, sig)):
            if isinstance(a, TensorSpec):
                out.append(a)
                continue
            t = a if isinstance(a, Tensor) else EagerTensor(np.asarray(a, spec.dtype.as_numpy_dtype))
            if not spec.is_compatible_with(t):
                raise TypeError(f"Binding inputs to tf.function `{self.__name__}` failed: argument {i} is "
                                f"{t.dtype.name} {t.shape}, which does not match {spec}.")
            out.append(_SpecArg(t, spec))
        return tuple(out)

    def _trace(self, args: tuple, kwargs: dict) -> ConcreteFunction:
        graph = FuncGraph(self.__name__)
        leaves = nest.flatten((args, kwargs))
        first_trace = self._tracing_count == 0
        self._tracing_count += 1
        with graph.as_default():
            inputs, symbolic = [], []
            names = self._leaf_names(args, kwargs)
            for i, x in enumerate(leaves):
                if _is_tensor_arg(x):
                    spec = x.spec if isinstance(x, _SpecArg) else (x if isinstance(x, TensorSpec) else None)
                    dtype = spec.dtype if spec else _dtype_of(x)
                    shape = spec.shape if spec else TensorShape(np.shape(x))
                    name = (spec.name if spec and spec.name else None) or names[i]
                    ph = apply_op("Placeholder", [], {"dtype": dtype, "shape": shape}, name=name)
                    inputs.append(ph)
                    symbolic.append(ph)
                else:
                    symbolic.append(x)
            sym_args, sym_kwargs = nest.pack_sequence_as((args, kwargs), symbolic)
            result = self._converted()(*sym_args, **sym_kwargs)
            structured = nest.map_structure(lambda x: _output_leaf(x, graph), result)
        if graph.created_variables and not first_trace:
            raise ValueError(
                f"tf.function '{self.__name__}' only supports singleton tf.Variables created on the first "
                "call. Make sure the tf.Variable is only created once or created outside tf.function."
            )
        return ConcreteFunction(graph, inputs, structured)

    def _leaf_names(self, args: tuple, kwargs: dict) -> list[str]:
        """Placeholder names as TF gives them: the parameter's name (``x``), ``x_1``... inside structures."""
        try:
            params = [p for p in inspect.signature(self._python_function).parameters]
        except (TypeError, ValueError):
            params = []
        names = []
        for i, a in enumerate(args):
            base = params[i] if i < len(params) and params[i].isidentifier() else f"args_{i}"
            n = len(nest.flatten(a))
            nested = isinstance(a, list | tuple | dict)
            names += [f"{base}_{j}" for j in range(n)] if nested else [base]
        for k in sorted(kwargs):
            nested = isinstance(kwargs[k], list | tuple | dict)
            names += [f"{k}_{j}" for j in range(len(nest.flatten(kwargs[k])))] if nested else [k]
        return names

    def __repr__(self) -> str:
        return f"<tinyflow.function {self.__name__} (traced {self._tracing_count} times)>"


def function(func=None, input_signature=None, autograph: bool = True, jit_compile=None,
             reduce_retracing: bool = False, experimental_compile=None, name: str | None = None):
    """Compile ``func`` into a graph-backed callable. Usable as ``@tf.function`` or ``@tf.function(...)``."""
    if func is None:
        return functools.partial(function, input_signature=input_signature, autograph=autograph,
                                 jit_compile=jit_compile, reduce_retracing=reduce_retracing, name=name)
    return Function(func, input_signature, autograph, jit_compile, reduce_retracing, name)


# -- argument and output plumbing ----------------------------------------------------------------
class _SpecArg:
    """An argument bound to an input_signature spec (keys the cache by the spec, not the shape)."""

    __slots__ = ("value", "spec")

    def __init__(self, value, spec):
        self.value, self.spec = value, spec


def _is_tensor_arg(x) -> bool:
    return isinstance(x, EagerTensor | np.ndarray | _SpecArg | TensorSpec)


def _dtype_of(x):
    return x.dtype if isinstance(x, EagerTensor) else dtypes.from_numpy(np.asarray(x).dtype)


def _array_of(x, xp):
    if isinstance(x, _SpecArg):
        x = x.value
    if isinstance(x, EagerTensor):
        return x._value
    return xp.asarray(x)


def _signature_key(x):
    if isinstance(x, _SpecArg):
        return ("S", x.spec)
    if isinstance(x, TensorSpec):  # a fully known spec is the same signature as a tensor of that shape
        if x.shape.is_fully_defined():
            return ("T", x.dtype, tuple(x.shape.as_list()))
        return ("S", x)
    if isinstance(x, EagerTensor):
        return ("T", x.dtype, x._value.shape)
    if isinstance(x, np.ndarray):
        return ("T", dtypes.from_numpy(x.dtype), x.shape)
    if isinstance(x, list | tuple):
        return (type(x).__name__, tuple(_signature_key(v) for v in x))
    if isinstance(x, dict):
        return ("dict", tuple((k, _signature_key(x[k])) for k in sorted(x)))
    if isinstance(x, SymbolicTensor):
        raise TypeError(f"A graph tensor ({x.name}) was passed to a tf.function from outside its graph.")
    try:
        hash(x)
        return ("P", type(x), x)
    except TypeError:
        return ("O", id(x))  # unhashable objects (models, variables) are keyed by identity


def _output_leaf(x, graph):
    """A returned leaf as the trace keeps it: a tensor of ``graph``, or a Python value returned as is."""
    if hasattr(x, "_graph_handle"):  # a Variable: return its value
        x = x.value()
    if isinstance(x, bool | int | float | np.generic):
        x = convert_to_tensor(x)  # TF returns Python numbers from a function as tensors
    if isinstance(x, EagerTensor):
        x = apply_op("Identity", [graph._capture(x)])
    if isinstance(x, SymbolicTensor) and x.graph is not graph:
        raise ValueError(
            f"The tensor {x.name} cannot be accessed here: it is defined in another function or code "
            "block. Use return values, explicit Python locals or TensorFlow collections to access it.")
    return x
