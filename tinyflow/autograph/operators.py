"""The run-time half of AutoGraph: what converted code calls (as ``ag__.if_stmt(...)`` etc.).

Every converted statement decides *when it runs* whether it is Python or graph control
flow: ``if_stmt`` checks whether its condition is a tensor. A Python condition runs the
branch as plain Python (so ``if training:`` with a Python bool stays a Python ``if``); a
tensor condition becomes ``tf.cond``. Loops likewise become ``tf.while_loop``.

The converted code passes each statement as small functions: the branch or loop body,
plus ``get_state``/``set_state``, which read and write the local variables the statement
modifies (its *state*). Tensor control flow threads the state through the op: the state
goes in as loop variables (or comes out of both branches) and ``set_state`` stores the
results back into the Python variables.

>>> from tinyflow.autograph import operators as ag__
>>> ag__.and_(lambda: 0, lambda: 1 / 0)  # Python values keep Python's short-circuit
0
"""
from __future__ import annotations

import builtins
import functools
import inspect
import os
import sys
import sysconfig

from tinyflow.framework.tensor import SymbolicTensor, Tensor


class Undefined:
    """The value of a variable that was not assigned yet (its name is kept for error messages)."""

    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name: str):
        self.symbol_name = symbol_name

    def __repr__(self) -> str:
        return f"<undefined {self.symbol_name!r}>"

    def __getattr__(self, attr):
        raise AttributeError(f"'{self.symbol_name}' is used before it is assigned (reading .{attr}).")


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")  # tensors and tf.Variables


def _verify_branch(values, symbol_names, branch: str) -> None:
    for name, v in zip(symbol_names, values):
        if isinstance(v, Undefined):
            raise ValueError(f"'{name}' must also be initialized in the {branch} branch")
        if v is None:
            raise ValueError(f"'{name}' is None at the end of the {branch} branch.")


def _verify_loop(values, symbol_names, before: bool) -> None:
    for name, v in zip(symbol_names, values):
        if isinstance(v, Undefined):
            raise ValueError(f"'{name}' must be defined before the loop.")
        if v is None:
            raise ValueError(f"'{name}' may not be None before the loop." if before else
                             f"'{name}' is None at the end of the iteration.")


# -- if ---------------------------------------------------------------------------------------------
def if_stmt(cond, body, orelse, get_state, set_state, symbol_names):
    """``if cond: body() else: orelse()``; a tensor ``cond`` becomes a tf.cond over the state."""
    if not _is_tensor(cond):
        body() if cond else orelse()
        return
    from tinyflow.ops.control_flow_ops import _cond  # noqa: PLC0415  (the op modules import late)

    init = get_state()

    def branch(fn, where):
        def run():
            set_state(init)
            fn()
            out = get_state()
            _verify_branch(out, symbol_names, where)
            return out

        return run

    set_state(_cond(cond, branch(body, "main"), branch(orelse, "else"), "cond", symbol_names=symbol_names))


def if_return(cond, body, orelse):
    """``return body() if cond else orelse()``: an if statement whose both branches end in return."""
    if not _is_tensor(cond):
        return body() if cond else orelse()
    from tinyflow.ops.control_flow_ops import cond as tf_cond  # noqa: PLC0415

    return tf_cond(cond, body, orelse)


def if_exp(cond, body, orelse):
    """The expression ``body() if cond else orelse()``."""
    return if_return(cond, body, orelse)


# -- loops ------------------------------------------------------------------------------------------
def while_stmt(test, body, get_state, set_state, symbol_names):
    """``while test(): body()``; a tensor test becomes a tf.while_loop over the state."""
    cond = test()
    if not _is_tensor(cond):
        while cond:
            body()
            cond = test()
            if isinstance(cond, SymbolicTensor):
                raise NotImplementedError(
                    "This while loop started as a Python loop (its condition was a Python value) but the "
                    f"condition became a tensor ({cond!r}) after an iteration. Make the condition a tensor "
                    "from the start, e.g. initialize the counter with tf.constant(0).")
        return
    _tf_loop(test, body, get_state, set_state, symbol_names, extra=[])


def for_stmt(iter_, body, get_state, set_state, symbol_names):
    """``for x in iter_: body(x)``; a tensor (e.g. ``tf.range(n)``) becomes a tf.while_loop."""
    if isinstance(iter_, _TensorRange):
        start, limit, delta = iter_.args
    elif isinstance(iter_, SymbolicTensor) and iter_.op.type == "Range":
        start, limit, delta = iter_.op.inputs
    elif isinstance(iter_, SymbolicTensor):
        _for_over_tensor(iter_, body, get_state, set_state, symbol_names)
        return
    else:
        for x in iter_:
            body(x)
        return
    from tinyflow.ops import math_ops  # noqa: PLC0415

    def test(i):  # i < limit when counting up, i > limit when counting down
        return math_ops.logical_or(math_ops.logical_and(delta > 0, i < limit),
                                   math_ops.logical_and(delta < 0, i > limit))

    def step(i):
        body(i)
        return i + delta

    _tf_loop(test, step, get_state, set_state, symbol_names, extra=[start])


def _for_over_tensor(iter_, body, get_state, set_state, symbol_names):
    from tinyflow.ops import array_ops, indexing_ops  # noqa: PLC0415

    n = iter_.shape[0] if iter_.shape.rank else None
    if n is None:
        n = array_ops.shape(iter_)[0]

    def step(k):
        body(indexing_ops.gather(iter_, k))
        return k + 1

    _tf_loop(lambda k: k < n, step, get_state, set_state, symbol_names, extra=[0])


