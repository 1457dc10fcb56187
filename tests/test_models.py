"""Sequential, functional and subclassed models: construction, graph replay, weights, summary, configs."""
import doctest
import importlib
import json

import numpy as np
import pytest

import tinyflow as tf
from tinyflow import keras
from tinyflow.keras import layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def x_data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


# -- Sequential ------------------------------------------------------------------------------------------------
def test_sequential_with_input_is_built_at_once():
    model = keras.Sequential([keras.Input(shape=(8, 8)), layers.Flatten(), layers.Dense(16, activation="relu"),
                              layers.Dense(10)])
    assert model.built and model.name == "sequential"
    assert [layer.name for layer in model.layers] == ["flatten", "dense", "dense_1"]
    assert model.input_shape == (None, 8, 8) and model.output_shape == (None, 10)
    assert model.count_params() == 64 * 16 + 16 + 16 * 10 + 10
    x = x_data((3, 8, 8))
    k1, b1, k2, b2 = model.get_weights()
    expected = np.maximum(x.reshape(3, 64) @ k1 + b1, 0) @ k2 + b2
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_sequential_without_input_builds_on_first_call_and_add():
    model = keras.Sequential()
    model.add(layers.Dense(4, activation="tanh"))
    model.add(layers.Dense(1))
    assert not model.built and model.weights == []
    y = model(x_data((5, 3)))
    assert y.shape == (5, 1) and model.built and len(model.weights) == 4
    assert model.output_shape == (None, 1)  # the batch size stays open
    model(x_data((7, 3)))  # another batch size is fine
    with pytest.raises(ValueError, match='Input 0 of layer "dense" is incompatible'):
        model(x_data((2, 4)))


def test_sequential_input_shape_argument_and_pop():
    model = keras.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    assert model.built and model.output_shape == (None, 2)
    model.pop()
    assert model.output_shape == (None, 4) and len(model.layers) == 1


def test_sequential_errors():
    with pytest.raises(ValueError, match="should have unique names"):
        keras.Sequential([layers.Dense(1, name="a"), layers.Dense(1, name="a")])
    with pytest.raises(ValueError, match="Only instances of `keras.Layer` can be added"):
        keras.Sequential([lambda x: x])


# -- functional --------------------------------------------------------------------------------------------------
def test_functional_multi_input_output_and_replay():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    h = layers.Concatenate()([layers.Dense(4, activation="relu", name="ha")(a), b])
    reg, cls = layers.Dense(1, name="reg")(h), layers.Dense(3, activation="softmax", name="cls")(h)
    model = keras.Model(inputs=[a, b], outputs=[reg, cls])
    assert type(model).__name__ == "Functional" and model.name == "functional"
    assert [layer.name for layer in model.layers] == ["a", "b", "ha", "concatenate", "reg", "cls"]
    assert model.output_names == ["reg", "cls"]
    xa, xb = x_data((4, 3)), x_data((4, 2), 1)
    out_reg, out_cls = model([xa, xb])
    ka, ba = model.get_layer("ha").get_weights()
    hidden = np.concatenate([np.maximum(xa @ ka + ba, 0), xb], -1)
    kr, br = model.get_layer("reg").get_weights()
    np.testing.assert_allclose(out_reg.numpy(), hidden @ kr + br, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out_cls.numpy().sum(-1), 1.0, rtol=1e-5)
    by_name = model({"a": xa, "b": xb})  # dict inputs by input name
    np.testing.assert_allclose(by_name[0].numpy(), out_reg.numpy())


def test_shared_layer_has_one_set_of_weights():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    shared = layers.Dense(2)
    model = keras.Model([a, b], layers.Add()([shared(a), shared(b)]))
    assert len(model.weights) == 2 and len(shared._inbound_nodes) == 2
    xa, xb = x_data((2, 3)), x_data((2, 3), 1)
    k, bias = shared.get_weights()
    np.testing.assert_allclose(model([xa, xb]).numpy(), xa @ k + xb @ k + 2 * bias, rtol=1e-5, atol=1e-6)


def test_weights_in_keras_layer_order():
    x = keras.Input(shape=(4,))
    h1 = layers.Dense(3, name="first")(x)
    h2 = layers.Dense(3, name="second")(h1)
    out = layers.Add()([h1, h2])
    model = keras.Model(x, out)
    assert [layer.name for layer in model.layers] == ["input_layer", "first", "second", "add"]
    assert [w.name for w in model.weights] == ["first/kernel:0", "first/bias:0", "second/kernel:0",
                                               "second/bias:0"]


def test_graph_disconnected_and_bad_inputs():
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(a, out)
    with pytest.raises(ValueError, match="All `inputs` values must be KerasTensors"):
        keras.Model(np.zeros(2), out)
    model = keras.Model([a, b], out)
    with pytest.raises(ValueError, match="expects 2 input"):
        model(x_data((1, 2)))


