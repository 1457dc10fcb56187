"""``tf.compat.v1.train.Optimizer``: the TF1 way to train — ``minimize`` adds the update ops to the graph.

``minimize(loss)`` is two steps you can also call yourself:

1. ``compute_gradients(loss, var_list)`` — ``tf.gradients`` of the loss, as ``(grad, var)`` pairs;
2. ``apply_gradients(grads_and_vars, global_step)`` — one update op per variable, grouped into a
   single op that ``sess.run`` executes (and that increments ``global_step`` afterwards).

Extra per-variable state (momentum, Adam's moments) lives in *slot* variables: ordinary graph
variables named ``<var>/<Optimizer>`` that ``global_variables_initializer()`` initializes.

>>> import tinyflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     w = tf.compat.v1.Variable(3.0)
...     train = tf.compat.v1.train.GradientDescentOptimizer(0.25).minimize(w * w)
...     init = tf.compat.v1.global_variables_initializer()
>>> with tf.compat.v1.Session(graph=g) as sess:
...     _ = sess.run(init)
...     _ = sess.run(train)          # w -= 0.25 * 2w
...     print(sess.run(w))
1.5
"""
from __future__ import annotations

import numpy as np

from tinyflow.eager.tape import GradientTape
from tinyflow.framework import context
from tinyflow.framework.dispatch import convert_to_tensor
from tinyflow.framework.graph import control_dependencies, name_scope
from tinyflow.gradients import gradients
from tinyflow.ops.base_ops import group
from tinyflow.ops.math_ops import cast
from tinyflow.variables import Variable, trainable_variables


class Optimizer:
    """Base class of the TF1 optimizers. Subclasses define ``_create_slots``, ``_prepare`` and
    ``_apply_dense(grad, var)`` (and ``_finish`` for state shared by all variables)."""

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict[int, Variable]] = {}  # slot name -> id(var) -> slot variable
        self._non_slots: dict[tuple, Variable] = {}  # (name, graph) -> variable (Adam's beta powers)

    def get_name(self) -> str:
        return self._name

    # -- the two halves of minimize ----------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None):
        """Add ops that update ``var_list`` (default: all trainable variables) to decrease ``loss``.

        Returns the training op; running it takes one step (and increments ``global_step``).
        """
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, grad_loss=grad_loss)
        if not any(g is not None for g, _ in grads_and_vars):
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not support "
                f"gradients, between variables {[str(v) for _, v in grads_and_vars]} and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None) -> list:
        """``[(gradient, variable), ...]`` of ``loss``; a gradient is None where the loss doesn't
        depend on the variable. In eager mode ``loss`` must be a function of no arguments."""
        if callable(loss):
            with GradientTape() as tape:
                if var_list is not None:
                    tape.watch(var_list)
                loss_value = loss()
            var_list = list(var_list) if var_list is not None else list(tape.watched_variables())
            grads = tape.gradient(loss_value, var_list, output_gradients=grad_loss)
            return list(zip(grads, var_list))
        if context.executing_eagerly():
            raise RuntimeError("`loss` passed to Optimizer.compute_gradients should be a function when eager "
                               "execution is enabled.")
        var_list = trainable_variables() if var_list is None else list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = gradients(loss, var_list, grad_ys=grad_loss)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """One op that applies every ``(grad, var)`` update, then increments ``global_step`` if given."""
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        for _, v in grads_and_vars:
            if not hasattr(v, "assign_sub"):
                raise TypeError(f"apply_gradients expects (gradient, variable) pairs; {v!r} is not a Variable.")
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            raise ValueError(f"No gradients provided for any variable: {[str(v) for _, v in grads_and_vars]}.")
        self._create_slots([v for _, v in pairs])
        with name_scope(name, self._name) as scope:
            self._prepare()
            update_ops = [self._apply_dense(convert_to_tensor(g), v) for g, v in pairs]
            if global_step is None:
                return self._finish(update_ops, scope)  # "Adam/": the op takes the scope's own name
            with control_dependencies([self._finish(update_ops, "update")]):
                return global_step.assign_add(np.asarray(1, global_step.dtype.as_numpy_dtype), name=name)

    # -- subclass hooks ---------------------------------------------------------------------------
    def _create_slots(self, var_list: list) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError

    def _finish(self, update_ops: list, name_scope: str | None):
        return group(*update_ops, name=name_scope)

    # -- hyperparameters and slots -----------------------------------------------------------------
    @staticmethod
    def _tensor(value, name: str):
        """A hyperparameter as a tensor (a Python number, a tensor, or a function returning one)."""
        value = value() if callable(value) else value
        return convert_to_tensor(value, name=name)

    @staticmethod
    def _cast(t, var):
        return cast(t, var.dtype)

    def _zeros_slot(self, var, slot_name: str, op_name: str) -> Variable:
        slots = self._slots.setdefault(slot_name, {})
        if id(var) not in slots:
            zeros = np.zeros(var.shape.as_list(), var.dtype.as_numpy_dtype)
            slots[id(var)] = _make_variable(var.graph, zeros, var.name.split(":")[0] + "/" + op_name)
        return slots[id(var)]

    def _non_slot_variable(self, initial_value: float, name: str, graph) -> Variable:
        key = (name, graph)
        if key not in self._non_slots:
            self._non_slots[key] = _make_variable(graph, np.float32(initial_value), name)
        return self._non_slots[key]

    def get_slot(self, var, name: str):
        """The slot variable ``name`` of ``var`` (e.g. ``"momentum"``, ``"m"``), or None."""
        return self._slots.get(name, {}).get(id(var))

    def get_slot_names(self) -> list:
        return sorted(self._slots)

    def variables(self) -> list:
        """Every variable this optimizer created (slots and shared state)."""
        slot_vars = [v for per_var in self._slots.values() for v in per_var.values()]
        return list(self._non_slots.values()) + slot_vars


def _make_variable(graph, initial_value, name: str) -> Variable:
    """A non-trainable variable in ``graph`` (eager when None), outside any name scope and
    control dependencies of the caller, so ``global_variables_initializer`` can run it alone."""
    if graph is None:
        return Variable(initial_value, trainable=False, name=name)
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
        return Variable(initial_value, trainable=False, name=name)
