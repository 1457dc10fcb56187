"""Finite-difference gradient checks that ``tests/helpers.check_gradients`` (eager, constants) cannot do.

``check_graph_gradients(fn, *arrays)`` builds ``fn`` on placeholders in a ``tf.Graph`` (static shapes, or
unknown shapes with ``dynamic=True``), takes ``tf.gradients`` of ``sum(fn(*xs) * w)`` and compares them,
run in a Session, with central differences of the forward graph run on perturbed feeds (float64).
``check_variable_gradients(fn, *arrays)`` does the same eagerly for a function of ``tf.Variable``\\ s.
Both return the op types that were created, so a caller can check that the op it means to test ran.
"""
from __future__ import annotations

import numpy as np

import tinyflow as tf
from tests.helpers import _weights
from tinyflow.session import Session


def _central_differences(run, arrays, w, eps):
    """d sum(run(*arrays) * w) / d arrays, by central differences."""
    grads = []
    for k, a in enumerate(arrays):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            g[idx] = np.sum((np.asarray(run(plus)) - np.asarray(run(minus))) * w) / (2 * eps)
        grads.append(g)
    return grads


def _compare(analytic, numeric, rtol, atol):
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        assert a is not None, f"input {i}: gradient is None, expected {n}"
        a = np.asarray(a)
        assert a.shape == n.shape, f"input {i}: gradient shape {a.shape}, expected {n.shape}"
        np.testing.assert_allclose(a, n, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")


def check_graph_gradients(fn, *arrays, dynamic=False, rtol=1e-5, atol=1e-6, eps=1e-6):
    """Assert ``tf.gradients`` of ``sum(fn(*placeholders) * w)`` matches central differences.

    Returns ``(forward_op_types, all_op_types)``: the op types of the graph after building ``fn``,
    and after also building its gradient.
    """
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    g = tf.Graph()
    with g.as_default():
        phs = [tf.compat.v1.placeholder(tf.float64, None if dynamic else a.shape) for a in arrays]
        y = fn(*phs)
    forward_types = {op.type for op in g.get_operations()}
    with Session(graph=g) as sess:
        def run(xs):
            return sess.run(y, dict(zip(phs, xs)))

        w = _weights(np.shape(run(arrays)))
        with g.as_default():
            loss = tf.reduce_sum(y * tf.constant(w))
            grads = tf.gradients(loss, phs)
        all_types = {op.type for op in g.get_operations()}
        for i, gr in enumerate(grads):
            assert gr is not None, f"input {i}: tf.gradients returned None"
        analytic = sess.run(list(grads), dict(zip(phs, arrays)))
        numeric = _central_differences(run, arrays, w, eps)
    _compare(analytic, numeric, rtol, atol)
    return forward_types, all_types


def check_variable_gradients(fn, *arrays, rtol=1e-5, atol=1e-6, eps=1e-6):
    """Assert GradientTape gradients of ``sum(fn(*variables) * w)`` w.r.t. eager ``tf.Variable``\\ s match
    central differences. Returns the op types the tape recorded."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]

    def run(xs):
        return np.asarray(fn(*[tf.Variable(x) for x in xs]))

    w = _weights(np.shape(run(arrays)))
    numeric = _central_differences(run, arrays, w, eps)
    variables = [tf.Variable(a) for a in arrays]
    with tf.GradientTape() as tape:  # eager: the tape stands each read value for its variable
        loss = tf.reduce_sum(fn(*variables) * tf.constant(w))
    analytic = tape.gradient(loss, variables)
    _compare([None if a is None else np.asarray(a) for a in analytic], numeric, rtol, atol)
    recorded: set = set()

    @tf.function
    def traced():  # in a graph every read is a ReadVariableOp, differentiated by its gradient function
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(fn(*variables) * tf.constant(w))
        recorded.update(op.type for op in tape._ops)
        return tape.gradient(loss, variables)

    _compare([None if a is None else np.asarray(a) for a in traced()], numeric, rtol, atol)
    return recorded
