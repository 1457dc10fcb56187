"""Saving: weights files and .keras files round trip; corrupt, mismatched or missing files fail cleanly and
load nothing; a failed save keeps the previous file."""
import io
import json
import os
import zipfile

import numpy as np
import pytest

from tinyflow import keras
from tinyflow.keras import layers
from tinyflow.keras.models import saving


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def make_model(hidden=4):
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(hidden, activation="relu"),
                              layers.BatchNormalization(), layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


def x_data(n=5):
    return np.random.default_rng(0).normal(size=(n, 3)).astype(np.float32)


def trained_model():
    model = make_model()
    model.fit(x_data(16), np.ones((16, 2), np.float32), epochs=2, verbose=0)  # moves the BN statistics too
    return model


def same_weights(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))


def test_weights_round_trip_into_a_fresh_model(tmp_path):
    model = trained_model()
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    with np.load(path, allow_pickle=False) as npz:  # plain arrays, named by layer path
        assert sorted(npz.files) == ["batch_normalization/beta", "batch_normalization/gamma",
                                     "batch_normalization/moving_mean", "batch_normalization/moving_variance",
                                     "dense/bias", "dense/kernel", "dense_1/bias", "dense_1/kernel"]
    fresh = make_model()  # built by the same code: its layers are dense_2, dense_3 ...; keys still match
    assert fresh.layers[0].name != "dense"
    fresh.load_weights(path)
    assert same_weights(model, fresh)
    np.testing.assert_array_equal(model.predict(x_data(), verbose=0), fresh.predict(x_data(), verbose=0))
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []


