"""compile / fit / evaluate / predict / *_on_batch: numbers against numpy, logs, data inputs, progress output."""
import re

import numpy as np
import pytest

import tinyflow as tf
from tinyflow import keras
from tinyflow.keras import layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def linear_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype(np.float32)
    return x, y


def linear_model(lr=0.1, **compile_kwargs):
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse", **compile_kwargs)
    return model


def test_one_sgd_step_matches_numpy():
    x, y = linear_data(8)
    model = linear_model(lr=0.1)
    logs = model.train_on_batch(x, y, return_dict=True)
    w0, b0 = np.zeros((3, 1)), np.zeros(1)
    err = x @ w0 + b0 - y
    np.testing.assert_allclose(logs["loss"], np.mean(err ** 2), rtol=1e-5)
    grad_w, grad_b = 2 * x.T @ err / len(x), 2 * err.mean(0)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel, w0 - 0.1 * grad_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, b0 - 0.1 * grad_b, rtol=1e-5, atol=1e-6)


def test_fit_converges_and_returns_history():
    x, y = linear_data()
    model = linear_model(metrics=["mae"])
    history = model.fit(x, y, batch_size=16, epochs=30, verbose=0)
    assert history is model.history and history.epoch == list(range(30))
    assert sorted(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < 1e-3 < history.history["loss"][0]
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel.ravel(), [1.0, -2.0, 0.5], atol=0.02)
    np.testing.assert_allclose(bias, [0.3], atol=0.02)


def test_evaluate_and_predict_match_numpy():
    x, y = linear_data(50)
    model = linear_model(metrics=["mae"])
    model.set_weights([np.array([[1.0], [0.0], [1.0]], np.float32), np.array([0.5], np.float32)])
    pred = x @ np.array([[1.0], [0.0], [1.0]]) + 0.5
    out = model.predict(x, batch_size=16, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (50, 1)
    np.testing.assert_allclose(out, pred, rtol=1e-5, atol=1e-5)
    loss, mae = model.evaluate(x, y, batch_size=7, verbose=0)  # uneven batches: weighted by batch size
    np.testing.assert_allclose(loss, np.mean((pred - y) ** 2), rtol=1e-4)
    np.testing.assert_allclose(mae, np.mean(np.abs(pred - y)), rtol=1e-4)
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "mae"}
    only_loss = linear_model()
    assert isinstance(only_loss.evaluate(x, y, verbose=0), float)
    np.testing.assert_allclose(model.predict_on_batch(x[:4]), pred[:4], rtol=1e-5, atol=1e-5)
    assert model.test_on_batch(x, y) == pytest.approx([loss, mae], rel=1e-4)


def test_accuracy_is_resolved_from_shapes_and_loss():
    x = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
    cases = [  # (units, activation, loss, y) -> metric class
        (1, "sigmoid", "binary_crossentropy", (x[:, :1] > 0).astype(np.float32), "BinaryAccuracy"),
        (3, "softmax", "sparse_categorical_crossentropy", np.arange(20) % 3, "SparseCategoricalAccuracy"),
        (3, "softmax", "categorical_crossentropy", keras.utils.to_categorical(np.arange(20) % 3),
         "CategoricalAccuracy"),
    ]
    for units, activation, loss, y, expected in cases:
        model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(units, activation=activation)])
        model.compile("adam", loss, metrics=["accuracy"])
        history = model.fit(x, y, epochs=1, verbose=0)
        assert type(model.metrics[1]).__name__ == expected
        assert sorted(history.history) == ["accuracy", "loss"]
        _, acc = model.evaluate(x, y, verbose=0)
        pred = model.predict(x, verbose=0)
        if expected == "BinaryAccuracy":
            want = np.mean((pred > 0.5) == y)
        else:
            want = np.mean(pred.argmax(-1) == (y.argmax(-1) if y.ndim == 2 else y))
        assert acc == pytest.approx(want)


def test_train_step_is_traced_once_and_eager_mode_agrees():
    x, y = linear_data(50)
    graph_model = linear_model()
    graph_model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)  # last batch has 2 rows
    assert graph_model.train_function.function.experimental_get_tracing_count() == 1
    eager_model = linear_model(run_eagerly=True)
    eager_model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    for a, b in zip(graph_model.get_weights(), eager_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fit_is_reproducible_with_a_seed():
    def run():
        keras.utils.set_random_seed(42)
        model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(8, activation="relu"), layers.Dropout(0.2),
                                  layers.Dense(1)])
        model.compile("adam", "mse")
        history = model.fit(*linear_data(), batch_size=8, epochs=2, verbose=0)
        return history.history["loss"], model.get_weights()

    (loss_a, weights_a), (loss_b, weights_b) = run(), run()
    assert loss_a == loss_b
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)


def test_validation_split_uses_the_last_samples():
    x, y = linear_data(40)
    model = linear_model()
    history = model.fit(x, y, batch_size=8, epochs=2, validation_split=0.25, shuffle=False, verbose=0)
    assert sorted(history.history) == ["loss", "val_loss"]
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x[30:], y[30:], verbose=0), rel=1e-5)
    with pytest.raises(ValueError, match="not sufficient to split it"):
        model.fit(x[:1], y[:1], validation_split=0.5, verbose=0)


