"""Test helpers shared by the op tests: finite-difference gradient checks and mode comparison.

``check_gradients(fn, *arrays)`` compares GradientTape gradients of ``sum(fn(*xs) * w)`` (a fixed
random weighting, so every output element matters) with central finite differences in float64.
``run_all_modes(fn, *arrays)`` runs ``fn`` eagerly, inside ``tf.function`` and in a TF1 graph with a
Session, and returns the three results as numpy arrays.
"""
from __future__ import annotations

import numpy as np

import tinyflow as tf
from tinyflow.session import Session


def _weights(shape, seed=1234):
    return np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)


def numeric_gradients(fn, arrays, eps=1e-6):
    """Central differences of sum(fn(*arrays) * w) w.r.t. each array (float64)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    out0 = np.asarray(fn(*[tf.constant(a) for a in arrays]))
    w = _weights(out0.shape)
    grads = []
    for k, a in enumerate(arrays):
        g = np.zeros_like(a)
        it = np.nditer(a, flags=["multi_index"])
        for _ in it:
            idx = it.multi_index
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            fp = np.asarray(fn(*[tf.constant(x) for x in plus]))
            fm = np.asarray(fn(*[tf.constant(x) for x in minus]))
            g[idx] = np.sum((fp - fm) * w) / (2 * eps)
        grads.append(g)
    return grads, w


def tape_gradients(fn, arrays, w):
    xs = [tf.constant(np.array(a, dtype=np.float64)) for a in arrays]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
        loss = tf.reduce_sum(y * tf.constant(w))
    return [None if g is None else np.asarray(g) for g in tape.gradient(loss, xs)]


def check_gradients(fn, *arrays, rtol=1e-5, atol=1e-6):
    """Assert tape gradients of fn match central finite differences for every input."""
    numeric, w = numeric_gradients(fn, arrays)
    analytic = tape_gradients(fn, arrays, w)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        assert a is not None, f"input {i}: gradient is None, expected {n}"
        assert a.shape == n.shape, f"input {i}: gradient shape {a.shape}, expected {n.shape}"
        np.testing.assert_allclose(a, n, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")


def run_all_modes(fn, *arrays):
    """(eager, function, graph+Session) results of fn on the given numpy arrays."""
    eager = np.asarray(fn(*[tf.constant(a) for a in arrays]))
    traced = np.asarray(tf.function(fn)(*[tf.constant(a) for a in arrays]))
    g = tf.Graph()
    with g.as_default():
        phs = [tf.compat.v1.placeholder(tf.as_dtype(np.asarray(a).dtype), np.shape(a)) for a in arrays]
        out = fn(*phs)
    with Session(graph=g) as sess:
        graph = np.asarray(sess.run(out, dict(zip(phs, arrays))))
    return eager, traced, graph


def assert_same_in_all_modes(fn, *arrays):
    eager, traced, graph = run_all_modes(fn, *arrays)
    np.testing.assert_array_equal(eager, traced)
    np.testing.assert_array_equal(eager, graph)
    return eager


def rand(*shape, seed=0):
    """Seeded standard-normal float64 test data."""
    return np.random.default_rng(seed).normal(size=shape)


def run_graph(build, feeds):
    """Build a TF1 graph with ``build(*placeholders)``; feeds: list of (shape with None dims, array).
    Returns (the symbolic output, its value from a Session)."""
    g = tf.Graph()
    with g.as_default():
        phs = [tf.compat.v1.placeholder(tf.as_dtype(a.dtype), s) for s, a in feeds]
        out = build(*phs)
    with Session(graph=g) as sess:
        return out, sess.run(out, {p: a for p, (_, a) in zip(phs, feeds)})
