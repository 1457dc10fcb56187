"""Fused cross-entropy ops of tf.nn: values against numpy formulas written out here, gradients (first
and second order) against finite differences, extreme logits, the three modes and TF's error texts."""
import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyflow as tf
import tinyflow.ops.loss_ops  # noqa: F401  (registers the ops before the lead wires them)
from tests.helpers import assert_same_in_all_modes, check_gradients
from tinyflow import nn
from tinyflow.session import Session


def _np_log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _np_sparse_xent(labels, logits):
    lp = _np_log_softmax(logits)
    return -np.take_along_axis(lp, labels[..., None], axis=-1)[..., 0]


def _second_derivative(loss_fn):
    """x -> d/dx of sum(loss_fn(x)·w) — so check_gradients on it tests the second derivative."""
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_fn(x)
            w = tf.constant(np.linspace(0.5, 1.5, int(np.prod(loss.shape.as_list()))).reshape(loss.shape.as_list()))
            y = tf.reduce_sum(loss * w)
        return tape.gradient(y, x)

    return grad


# -- sparse_softmax_cross_entropy_with_logits --------------------------------------------------------
def test_sparse_xent_matches_tf_worked_example():
    labels, logits = [3, 0], [[1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]]
    np.testing.assert_allclose(nn.sparse_softmax_cross_entropy_with_logits(labels, logits).numpy(),
                               [1.3862944, 3.4401897], rtol=1e-6)
    x = tf.constant(logits)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(),
                               [[0.25, 0.25, 0.25, -0.75], [-0.9679, 0.0871, 0.2369, 0.6439]], atol=1e-4)


@settings(max_examples=15, deadline=None)
@given(batch=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), classes=st.integers(1, 5),
       seed=st.integers(0, 2**16), dtype=st.sampled_from([np.int32, np.int64]))
def test_sparse_xent_forward_and_gradients_hypothesis(batch, classes, seed, dtype):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=batch + (classes,)) * 3
    labels = rng.integers(0, classes, size=batch).astype(dtype)
    out = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert out.shape.as_list() == list(batch)
    np.testing.assert_allclose(out.numpy(), _np_sparse_xent(labels, logits), rtol=1e-10, atol=1e-12)
    check_gradients(lambda x: nn.sparse_softmax_cross_entropy_with_logits(labels, x), logits)


def test_sparse_xent_second_derivative():
    labels = np.array([3, 0, 1])
    logits = np.array([[0.3, 0.4, 0.1, 1.2], [0.1, 1.9, 0.1, 0.7], [0.8, 0.2, 1.3, 1.3]])
    check_gradients(_second_derivative(lambda x: nn.sparse_softmax_cross_entropy_with_logits(labels, x)), logits)


def test_sparse_xent_extreme_logits_are_finite():
    logits = tf.constant([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, 1000.0]])
    labels = tf.constant([0, 0, 2])
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
    g = tape.gradient(loss, logits).numpy()
    np.testing.assert_allclose(loss.numpy(), [0.0, 2000.0, np.log(3.0)], rtol=1e-6)
    np.testing.assert_allclose(g, [[0, 0, 0], [-1, 0, 1], [1 / 3, 1 / 3, -2 / 3]], atol=1e-6)
    assert np.all(np.isfinite(g))


def test_sparse_xent_float16_and_modes():
    loss = nn.sparse_softmax_cross_entropy_with_logits([1], np.array([[0.0, 0.0]], np.float16))
    assert loss.dtype == tf.float16 and abs(float(loss.numpy()[0]) - np.log(2)) < 1e-3

    def fn(labels, logits):
        return nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)

    assert_same_in_all_modes(fn, np.array([2, 0], np.int32), np.array([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]],
                                                                        np.float32))


def test_sparse_xent_label_out_of_range_eager_and_session():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Received a label value of 4 which is outside the "
                       r"valid range of \[0, 4\).  Label values: 4 3 0 -1"):
        nn.sparse_softmax_cross_entropy_with_logits([4, 3, 0, -1], np.ones((4, 4), np.float32))
    g = tf.Graph()
    with g.as_default():
        labels = tf.compat.v1.placeholder(tf.int32, [None])
        loss = nn.sparse_softmax_cross_entropy_with_logits(labels, tf.constant(np.ones((2, 3), np.float32)))
    with Session(graph=g) as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                 match="label value of -1 .*range of \\[0, 3\\)"):
        sess.run(loss, {labels: [0, -1]})


def test_sparse_xent_shape_and_dtype_errors():
    with pytest.raises(ValueError, match=r"`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                       r"labels.shape=\(1, 2\) of rank 2 and logits.shape=\(3, 2\) of rank 2"):
        nn.sparse_softmax_cross_entropy_with_logits(labels=[[0, 2]], logits=[[0.0, 1.0], [2.0, 3.0], [2.0, 3.0]])
    with pytest.raises(ValueError, match=r"`labels.shape` must equal `logits.shape` except for the last "
                       r"dimension. Received: labels.shape=\(3,\) and logits.shape=\(2, 5\)"):
        nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, 2], logits=np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="`logits` cannot be a scalar"):
        nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(0), logits=tf.constant(1.0))
    with pytest.raises(TypeError, match="Value for attr 'Tlabels' of float32 is not in the list of allowed"):
        nn.sparse_softmax_cross_entropy_with_logits(labels=[0.0], logits=[[1.0, 2.0]])
    with pytest.raises(TypeError, match="`logits` must be float16, float32 or float64"):
        nn.sparse_softmax_cross_entropy_with_logits(labels=[0], logits=[[1, 2]])
    g = tf.Graph()
    with g.as_default():  # shapes known only at run time: checked by the kernel
        labels = tf.compat.v1.placeholder(tf.int32, [None])
        logits = tf.compat.v1.placeholder(tf.float32, [None, 3])
        loss = nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
        assert loss.shape.as_list() == [None]
    with Session(graph=g) as sess, pytest.raises(tf.errors.InvalidArgumentError, match=r"logits and labels must "
                                                 r"have the same first dimension, got logits shape \[2,3\] and "
                                                 r"labels shape \[3\]"):
        sess.run(loss, {labels: [0, 1, 2], logits: np.zeros((2, 3))})


