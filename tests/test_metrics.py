"""keras.metrics: running values vs numpy over several batches (with sample weights), state handling
eagerly and inside tf.function, custom metrics, get/config."""
from __future__ import annotations

import numpy as np
import pytest

import tinyflow as tf
from tinyflow.keras import losses, metrics

RNG = np.random.default_rng(2)


def _batches(n_batches=3, batch=5, classes=4):
    out = []
    for _ in range(n_batches):
        labels = RNG.integers(0, classes, size=batch)
        out.append((labels, RNG.normal(size=(batch, classes)), RNG.uniform(0, 2, size=batch)))
    return out


# -- Mean and Sum ------------------------------------------------------------------------------------------
def test_mean_and_sum_with_weights_and_reset():
    m, s = metrics.Mean(), metrics.Sum()
    m.update_state([1.0, 3.0, 5.0, 7.0])
    assert float(m.result()) == 4.0
    m.update_state([10.0], sample_weight=[4.0])  # (1+3+5+7 + 40) / (4 + 4)
    assert float(m.result()) == pytest.approx(56.0 / 8.0)
    assert [v.name for v in m.variables] == ["total:0", "count:0"]
    m.reset_state()
    assert float(m.result()) == 0.0 and float(m.count) == 0.0  # divide_no_nan: 0, not nan
    assert float(s([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])) == 4.0


def test_mean_of_rank_2_values_counts_samples():
    values = RNG.normal(size=(6, 3))
    w = RNG.uniform(size=6)
    m = metrics.Mean()
    m.update_state(values, sample_weight=w)  # each row is one sample: its mean, weighted
    expected = (values.mean(axis=1) * w).sum() / w.sum()
    assert float(m.result()) == pytest.approx(expected, rel=1e-5)
    m2 = metrics.Mean()
    m2.update_state(values)
    assert float(m2.count) == 6.0 and float(m2.result()) == pytest.approx(values.mean(), rel=1e-5)


def test_mean_scalar_with_batch_size_weight():
    m = metrics.Mean()
    m.update_state(tf.constant(2.0), sample_weight=10)  # how fit tracks the loss: value x batch size
    m.update_state(tf.constant(5.0), sample_weight=5)
    assert float(m.result()) == pytest.approx((20.0 + 25.0) / 15.0)


# -- accuracy ------------------------------------------------------------------------------------------------
def test_sparse_and_categorical_accuracy_over_batches():
    sparse, cat = metrics.SparseCategoricalAccuracy(), metrics.CategoricalAccuracy()
    hits = weights = weighted_hits = 0.0
    weighted = metrics.SparseCategoricalAccuracy()
    for labels, scores, w in _batches():
        sparse.update_state(labels, scores)
        cat.update_state(np.eye(4)[labels], scores)
        weighted.update_state(labels.reshape(-1, 1), scores, sample_weight=w)
        match = (scores.argmax(-1) == labels).astype(float)
        hits += match.sum()
        weighted_hits += (match * w).sum()
        weights += w.sum()
    assert float(sparse.result()) == pytest.approx(hits / 15)
    assert float(cat.result()) == pytest.approx(hits / 15)
    assert float(weighted.result()) == pytest.approx(weighted_hits / weights, rel=1e-5)


def test_binary_accuracy_and_threshold():
    y = np.array([[1], [1], [0], [0]])
    p = np.array([[0.98], [1], [0], [0.6]])
    assert float(metrics.BinaryAccuracy()(y, p)) == 0.75
    assert float(metrics.BinaryAccuracy(threshold=0.7)(y, p)) == 1.0
    assert float(metrics.BinaryAccuracy()(y[:, 0], p)) == 0.75  # (4,) labels meet (4, 1) predictions
    assert float(metrics.BinaryAccuracy()(y, p, sample_weight=[1, 0, 0, 1])) == 0.5
    with pytest.raises(ValueError, match="threshold=1.5"):
        metrics.BinaryAccuracy(threshold=1.5)


def test_exact_accuracy():
    m = metrics.Accuracy()
    assert float(m([[1], [2], [3], [4]], [[0], [2], [3], [4]])) == 0.75
    m.reset_state()
    assert float(m([[1], [2], [3], [4]], [[0], [2], [3], [4]], sample_weight=[1, 1, 0, 0])) == 0.5