def test_validation_data_tensors_and_dataset_inputs():
    x, y = linear_data(32)
    model = linear_model()
    history = model.fit(tf.constant(x), tf.constant(y), validation_data=(x[:8], y[:8]), epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.evaluate(dataset, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)
    assert model.predict(dataset.map(lambda a, b: a), verbose=0).shape == (32, 1)
    with pytest.raises(ValueError, match="Do not specify `batch_size`"):
        model.fit(dataset, batch_size=4, verbose=0)


def test_sample_weight_class_weight_steps_and_initial_epoch():
    x, y = linear_data(16)
    model = linear_model()
    weights = np.r_[np.ones(8), np.zeros(8)].astype(np.float32)
    pred = model.predict(x, verbose=0)
    weighted = model.evaluate(x, y, sample_weight=weights, verbose=0)
    np.testing.assert_allclose(weighted, np.sum(weights[:, None] * (pred - y) ** 2) / 16, rtol=1e-5)
    history = model.fit(x, y, batch_size=4, epochs=3, initial_epoch=1, steps_per_epoch=2, verbose=0)
    assert history.epoch == [1, 2] and model.optimizer.iterations.numpy() == 4
    labels = (np.arange(16) % 2).astype(np.float32)
    clf = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1, activation="sigmoid")])
    clf.compile("sgd", "binary_crossentropy")
    clf.fit(x, labels, class_weight={0: 1.0, 1: 3.0}, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="must contain all classes"):
        clf.fit(x, labels, class_weight={0: 1.0}, verbose=0)


def test_regularization_is_added_to_the_loss():
    x, y = linear_data(16)
    dense = layers.Dense(1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.5))
    model = keras.Sequential([keras.Input(shape=(3,)), dense])
    model.compile("sgd", "mse")
    pred = x.sum(1, keepdims=True)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(np.mean((pred - y) ** 2) + 0.5 * 3, rel=1e-5)


def test_custom_train_step():
    class Counting(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.steps = tf.Variable(0, trainable=False)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            self.steps.assign_add(1)
            return super().train_step(data)

    model = Counting()
    model.compile("sgd", "mse")
    model.fit(*linear_data(20), batch_size=5, epochs=2, verbose=0)
    assert int(model.steps.numpy()) == 8


def test_errors_before_compile_and_bad_data():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="You must call `compile\\(\\)`"):
        model.fit(np.zeros((2, 3)), np.zeros((2, 1)), verbose=0)
    assert model.predict(np.zeros((2, 3)), verbose=0).shape == (2, 1)  # predict needs no compile
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(np.zeros((4, 3)), np.zeros((3, 1)), verbose=0)


def test_nan_loss_warns_with_advice():
    x, y = linear_data(16)
    x[3, 0] = np.nan
    model = linear_model()
    with pytest.warns(RuntimeWarning, match="TerminateOnNaN"):
        history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert np.isnan(history.history["loss"][0])


# -- printed progress -----------------------------------------------------------------------------------------
ANSI = re.compile(r"\x1b\[[0-9;]*m")
FINAL = re.compile(r"^(\d+)/(\d+) ━{20} \d+s \d+(us|ms|s)/step - loss: \d\.\d{4}(e[-+]\d+)? - val_loss: [\d.e+-]+ *$")


def test_progress_bar_verbose_1(capsys):
    x, y = linear_data(64)
    model = linear_model()
    model.fit(x, y, batch_size=8, epochs=2, validation_split=0.25, verbose=1)
    out = ANSI.sub("", capsys.readouterr().out)
    lines = out.split("\n")
    assert lines[0] == "Epoch 1/2"
    finals = [line.split("\r")[-1] for line in lines if "/6 " in line]
    assert len(finals) == 2, out
    for final in finals:
        assert FINAL.match(final), final
        assert final.startswith("6/6 ")
    epoch2 = lines.index("Epoch 2/2")
    assert epoch2 == 2
    assert out.count("\n") == 4  # two "Epoch" lines and one final line per epoch
    assert out.count("\r") <= 2 * 6  # redraws are throttled and never exceed one per step


def test_progress_bar_throttles_many_fast_steps(capsys):
    x, y = linear_data(2000)
    model = linear_model()
    model.fit(x, y, batch_size=2, epochs=1, verbose=1)  # 1000 steps
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.count("\r") < 200
    assert ANSI.sub("", out).split("\r")[-1].startswith("1000/1000 ━")


def test_progress_verbose_2_and_0(capsys):
    x, y = linear_data(32)
    model = linear_model(metrics=["mae"])
    model.fit(x, y, batch_size=8, epochs=3, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    for line in lines[1::2]:
        assert re.match(r"^4/4 - \d+s - \d+(us|ms|s)/step - loss: [\d.e+-]+ - mae: [\d.e+-]+$", line), line
    model.fit(x, y, epochs=2, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(x, y, batch_size=8)
    out = ANSI.sub("", capsys.readouterr().out)
    assert out.endswith("\n") and out.split("\r")[-1].startswith("4/4 ━")
