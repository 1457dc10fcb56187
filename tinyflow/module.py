"""``tf.Module``: a named container that finds its variables and submodules by looking at its attributes.

A module owns whatever it stores on ``self``: variables, other modules, and lists, tuples and dicts of
them (nested to any depth). ``variables``, ``trainable_variables`` and ``submodules`` walk those
attributes, so nothing has to be registered by hand. The walk is deterministic, as in TensorFlow:
a module's own attributes in sorted name order (list items in order, dict items in sorted key order),
then each submodule's attributes, depth first. Each object is reported once.

>>> import tinyflow as tf
>>> class Linear(tf.Module):
...     def __init__(self, n_in, n_out, name=None):
...         super().__init__(name=name)
...         self.w = tf.Variable(tf.ones([n_in, n_out]), name="w")
...         self.b = tf.Variable(tf.zeros([n_out]), name="b")
...     def __call__(self, x):
...         return x @ self.w + self.b
>>> class MLP(tf.Module):
...     def __init__(self):
...         super().__init__()
...         self.layers = [Linear(2, 3), Linear(3, 1)]
>>> mlp = MLP()
>>> mlp.name, len(mlp.submodules), [v.name for v in mlp.trainable_variables]
('mlp', 2, ['b:0', 'w:0', 'b:0', 'w:0'])
"""
from __future__ import annotations

import functools
import re

from tinyflow.framework import context

_VALID_IDENTIFIER = re.compile(r"^[a-zA-Z_]([a-zA-Z0-9_])*$")
_IGNORED_ATTRIBUTES = frozenset({"_name_scope_object"})


class Module:
    """Base class of models and layers: a name, a name scope, and attribute tracking.

    Args:
      name: the module's name, a valid Python identifier. Default: the class name in snake case
        (``MyModel`` -> ``"my_model"``).
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not valid_identifier(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid Python "
                             "identifiers (e.g. a valid class name).")
        self._name = name
        self._name_scope_object = _ModuleNameScope(name)

    @property
    def name(self) -> str:
        """The name given at construction (or derived from the class name)."""
        return self._name

    @property
    def name_scope(self) -> _ModuleNameScope:
        """A context manager: ops created inside are named ``"<module name>/<op>"`` in graphs and functions."""
        return self._name_scope_object

    @property
    def variables(self) -> tuple:
        """Every ``tf.Variable`` of this module and its submodules (deterministic order, each once)."""
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self) -> tuple:
        """The variables with ``trainable=True``."""
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and v.trainable))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and not v.trainable))

    @property
    def submodules(self) -> tuple:
        """Every module reachable through attributes (children before grandchildren's children)."""
        return tuple(self._flatten(predicate=_is_module))

    def _flatten(self, recursive: bool = True, predicate=None, with_path: bool = False):
        """Yield the objects reachable from the attributes for which ``predicate`` is true.

        With ``with_path``, yield ``(path, object)`` where path is a tuple of attribute names and
        list indices / dict keys, e.g. ``("layers", 0, "w")``.
        """
        predicate = predicate or (lambda _: True)
        return _flatten_module(self, recursive, predicate, with_path, path=(), seen={id(self)}, stack=[])

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: run ``method`` inside ``self.name_scope``."""

        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)

        return wrapped

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object named {self.name!r}>"


class _ModuleNameScope:
    """A reusable name scope: ``with module.name_scope:`` may be entered any number of times.

    Eager execution has no op names, so it does nothing there. In a graph (or a ``tf.function``
    trace) it opens the scope ``"<name>/"`` once per graph and reuses it afterwards, as TF does.
    """

    def __init__(self, name: str):
        self._name = name
        self._scopes: dict = {}  # graph id -> absolute scope string
        self._stack: list = []

    def __enter__(self) -> str:
        g = context.building_graph()
        if g is None:
            self._stack.append(None)
            return self._name + "/"
        scope = self._scopes.get(id(g))
        if scope is None:
            with g.name_scope(self._name) as scope:
                pass  # reserve a unique scope name in this graph ("dense", then "dense_1" ...)
            self._scopes[id(g)] = scope
        cm = g.name_scope(scope)  # an absolute scope ("name/") is reused as is
        self._stack.append(cm)
        return cm.__enter__()

    def __exit__(self, *exc) -> None:
        cm = self._stack.pop()
        if cm is not None:
            cm.__exit__(*exc)


# -- the attribute walk ---------------------------------------------------------------------------
def _is_variable(obj) -> bool:
    from tinyflow.variables import Variable  # noqa: PLC0415  (module.py is imported by keras early)

    return isinstance(obj, Variable)


def _is_module(obj) -> bool:
    return isinstance(obj, Module)


def _leaves(value, path: tuple):
    """(path, leaf) pairs of a nested list/tuple/dict value; dicts in sorted key order (TF's nest)."""
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _leaves(v, path + (i,))
    elif isinstance(value, dict):
        for k in sorted(value, key=str):
            yield from _leaves(value[k], path + (k,))
    else:
        yield path, value


def _flatten_module(module, recursive, predicate, with_path, path, seen, stack):
    if id(module) in stack:  # a cycle (a child pointing at its parent): stop descending
        recursive = False
    found_modules = []
    attrs = vars(module)
    for key in sorted(attrs):
        if key in _IGNORED_ATTRIBUTES:
            continue
        for leaf_path, leaf in _leaves(attrs[key], (key,)):
            if not with_path:
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
            if predicate(leaf):
                yield (path + leaf_path, leaf) if with_path else leaf
            if recursive and _is_module(leaf):
                found_modules.append((path + leaf_path, leaf))
    stack.append(id(module))
    for sub_path, sub in found_modules:
        yield from _flatten_module(sub, recursive, predicate, with_path, sub_path, seen, stack)
    stack.pop()


def valid_identifier(name: str) -> bool:
    return bool(_VALID_IDENTIFIER.match(name))


_CAMEL_TO_SNAKE = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


def camel_to_snake(name: str) -> str:
    """``"MyModule"`` -> ``"my_module"``, ``"MLP"`` -> ``"mlp"`` (TensorFlow's rule for module names)."""
    return _CAMEL_TO_SNAKE.sub(r"_\1", name).lower()
