"""tf.nn activations, softmax / log_softmax, bias_add, moments, l2_normalize, batch_normalization,
dropout and l2_loss: forward values against numpy formulas written out here, gradients against
finite differences (hypothesis shapes), the three execution modes, extreme inputs and errors."""
import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyflow as tf
import tinyflow.ops.activation_ops  # noqa: F401  (registers the ops before the lead wires them)
import tinyflow.ops.nn_ops  # noqa: F401
from tests.helpers import assert_same_in_all_modes, check_gradients
from tinyflow import nn
from tinyflow import random as tf_random
from tinyflow.session import Session

SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805
_erf = np.vectorize(math.erf)


@pytest.fixture(autouse=True)
def _fresh_random_state():
    tf_random.set_seed(None)  # every test starts with no global seed and fresh generators
    yield
    tf_random.set_seed(None)


def _ones(shape):
    return tf.constant(np.ones(shape, np.float32))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# Each activation, its independent numpy formula, and its non-smooth points (kept away from in
# gradient checks, where finite differences straddling a kink would be meaningless).
ACTIVATIONS = {
    "relu": (nn.relu, lambda x: np.where(x > 0, x, 0.0), [0.0]),
    "relu6": (nn.relu6, lambda x: np.clip(x, 0.0, 6.0), [0.0, 6.0]),
    "leaky_relu": (nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), [0.0]),
    "leaky_relu_0.3": (lambda x: nn.leaky_relu(x, alpha=0.3), lambda x: np.where(x > 0, x, 0.3 * x), [0.0]),
    "elu": (nn.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1.0), [0.0]),
    "selu": (nn.selu, lambda x: SELU_S * np.where(x > 0, x, SELU_A * (np.exp(x) - 1.0)), [0.0]),
    "softplus": (nn.softplus, lambda x: np.log(1.0 + np.exp(x)), []),
    "softsign": (nn.softsign, lambda x: x / (1.0 + np.abs(x)), [0.0]),
    "gelu": (nn.gelu, lambda x: 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0))), []),
    "gelu_tanh": (lambda x: nn.gelu(x, approximate=True),
                  lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))), []),
    "silu": (nn.silu, lambda x: x * _sigmoid(x), []),
    "swish_beta": (lambda x: nn.swish(x, beta=2.0), lambda x: x * _sigmoid(2.0 * x), []),
    "sigmoid": (nn.sigmoid, _sigmoid, []),
    "tanh": (nn.tanh, np.tanh, []),
}


def _away_from(x, kinks, gap=0.05):
    """Move values within ``gap`` of a kink to 2·gap away from it."""
    for k in kinks:
        x = np.where(np.abs(x - k) < gap, k + np.where(x >= k, 2 * gap, -2 * gap), x)
    return x


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_forward_matches_numpy(name):
    fn, ref, _ = ACTIVATIONS[name]
    x = np.linspace(-8.0, 8.0, 41)
    np.testing.assert_allclose(fn(tf.constant(x)).numpy(), ref(x), rtol=1e-12, atol=1e-12)
    y32 = fn(tf.constant(x.astype(np.float32)))
    assert y32.dtype == tf.float32
    np.testing.assert_allclose(y32.numpy(), ref(x), rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradient_matches_finite_differences(name):
    fn, _, kinks = ACTIVATIONS[name]
    x = _away_from(np.random.default_rng(0).uniform(-7.5, 7.5, size=(3, 4)), kinks)
    check_gradients(fn, x)


@settings(max_examples=15, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), seed=st.integers(0, 2**16),
       name=st.sampled_from(sorted(ACTIVATIONS)))
def test_activation_gradients_hypothesis_shapes(shape, seed, name):
    fn, _, kinks = ACTIVATIONS[name]
    x = _away_from(np.random.default_rng(seed).normal(0.0, 3.0, size=shape), kinks)
    check_gradients(fn, x)


@pytest.mark.parametrize("name", ["relu", "elu", "selu", "softplus", "softsign", "leaky_relu", "gelu"])
def test_activation_second_derivative(name):
    fn, _, kinks = ACTIVATIONS[name]

    def first_derivative(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x) * x * x  # (the x² keeps a path to x even where fn'' is 0, as for relu)
        return tape.gradient(y, x)

    x = _away_from(np.random.default_rng(1).uniform(-3.0, 3.0, size=(5,)), kinks)
    check_gradients(first_derivative, x)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_same_in_all_modes(name):
    fn, _, _ = ACTIVATIONS[name]
    assert_same_in_all_modes(fn, np.linspace(-3.0, 3.0, 12, dtype=np.float32).reshape(3, 4))


