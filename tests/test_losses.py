"""keras.losses: values vs numpy formulas, reductions and sample weights, Keras's shape rules, gradients vs
finite differences, the logits shortcut inside tf.function, get/config."""
from __future__ import annotations

import numpy as np
import pytest

import tinyflow as tf
from tests.helpers import check_gradients
from tinyflow.keras import losses

RNG = np.random.default_rng(1)
EPS = 1e-7


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _np(t):
    return np.asarray(t)


# -- values -----------------------------------------------------------------------------------------------
def test_mse_mae_values():
    y, p = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))
    np.testing.assert_allclose(_np(losses.mean_squared_error(y, p)), ((y - p) ** 2).mean(-1), rtol=1e-6)
    np.testing.assert_allclose(_np(losses.mean_absolute_error(y, p)), np.abs(y - p).mean(-1), rtol=1e-6)
    assert float(losses.MeanSquaredError()(y, p)) == pytest.approx(((y - p) ** 2).mean(), rel=1e-5)
    assert float(losses.MeanAbsoluteError()(y, p)) == pytest.approx(np.abs(y - p).mean(), rel=1e-5)
    assert losses.mse is losses.mean_squared_error and losses.MAE is losses.mean_absolute_error


@pytest.mark.parametrize("delta", [1.0, 0.3])
def test_huber_values(delta):
    y, p = RNG.normal(size=(6, 4)), RNG.normal(size=(6, 4))
    x = np.abs(p - y)
    per = np.where(x <= delta, 0.5 * x**2, delta * x - 0.5 * delta**2).mean(-1)
    np.testing.assert_allclose(_np(losses.huber(y, p, delta=delta)), per, rtol=1e-6)
    assert float(losses.Huber(delta=delta)(y, p)) == pytest.approx(per.mean(), rel=1e-5)


def _bce_ref(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_binary_crossentropy_values(smoothing):
    y = RNG.integers(0, 2, size=(6, 3)).astype(np.float64)
    z = RNG.normal(size=(6, 3)) * 3
    ys = y * (1 - smoothing) + 0.5 * smoothing
    expected = _bce_ref(ys, _sigmoid(z)).mean(-1)
    got = losses.binary_crossentropy(y, _sigmoid(z), label_smoothing=smoothing)
    np.testing.assert_allclose(_np(got), expected, rtol=1e-6)
    exact = (np.maximum(z, 0) - z * ys + np.log1p(np.exp(-np.abs(z)))).mean(-1)  # logits: no clipping
    got = losses.BinaryCrossentropy(from_logits=True, label_smoothing=smoothing, reduction="none")(y, z)
    np.testing.assert_allclose(_np(got), exact, rtol=1e-5)


def test_binary_crossentropy_clips_probabilities_at_epsilon():
    got = losses.binary_crossentropy([[1.0], [0.0]], [[0.0], [1.0]])
    one_minus_eps = np.float32(1) - np.float32(EPS)  # float32 rounds 1 - 1e-7 to 1 - 1.19e-7
    np.testing.assert_allclose(_np(got), [-np.log(EPS), -np.log(1 - one_minus_eps)], rtol=1e-5)  # ~16, not inf


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_categorical_crossentropy_values(smoothing):
    labels = RNG.integers(0, 4, size=7)
    y = np.eye(4)[labels]
    z = RNG.normal(size=(7, 4)) * 2
    ys = y * (1 - smoothing) + smoothing / 4
    p = _softmax(z) * 3.0  # unnormalized on purpose: Keras divides by the row sum first
    expected = -(ys * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))).sum(-1)
    got = losses.categorical_crossentropy(y, p, label_smoothing=smoothing)
    np.testing.assert_allclose(_np(got), expected, rtol=1e-6)
    log_softmax = z - np.log(np.exp(z).sum(-1, keepdims=True))
    got = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing, reduction="none")(y, z)
    np.testing.assert_allclose(_np(got), -(ys * log_softmax).sum(-1), rtol=1e-5)


@pytest.mark.parametrize("label_shape", [(5,), (5, 1)])
def test_sparse_categorical_crossentropy_values(label_shape):
    labels = RNG.integers(0, 3, size=5)
    z = RNG.normal(size=(5, 3))
    p = _softmax(z)
    y = labels.reshape(label_shape)
    clipped = np.log(np.clip(p, EPS, 1 - EPS))
    expected = -(clipped - np.log(np.exp(clipped).sum(-1, keepdims=True)))[np.arange(5), labels]
    np.testing.assert_allclose(_np(losses.sparse_categorical_crossentropy(y, p)), expected, rtol=1e-6)
    exact = -(z - np.log(np.exp(z).sum(-1, keepdims=True)))[np.arange(5), labels]
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert float(loss(y, z)) == pytest.approx(exact.mean(), rel=1e-5)


