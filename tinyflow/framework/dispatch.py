"""``apply_op``: the one dispatch point through which every op runs, in every mode.

* **eager** — call the kernel on the input arrays now and wrap the result;
* **graph** (``compat.v1`` graphs, and ``function`` while it traces) — run the shape
  rule and add an :class:`Operation` to the graph; a ``Session`` or a ``function``
  runs it later through the plan executor.

In both modes, active ``GradientTape``\\ s record the op if one of its inputs is watched.

>>> import tinyflow as tf
>>> from tinyflow.framework.dispatch import apply_op
>>> apply_op("AddV2", [tf.constant(1.0), tf.constant(2.0)]).numpy()
3.0
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from tinyflow import backend
from tinyflow.framework import context, dtypes, errors
from tinyflow.framework.registry import OPS, OpDef, ShapeError
from tinyflow.framework.tensor import EagerTensor, SymbolicTensor, Tensor

_NO_ATTRS: dict = {}

# TF returns inf/nan silently where numpy warns (log(0), overflow in exp, 0/0). numpy attributes its
# warning to the Python frame that called the array function, which for every kernel is a tinyflow
# module: this filter silences exactly those, at no cost per op, and leaves the learner's own numpy
# code warning as usual.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"tinyflow(\.|$)")


def apply_op(op_type: str, inputs: list, attrs: dict = _NO_ATTRS, name: str | None = None):
    """Run (eager) or add (graph) one op. Returns a tensor, or a tuple for multi-output ops."""
    opdef = OPS[op_type]
    if not context.eager_now:
        return _graph_apply(context.building_graph(), opdef, _convert_inputs(opdef, inputs, True), attrs, name)
    n = len(inputs)
    if n == 1 and type(inputs[0]) is EagerTensor and (not opdef.allowed or inputs[0].dtype in opdef.allowed_dtypes):
        values = (inputs[0]._value,)  # the common cases need no conversion: one eager input ...
    elif (n == 2 and type(inputs[0]) is EagerTensor and type(inputs[1]) is EagerTensor
          and inputs[0].dtype is inputs[1].dtype and (not opdef.allowed or inputs[0].dtype in opdef.allowed_dtypes)):
        values = (inputs[0]._value, inputs[1]._value)  # ... or two of one allowed dtype
    else:
        inputs = _convert_inputs(opdef, inputs, False)
        values = [t._value for t in inputs]
    try:
        if opdef.stateful:
            out = opdef.kernel(backend.xp, *values, ctx=EAGER_CONTEXT, **attrs)
        elif attrs:
            out = opdef.kernel(backend.xp, *values, **attrs)
        else:
            out = opdef.bound(backend.xp)(*values)
    except Exception as e:  # explain with the shape rule's message, in TF's words
        raise _eager_error(opdef, inputs, attrs, e) from e
    if opdef.num_outputs == 1:
        result = EagerTensor(out)
    else:
        result = tuple(EagerTensor(o) for o in out)
    if context.tape_stack:
        outputs = (result,) if opdef.num_outputs == 1 else result
        _record(_EagerOp(opdef.name, inputs, outputs, attrs), inputs, outputs)
    return result


def apply_binary(op_type: str, x, y, name: str | None, default_name: str):
    """``apply_op`` for the element-wise binary ops, with a short path for the eager common case
    (two eager tensors of one allowed dtype). Everything else takes the general path."""
    if context.eager_now and type(x) is EagerTensor and type(y) is EagerTensor:
        opdef = OPS[op_type]
        dt = x.dtype
        if dt is y.dtype and dt in opdef.allowed_dtypes:
            xv = x._value
            try:
                out = opdef.bound(backend.xp)(xv, y._value)
            except Exception as e:
                raise _eager_error(opdef, [x, y], _NO_ATTRS, e) from e
            result = EagerTensor(out, dt if out.dtype is xv.dtype else None)
            if context.tape_stack:
                _record(_EagerOp(op_type, [x, y], (result,), _NO_ATTRS), [x, y], (result,))
            return result
    return apply_op(op_type, [x, y], name=name or default_name)


# -- conversion --------------------------------------------------------------------------------
def _convert_inputs(opdef: OpDef, inputs: list, graph: bool) -> list:
    target = None
    if opdef.same_dtype:
        for t in inputs:
            if isinstance(t, Tensor) or hasattr(t, "_as_tensor"):
                target = t.dtype
                break
    if graph:  # tensors keep their dtype (a mismatch is reported below, in TF's words)
        out = [convert_to_tensor(t) if isinstance(t, Tensor) or hasattr(t, "_as_tensor")
               else convert_to_tensor(t, dtype=target) for t in inputs]
    else:
        out = inputs
        for t in inputs:
            if type(t) is not EagerTensor:
                out = [t if type(t) is EagerTensor else convert_to_tensor(t, dtype=target) for t in inputs]
                break
    if opdef.same_dtype or opdef.allowed:
        _check_dtypes(opdef, out)
    return out


def _check_dtypes(opdef: OpDef, inputs: list) -> None:
    if opdef.same_dtype and len(inputs) > 1:
        first = inputs[0].dtype
        for i, t in enumerate(inputs[1:], start=1):
            if t.dtype is not first:
                if isinstance(t, EagerTensor):
                    raise errors.InvalidArgumentError(
                        None, None,
                        f"cannot compute {opdef.name} as input #{i}(zero-based) was expected to be a "
                        f"{first._tf_name} tensor but is a {t.dtype._tf_name} tensor [Op:{opdef.name}]",
                    )
                names = ("x", "y") if len(inputs) == 2 else ("input #0", f"input #{i}")
                raise TypeError(
                    f"Input '{names[1]}' of '{opdef.name}' Op has type {t.dtype.name} that does not match "
                    f"type {first.name} of argument '{names[0]}'."
                )
    if opdef.allowed:
        for t in inputs:
            if t.dtype.name not in opdef.allowed:
                msg = (f"Value for attr 'T' of {t.dtype.name} is not in the list of allowed values: "
                       f"{', '.join(opdef.allowed)} ; NodeDef: {{{{node {opdef.name}}}}}; Op<name={opdef.name}>"
                       f" — cast the input first, e.g. tf.cast(x, tf.float32).")
                if isinstance(t, EagerTensor):
                    raise errors.InvalidArgumentError(None, None, msg + f" [Op:{opdef.name}]")
                raise TypeError(msg)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Turn a Python number, list, numpy array, Variable or Tensor into a Tensor.

    Python floats become float32 and ints int32, as in TensorFlow. Tensors are never
    cast: asking for another dtype is an error.

    >>> import tinyflow as tf
    >>> tf.convert_to_tensor([1, 2]).dtype, tf.convert_to_tensor(1.5).dtype
    (tf.int32, tf.float32)
    """
    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    g = context.building_graph()
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                             f"{value.dtype.name}: {value!r}")
        if g is None:
            if isinstance(value, SymbolicTensor):
                raise TypeError(
                    f"{value!r} is a symbolic graph tensor but eager execution is on: graph tensors only "
                    "have values inside a Session.run or a tf.function. Use the tensor inside the graph or "
                    "function that made it."
                )
            return value
        return g._capture(value) if hasattr(g, "_capture") else _same_graph(g, value)
    if hasattr(value, "_as_tensor"):  # Variable and friends
        return value._as_tensor(dtype)
    target = dtype or (dtypes.as_dtype(dtype_hint) if dtype_hint is not None else None)
    if g is None and type(value) in (float, int) and backend.xp is np:
        key = (type(value), value, target)
        t = _SCALARS.get(key)  # Python scalars recur (`x * 2.0`): convert each once
        if t is None:
            if len(_SCALARS) > 4096:
                _SCALARS.clear()
            t = _SCALARS[key] = EagerTensor(_to_array(value, target))
        return t
    array = _to_array(value, target)
    if g is None:
        return EagerTensor(backend.xp.asarray(array) if backend.xp is not np else array)
    return constant_op(g, array, name or "Const")