def test_activations_stay_finite_for_extreme_inputs():
    x = tf.constant([-1000.0, -80.0, 0.0, 80.0, 1000.0])
    for name, (fn, _, _) in ACTIVATIONS.items():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        g = tape.gradient(y, x)
        assert np.all(np.isfinite(y.numpy())), name
        assert np.all(np.isfinite(g.numpy())), name
    np.testing.assert_allclose(nn.softplus(x).numpy(), [0.0, 0.0, np.log(2.0), 80.0, 1000.0], atol=1e-6)


def test_relu_family_on_integers_and_leaky_relu_casts():
    assert nn.relu(tf.constant([-3, 4])).numpy().tolist() == [0, 4]
    assert nn.relu6(tf.constant([-3, 4, 9])).numpy().tolist() == [0, 4, 6]
    y = nn.leaky_relu(tf.constant([-10, 10]))
    assert y.dtype == tf.float32 and y.numpy().tolist() == [-2.0, 10.0]


def test_activation_dtype_errors_name_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Elu"):
        nn.elu(tf.constant([1, 2]))
    g = tf.Graph()
    with g.as_default(), pytest.raises(TypeError, match="int32 is not in the list of allowed values.*Softplus"):
        nn.softplus(tf.constant([1, 2]))


# -- softmax and log_softmax ---------------------------------------------------------------------------
def _np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [None, -1, 0, 1])
def test_softmax_and_log_softmax_forward(axis):
    x = np.random.default_rng(2).normal(size=(3, 4, 5)) * 3
    ax = -1 if axis is None else axis
    np.testing.assert_allclose(nn.softmax(x, axis=axis).numpy(), _np_softmax(x, ax), rtol=1e-12)
    np.testing.assert_allclose(nn.log_softmax(x, axis=axis).numpy(), np.log(_np_softmax(x, ax)), rtol=1e-10)
    np.testing.assert_allclose(tf.reduce_sum(nn.softmax(x, axis=axis), axis=ax).numpy(), 1.0)


