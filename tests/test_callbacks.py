"""Callbacks: History, EarlyStopping, ModelCheckpoint, TerminateOnNaN, LR schedules, LambdaCallback, Progbar."""
import os
import re

import numpy as np
import pytest

from tinyflow import keras
from tinyflow.keras import callbacks, layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    return x, (x @ np.array([[2.0], [-1.0]])).astype(np.float32)


def model(lr=0.05):
    m = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1, kernel_initializer="zeros")])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="mse", metrics=["mae"])
    return m


class FakeOptimizer:
    def __init__(self, lr):
        self.learning_rate = lr


class FakeModel:
    """Enough of a model for callbacks driven by hand: weights, stop flag, optimizer."""

    def __init__(self, lr=1.0):
        self.weights = [np.zeros(1)]
        self.stop_training = False
        self.optimizer = FakeOptimizer(lr)
        self.metrics = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = weights


def drive(callback, values, key="val_loss", model_=None):
    """Run ``callback`` over epochs with logs {key: value}; the weights record the epoch. Returns epochs run."""
    m = model_ or FakeModel()
    callback.set_model(m)
    callback.on_train_begin()
    epochs = 0
    for epoch, value in enumerate(values):
        m.weights = [np.array([float(epoch)])]
        callback.on_epoch_end(epoch, {key: value})
        epochs += 1
        if m.stop_training:
            break
    callback.on_train_end()
    return epochs, m


def test_history_records_every_epoch():
    x, y = data()
    m = model()
    history = m.fit(x, y, epochs=3, validation_data=(x, y), verbose=0)
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert all(len(v) == 3 for v in history.history.values())


def test_early_stopping_patience_and_restore(capsys):
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True, verbose=1)
    epochs, m = drive(stop, [5.0, 3.0, 4.0, 3.5, 1.0, 0.5])
    assert epochs == 4 and stop.stopped_epoch == 3 and stop.best == 3.0
    assert m.weights[0][0] == 1.0  # restored from the best epoch (index 1)
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out and "best epoch: 2." in out


def test_early_stopping_min_delta_mode_baseline_and_warmup():
    assert drive(callbacks.EarlyStopping(patience=1, min_delta=0.5), [3.0, 2.8, 2.7, 2.6])[0] == 2
    # "accuracy" in the name: higher is better (mode "auto")
    assert drive(callbacks.EarlyStopping(monitor="val_accuracy", patience=0), [0.5, 0.6, 0.55], "val_accuracy")[0] == 3
    assert drive(callbacks.EarlyStopping(monitor="val_accuracy", patience=0), [0.5, 0.4], "val_accuracy")[0] == 2
    assert drive(callbacks.EarlyStopping(patience=0, mode="max"), [1.0, 2.0, 1.5])[0] == 3
    # with a baseline, epochs that do not beat it keep counting towards `patience`
    assert drive(callbacks.EarlyStopping(patience=2, baseline=1.0), [2.0, 2.5, 2.6])[0] == 2
    assert drive(callbacks.EarlyStopping(patience=2), [2.0, 2.5, 2.6])[0] == 3
    assert drive(callbacks.EarlyStopping(patience=0, start_from_epoch=3), [1.0, 2.0, 3.0, 4.0, 5.0])[0] == 5


def test_early_stopping_in_fit_and_missing_metric_warning():
    x, y = data()
    m = model(lr=0.0)  # no progress at all
    stop = callbacks.EarlyStopping(monitor="loss", patience=2, min_delta=1e-4)
    history = m.fit(x, y, epochs=10, callbacks=[stop], verbose=0)
    assert len(history.history["loss"]) == 3
    with pytest.warns(UserWarning, match="which is not available. Available metrics are: loss"):
        m.fit(x, y, epochs=1, callbacks=[callbacks.EarlyStopping(monitor="val_loss")], verbose=0)


def test_model_checkpoint_save_best_only(tmp_path, capsys):
    path = str(tmp_path / "best.keras")
    ckpt = callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True, verbose=1)
    saves = []

    class Recorder:
        name = "m"

        def save(self, filepath, overwrite=True):
            saves.append(filepath)

    ckpt.set_model(Recorder())
    for epoch, value in enumerate([1.0, 0.5, 0.7, 0.2]):
        ckpt.on_epoch_end(epoch, {"val_loss": value})
    assert len(saves) == 3
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from inf to 1.00000, saving model to" in out
    assert "Epoch 3: val_loss did not improve from 0.50000" in out