_SCALARS: dict = {}  # (type, value, dtype) -> EagerTensor; safe because eager tensors are immutable


def _same_graph(g, value: Tensor) -> Tensor:
    if isinstance(value, EagerTensor):
        raise RuntimeError(
            "Attempting to capture an EagerTensor without building a function. An eager tensor made outside "
            "this graph cannot be used inside it; create it with tf.constant inside the graph instead."
        )
    if value.graph is not g:
        raise ValueError(f"{value} must be from the same graph as the other tensors of the op (graphs are "
                         f"{value.graph!r} and {g!r}). Build all of a computation inside one "
                         "`with graph.as_default():` block.")
    return value


def _to_array(value, dtype: dtypes.DType | None) -> np.ndarray:
    if value is None or isinstance(value, str | bytes):
        raise TypeError(f"Attempt to convert a value ({value!r}) with an unsupported type ({type(value)}) "
                        "to a Tensor.")
    if isinstance(value, np.ndarray | np.generic):  # a copy: the caller may change its array later
        return np.array(value, dtype=None if dtype is None else dtype.as_numpy_dtype)
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                        f"({type(value)}) to a Tensor: its elements are not all numbers of one shape.")
    kind = array.dtype.kind
    if dtype is None:
        if kind == "f":
            return array.astype(np.float32)
        if kind in "iu":
            fits = array.size == 0 or (array.min() >= -(2**31) and array.max() < 2**31)
            return array.astype(np.int32 if fits else np.int64)
        return array
    if dtype.is_integer and kind == "f" and not np.all(np.mod(array, 1) == 0):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    if dtype.is_bool and kind != "b":
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype bool")
    return array.astype(dtype.as_numpy_dtype)


