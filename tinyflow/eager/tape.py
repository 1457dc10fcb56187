"""``GradientTape``: record eager operations, then differentiate them in reverse.

While a tape is active, every op whose inputs include a *watched* tensor is
recorded, and its outputs become watched too. ``gradient`` replays the record
backwards through :func:`tinyflow.gradients.backprop` — the same engine
``tf.gradients`` uses on graphs. Trainable variables are watched automatically
when read.

>>> import tinyflow as tf
>>> x = tf.Variable(3.0)
>>> with tf.GradientTape() as tape:
...     y = x * x
>>> tape.gradient(y, x).numpy()
6.0
"""
from __future__ import annotations

import contextlib

from tinyflow import nest
from tinyflow.framework import context
from tinyflow.framework.tensor import EagerTensor
from tinyflow.gradients import _unconnected_mode, backprop


class GradientTape:
    """Record operations for automatic differentiation.

    Args:
      persistent: allow ``gradient`` to be called more than once (default False).
      watch_accessed_variables: watch trainable variables when they are read (default True).
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._watched: dict[int, object] = {}  # id -> tensor/variable (kept alive on purpose)
        self._ops: list = []
        self._recording = False
        self._used = False
        self._variables: list = []
        self._reads: dict[int, list] = {}  # id(eager variable) -> the tensors its reads returned

    # -- context manager ---------------------------------------------------------------------
    def __enter__(self) -> GradientTape:
        self._recording = True
        context.tape_stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        self._recording = False
        if self in context.tape_stack:
            context.tape_stack.remove(self)

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops run inside this block are not recorded."""
        if not self._recording:
            raise ValueError("Tape.stop_recording() can only be called while the tape is recording.")
        context.tape_stack.remove(self)
        try:
            yield
        finally:
            context.tape_stack.append(self)

    def reset(self) -> None:
        """Forget everything recorded so far."""
        self._watched.clear()
        self._ops.clear()
        self._reads.clear()
        self._variables.clear()

    # -- watching ------------------------------------------------------------------------------
    def watch(self, tensor) -> None:
        """Start recording ops that use ``tensor`` (a tensor, a variable, or a nested structure)."""
        for t in _flatten(tensor):
            dt = getattr(t, "dtype", None)
            if dt is not None and not dt.is_floating:
                continue  # TF warns and ignores: gradients only flow through floating tensors
            if hasattr(t, "_tape_handle"):  # a variable
                self._note_variable(t)
                t = t._tape_handle()
            self._watched[id(t)] = t

    def watched_variables(self) -> tuple:
        """The variables this tape watched, in the order first seen."""
        return tuple(self._variables)

    def _record(self, op, inputs, outputs) -> None:
        watched = self._watched
        for t in inputs:
            if id(t) in watched:
                self._ops.append(op)
                for o in outputs:
                    watched[id(o)] = o
                return

    def _eager_read(self, var, value) -> None:
        """An eager read of a watched variable: ``value`` stands for the variable from now on."""
        if id(var) in self._watched:
            self._watched[id(value)] = value
            self._reads.setdefault(id(var), []).append(value)

    def _variable_accessed(self, var, handle) -> None:
        """Called when a variable is read while this tape records."""
        if self._watch_accessed_variables and var.trainable:
            self._watched[id(handle)] = handle
            self._note_variable(var)

    def _note_variable(self, var) -> None:
        if all(v is not var for v in self._variables):
            self._variables.append(var)

    # -- differentiation -----------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(sum of target) / d(source) for each source, in the structure of ``sources``.

        ``None`` marks an unconnected source, or zeros with ``unconnected_gradients='zero'``.
        """
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of gradients (or "
                "jacobians). Create the tape with persistent=True to call gradient() more than once."
            )
        unconnected_gradients = _unconnected_mode(unconnected_gradients)
        from tinyflow.ops import math_ops  # noqa: PLC0415

        targets = [_as_target(t) for t in _flatten(target)]
        flat_sources = _flatten(sources)
        if not context.eager_now:  # in a graph a variable is represented by its handle tensor
            flat_sources = [_source_of(s) for s in flat_sources]
        if output_gradients is None:  # d target / d target = 1 (a cached scalar constant for scalar targets)
            seeds = [math_ops.cast(1.0, t.dtype) if type(t) is EagerTensor and t._value.ndim == 0
                     else math_ops.ones_like(t) for t in targets]
        else:
            seeds = [math_ops.convert_to_tensor(g) for g in _flatten(output_gradients)]
        self._used = True
        was_recording = self in context.tape_stack
        if was_recording:  # the backward pass is not recorded on the tape being differentiated
            context.tape_stack.remove(self)
        try:
            keys = [tuple(id(r) for r in self._reads.get(id(s), ())) + (id(s),) for s in flat_sources]
            grads = backprop(self._ops, targets, seeds, flat_sources, keys,
                             zeros_for_unconnected=(unconnected_gradients == "zero"))
        finally:
            if was_recording:
                context.tape_stack.append(self)
        if not self._persistent:
            self._ops = []
        return _pack_like(sources, grads)

    def jacobian(self, target, sources, unconnected_gradients="none", parallel_iterations=None,
                 experimental_use_pfor=True):
        """Full Jacobian: result shape is ``target.shape + source.shape`` for each source."""
        from tinyflow.ops import array_ops  # noqa: PLC0415

        target = _as_target(target)
        n = int(target.shape.num_elements())
        flat_sources = [_source_of(s) for s in _flatten(sources)]
        persistent, self._persistent = self._persistent, True
        rows = []
        try:
            for i in range(n):
                seed = array_ops.reshape(array_ops.one_hot(i, n, dtype=target.dtype), target.shape.as_list())
                self._used = False
                rows.append(self.gradient(target, flat_sources, output_gradients=[seed],
                                          unconnected_gradients=unconnected_gradients))
        finally:
            self._persistent = persistent
            self._used = True
        out = []
        for j, s in enumerate(flat_sources):
            col = [r[j] for r in rows]
            if any(c is None for c in col):
                out.append(None)
                continue
            out.append(array_ops.reshape(array_ops.stack(col), target.shape.as_list() + s.shape.as_list()))
        return _pack_like(sources, out)


def _source_of(x):
    """Variables are differentiated through their handle: itself in eager, a tensor in a graph."""
    return x._tape_handle() if hasattr(x, "_tape_handle") else x


def _as_target(t):
    return t.value() if hasattr(t, "_tape_handle") else t


_flatten = nest.flatten
_pack_like = nest.pack_sequence_as
