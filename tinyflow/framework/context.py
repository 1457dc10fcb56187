"""Which mode are we in? Eager by default; graph mode inside ``Graph.as_default()``,
after ``compat.v1.disable_eager_execution()``, and while ``function`` traces.

This module holds the little global state the three modes share: the stack of
default graphs, the active gradient tapes and the eager switch.

>>> import tinyflow as tf
>>> tf.executing_eagerly()
True
"""
from __future__ import annotations

import contextlib

_eager_enabled = True
graph_stack: list = []  # graphs entered with as_default(), innermost last
tape_stack: list = []  # active GradientTapes that are recording, innermost last
_global_graph = None
eager_now = True  # == executing_eagerly(); kept as a flag because every eager op reads it


def _update() -> None:
    global eager_now
    eager_now = not graph_stack and _eager_enabled


def push_graph(g) -> None:
    graph_stack.append(g)
    _update()


def pop_graph() -> None:
    graph_stack.pop()
    _update()


def executing_eagerly() -> bool:
    """True when ops run at once (TF2's default), False while building a graph."""
    return not graph_stack and _eager_enabled


def building_graph():
    """The graph new ops go into, or None when executing eagerly."""
    if graph_stack:
        return graph_stack[-1]
    if _eager_enabled:
        return None
    return get_default_graph()


def get_default_graph():
    """The innermost graph entered with ``as_default()``, else the global default graph."""
    global _global_graph
    if graph_stack:
        return graph_stack[-1]
    if _global_graph is None:
        from tinyflow.framework.graph import Graph  # noqa: PLC0415  (cycle: graph imports context)

        _global_graph = Graph()
    return _global_graph


def reset_default_graph() -> None:
    """Start a fresh global default graph (``tf.compat.v1.reset_default_graph``)."""
    global _global_graph
    if graph_stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs.")
    _global_graph = None


def disable_eager_execution() -> None:
    """Switch to TF1 behaviour: ops build the default graph and run in a Session."""
    global _eager_enabled
    _eager_enabled = False
    _update()


def enable_eager_execution() -> None:
    global _eager_enabled
    _eager_enabled = True
    _update()


@contextlib.contextmanager
def init_scope():
    """Leave every graph being built, as TF's ``init_scope`` does: variables created
    while a ``function`` traces are lifted out and made eagerly."""
    saved = graph_stack[:]
    graph_stack.clear()
    saved_tapes = tape_stack[:]
    tape_stack.clear()
    _update()
    try:
        yield
    finally:
        graph_stack[:] = saved
        tape_stack[:] = saved_tapes
        _update()
