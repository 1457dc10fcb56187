"""tf.compat.v1.train optimizers: graph-mode updates vs TF1's formulas, slots, global_step, errors, eager use."""
from __future__ import annotations

import numpy as np
import pytest

import tinyflow as tf
from tinyflow import train
from tinyflow.compat import v1

W0 = np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)
B0 = np.array([0.1, -0.2], np.float32)
X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -0.7]], np.float32)


def _grads(w, b):
    """Gradients of loss = sum((x @ w + b)²) / 2 written out: d/dw = xᵀ r, d/db = sum r, r = x @ w + b."""
    r = X @ w + b
    return X.T @ r, r.sum(axis=0)


def _run_graph(make_optimizer, steps):
    """Build loss = sum((xw + b)²)/2 in a graph, run ``steps`` updates, return the values after each step."""
    g = tf.Graph()
    with g.as_default():
        w, b = v1.Variable(W0, name="w"), v1.Variable(B0, name="b")
        y = tf.matmul(tf.constant(X), w) + b
        loss = tf.reduce_sum(tf.square(y)) / 2.0
        opt = make_optimizer()
        train_op = opt.minimize(loss)
        init = v1.global_variables_initializer()
    history = []
    with v1.Session(graph=g) as sess:
        sess.run(init)
        for _ in range(steps):
            sess.run(train_op)
            history.append(sess.run([w, b]))
    return history, opt, (w, b)


def test_gradient_descent_steps_match_formula():
    history, _, _ = _run_graph(lambda: train.GradientDescentOptimizer(0.05), 4)
    w, b = W0.astype(np.float64), B0.astype(np.float64)
    for got_w, got_b in history:
        gw, gb = _grads(w, b)
        w, b = w - 0.05 * gw, b - 0.05 * gb
        np.testing.assert_allclose(got_w, w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got_b, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_steps_match_formula(nesterov):
    lr, mu = 0.05, 0.9
    history, opt, (wv, _) = _run_graph(lambda: train.MomentumOptimizer(lr, mu, use_nesterov=nesterov), 4)
    w, b = W0.astype(np.float64), B0.astype(np.float64)
    aw, ab = np.zeros_like(w), np.zeros_like(b)
    for got_w, got_b in history:
        gw, gb = _grads(w, b)
        aw, ab = mu * aw + gw, mu * ab + gb
        if nesterov:
            w, b = w - lr * gw - lr * mu * aw, b - lr * gb - lr * mu * ab
        else:
            w, b = w - lr * aw, b - lr * ab
        np.testing.assert_allclose(got_w, w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got_b, b, rtol=1e-5, atol=1e-6)
    assert opt.get_slot_names() == ["momentum"]
    assert opt.get_slot(wv, "momentum").name == "w/Momentum:0"


def test_adam_steps_match_tf1_formula():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    history, opt, (wv, _) = _run_graph(lambda: train.AdamOptimizer(lr), 5)
    w, b = W0.astype(np.float64), B0.astype(np.float64)
    mw, vw, mb, vb = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b))
    for t, (got_w, got_b) in enumerate(history, start=1):
        gw, gb = _grads(w, b)
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        mw, vw = b1 * mw + (1 - b1) * gw, b2 * vw + (1 - b2) * gw**2
        mb, vb = b1 * mb + (1 - b1) * gb, b2 * vb + (1 - b2) * gb**2
        w = w - lr_t * mw / (np.sqrt(vw) + eps)
        b = b - lr_t * mb / (np.sqrt(vb) + eps)
        np.testing.assert_allclose(got_w, w, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got_b, b, rtol=1e-4, atol=1e-5)
    assert opt.get_slot_names() == ["m", "v"]
    assert opt.get_slot(wv, "m").name == "w/Adam:0" and opt.get_slot(wv, "v").name == "w/Adam_1:0"
    names = sorted(v.name for v in opt.variables())
    assert "beta1_power:0" in names and "beta2_power:0" in names


