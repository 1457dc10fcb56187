"""Keras layers: forward passes and gradients against numpy formulas, weights, shapes, configs, errors."""
import math

import numpy as np
import pytest

import tinyflow as tf
from tests.helpers import check_gradients
from tinyflow import keras
from tinyflow.keras import activations, initializers, layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def rng(seed=0):
    return np.random.default_rng(seed)


# -- Layer base ------------------------------------------------------------------------------------------
def test_dense_forward_matches_numpy():
    x = rng().normal(size=(4, 3)).astype(np.float32)
    layer = layers.Dense(5, activation="relu")
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 5) and bias.shape == (5,)
    np.testing.assert_allclose(y, np.maximum(x @ kernel + bias, 0), rtol=1e-5, atol=1e-6)


def test_dense_gradients_match_formula():
    x = rng(1).normal(size=(4, 3)).astype(np.float32)
    layer = layers.Dense(2, bias_initializer="ones")
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_sum(y * y)
    gk, gb = (np.asarray(g) for g in tape.gradient(loss, [layer.kernel, layer.bias]))
    kernel, bias = layer.get_weights()
    g_out = 2 * (x @ kernel + bias)  # dL/dy
    np.testing.assert_allclose(gk, x.T @ g_out, rtol=1e-5)
    np.testing.assert_allclose(gb, g_out.sum(0), rtol=1e-5)


def test_dense_on_rank_3_input():
    layer = layers.Dense(4)
    x = rng().normal(size=(2, 5, 3)).astype(np.float32)
    y = layer(x).numpy()
    np.testing.assert_allclose(y, x @ layer.get_weights()[0] + layer.get_weights()[1], rtol=1e-5, atol=1e-6)


def test_weight_names_order_and_count_params():
    layer = layers.Dense(3)
    with pytest.raises(ValueError, match="isn't built"):
        layer.count_params()
    layer(np.zeros((1, 2), np.float32))
    assert [w.name for w in layer.weights] == ["dense/kernel:0", "dense/bias:0"]
    assert layer.count_params() == 2 * 3 + 3
    assert layer.trainable_weights == layer.weights and layer.non_trainable_weights == []


def test_auto_names_are_unique():
    names = [layers.Dense(1).name for _ in range(3)] + [layers.Conv2D(1, 1).name, layers.MaxPooling2D().name]
    assert names == ["dense", "dense_1", "dense_2", "conv2d", "max_pooling2d"]
    assert layers.BatchNormalization().name == "batch_normalization"
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_input_shape_check_uses_keras_message():
    layer = layers.Dense(2)
    layer(np.zeros((2, 3), np.float32))
    msg = ('Input 0 of layer "dense" is incompatible with the layer: expected axis -1 of input shape to have '
           "value 3, but received input with shape (2, 4)")
    with pytest.raises(ValueError) as info:
        layer(np.zeros((2, 4), np.float32))
    assert str(info.value) == msg
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layer(np.zeros((3,), np.float32))


def test_set_weights_checks_everything_first():
    layer = layers.Dense(2)
    layer(np.zeros((1, 3), np.float32))
    before = layer.get_weights()
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([before[0]])
    with pytest.raises(ValueError, match=r"weight shape \(2,\) is not compatible with provided weight shape \(3,\)"):
        layer.set_weights([before[0] + 1, np.zeros(3)])
    np.testing.assert_array_equal(layer.get_weights()[0], before[0])  # nothing assigned
    layer.set_weights([np.ones((3, 2)), np.full(2, 0.5)])
    np.testing.assert_array_equal(layer(np.ones((1, 3), np.float32)).numpy(), [[3.5, 3.5]])


def test_unrecognized_kwargs_and_bad_units():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Dense"):
        layers.Dense(2, foo=1)
    with pytest.raises(ValueError, match="Received: units=-3"):
        layers.Dense(-3)


def test_training_flag_reaches_nested_layers():
    seen = []

    class Probe(layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, x):
            return self.probe(x)

    outer = Outer()
    outer(np.zeros((1, 1), np.float32), training=True)
    outer(np.zeros((1, 1), np.float32))
    outer.probe(np.zeros((1, 1), np.float32), training=False)
    assert seen == [True, None, False]


