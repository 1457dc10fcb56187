"""AutoGraph: write ``if``/``while``/``for`` on tensors inside ``tf.function``, get graph control flow.

``tf.function`` traces Python once, so a Python ``if`` on a tensor has nothing to decide
with: the tensor has no value yet. AutoGraph rewrites the function's source first
(``ast`` in, ``ast`` out): each ``if`` becomes a call that picks, *when it runs*, either a
plain Python ``if`` (Python condition) or ``tf.cond`` (tensor condition); loops likewise
become ``tf.while_loop`` when their condition is a tensor (``for i in tf.range(n)`` too).

Limits (TensorFlow supports these; tinyflow does not yet, and says so clearly when the
condition is a tensor): ``break``, ``continue`` and ``return`` inside such a loop, and a
``return`` that is not the last statement of both branches of such an ``if``. Only local
variables carry state through converted statements (not ``self.x`` or ``a[i]``).

>>> import tinyflow as tf
>>> def f(x):
...     if tf.reduce_sum(x) > 0:
...         x = x * x
...     else:
...         x = -x
...     return x
>>> print(tf.function(f)(tf.constant([1.0, -3.0])).numpy())  # sum < 0: x = -x, in a graph
[-1.  3.]
>>> "ag__.if_stmt(" in tf.autograph.to_code(f)  # read the generated code with print(to_code(f))
True
"""
from __future__ import annotations

import functools
import types
import weakref

from tinyflow.autograph import experimental  # noqa: F401
from tinyflow.autograph.converter import ConversionError, convert_function

__all__ = ["convert", "experimental", "set_verbosity", "to_code", "to_graph"]

_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # function -> (converted, source or reason)


def convert(fn):
    """The AutoGraph version of ``fn`` (converted once per function object, then cached).

    Bound methods and ``functools.partial`` objects are converted through their function.
    When the source is not available (a lambda typed at a prompt, a builtin) or the
    function is marked ``do_not_convert``, ``fn`` itself is returned.
    """
    if isinstance(fn, types.MethodType):
        return types.MethodType(convert(fn.__func__), fn.__self__)
    if isinstance(fn, functools.partial):
        converted = convert(fn.func)
        return fn if converted is fn.func else functools.partial(converted, *fn.args, **fn.keywords)
    return _lookup(fn)[0]


def _lookup(fn) -> tuple:
    if not isinstance(fn, types.FunctionType) or getattr(fn, "__ag_do_not_convert__", False) or \
            getattr(fn, "__ag_converted__", False):
        return fn, None
    entry = _cache.get(fn)
    if entry is None:
        try:
            entry = convert_function(fn)
        except ConversionError as e:
            entry = (fn, e)
        _cache[fn] = entry
    return entry


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """The converted function (``tf.autograph.to_graph``); call it inside a graph or tf.function."""
    return convert(entity)


def to_code(entity, recursive=True, experimental_optional_features=None) -> str:
    """The source AutoGraph generates for ``entity`` — read it to see what a ``tf.function`` runs.

    Raises ``ValueError`` (with the reason) when ``entity`` cannot be converted.
    """
    fn = entity.__func__ if isinstance(entity, types.MethodType) else entity
    fn = getattr(fn, "python_function", fn)  # a tf.function: show its Python function
    converted, info = _lookup(fn)
    if not isinstance(info, str):
        raise ValueError(f"AutoGraph could not convert {entity!r}: {info or 'it is marked do_not_convert'}.")
    return info


def set_verbosity(level, alsologtostdout=False) -> None:
    """Accepted for compatibility: tinyflow's AutoGraph does not log."""