def test_linear_regression_converges():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 3)).astype(np.float32)
    true_w = np.array([[1.5], [-2.0], [0.5]], np.float32)
    y = x @ true_w + 0.3
    g = tf.Graph()
    with g.as_default():
        xp = v1.placeholder(tf.float32, [None, 3])
        yp = v1.placeholder(tf.float32, [None, 1])
        w = v1.Variable(np.zeros((3, 1), np.float32))
        b = v1.Variable(0.0)
        loss = tf.reduce_mean(tf.square(tf.matmul(xp, w) + b - yp))
        train_op = train.GradientDescentOptimizer(0.1).minimize(loss)
        init = v1.global_variables_initializer()
    with v1.Session(graph=g) as sess:
        sess.run(init)
        first = sess.run(loss, {xp: x, yp: y})
        for _ in range(200):
            sess.run(train_op, {xp: x, yp: y})
        last = sess.run(loss, {xp: x, yp: y})
        np.testing.assert_allclose(sess.run(w), true_w, atol=1e-3)
        np.testing.assert_allclose(sess.run(b), 0.3, atol=1e-3)
    assert last < 1e-6 < first


def test_minimize_increments_global_step():
    g = tf.Graph()
    with g.as_default():
        w = v1.Variable(1.0)
        step = train.get_or_create_global_step()
        assert train.get_global_step() is step and step.dtype == tf.int64
        train_op = train.AdamOptimizer(0.01).minimize(tf.square(w), global_step=step)
        init = v1.global_variables_initializer()
    with v1.Session(graph=g) as sess:
        sess.run(init)
        assert sess.run(step) == 0
        for k in range(1, 4):
            sess.run(train_op)
            assert sess.run(step) == k
    with g.as_default(), pytest.raises(ValueError, match="already exists"):
        train.create_global_step()


def test_slots_need_the_initializer():
    g = tf.Graph()
    with g.as_default():
        w = v1.Variable(1.0)
        train_op = train.MomentumOptimizer(0.1, 0.9).minimize(tf.square(w))
        init_w_only = v1.variables_initializer([w])
    with v1.Session(graph=g) as sess:
        sess.run(init_w_only)
        with pytest.raises(tf.errors.FailedPreconditionError, match="Momentum"):
            sess.run(train_op)


def test_compute_and_apply_gradients_separately():
    g = tf.Graph()
    with g.as_default():
        w, unused = v1.Variable(2.0), v1.Variable(5.0)
        opt = train.GradientDescentOptimizer(0.5)
        pairs = opt.compute_gradients(tf.square(w))
        assert pairs[0][1] is w and pairs[1][1] is unused and pairs[1][0] is None
        train_op = opt.apply_gradients(pairs)  # None gradients are skipped
        init = v1.global_variables_initializer()
    with v1.Session(graph=g) as sess:
        sess.run(init)
        sess.run(train_op)
        assert sess.run(w) == pytest.approx(0.0) and sess.run(unused) == 5.0


def test_learning_rate_can_be_a_placeholder():
    g = tf.Graph()
    with g.as_default():
        w = v1.Variable(1.0)
        lr = v1.placeholder(tf.float32, [])
        train_op = train.GradientDescentOptimizer(lr).minimize(w * 3.0)
        init = v1.global_variables_initializer()
    with v1.Session(graph=g) as sess:
        sess.run(init)
        sess.run(train_op, {lr: 0.1})
        sess.run(train_op, {lr: 0.01})
        assert sess.run(w) == pytest.approx(1.0 - 0.3 - 0.03)


def test_errors():
    g = tf.Graph()
    with g.as_default():
        w = v1.Variable(1.0)
        c = tf.constant(3.0)
        with pytest.raises(ValueError, match="No gradients provided for any variable"):
            train.GradientDescentOptimizer(0.1).minimize(c * 2.0, var_list=[w])
    with tf.Graph().as_default(), pytest.raises(ValueError, match="No variables to optimize"):
        train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0))
    with pytest.raises(RuntimeError, match="should be a function when eager"):
        train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0))


def test_eager_minimize_with_a_loss_function():
    w = tf.Variable(2.0)
    opt = train.AdamOptimizer(0.1)
    for _ in range(3):
        opt.minimize(lambda: tf.square(w), var_list=[w])
    # Adam's first steps have size ≈ lr when the gradient keeps its sign
    assert float(w) == pytest.approx(2.0 - 0.3, abs=1e-3)
    step = tf.Variable(np.int64(0))
    train.MomentumOptimizer(0.1, 0.5).minimize(lambda: w * 1.0, global_step=step)
    assert int(step) == 1