def _tf_loop(test, step, get_state, set_state, symbol_names, extra):
    """A tf.while_loop whose loop variables are ``extra`` (a counter, for for-loops) + the state."""
    from tinyflow.framework import context  # noqa: PLC0415
    from tinyflow.ops.while_ops import _eager_while, build_while  # noqa: PLC0415

    init = get_state()
    _verify_loop(init, symbol_names, before=True)
    k = len(extra)  # 1 for a for loop (its counter), 0 for a while loop

    def cond_fn(*values):
        set_state(values[k:])
        return test(*values[:k])

    def body_fn(*values):
        set_state(values[k:])
        counter = step(*values[:k])
        out = get_state()
        _verify_loop(out, symbol_names, before=False)
        return (counter, *out) if k else tuple(out)

    loop_vars = (*extra, *init)
    if context.building_graph() is None:
        final = _eager_while(cond_fn, body_fn, list(loop_vars), None)
    else:
        names = [f"itr{i}" for i in range(k)] + list(symbol_names)
        final = build_while(cond_fn, body_fn, list(loop_vars), None, None, "while", symbol_names=names)
    set_state(tuple(final[k:]))


# -- statements that must stay Python (break, continue, return inside) -----------------------------------
def py_cond(value, reason: str):
    """The condition of an ``if``/``while`` that AutoGraph left as Python; explain if it is a tensor."""
    if isinstance(value, SymbolicTensor):
        raise _not_convertible(reason, f"its condition is a tensor ({value!r})")
    return value


def py_iter(value, reason: str):
    """The iterable of a ``for`` loop that AutoGraph left as Python; explain if it is a tensor."""
    if isinstance(value, SymbolicTensor | _TensorRange):
        raise _not_convertible(reason, f"it iterates over a tensor ({value!r})")
    return value


def _not_convertible(reason: str, why_graph: str) -> NotImplementedError:
    return NotImplementedError(
        f"tinyflow's AutoGraph cannot turn this statement into graph control flow: {reason}, and {why_graph}, "
        "so it would have to become a graph op. TensorFlow's AutoGraph supports this; tinyflow does not yet. "
        "Fix: restructure the code - fold the exit test into the loop condition (`while i < n and not done:`) "
        "instead of `break`/`continue`, and assign a result variable in both branches instead of returning "
        "early, then return it at the end.")


# -- expressions --------------------------------------------------------------------------------------
def and_(*operands):
    """``a and b and ...`` with each operand a thunk: logical_and for tensors, Python otherwise."""
    value = operands[0]()
    for thunk in operands[1:]:
        if _is_tensor(value):
            from tinyflow.ops import math_ops  # noqa: PLC0415

            value = math_ops.logical_and(value, thunk())
        elif not value:
            return value
        else:
            value = thunk()
    return value


def or_(*operands):
    value = operands[0]()
    for thunk in operands[1:]:
        if _is_tensor(value):
            from tinyflow.ops import math_ops  # noqa: PLC0415

            value = math_ops.logical_or(value, thunk())
        elif value:
            return value
        else:
            value = thunk()
    return value


def not_(value):
    if _is_tensor(value):
        from tinyflow.ops import math_ops  # noqa: PLC0415

        return math_ops.logical_not(value)
    return not value


# -- calls: convert user functions on the way, and the builtins that meet tensors ----------------------------
class _TensorRange:
    """``range(n)`` with a tensor argument, in a for loop: iterated by a tf.while_loop."""

    def __init__(self, start, limit, delta):
        from tinyflow.framework.dispatch import convert_to_tensor  # noqa: PLC0415

        args = (start, limit, delta)
        dtype = next(convert_to_tensor(a).dtype for a in args if _is_tensor(a))  # Python ints follow it
        self.args = tuple(convert_to_tensor(a) if _is_tensor(a) else convert_to_tensor(a, dtype=dtype) for a in args)


def _range(*args):
    if not any(_is_tensor(a) for a in args):
        return builtins.range(*args)
    start, limit, delta = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
    return _TensorRange(start, limit, delta)


def _len(x):
    if isinstance(x, SymbolicTensor):
        if x.shape.rank == 0:
            raise ValueError("len requires a non-scalar tensor, got one with shape ()")
        if x.shape.rank is not None and x.shape[0] is not None:
            return x.shape[0]
        from tinyflow.ops import array_ops  # noqa: PLC0415

        return array_ops.shape(x)[0]
    return builtins.len(x)


_BUILTIN_OVERRIDES = {builtins.range: _range, builtins.len: _len}
_LIBRARY_DIRS = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")} |
                      {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))})  # and tinyflow itself


def converted_call(f, args, kwargs):
    """Call ``f(*args, **kwargs)``, converting ``f`` first if it is a user's Python function."""
    kwargs = kwargs or {}
    override = _BUILTIN_OVERRIDES.get(f) if _hashable(f) else None
    if override is not None:
        return override(*args, **kwargs)
    if _is_user_function(f):
        from tinyflow.autograph import convert  # noqa: PLC0415

        f = convert(f)
    return f(*args, **kwargs)


def _hashable(f) -> bool:
    try:
        hash(f)
        return True
    except TypeError:
        return False


def _is_user_function(f) -> bool:
    target = f.__func__ if inspect.ismethod(f) else f.func if isinstance(f, functools.partial) else f
    if not inspect.isfunction(target) or getattr(target, "__ag_converted__", False):
        return False
    module = (getattr(target, "__module__", None) or "").split(".")[0]
    if module in ("tinyflow", "numpy") or module in sys.stdlib_module_names:
        return False
    filename = target.__code__.co_filename
    return not filename.startswith(_LIBRARY_DIRS)