def test_custom_layer_build_and_sublayer_tracking():
    class Block(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.inner = [layers.Dense(units), {"out": layers.Dense(1)}]

        def build(self, input_shape):
            self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones")
            self.stat = self.add_weight(name="stat", shape=(), initializer="zeros", trainable=False)

        def call(self, x):
            return self.inner[1]["out"](self.inner[0](x * self.scale))

    block = Block(4)
    assert block(np.ones((2, 3), np.float32)).shape == (2, 1)
    names = [w.name for w in block.weights]
    assert names == ["block/scale:0", "block/stat:0", "dense/kernel:0", "dense/bias:0", "dense_1/kernel:0",
                     "dense_1/bias:0"]
    block.trainable = False
    assert block.trainable_weights == [] and len(block.non_trainable_weights) == 6
    block.trainable = True
    assert len(block.trainable_weights) == 5
    config = block.get_config()  # automatic for simple __init__ arguments
    assert config["units"] == 4 and config["name"] == "block"


def test_regularizer_losses():
    layer = layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.1), bias_regularizer="l1")
    layer(np.zeros((1, 3), np.float32))
    kernel, bias = layer.get_weights()
    got = [float(loss) for loss in layer.losses]
    np.testing.assert_allclose(got, [0.1 * np.sum(kernel ** 2), 0.01 * np.sum(np.abs(bias))], rtol=1e-5)


# -- activations and initializers --------------------------------------------------------------------------
ACTIVATION_FORMULAS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "gelu": lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / np.sqrt(2))),
    "linear": lambda x: x,
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "exponential": np.exp,
    "relu6": lambda x: np.clip(x, 0, 6),
    "softsign": lambda x: x / (1 + np.abs(x)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATION_FORMULAS))
def test_activations_match_formulas(name):
    x = np.array([[-3.0, -0.5, 0.0, 0.7, 2.5, 7.0]], np.float32)
    expected = ACTIVATION_FORMULAS[name](x.astype(np.float64))
    np.testing.assert_allclose(activations.get(name)(tf.constant(x)).numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layers.Activation(name)(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_relu_and_softmax_layers():
    x = np.array([[-2.0, 0.5, 3.0, 8.0]], np.float32)
    relu = layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=1.0)
    np.testing.assert_allclose(relu(x).numpy(), [[-0.3, -0.05, 3.0, 6.0]], rtol=1e-6)
    np.testing.assert_allclose(layers.Softmax()(x).numpy(), ACTIVATION_FORMULAS["softmax"](x), rtol=1e-6)


def test_activation_get_errors_list_valid_names():
    with pytest.raises(ValueError, match=r"Could not interpret activation function identifier: 'rleu'.*'relu'"):
        activations.get("rleu")
    assert activations.get(None) is activations.linear
    assert activations.serialize(activations.get("swish")) == "silu"


def test_glorot_uniform_bounds_and_variance():
    w = initializers.GlorotUniform(seed=3)((200, 300)).numpy()
    limit = np.sqrt(6 / (200 + 300))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.95 * limit
    np.testing.assert_allclose(w.var(), limit ** 2 / 3, rtol=0.05)  # U(-a, a) has variance a²/3


def test_he_normal_and_glorot_normal_stddev():
    he = initializers.HeNormal(seed=1)((400, 300)).numpy()
    np.testing.assert_allclose(he.std(), np.sqrt(2 / 400), rtol=0.05)
    assert np.abs(he).max() <= 2 * np.sqrt(2 / 400) / 0.87962566103423978 + 1e-6  # truncated at 2 stddevs
    gn = initializers.get("glorot_normal")((300, 300)).numpy()
    np.testing.assert_allclose(gn.std(), np.sqrt(2 / 600), rtol=0.05)


def test_simple_initializers_and_defaults():
    assert np.all(initializers.get("zeros")((2, 2)).numpy() == 0)
    assert np.all(initializers.Ones()((3,)).numpy() == 1)
    np.testing.assert_array_equal(initializers.Constant(2.5)((2,)).numpy(), [2.5, 2.5])
    ru = initializers.RandomUniform()
    assert (ru.minval, ru.maxval) == (-0.05, 0.05)
    rn = initializers.RandomNormal()
    assert (rn.mean, rn.stddev) == (0.0, 0.05)
    assert initializers.compute_fans((3, 3, 4, 8)) == (36, 72)


def test_seeded_initializer_repeats_and_global_seed_reproduces():
    a = initializers.HeUniform(seed=7)((3, 4)).numpy()
    np.testing.assert_array_equal(a, initializers.HeUniform(seed=7)((3, 4)).numpy())
    tf.random.set_seed(5)
    first = layers.Dense(4)
    first(np.zeros((1, 3), np.float32))
    tf.random.set_seed(5)
    second = layers.Dense(4)
    second(np.zeros((1, 3), np.float32))
    np.testing.assert_array_equal(first.get_weights()[0], second.get_weights()[0])


def test_initializer_get_and_serialize():
    init = initializers.get({"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_out"}})
    assert isinstance(init, initializers.VarianceScaling) and init.scale == 2.0
    assert initializers.serialize(initializers.HeNormal(seed=1)) == {"class_name": "HeNormal",
                                                                      "config": {"seed": 1}}
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 'glorot'"):
        initializers.get("glorot")