def test_accuracy_functions_give_per_sample_matches():
    out = metrics.sparse_categorical_accuracy(np.array([[2], [1]]), np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
    assert out.shape.as_list() == [2] and out.numpy().tolist() == [0.0, 1.0]
    out = metrics.binary_accuracy(np.array([[1.0, 0.0]]), np.array([[0.7, 0.2]]))
    assert out.numpy().tolist() == [1.0]


# -- regression and probabilistic metrics ----------------------------------------------------------------------
def test_regression_metrics_over_batches():
    mse, mae, rmse = metrics.MeanSquaredError(), metrics.MeanAbsoluteError(), metrics.RootMeanSquaredError()
    ys, ps = [], []
    for _ in range(3):
        y, p = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))
        for m in (mse, mae, rmse):
            m.update_state(y, p)
        ys.append(y)
        ps.append(p)
    y, p = np.concatenate(ys), np.concatenate(ps)
    assert float(mse.result()) == pytest.approx(((y - p) ** 2).mean(), rel=1e-5)
    assert float(mae.result()) == pytest.approx(np.abs(y - p).mean(), rel=1e-5)
    assert float(rmse.result()) == pytest.approx(np.sqrt(((y - p) ** 2).mean()), rel=1e-5)


def test_crossentropy_metrics_average_the_loss():
    labels, scores, _ = _batches(1)[0]
    m = metrics.SparseCategoricalCrossentropy(from_logits=True)
    expected = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, scores)
    assert float(m(labels, scores)) == pytest.approx(float(expected), rel=1e-6)
    y, p = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]])
    assert float(metrics.BinaryCrossentropy()(y, p)) == pytest.approx(float(losses.BinaryCrossentropy()(y, p)))


def test_mean_metric_wrapper_of_a_custom_function():
    def max_error(y_true, y_pred):
        return tf.reduce_max(tf.abs(y_true - y_pred), axis=-1)

    m = metrics.MeanMetricWrapper(max_error, name="max_error")
    m.update_state(tf.constant([[1.0, 2.0], [0.0, 0.0]]), tf.constant([[1.0, 5.0], [1.0, 0.0]]))
    assert m.name == "max_error" and float(m.result()) == 2.0
    assert metrics.MeanMetricWrapper(max_error).name.startswith("mean_metric_wrapper")


# -- inside tf.function ------------------------------------------------------------------------------------------
def test_state_updates_inside_tf_function_match_eager():
    eager, traced = metrics.SparseCategoricalAccuracy(), metrics.SparseCategoricalAccuracy()
    loss_eager, loss_traced = metrics.Mean(), metrics.Mean()

    @tf.function
    def step(labels, scores):
        traced.update_state(labels, scores)
        loss_traced.update_state(tf.reduce_mean(scores))
        return traced.result()

    for labels, scores, _ in _batches(4):
        eager.update_state(labels, scores)
        loss_eager.update_state(np.mean(scores))
        result = step(tf.constant(labels), tf.constant(scores))
    assert float(result) == pytest.approx(float(eager.result()))
    assert float(loss_traced.result()) == pytest.approx(float(loss_eager.result()), rel=1e-6)
    assert step.experimental_get_tracing_count() == 1
    tf.function(traced.reset_state)()
    assert float(traced.result()) == 0.0


def test_custom_metric_from_the_tf_guide():
    class BinaryTruePositives(metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_weight(name="tp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = tf.cast(y_true, tf.bool)
            y_pred = tf.cast(y_pred, tf.bool)
            values = tf.cast(tf.logical_and(tf.equal(y_true, True), tf.equal(y_pred, True)), self.dtype)
            if sample_weight is not None:
                values = tf.multiply(values, tf.cast(sample_weight, self.dtype))
            self.true_positives.assign_add(tf.reduce_sum(values))

        def result(self):
            return self.true_positives

    m = BinaryTruePositives()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert float(m.result()) == 2.0
    tf.function(m.update_state)(tf.constant([1, 1]), tf.constant([1, 1]))
    assert float(m.result()) == 4.0
    m.reset_states()  # the TF 2.x spelling
    assert float(m.result()) == 0.0 and m.dtype == "float32"


# -- get / config ----------------------------------------------------------------------------------------------------
def test_get():
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("sparse_categorical_accuracy"), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.get("BinaryAccuracy"), metrics.BinaryAccuracy)
    m = metrics.Mean()
    assert metrics.get(m) is m and metrics.get(None) is None
    with pytest.raises(ValueError, match=r"'acuracy'.*Valid names.*'accuracy'"):
        metrics.get("acuracy")


def test_config_roundtrip():
    m = metrics.BinaryAccuracy(name="acc", threshold=0.3)
    clone = metrics.deserialize(metrics.serialize(m))
    assert clone.name == "acc" and clone.threshold == 0.3
    w = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="ba", threshold=0.9)
    clone = metrics.MeanMetricWrapper.from_config(w.get_config())
    assert float(clone([[1.0]], [[0.8]])) == 0.0  # the threshold came back