def test_first_order_gradient_builds_no_second_order_ops():
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3])
        loss = nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 1]), x)
        (dx,) = tf.gradients(loss, [x])
    assert "Softmax" not in [op.type for op in g.get_operations()]
    with Session(graph=g) as sess:
        out = sess.run(dx, {x: np.zeros((2, 3))})
    np.testing.assert_allclose(out, [[-2 / 3, 1 / 3, 1 / 3], [1 / 3, -2 / 3, 1 / 3]], rtol=1e-6)


# -- softmax_cross_entropy_with_logits -------------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), seed=st.integers(0, 2**16), data=st.data())
def test_softmax_xent_forward_and_gradients_hypothesis(shape, seed, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=shape) * 2
    labels = rng.dirichlet(np.ones(shape[axis]), size=int(np.prod(shape)) // shape[axis])
    labels = np.moveaxis(labels.reshape(np.delete(shape, axis).tolist() + [shape[axis]]), -1, axis)
    expected = -np.sum(labels * _np_log_softmax(logits, axis), axis=axis)
    out = nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, axis=axis)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)
    check_gradients(lambda z, x: nn.softmax_cross_entropy_with_logits(z, x, axis=axis), labels, logits)


def test_softmax_xent_second_derivative_and_modes():
    labels = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    logits = np.array([[0.5, -1.0, 2.0], [3.0, 0.1, -0.4]])
    check_gradients(_second_derivative(lambda x: nn.softmax_cross_entropy_with_logits(labels, x)), logits)
    assert_same_in_all_modes(lambda z, x: nn.softmax_cross_entropy_with_logits(z, x),
                             labels.astype(np.float32), logits.astype(np.float32))


def test_softmax_xent_extreme_logits_and_errors():
    logits = tf.constant([[1000.0, -1000.0], [0.0, 1000.0]])
    labels = tf.constant([[0.0, 1.0], [0.5, 0.5]])
    with tf.GradientTape() as tape:
        tape.watch([logits, labels])
        loss = nn.softmax_cross_entropy_with_logits(labels, logits)
    g_logits, g_labels = tape.gradient(loss, [logits, labels])
    np.testing.assert_allclose(loss.numpy(), [2000.0, 500.0])
    np.testing.assert_allclose(g_logits.numpy(), [[1.0, -1.0], [-0.5, 0.5]])
    np.testing.assert_allclose(g_labels.numpy(), [[0.0, 2000.0], [1000.0, 0.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"logits and labels must be same size: "
                       r"logits_size=\[2,3\] labels_size=\[2,4\]"):
        nn.softmax_cross_entropy_with_logits(np.zeros((2, 4), np.float32), np.zeros((2, 3), np.float32))
    with tf.Graph().as_default(), pytest.raises(ValueError, match="logits_size=\\[2,3\\] labels_size=\\[2,4\\]"):
        nn.softmax_cross_entropy_with_logits(np.zeros((2, 4), np.float32), np.zeros((2, 3), np.float32))


# -- sigmoid_cross_entropy_with_logits -----------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), seed=st.integers(0, 2**16))
def test_sigmoid_xent_forward_and_gradients_hypothesis(shape, seed):
    rng = np.random.default_rng(seed)
    logits, labels = rng.normal(size=shape) * 3, rng.uniform(size=shape)
    sig = 1 / (1 + np.exp(-logits))
    naive = -labels * np.log(sig) - (1 - labels) * np.log(1 - sig)  # the textbook formula (fine here)
    out = nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    np.testing.assert_allclose(out.numpy(), naive, rtol=1e-9, atol=1e-12)
    check_gradients(lambda z, x: nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x), labels, logits)


def test_sigmoid_xent_extremes_second_derivative_and_modes():
    logits = tf.constant([-1000.0, 1000.0, -1000.0, 1000.0, 0.0])
    labels = tf.constant([0.0, 1.0, 1.0, 0.0, 0.5])
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    np.testing.assert_allclose(loss.numpy(), [0.0, 0.0, 1000.0, 1000.0, np.log(2.0)], rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(loss, logits).numpy(), [0.0, 0.0, -1.0, 1.0, 0.0])
    labels64 = np.array([0.2, 0.9, 0.5])
    check_gradients(_second_derivative(lambda x: nn.sigmoid_cross_entropy_with_logits(labels=labels64, logits=x)),
                    np.array([-1.0, 0.5, 2.0]))
    assert_same_in_all_modes(lambda z, x: nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
                             labels64.astype(np.float32), np.array([-1.0, 0.5, 2.0], np.float32))


def test_sigmoid_xent_errors():
    with pytest.raises(ValueError, match=r"`logits` and `labels` must have the same shape, received "
                       r"\(\(2, 3\) vs \(2, 4\)\)."):
        nn.sigmoid_cross_entropy_with_logits(labels=np.zeros((2, 4), np.float32), logits=np.zeros((2, 3), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="SigmoidCrossEntropyWithLogits"):
        nn.sigmoid_cross_entropy_with_logits(labels=np.zeros(3), logits=np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="Both labels and logits must be provided"):
        nn.sigmoid_cross_entropy_with_logits(logits=[1.0])