def constant_op(g, array: np.ndarray, name: str = "Const") -> SymbolicTensor:
    """Add a ``Const`` node holding ``array`` to graph ``g``."""
    return _graph_apply(g, OPS["Const"], [], {"value": array}, name)


# -- graph mode --------------------------------------------------------------------------------
def _graph_apply(g, opdef: OpDef, inputs: list, attrs: dict, name: str | None):
    node_name = name or opdef.name
    try:
        specs = opdef.shape(*inputs, **attrs)
    except ShapeError as e:
        shapes = ", ".join(t.shape._tf_str() for t in inputs)
        node = g.unique_name(node_name, mark_as_used=False)
        args = ", ".join(t.op.name for t in inputs)
        raise ValueError(f"{e} for '{{{{node {node}}}}} = {opdef.name}[{_attr_str(inputs, attrs)}]({args})' "
                         f"with input shapes: {shapes}.") from None
    if opdef.num_outputs == 1:
        specs = [specs]
    op = g._create_op(opdef.name, inputs, dict(attrs), specs, node_name)
    if context.tape_stack:
        _record(op, inputs, op.outputs)
    return op.outputs[0] if opdef.num_outputs == 1 else tuple(op.outputs)


def _attr_str(inputs: list, attrs: dict) -> str:
    parts = [f"T=DT_{inputs[0].dtype._tf_name.upper()}"] if inputs else []
    for k, v in sorted(attrs.items()):
        if not k.startswith("_") and isinstance(v, bool | numbers.Number | str):
            parts.append(f"{k}={str(v).lower() if isinstance(v, bool) else v}")
    return ", ".join(parts)


# -- eager mode --------------------------------------------------------------------------------
class _EagerOp:
    """What a tape records for an eager op: enough for a gradient function to read."""

    __slots__ = ("type", "inputs", "outputs", "attrs")

    def __init__(self, op_type, inputs, outputs, attrs):
        self.type, self.inputs, self.outputs, self.attrs = op_type, inputs, outputs, attrs

    @property
    def name(self) -> str:
        return self.type

    def get_attr(self, name: str):
        return self.attrs[name]


def _eager_error(opdef: OpDef, inputs: list, attrs: dict, exc: Exception) -> Exception:
    if isinstance(exc, errors.OpError):
        return exc
    shapes = ", ".join(t.shape._tf_str() for t in inputs)
    try:
        opdef.shape(*inputs, **attrs)  # eager tensors have the .shape and .dtype a shape rule reads
    except ShapeError as e:
        if e.eager_message:  # TF's eager kernels word some errors differently
            return errors.InvalidArgumentError(None, None, f"{e.eager_message} [Op:{opdef.name}]")
        return errors.InvalidArgumentError(None, None, f"{e} with input shapes: {shapes} [Op:{opdef.name}]")
    except Exception:  # noqa: BLE001  (fall through to the kernel's own message)
        pass
    return errors.InvalidArgumentError(
        None, None, f"{type(exc).__name__}: {exc} — while computing {opdef.name} with input shapes: {shapes} "
        f"[Op:{opdef.name}]")


class EagerContext:
    """State that stateful kernels touch in eager mode and inside ``function``: variable
    values live in the Variable objects; random generators live here."""

    def __init__(self):
        self.rngs: dict = {}

    def read(self, var):
        return var._value

    def write(self, var, value) -> None:
        var._value = value


EAGER_CONTEXT = EagerContext()


def _record(op, inputs, outputs) -> None:
    for tape in context.tape_stack:
        tape._record(op, inputs, outputs)