def test_sparse_categorical_ignore_class():
    z = RNG.normal(size=(4, 3))
    y = np.array([0, 2, -1, 1])
    got = _np(losses.sparse_categorical_crossentropy(y, z, from_logits=True, ignore_class=-1))
    exact = -(z - np.log(np.exp(z).sum(-1, keepdims=True)))
    np.testing.assert_allclose(got, [exact[0, 0], exact[1, 2], 0.0, exact[3, 1]], rtol=1e-5)


# -- reductions and sample weights --------------------------------------------------------------------------
def test_reductions_and_sample_weight():
    y, p = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))
    per = ((y - p) ** 2).mean(-1)
    np.testing.assert_allclose(_np(losses.MeanSquaredError(reduction="none")(y, p)), per, rtol=1e-5)
    assert float(losses.MeanSquaredError(reduction="sum")(y, p)) == pytest.approx(per.sum(), rel=1e-5)
    w = np.array([1.0, 0.0, 2.0, 0.5])
    got = losses.MeanSquaredError()(y, p, sample_weight=w)
    assert float(got) == pytest.approx((per * w).sum() / 4, rel=1e-5)  # divided by the batch, not sum(w)
    got = losses.MeanSquaredError(reduction="mean_with_sample_weight")(y, p, sample_weight=w)
    assert float(got) == pytest.approx((per * w).sum() / w.sum(), rel=1e-5)
    got = losses.MeanSquaredError()(y, p, sample_weight=w.reshape(4, 1))  # (4, 1) weights meet (4,) values
    assert float(got) == pytest.approx((per * w).sum() / 4, rel=1e-5)
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        losses.MeanSquaredError(reduction="average")


def test_loss_dtype_defaults_to_float32():
    out = losses.MeanSquaredError()(np.zeros((2, 2)), np.ones((2, 2)))
    assert out.dtype == tf.float32
    out = losses.MeanSquaredError(dtype="float64")(np.zeros((2, 2)), np.ones((2, 2)))
    assert out.dtype == tf.float64


# -- Keras's shape rules -----------------------------------------------------------------------------------
def test_column_labels_meet_flat_predictions():
    # (32, 1) vs (32,): Keras expands the flat one to (32, 1) -> per-sample values of shape (32,)
    y, p = RNG.normal(size=(32, 1)), RNG.normal(size=(32,))
    expected = ((y[:, 0] - p) ** 2).mean()
    assert float(losses.MeanSquaredError()(y, p)) == pytest.approx(expected, rel=1e-5)
    assert float(losses.MeanSquaredError()(p, y)) == pytest.approx(expected, rel=1e-5)
    assert losses.mean_squared_error(y, p).shape.as_list() == [32]


def test_incompatible_shapes_name_both():
    with pytest.raises(ValueError, match=r"y_true.shape=\(32, 2\), y_pred.shape=\(32, 3\)"):
        losses.MeanSquaredError()(np.zeros((32, 2)), np.zeros((32, 3)))
    with pytest.raises(ValueError, match=r"y_true.shape=\(8,\), y_pred.shape=\(8, 4\)"):
        losses.mean_absolute_error(np.zeros(8), np.zeros((8, 4)))
    with pytest.raises(ValueError, match=r"must have the same shape.*\(4, 2\).*\(4, 3\)"):
        losses.BinaryCrossentropy()(np.zeros((4, 2)), np.full((4, 3), 0.5))
    with pytest.raises(ValueError, match=r"must have the same shape.*\(4, 3\).*\(4, 5\)"):
        losses.CategoricalCrossentropy()(np.eye(3)[[0, 1, 2, 0]], np.full((4, 5), 0.2))
    with pytest.raises(ValueError, match=r"rank \(ndim\) `target.ndim - 1`"):
        losses.sparse_categorical_crossentropy(np.zeros((4, 2)), np.full((4, 3), 1 / 3))


def test_categorical_with_one_class_warns():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((2, 1)), np.ones((2, 1)))


# -- gradients vs finite differences ------------------------------------------------------------------------
def test_mse_gradient():
    y = RNG.normal(size=(4, 3))
    check_gradients(lambda p: losses.mean_squared_error(y, p), RNG.normal(size=(4, 3)))
    check_gradients(lambda p: losses.MeanSquaredError(dtype="float64")(y, p), RNG.normal(size=(4, 3)))