def test_functional_config_round_trip_is_json_and_reproduces_outputs():
    a = keras.Input(shape=(3,), name="a")
    shared = layers.Dense(3, name="shared")
    h = layers.Add()([shared(a), shared(layers.Dense(3, name="pre")(a))])
    model = keras.Model(a, [h, layers.Dropout(0.5)(h)])
    config = json.loads(json.dumps(model.get_config()))
    clone = keras.Model.from_config(config)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    clone.set_weights(model.get_weights())
    x = x_data((2, 3))
    for got, want in zip(clone(x), model(x)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_keras_tensor_misuse_is_explained():
    x = keras.Input(shape=(2,))
    with pytest.raises(TypeError, match="KerasTensor .* cannot be used as input to a tinyflow op"):
        tf.matmul(x, tf.ones([2, 2]))


def test_nested_models():
    inner = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, name="inner_dense")])
    x = keras.Input(shape=(3,))
    outer = keras.Model(x, layers.Dense(1)(inner(x)))
    assert len(outer.weights) == 4 and outer.layers[1] is inner
    assert outer(x_data((2, 3))).shape == (2, 1)


# -- subclassed ---------------------------------------------------------------------------------------------------
class TwoTower(keras.Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.towers = [layers.Dense(units, activation="relu"), layers.Dense(units, activation="tanh")]
        self.norm = layers.BatchNormalization()
        self.head = {"out": layers.Dense(1)}
        self.dropout = layers.Dropout(0.5)

    def call(self, x, training=False):
        h = self.towers[0](x) + self.towers[1](x)
        h = self.dropout(self.norm(h, training=training), training=training)
        return self.head["out"](h)


def test_subclassed_model_tracks_layers_in_containers():
    model = TwoTower()
    assert not model.built
    y = model(x_data((4, 3)))
    assert y.shape == (4, 1)
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "batch_normalization", "dense_2",
                                                      "dropout"]
    assert len(model.weights) == 2 + 2 + 4 + 2
    assert len(model.trainable_weights) == 8 and len(model.non_trainable_weights) == 2
    np.testing.assert_array_equal(model(x_data((4, 3)), training=False).numpy(), y.numpy())  # deterministic
    assert not np.allclose(model(x_data((4, 3)), training=True).numpy(), y.numpy())


def test_subclassed_get_config_and_build():
    model = TwoTower(units=5, name="towers")
    assert model.get_config()["units"] == 5
    clone = TwoTower.from_config(model.get_config())
    clone.build((None, 3))
    assert clone.built and clone.count_params() == 2 * (3 * 5 + 5) + 4 * 5 + 6


def test_get_set_weights_between_identical_models():
    def make():
        return keras.Sequential([keras.Input(shape=(2,)), layers.Dense(3), layers.BatchNormalization(),
                                 layers.Dense(1)])

    a, b = make(), make()
    b.set_weights(a.get_weights())
    x = x_data((5, 2))
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    assert [w.shape for w in a.get_weights()] == [(2, 3), (3,), (3,), (3,), (3,), (3,), (3, 1), (1,)]


# -- summary -------------------------------------------------------------------------------------------------------
def test_summary_table_and_totals():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3), layers.BatchNormalization(),
                              layers.Dense(1)], name="net")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "net"'
    assert "Layer (type)" in lines[2] and "Output Shape" in lines[2] and "Param #" in lines[2]
    row = next(line for line in lines if "dense (Dense)" in line)
    assert "(None, 3)" in row and row.rstrip("│ ").endswith("15")
    assert "batch_normalization" in text and "(BatchNormalization)" in text  # a long cell wraps
    # 4*3 + 3 = 15, gamma/beta/moving mean/variance 4*3 (6 of them non-trainable), 3*1 + 1 = 4
    assert lines[-3] == " Total params: 31 (124.00 B)"
    assert lines[-2] == " Trainable params: 25 (100.00 B)"
    assert lines[-1] == " Non-trainable params: 6 (24.00 B)"
    widths = {len(line) for line in lines[1:-3]}
    assert len(widths) == 1  # every table line has the same width


def test_summary_functional_has_connections_and_subclassed_works():
    a, b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(2,), name="b")
    model = keras.Model([a, b], layers.Add(name="sum")([a, b]))
    lines = []
    model.summary(print_fn=lines.append)
    assert "Connected to" in lines[2]
    assert any("a[0][0]" in line for line in lines) and any("b[0][0]" in line for line in lines)
    sub = TwoTower()
    sub(x_data((2, 3)))
    lines = []
    sub.summary(print_fn=lines.append)
    assert any("dense (Dense)" in line for line in lines) and lines[-3].startswith(" Total params: 53 ")


DOCUMENTED = ["tinyflow.module", "tinyflow.keras", "tinyflow.keras.activations", "tinyflow.keras.initializers",
              "tinyflow.keras.regularizers", "tinyflow.keras.backend", "tinyflow.keras.utils",
              "tinyflow.keras.layers.layer", "tinyflow.keras.layers.dense", "tinyflow.keras.layers.batch_normalization",
              "tinyflow.keras.layers.conv2d", "tinyflow.keras.layers.dropout", "tinyflow.keras.layers.merging",
              "tinyflow.keras.models.model", "tinyflow.keras.models.functional", "tinyflow.keras.models.sequential",
              "tinyflow.keras.models.summary", "tinyflow.keras.models.saving", "tinyflow.keras.models.training",
              "tinyflow.keras.models.graph_config", "tinyflow.keras.callbacks.progbar_logger"]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