def test_softmax_is_stable_for_huge_logits():
    x = tf.constant([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    np.testing.assert_allclose(nn.softmax(x).numpy(), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-7)
    ls = nn.log_softmax(x).numpy()
    np.testing.assert_allclose(ls[0], [0.0, -1000.0, -2000.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(nn.log_softmax(x) * tf.constant([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]))
    assert np.all(np.isfinite(tape.gradient(y, x).numpy()))


@settings(max_examples=15, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), seed=st.integers(0, 2**16),
       data=st.data())
def test_softmax_gradients_hypothesis(shape, seed, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(seed).normal(size=shape) * 2
    check_gradients(lambda t: nn.softmax(t, axis=axis), x)
    check_gradients(lambda t: nn.log_softmax(t, axis=axis), x)


def test_softmax_second_derivative_and_modes():
    def hessian_vector(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(nn.softmax(x) * tf.constant([[1.0, -2.0, 0.5]], dtype=tf.float64))
        return tape.gradient(y, x)

    check_gradients(hessian_vector, np.array([[0.3, -1.0, 2.0], [1.0, 1.5, -0.5]]))
    assert_same_in_all_modes(lambda t: nn.log_softmax(t, axis=0), np.eye(3, dtype=np.float32))


def test_softmax_axis_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`axis` must be in the range \[-2, 2\)"):
        nn.softmax(_ones([2, 2]), axis=2)
    g = tf.Graph()
    with g.as_default(), pytest.raises(ValueError, match="rank 0.*node Softmax"):
        nn.softmax(tf.constant(1.0))


def test_graph_names_and_static_shapes():
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 4])
        y = nn.relu(x)
        s = nn.softmax(y, name="probs")
    assert y.op.type == "Relu" and y.name == "Relu:0" and s.name == "probs:0"
    assert s.shape.as_list() == [None, 4]
    with Session(graph=g) as sess:
        out = sess.run(s, {x: np.zeros((2, 4))})
    np.testing.assert_allclose(out, 0.25)


# -- bias_add -----------------------------------------------------------------------------------------------
def test_bias_add_forward_gradient_and_modes():
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    b = np.array([1.0, -2.0, 0.5, 3.0])
    np.testing.assert_allclose(nn.bias_add(x, b).numpy(), x + b)
    check_gradients(nn.bias_add, x, b)
    b3 = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(nn.bias_add(x, b3, data_format="NCHW").numpy(), x + b3[:, None])
    check_gradients(lambda a, c: nn.bias_add(a, c, data_format="NCHW"), x, b3)
    assert_same_in_all_modes(nn.bias_add, x.astype(np.float32), b.astype(np.float32))


def test_bias_add_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dimensions must be equal, but are 4 and 3"):
        nn.bias_add(_ones([2, 4]), _ones([3]))
    g = tf.Graph()
    with g.as_default():
        with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 4 and 3 for '\{\{node BiasAdd\}\}"):
            nn.bias_add(_ones([2, 4]), _ones([3]))
        with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
            nn.bias_add(_ones([2, 4]), _ones([1, 4]))
        with pytest.raises(ValueError, match="at least rank 2"):
            nn.bias_add(_ones([4]), _ones([4]))


# -- moments, l2_normalize, batch_normalization, l2_loss -------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), seed=st.integers(0, 2**16),
       keepdims=st.booleans(), data=st.data())
def test_moments_hypothesis(shape, seed, keepdims, data):
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    x = np.random.default_rng(seed).normal(size=shape)
    mean, var = nn.moments(tf.constant(x), axes, keepdims=keepdims)
    np.testing.assert_allclose(mean.numpy(), x.mean(axis=tuple(axes), keepdims=keepdims), atol=1e-12)
    np.testing.assert_allclose(var.numpy(), x.var(axis=tuple(axes), keepdims=keepdims), atol=1e-12)
    check_gradients(lambda t: nn.moments(t, axes, keepdims=keepdims)[1], x)
    check_gradients(lambda t: nn.moments(t, axes, keepdims=keepdims)[0], x)


def test_moments_float16_and_modes():
    x = np.array([[1.0, 2.0], [3.0, 5.0]], np.float16)
    mean, var = nn.moments(tf.constant(x), axes=[0])
    assert mean.dtype == tf.float16 and var.dtype == tf.float16
    np.testing.assert_allclose(var.numpy(), [1.0, 2.25])
    assert_same_in_all_modes(lambda t: nn.moments(t, [0, 1])[1], x.astype(np.float32))


@pytest.mark.parametrize("axis", [None, 0, 1, [0, 1]])
def test_l2_normalize(axis):
    x = np.random.default_rng(4).normal(size=(3, 4))
    ax = tuple(axis) if isinstance(axis, list) else axis
    expected = x / np.sqrt(np.maximum(np.sum(x * x, axis=ax, keepdims=True), 1e-12))
    np.testing.assert_allclose(nn.l2_normalize(x, axis=axis).numpy(), expected, rtol=1e-12)
    check_gradients(lambda t: nn.l2_normalize(t, axis=axis), x)
    np.testing.assert_allclose(nn.l2_normalize(np.zeros(3), epsilon=1e-12).numpy(), 0.0)  # no NaN at 0
    np.testing.assert_allclose(nn.l2_normalize(x, dim=axis).numpy(), expected, rtol=1e-12)  # TF1 spelling


def test_batch_normalization_formula_and_gradients():
    rng = np.random.default_rng(5)
    x, mean, var = rng.normal(size=(4, 3)), rng.normal(size=3), rng.uniform(0.5, 2.0, size=3)
    offset, scale = rng.normal(size=3), rng.normal(size=3)
    expected = scale * (x - mean) / np.sqrt(var + 1e-3) + offset
    np.testing.assert_allclose(nn.batch_normalization(x, mean, var, offset, scale, 1e-3).numpy(), expected)
    np.testing.assert_allclose(nn.batch_normalization(x, mean, var, None, None, 1e-3).numpy(),
                               (x - mean) / np.sqrt(var + 1e-3))
    check_gradients(lambda *a: nn.batch_normalization(*a, 1e-3), x, mean, var, offset, scale)


def test_l2_loss():
    x = np.array([[1.0, -2.0], [3.0, 0.5]])
    assert nn.l2_loss(tf.constant(x)).numpy() == pytest.approx(np.sum(x * x) / 2)
    check_gradients(nn.l2_loss, x)


# -- dropout -----------------------------------------------------------------------------------------------
def test_dropout_scales_kept_values_and_drops_about_rate():
    x = _ones([20000])
    y = nn.dropout(x, rate=0.25, seed=3).numpy()
    np.testing.assert_allclose(np.unique(y), [0.0, 1.0 / 0.75], rtol=1e-6)
    assert abs(np.mean(y == 0.0) - 0.25) < 0.02
    assert abs(y.mean() - 1.0) < 0.03  # expectation preserved


def test_dropout_gradient_uses_the_same_mask():
    x = tf.constant(np.arange(1.0, 101.0))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = nn.dropout(x, rate=0.5, seed=7)
    g = tape.gradient(y, x).numpy()
    kept = y.numpy() != 0
    np.testing.assert_allclose(g[kept], 2.0)
    np.testing.assert_allclose(g[~kept], 0.0)


def test_dropout_noise_shape_and_dynamic_batch():
    y = nn.dropout(_ones([50, 4]), rate=0.5, noise_shape=[50, 1], seed=1).numpy()
    assert all(len(set(row.tolist())) == 1 for row in y)  # whole rows kept or dropped
    y = nn.dropout(_ones([4, 50]), rate=0.5, noise_shape=[1, None], seed=1).numpy()
    assert (y == y[0]).all()
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 8])
        d = nn.dropout(x, rate=0.5)
        assert d.shape.as_list() == [None, 8]
    with Session(graph=g) as sess:
        out = sess.run(d, {x: np.ones((3, 8))})
    assert out.shape == (3, 8) and set(np.unique(out).tolist()) <= {0.0, 2.0}


