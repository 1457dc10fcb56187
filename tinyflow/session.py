"""``Session``: run parts of a graph (TF1).

``sess.run(fetches, feed_dict)`` flattens the fetches, looks up (or compiles once)
the :class:`~tinyflow.framework.plan.Plan` for this (fetches, feeds) pair, runs it
and packs the results back into the fetches' structure. Each session owns the
values of the graph's variables.

>>> import tinyflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     x = tf.compat.v1.placeholder(tf.float32, shape=[2])
...     y = x * 3.0
>>> with tf.compat.v1.Session(graph=g) as sess:
...     print(sess.run({"y": y}, feed_dict={x: [1.0, 2.0]}))
{'y': array([3., 6.], dtype=float32)}
"""
from __future__ import annotations

import contextlib

import numpy as np

from tinyflow import backend, nest
from tinyflow.framework import context, errors
from tinyflow.framework.graph import Graph, Operation
from tinyflow.framework.plan import Plan
from tinyflow.framework.tensor import EagerTensor, SymbolicTensor

_default_sessions: list = []


class Session:
    """A TF1 session over ``graph`` (default: the default graph)."""

    def __init__(self, target: str = "", graph: Graph | None = None, config=None):
        self._graph = graph if graph is not None else context.get_default_graph()
        self._closed = False
        self._plans: dict = {}
        self._values: dict[int, object] = {}  # id(variable) -> its array in this session
        self._variables: dict[int, object] = {}  # id(variable) -> variable (keeps ids valid)
        self.rngs: dict = {}
        self._reads: dict[int, SymbolicTensor] = {}
        self._default_cm = None

    @property
    def graph(self) -> Graph:
        return self._graph

    # -- running ---------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Compute ``fetches`` (a tensor, op, name, or nested list/tuple/dict/namedtuple of them)."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        leaves = [self._resolve(f) for f in nest.flatten(fetches)]
        feeds, values = self._feeds(feed_dict)
        key = (tuple(map(id, leaves)), tuple(map(id, feeds)))
        plan = self._plans.get(key)
        if plan is None:
            tensors = [x for x in leaves if not isinstance(x, Operation)]
            targets = [x for x in leaves if isinstance(x, Operation)]
            plan = self._plans[key] = Plan(self._graph, tensors, targets, feeds, ctx=self)
        results = iter(plan.run(values))
        flat = [None if isinstance(x, Operation) else _to_host(next(results)) for x in leaves]
        return nest.pack_sequence_as(fetches, flat)

    def _resolve(self, fetch):
        if isinstance(fetch, str):
            try:
                return self._graph.as_graph_element(fetch)
            except (KeyError, ValueError) as e:
                raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. ({e})") from None
        if hasattr(fetch, "_graph_handle"):  # a Variable: fetch its value
            if id(fetch) not in self._reads:
                with self._graph.as_default():
                    self._reads[id(fetch)] = fetch.value()
            return self._reads[id(fetch)]
        if isinstance(fetch, SymbolicTensor | Operation):
            if fetch.graph is not self._graph:
                raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. (Tensor "
                                 f"{fetch} is not an element of this graph.)")
            return fetch
        if isinstance(fetch, EagerTensor):
            raise TypeError(f"Fetch argument {fetch!r} is an eager tensor: it already has a value "
                            "(use .numpy()); Session.run fetches graph tensors.")
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a string or "
                        f"Tensor. (Can not convert a {type(fetch).__name__} into a Tensor or Operation.)")

    def _feeds(self, feed_dict) -> tuple[list, list]:
        if not feed_dict:
            return [], []
        tensors, values = [], []
        xp = backend.xp
        for key, value in feed_dict.items():
            t = self._graph.as_graph_element(key) if isinstance(key, str) else key
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"The value of a feed cannot be a tf.Tensor object. Acceptable feed keys are "
                                f"graph tensors; got {key!r}.")
            if t.graph is not self._graph:
                raise ValueError(f"Tensor {t} is not an element of this graph; feed tensors of the session's "
                                 "graph.")
            if isinstance(value, SymbolicTensor):
                raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values "
                                "include Python scalars, strings, lists, numpy ndarrays, or TensorHandles. "
                                "For reference, the tensor object was " + str(value) + " which was passed "
                                "to the argument `feed_dict` with key " + str(key) + ".")
            if type(value) is np.ndarray and value.dtype.type is t.dtype.as_numpy_dtype:
                array = value  # already the right dtype: no conversion
            else:
                array = np.asarray(value, dtype=t.dtype.as_numpy_dtype)
            if isinstance(value, float) and t.dtype.is_integer and array != value:
                raise TypeError(f"Type of feed value {value} with type {type(value)} is not compatible with "
                                f"Tensor type {t.dtype.name}.")
            if not t.shape.is_compatible_with(array.shape):
                raise ValueError(f"Cannot feed value of shape {array.shape} for Tensor {t.name}, which has "
                                 f"shape {t.shape}")
            tensors.append(t)
            values.append(array if xp is np else xp.asarray(array))
        return tensors, values

    # -- variable storage (the run context of stateful kernels) ---------------------------------
    def read(self, var):
        try:
            return self._values[id(var)]
        except KeyError:
            raise errors.FailedPreconditionError(
                None, None, f"Attempting to use uninitialized value {var.name.split(':')[0]}: run "
                "sess.run(tf.compat.v1.global_variables_initializer()) first.") from None

    def write(self, var, value) -> None:
        self._values[id(var)] = value
        self._variables[id(var)] = var

    _store_value = write

    # -- lifetime --------------------------------------------------------------------------------
    def close(self) -> None:
        self._closed = True
        self._values.clear()
        self._plans.clear()

    @contextlib.contextmanager
    def as_default(self):
        """Make this the session that ``Tensor.eval()`` and ``Operation.run()`` use."""
        _default_sessions.append(self)
        try:
            with self._graph.as_default():
                yield self
        finally:
            _default_sessions.remove(self)

    def __enter__(self) -> Session:
        self._default_cm = self.as_default()
        return self._default_cm.__enter__()

    def __exit__(self, *exc) -> None:
        self._default_cm.__exit__(*exc)
        self.close()

    def make_callable(self, fetches, feed_list=None):
        """A function of the feed values that runs ``fetches`` (skips per-call dict handling)."""
        feed_list = list(feed_list or [])

        def call(*values):
            return self.run(fetches, dict(zip(feed_list, values)))

        return call


class InteractiveSession(Session):
    """A Session that installs itself as the default session when created."""

    def __init__(self, target: str = "", graph: Graph | None = None, config=None):
        super().__init__(target, graph, config)
        _default_sessions.append(self)

    def close(self) -> None:
        super().close()
        if self in _default_sessions:
            _default_sessions.remove(self)


def get_default_session() -> Session | None:
    return _default_sessions[-1] if _default_sessions else None


def _session_for(session: Session | None, element) -> Session:
    s = session or get_default_session()
    if s is None:
        raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. Use "
                         "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`")
    return s


def _to_host(value):
    """A numpy copy (a numpy scalar for rank 0), so callers can never alias graph buffers."""
    v = np.array(backend.to_numpy(value))
    return v[()] if v.ndim == 0 else v