# -- layers without weights ----------------------------------------------------------------------------------
def test_dropout_training_only_with_scaling():
    x = np.ones((200, 50), np.float32)
    layer = layers.Dropout(0.3, seed=1)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(1 - kept.mean() - 0.3) < 0.02
    with pytest.raises(ValueError, match="Received: rate=1.5"):
        layers.Dropout(1.5)


def test_flatten_and_reshape():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(layers.Flatten()(x).numpy(), x.reshape(2, 12))
    np.testing.assert_array_equal(layers.Reshape((4, 3))(x).numpy(), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(layers.Reshape((-1, 2))(x).numpy(), x.reshape(2, 6, 2))
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        layers.Reshape((5,))(x)
    assert layers.Flatten()(keras.Input(shape=(3, 4))).shape == (None, 12)
    assert layers.Reshape((-1, 2))(keras.Input(shape=(3, 4))).shape == (None, 6, 2)


def test_embedding_lookup_and_gradient():
    layer = layers.Embedding(10, 3)
    ids = np.array([[1, 2, 2], [0, 9, 1]])
    out = layer(ids).numpy()
    table = layer.get_weights()[0]
    assert np.abs(table).max() <= 0.05  # default "uniform": RandomUniform(-0.05, 0.05)
    np.testing.assert_array_equal(out, table[ids])
    weights = rng().normal(size=(2, 3, 3)).astype(np.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(ids) * weights)
    grad = np.asarray(tf.convert_to_tensor(tape.gradient(loss, layer.embeddings)))
    expected = np.zeros((10, 3), np.float32)
    np.add.at(expected, ids.ravel(), weights.reshape(-1, 3))
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-6)


# -- normalization --------------------------------------------------------------------------------------------
def test_layer_normalization_matches_formula_and_gradients():
    x = rng(2).normal(size=(3, 5)).astype(np.float32)
    layer = layers.LayerNormalization(gamma_initializer=initializers.Constant(1.5),
                                      beta_initializer=initializers.Constant(0.25))
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * 1.5 + 0.25
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-4, atol=1e-5)
    assert [w.name for w in layer.weights] == ["layer_normalization/gamma:0", "layer_normalization/beta:0"]
    ln64 = layers.LayerNormalization(dtype="float64")
    check_gradients(lambda t: ln64(t), x.astype(np.float64), rtol=1e-4, atol=1e-6)


def test_batch_normalization_training_and_inference():
    x = rng(3).normal(loc=2.0, scale=3.0, size=(8, 4)).astype(np.float32)
    bn = layers.BatchNormalization()
    y = bn(x, training=True).numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * var, rtol=1e-5)
    inference = bn(x).numpy()  # training defaults to False: moving statistics
    np.testing.assert_allclose(inference, (x - 0.01 * mean) / np.sqrt(0.99 + 0.01 * var + 1e-3), rtol=1e-4)
    assert [w.name.split("/")[1] for w in bn.weights] == ["gamma:0", "beta:0", "moving_mean:0",
                                                          "moving_variance:0"]
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2
    bn.trainable = False  # frozen: inference mode even when training=True, and no update
    before = bn.moving_mean.numpy()
    np.testing.assert_allclose(bn(x, training=True).numpy(), inference, rtol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)