def test_bce_gradients():
    y = RNG.integers(0, 2, size=(5, 2)).astype(np.float64)
    check_gradients(lambda p: losses.binary_crossentropy(y, p), RNG.uniform(0.1, 0.9, size=(5, 2)))
    check_gradients(lambda z: losses.binary_crossentropy(y, z, from_logits=True), RNG.normal(size=(5, 2)))


def test_cce_gradients():
    y = np.eye(3)[[0, 2, 1, 1]]
    check_gradients(lambda p: losses.categorical_crossentropy(y, p), RNG.uniform(0.1, 0.9, size=(4, 3)))
    check_gradients(lambda z: losses.categorical_crossentropy(y, z, from_logits=True, label_smoothing=0.1),
                    RNG.normal(size=(4, 3)))


def test_scce_gradients():
    y = np.array([0, 2, 1, 1])
    check_gradients(lambda p: losses.sparse_categorical_crossentropy(y, p), RNG.uniform(0.1, 0.9, size=(4, 3)))
    check_gradients(lambda z: losses.sparse_categorical_crossentropy(y, z, from_logits=True),
                    RNG.normal(size=(4, 3)))


# -- graph mode --------------------------------------------------------------------------------------------
def test_same_value_in_eager_function_and_session():
    y, p = RNG.normal(size=(3, 2)).astype(np.float32), RNG.normal(size=(3, 2)).astype(np.float32)
    loss = losses.Huber(delta=0.5)
    eager = float(loss(y, p))
    traced = float(tf.function(lambda a, b: loss(a, b))(tf.constant(y), tf.constant(p)))
    g = tf.Graph()
    with g.as_default():
        a, b = tf.compat.v1.placeholder(tf.float32, [None, 2]), tf.compat.v1.placeholder(tf.float32, [None, 2])
        out = loss(a, b)  # unknown batch size: the mean divides by the runtime size
    with tf.compat.v1.Session(graph=g) as sess:
        graph = float(sess.run(out, {a: y, b: p}))
    assert eager == pytest.approx(traced, rel=1e-6) and eager == pytest.approx(graph, rel=1e-6)
    with tf.compat.v1.Session(graph=g) as sess:  # an empty batch has loss 0, not nan (as in Keras)
        assert sess.run(out, {a: np.zeros((0, 2)), b: np.zeros((0, 2))}) == 0.0


def test_sigmoid_output_uses_its_logits_inside_tf_function():
    y = np.array([[1.0], [0.0]], np.float32)
    z = np.array([[-30.0], [2.0]], np.float32)  # the first probability underflows below epsilon
    exact = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    bce = losses.BinaryCrossentropy()

    @tf.function
    def traced(logits):
        return bce(y, tf.sigmoid(logits))

    assert float(traced(tf.constant(z))) == pytest.approx(exact, rel=1e-5)
    eager = float(bce(y, tf.sigmoid(tf.constant(z))))  # eager: clipped at epsilon, as in Keras
    assert eager == pytest.approx(np.mean(_bce_ref(y, _sigmoid(z.astype(np.float64)))), rel=1e-4)
    assert eager < exact - 6  # the clipped probability caps the first sample's loss at 16.1 instead of 30

    cce = losses.CategoricalCrossentropy()
    onehot = np.array([[0.0, 1.0]], np.float32)
    logits = np.array([[40.0, 0.0]], np.float32)
    out = tf.function(lambda t: cce(onehot, tf.nn.softmax(t)))(tf.constant(logits))
    assert float(out) == pytest.approx(40.0, rel=1e-5)  # exact, where clipping would give -log(1e-7) ≈ 16


# -- get / config -----------------------------------------------------------------------------------------------
def test_get():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("binary_crossentropy") is losses.binary_crossentropy
    assert isinstance(losses.get("SparseCategoricalCrossentropy"), losses.SparseCategoricalCrossentropy)
    mse = losses.MeanSquaredError()
    assert losses.get(mse) is mse and losses.get(None) is None
    clone = losses.get(losses.serialize(losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)))
    assert clone.from_logits and clone.label_smoothing == 0.1
    with pytest.raises(ValueError, match=r"'msee'.*Valid names.*'mse'"):
        losses.get("msee")


def test_custom_loss_subclass():
    class Scaled(losses.Loss):
        def call(self, y_true, y_pred):
            return 2.0 * tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)

    loss = Scaled()
    assert loss.name == "scaled" and loss.reduction == "sum_over_batch_size"
    assert float(loss([[1.0, 2.0]], [[2.0, 2.0]])) == pytest.approx(1.0)