def test_dropout_rate_zero_tensor_rate_and_errors():
    x = tf.constant([1.0, 2.0])
    assert nn.dropout(x, rate=0.0) is x
    y = nn.dropout(_ones([1000]), rate=tf.constant(0.5), seed=2).numpy()
    assert set(np.unique(y).tolist()) == {0.0, 2.0}
    with pytest.raises(ValueError, match=r"rate must be a scalar tensor or a float in the range \[0, 1\), got 1"):
        nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="x has to be a floating point tensor since it's going to be scaled"):
        nn.dropout(tf.constant([1, 2]), rate=0.5)


def test_dropout_same_in_eager_function_and_session_with_op_seed():
    def fn(t):
        return nn.dropout(t, rate=0.5, seed=11)

    assert_same_in_all_modes(fn, np.ones((4, 6), np.float32))


# -- embedding_lookup and loss averaging ---------------------------------------------------------------
def test_embedding_lookup_gathers_rows_and_scatters_gradients():
    params = np.arange(12.0).reshape(4, 3)
    ids = np.array([[3, 0], [3, 1]])
    np.testing.assert_array_equal(nn.embedding_lookup(tf.constant(params), ids).numpy(), params[ids])
    check_gradients(lambda p: nn.embedding_lookup([p], tf.constant(ids)), params)
    with pytest.raises(NotImplementedError, match="sharded"):
        nn.embedding_lookup([tf.constant(params), tf.constant(params)], ids)


def test_compute_average_loss_and_scale_regularization_loss():
    per_example = np.array([1.0, 2.0, 3.0, 6.0])
    assert float(nn.compute_average_loss(per_example)) == 3.0  # the batch size is the default divisor
    assert float(nn.compute_average_loss(per_example, global_batch_size=8)) == 1.5
    weighted = nn.compute_average_loss(per_example, sample_weight=[1.0, 0.0, 0.0, 0.5], global_batch_size=2)
    assert float(weighted) == 2.0  # (1 + 3) / 2
    check_gradients(lambda t: nn.compute_average_loss(t, global_batch_size=5), per_example)
    assert float(nn.scale_regularization_loss(2.5)) == 2.5  # one replica outside a strategy
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None])
        avg = nn.compute_average_loss(x)
    with Session(graph=g) as sess:
        assert sess.run(avg, {x: [2.0, 4.0]}) == 3.0
    with pytest.raises(ValueError, match="Expected a tensor with at least rank 1"):
        nn.compute_average_loss(1.0)
    with pytest.raises(ValueError, match="global_batch_size must be positive"):
        nn.compute_average_loss(per_example, global_batch_size=0)