def test_model_checkpoint_in_fit_writes_files(tmp_path):
    x, y = data()
    m = model()
    weights_path = str(tmp_path / "w-{epoch:02d}.weights.npz")
    m.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.ModelCheckpoint(weights_path, save_weights_only=True)])
    assert sorted(os.listdir(tmp_path)) == ["w-01.weights.npz", "w-02.weights.npz"]
    fresh = model()
    fresh.load_weights(str(tmp_path / "w-02.weights.npz"))
    for a, b in zip(fresh.get_weights(), m.get_weights()):
        np.testing.assert_array_equal(a, b)
    model_path = str(tmp_path / "sub" / "model.keras")
    m.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.ModelCheckpoint(model_path)])
    assert os.path.exists(model_path)
    with pytest.raises(ValueError, match="must end in `.weights.npz`"):
        callbacks.ModelCheckpoint(str(tmp_path / "x.keras"), save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`"):
        callbacks.ModelCheckpoint(str(tmp_path / "x.h5"))


def test_terminate_on_nan_stops_with_keras_message(capsys):
    x, y = data(32)
    x[9] = np.nan  # batch 1 of batch_size 8 has a NaN
    m = model()
    history = m.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out
    assert len(history.history["loss"]) == 1
    assert int(m.optimizer.iterations.numpy()) == 2  # stopped right after the bad batch


def test_learning_rate_scheduler(capsys):
    x, y = data()
    m = model(lr=0.1)
    seen = []
    history = m.fit(x, y, epochs=3, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda epoch, lr: seen.append(lr) or 0.1 / (epoch + 1), verbose=1)])
    np.testing.assert_allclose(seen, [0.1, 0.1, 0.05], rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.05." in capsys.readouterr().out
    with pytest.raises(ValueError, match="should be a float"):
        m.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda e, lr: "fast")])


def test_reduce_lr_on_plateau_patience_cooldown_min_lr(capsys):
    cb = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, cooldown=1, min_lr=0.3, verbose=1)
    m = FakeModel(lr=1.0)
    lrs = []
    cb.set_model(m)
    cb.on_train_begin()
    for epoch, value in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]):
        logs = {"val_loss": value}
        cb.on_epoch_end(epoch, logs)
        lrs.append(m.optimizer.learning_rate)
    # a reduction after 2 flat epochs; the cooldown epoch resets the count; the floor is min_lr
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3]
    assert "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.5." in capsys.readouterr().out
    with pytest.raises(ValueError, match="factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=2.0)


def test_lambda_callback_and_hook_order():
    x, y = data(16)
    events = []
    cb = callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(f"epoch_begin {epoch}"),
        on_train_batch_end=lambda batch, logs: events.append(f"batch {batch} {sorted(logs)}"),
        on_epoch_end=lambda epoch, logs: events.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: events.append("train_end"))
    model().fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[cb])
    assert events == ["train_begin", "epoch_begin 0", "batch 0 ['loss', 'mae']", "batch 1 ['loss', 'mae']",
                      "epoch_end 0 ['loss', 'mae']", "epoch_begin 1", "batch 0 ['loss', 'mae']",
                      "batch 1 ['loss', 'mae']", "epoch_end 1 ['loss', 'mae']", "train_end"]


def test_batch_hooks_are_skipped_when_unused():
    class EpochOnly(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    class PerBatch(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            pass

    plain = callbacks.CallbackList([EpochOnly(), callbacks.History()], verbose=0, epochs=1, steps=3)
    assert not plain.batch_hooks("train") and not plain.batch_hooks("test")
    assert callbacks.CallbackList([PerBatch()], verbose=0, epochs=1, steps=3).batch_hooks("train")
    with pytest.raises(TypeError, match="Expected a keras.callbacks.Callback"):
        callbacks.CallbackList([lambda: None])


def test_progbar_formats_and_redraws_in_place(capsys):
    bar = keras.utils.Progbar(target=3, interval=0.0)
    bar.update(1, [("loss", 1.23456)])
    bar.update(2, [("loss", 0.0001)])
    bar.update(3, [("loss", 0.5)])
    out = capsys.readouterr().out
    frames = out.split("\r")
    assert len(frames) == 3 and out.endswith("\n") and out.count("\n") == 1
    assert re.match(r"^1/3 ━{6}─{14} \d+s \d+(us|ms)/step - loss: 1\.2346$", frames[0].rstrip()), frames[0]
    assert "loss: 1.0000e-04" in frames[1]
    assert re.match(r"^3/3 ━{20} \d+s \d+(us|ms)/step - loss: 0\.5000 *\n$", frames[2]), frames[2]