def test_batch_normalization_on_images_normalizes_per_channel():
    x = rng(4).normal(size=(2, 3, 3, 2)).astype(np.float32)
    y = layers.BatchNormalization(momentum=0.5)(x, training=True).numpy()
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)


# -- merging ----------------------------------------------------------------------------------------------------
def test_merge_layers():
    a, b = rng(5).normal(size=(2, 3)).astype(np.float32), rng(6).normal(size=(2, 3)).astype(np.float32)
    np.testing.assert_allclose(layers.Add()([a, b]).numpy(), a + b, rtol=1e-6)
    np.testing.assert_allclose(layers.Subtract()([a, b]).numpy(), a - b, rtol=1e-6)
    np.testing.assert_allclose(layers.Multiply()([a, b]).numpy(), a * b, rtol=1e-6)
    np.testing.assert_allclose(layers.Average()([a, b]).numpy(), (a + b) / 2, rtol=1e-6)
    np.testing.assert_allclose(layers.Maximum()([a, b]).numpy(), np.maximum(a, b), rtol=1e-6)
    np.testing.assert_allclose(layers.Concatenate()([a, b]).numpy(), np.concatenate([a, b], -1))
    np.testing.assert_allclose(layers.Concatenate(axis=0)([a, b]).numpy(), np.concatenate([a, b], 0))


def test_merge_shape_errors():
    with pytest.raises(ValueError, match=r"Inputs have incompatible shapes. Received shapes \(3,\) and \(4,\)"):
        layers.Add()([keras.Input((3,)), keras.Input((4,))])
    with pytest.raises(ValueError, match="requires inputs with matching shapes except for the concatenation axis"):
        layers.Concatenate()([keras.Input((3, 2)), keras.Input((4, 2))])


# -- convolution and pooling ---------------------------------------------------------------------------------
def conv2d_numpy(x, k, stride, padding):
    n, h, w, _ = x.shape
    kh, kw, _, f = k.shape
    if padding == "same":
        oh, ow = -(-h // stride), -(-w // stride)
        ph, pw = max((oh - 1) * stride + kh - h, 0), max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, k, axes=([1, 2, 3], [0, 1, 2]))
    return out


@pytest.mark.parametrize("stride,padding", [(1, "valid"), (2, "same"), (2, "valid")])
def test_conv2d_matches_numpy(stride, padding):
    x = rng(7).normal(size=(2, 7, 6, 3)).astype(np.float32)
    conv = layers.Conv2D(4, (3, 2), strides=stride, padding=padding, bias_initializer="ones")
    y = conv(x).numpy()
    kernel, bias = conv.get_weights()
    assert kernel.shape == (3, 2, 3, 4)
    np.testing.assert_allclose(y, conv2d_numpy(x, kernel, stride, padding) + bias, rtol=1e-4, atol=1e-5)
    assert conv.compute_output_shape(x.shape) == y.shape


def test_max_pooling_matches_numpy():
    x = rng(8).normal(size=(1, 4, 6, 2)).astype(np.float32)
    y = layers.MaxPooling2D()(x).numpy()
    np.testing.assert_array_equal(y, x.reshape(1, 2, 2, 3, 2, 2).max(axis=(2, 4)))
    assert layers.MaxPooling2D(pool_size=3, strides=1, padding="same")(x).shape == (1, 4, 6, 2)
    assert layers.MaxPooling2D()(keras.Input((5, 5, 3))).shape == (None, 2, 2, 3)


# -- configs ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", [
    layers.Dense(3, activation="tanh", use_bias=False, kernel_initializer="he_normal"),
    layers.Activation("softmax"), layers.Dropout(0.25, seed=3), layers.Flatten(), layers.Reshape((2, -1)),
    layers.Embedding(7, 2), layers.LayerNormalization(epsilon=1e-5), layers.BatchNormalization(momentum=0.9),
    layers.Add(), layers.Concatenate(axis=1), layers.Conv2D(2, 3, strides=2, padding="same"),
    layers.MaxPooling2D(pool_size=3), layers.Softmax(axis=1), layers.ReLU(max_value=6.0, negative_slope=0.1),
], ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert layers.deserialize(layers.serialize(layer)).get_config() == config