def test_keras_file_round_trip_with_compile_config(tmp_path):
    model = trained_model()
    path = tmp_path / "model.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.npz"]
        config = json.loads(archive.read("config.json"))
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    loaded = keras.models.load_model(path)
    assert same_weights(model, loaded)
    np.testing.assert_allclose(model.predict(x_data(), verbose=0), loaded.predict(x_data(), verbose=0))
    assert type(loaded.optimizer).__name__ == "Adam"
    assert float(loaded.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    history = loaded.fit(x_data(8), np.ones((8, 2), np.float32), epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]


def test_functional_and_subclassed_models_round_trip(tmp_path):
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b")
    shared = layers.Dense(2)
    functional = keras.Model([a, b], layers.Concatenate()([shared(a), shared(b)]))
    functional.save(tmp_path / "f.keras")
    loaded = keras.models.load_model(tmp_path / "f.keras")
    xs = [x_data(), x_data() + 1]
    np.testing.assert_array_equal(functional.predict(xs, verbose=0), loaded.predict(xs, verbose=0))

    @keras.saving.register_keras_serializable(package="tests")
    class Residual(keras.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.inner = layers.Dense(units)

        def call(self, x):
            return x + self.inner(x)

    model = Residual()
    model(x_data())
    model.save(tmp_path / "r.keras")
    loaded = keras.models.load_model(tmp_path / "r.keras")
    assert type(loaded) is Residual and loaded.units == 3
    np.testing.assert_array_equal(model(x_data()).numpy(), loaded(x_data()).numpy())


def test_unregistered_custom_class_needs_custom_objects(tmp_path):
    class Plain(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d = layers.Dense(1)

        def call(self, x):
            return self.d(x)

    model = Plain()
    model(x_data())
    model.save(tmp_path / "p.keras")
    with pytest.raises(TypeError, match="Could not locate class 'Plain'"):
        keras.models.load_model(tmp_path / "p.keras")
    loaded = keras.models.load_model(tmp_path / "p.keras", custom_objects={"Plain": Plain})
    assert same_weights(model, loaded)


def test_truncated_file_raises_and_loads_nothing(tmp_path):
    model = trained_model()
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    target = make_model()
    before = target.get_weights()
    with pytest.raises(ValueError, match="truncated or corrupt"):
        target.load_weights(path)
    assert all(np.array_equal(u, v) for u, v in zip(before, target.get_weights()))
    corrupt = bytearray(data)
    corrupt[len(data) // 3] ^= 0xFF  # one flipped byte inside an array: the zip checksum catches it
    path.write_bytes(bytes(corrupt))
    with pytest.raises(ValueError, match="truncated or corrupt"):
        target.load_weights(path)
    (tmp_path / "bad.keras").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a valid .keras archive"):
        keras.models.load_model(tmp_path / "bad.keras")


def rewrite(path, edit):
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    edit(arrays)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


def test_changed_shape_names_layer_and_shapes(tmp_path):
    model = trained_model()
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    rewrite(path, lambda a: a.update({"dense_1/kernel": np.zeros((4, 3), np.float32)}))
    target = make_model()
    before = target.get_weights()
    with pytest.raises(ValueError, match=r"layer 'dense_3' \(Dense\) weight 'dense_1/kernel' has shape \(4, 2\) in "
                                         r"the model but \(4, 3\) in the file"):
        target.load_weights(path)
    assert all(np.array_equal(u, v) for u, v in zip(before, target.get_weights()))  # not even dense/kernel


def test_removed_array_and_extra_array(tmp_path):
    model = trained_model()
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    rewrite(path, lambda a: a.pop("batch_normalization/moving_mean"))
    with pytest.raises(ValueError, match=r"weight 'batch_normalization/moving_mean' of shape \(4,\) is missing"):
        make_model().load_weights(path)
    model.save_weights(path)
    rewrite(path, lambda a: a.update({"dense_9/kernel": np.zeros(2, np.float32)}))
    with pytest.raises(ValueError, match=r"the file has weights the model does not: \['dense_9/kernel'\]"):
        make_model().load_weights(path)


def test_wrong_model_loads_nothing(tmp_path):
    model = trained_model()
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    other = make_model(hidden=5)
    before = other.get_weights()
    with pytest.raises(ValueError, match="do not match model") as info:
        other.load_weights(path)
    assert "(3, 5) in the model but (3, 4) in the file" in str(info.value)
    assert all(np.array_equal(u, v) for u, v in zip(before, other.get_weights()))
    different = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="different architecture"):
        different.load_weights(path)


def test_missing_file_wrong_extension_and_unbuilt_model(tmp_path):
    model = make_model()
    with pytest.raises(FileNotFoundError, match="No weights file"):
        model.load_weights(tmp_path / "nope.weights.npz")
    with pytest.raises(FileNotFoundError, match="File not found"):
        keras.models.load_model(tmp_path / "nope.keras")
    with pytest.raises(ValueError, match="must end in `.weights.npz`"):
        model.save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(tmp_path / "m.h5")
    model.save_weights(tmp_path / "w.weights.npz")
    unbuilt = keras.Sequential([layers.Dense(4), layers.Dense(2)])
    with pytest.raises(ValueError, match="is not built yet"):
        unbuilt.load_weights(tmp_path / "w.weights.npz")
    with pytest.raises(FileExistsError):
        model.save_weights(tmp_path / "w.weights.npz", overwrite=False)


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "evil.weights.npz"
    buffer = io.BytesIO()
    np.savez(buffer, **{"dense/kernel": np.array([{"a": 1}], dtype=object)})
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="pickled Python objects"):
        make_model().load_weights(path)


def test_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    model = trained_model()
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    good = path.read_bytes()
    model.set_weights([w + 1 for w in model.get_weights()])

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(saving.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(path)
    with pytest.raises(OSError, match="disk full"):
        model.save(tmp_path / "m.keras")
    monkeypatch.undo()
    assert path.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["m.weights.npz"]  # no temporary files left behind

    def broken_savez(*args, **kwargs):
        raise RuntimeError("serialization failed")

    monkeypatch.setattr(saving.np, "savez", broken_savez)
    with pytest.raises(RuntimeError, match="serialization failed"):
        model.save_weights(path)
    assert path.read_bytes() == good


def test_clone_and_json_round_trip():
    model = make_model()
    clone = keras.models.clone_model(model)
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert not same_weights(model, clone)  # fresh initialization
    rebuilt = keras.models.model_from_json(model.to_json())
    assert rebuilt.count_params() == model.count_params()
