"""Element-wise math ops, sum/mean, matmul and the clipping ops: values against numpy formulas,
gradients against finite differences (broadcasting shapes, hypothesis shapes), modes and errors."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinyflow as tf
import tinyflow.math  # noqa: F401  (tf.math namespace)
from tests.helpers import assert_same_in_all_modes, check_gradients, tape_gradients
from tinyflow.ops import clip_ops
from tinyflow.session import Session

RNG = np.random.default_rng(0)


def rand(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape)


def graph_gradients(fn, arrays, shapes, w):
    """tf.gradients of sum(fn(*xs) * w) in a TF1 graph whose placeholders have ``shapes`` (None dims ok)."""
    g = tf.Graph()
    with g.as_default():
        phs = [tf.compat.v1.placeholder(tf.float64, s) for s in shapes]
        loss = tf.reduce_sum(fn(*phs) * tf.constant(w))
        grads = tf.gradients(loss, phs)
    with Session(graph=g) as sess:
        return sess.run(grads, dict(zip(phs, arrays)))


# -- unary ops: values against formulas written out in numpy ------------------------------------------
UNARY = [  # (tinyflow fn, numpy formula, low, high)
    (tf.sqrt, lambda x: x ** 0.5, 0.2, 3.0),
    (tf.math.rsqrt, lambda x: 1 / x ** 0.5, 0.2, 3.0),
    (tf.math.reciprocal, lambda x: 1 / x, 0.3, 3.0),
    (tf.exp, lambda x: np.e ** x, -2, 2),
    (tf.math.expm1, lambda x: np.e ** x - 1, -2, 2),
    (tf.math.log, lambda x: np.log(x), 0.2, 3.0),
    (tf.math.log1p, lambda x: np.log(1 + x), -0.5, 2),
    (tf.sin, lambda x: np.sin(x), -3, 3),
    (tf.cos, lambda x: np.cos(x), -3, 3),
    (tf.tan, lambda x: np.sin(x) / np.cos(x), -1.2, 1.2),
    (tf.tanh, lambda x: (np.e ** x - np.e ** -x) / (np.e ** x + np.e ** -x), -3, 3),
    (tf.sigmoid, lambda x: 1 / (1 + np.e ** -x), -5, 5),
    (tf.math.erf, np.vectorize(math.erf), -3, 3),
    (tf.abs, lambda x: np.where(x < 0, -x, x), -2, 2),
    (tf.square, lambda x: x * x, -2, 2),
    (tf.negative, lambda x: -x, -2, 2),
]


@pytest.mark.parametrize("fn,formula,low,high", UNARY, ids=[u[0].__name__ for u in UNARY])
def test_unary_values_and_gradients(fn, formula, low, high):
    x = rand(2, 3, low=low, high=high)
    np.testing.assert_allclose(fn(tf.constant(x)).numpy(), formula(x), rtol=1e-12)
    assert fn(tf.constant(x.astype(np.float32))).dtype == tf.float32
    check_gradients(fn, x)


def test_unary_in_all_modes():
    x = rand(3, 2, low=0.5, high=2.0)
    fn = lambda x: tf.sigmoid(x) * tf.tanh(x) + tf.math.rsqrt(x) - tf.math.log1p(x)  # noqa: E731
    out = assert_same_in_all_modes(fn, x)
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-x)) * np.tanh(x) + x ** -0.5 - np.log1p(x), rtol=1e-12)


def test_second_derivatives_use_differentiable_gradients():
    x = tf.constant([-1.0, 0.3, 2.0], tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.tanh(x) + tf.sigmoid(x)
        dy = inner.gradient(y, x)
    d2 = outer.gradient(dy, x).numpy()
    t, s = np.tanh(x.numpy()), 1 / (1 + np.exp(-x.numpy()))
    np.testing.assert_allclose(d2, -2 * t * (1 - t * t) + s * (1 - s) * (1 - 2 * s), rtol=1e-12)


def test_sigmoid_is_stable_at_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail a notebook cell
        y = tf.sigmoid(tf.constant([-1000.0, -50.0, 0.0, 50.0, 1000.0])).numpy()
    np.testing.assert_allclose(y, [0.0, 1.9287498e-22, 0.5, 1.0, 1.0], rtol=1e-6)


def test_erf_is_accurate_everywhere_without_warnings():
    x = np.concatenate([np.linspace(-7, 7, 1401), [0.0, 1e-200, 0.9999999, 1.0, 8.0, 30.0, 1e300, np.inf, -np.inf]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = tf.math.erf(tf.constant(x)).numpy()
        y32 = tf.math.erf(tf.constant(x[:-4].astype(np.float32))).numpy()
        x16 = np.append(x[:-3], [np.inf, -np.inf]).astype(np.float16)  # no 1e300: it does not fit
        y16 = tf.math.erf(tf.constant(x16)).numpy()
    np.testing.assert_allclose(y, [math.erf(v) for v in x], rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(y32, [math.erf(v) for v in x[:-4]], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(y16, [math.erf(v) for v in x16], atol=1e-3)
    assert y16.dtype == np.float16 and np.isnan(tf.math.erf(tf.constant(np.nan)).numpy())


def test_abs_and_sign_gradients_at_zero():
    x = tf.constant([-2.0, 0.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        a, s = tf.abs(x), tf.sign(x)
    np.testing.assert_array_equal(tape.gradient(a, x), [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(tape.gradient(s, x), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(s, [-1.0, 0.0, 1.0])


def test_round_is_bankers_rounding_and_rounding_has_no_gradient():
    x = tf.constant([0.5, 1.5, 2.5, -0.5, -1.5, 2.6, -2.4])
    np.testing.assert_array_equal(tf.round(x), [0.0, 2.0, 2.0, -0.0, -2.0, 3.0, -2.0])
    np.testing.assert_array_equal(tf.floor(x), [0.0, 1.0, 2.0, -1.0, -2.0, 2.0, -3.0])
    np.testing.assert_array_equal(tf.math.ceil(x), [1.0, 2.0, 3.0, -0.0, -1.0, 3.0, -2.0])
    assert tf.round(tf.constant([3, -4])).dtype == tf.int32
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.floor(x) + tf.round(x) + tf.math.ceil(x)
    assert tape.gradient(y, x) is None


def test_is_nan_is_inf_is_finite():
    x = tf.constant([1.0, np.nan, np.inf, -np.inf])
    assert tf.math.is_nan(x).dtype == tf.bool
    np.testing.assert_array_equal(tf.math.is_nan(x), [False, True, False, False])
    np.testing.assert_array_equal(tf.math.is_inf(x), [False, False, True, True])
    np.testing.assert_array_equal(tf.math.is_finite(x), [True, False, False, False])


def test_float_only_ops_reject_integers_naming_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"int32 is not in the list.*\[Op:Sqrt\]"):
        tf.sqrt(tf.constant([4]))
    with tf.Graph().as_default(), pytest.raises(TypeError, match="Sqrt"):
        tf.sqrt(tf.constant([4]))


# -- binary ops: broadcasting gradients ----------------------------------------------------------------
BINARY = {  # name: (fn, x range, y range)
    "add": (tf.add, (-2, 2), (-2, 2)),
    "subtract": (tf.subtract, (-2, 2), (-2, 2)),
    "multiply": (tf.multiply, (-2, 2), (-2, 2)),
    "divide": (tf.divide, (-2, 2), (0.5, 2)),
    "pow": (tf.pow, (0.5, 2), (-1.5, 1.5)),
    "maximum": (tf.maximum, (-2, 2), (-2, 2)),
    "minimum": (tf.minimum, (-2, 2), (-2, 2)),
    "squared_difference": (tf.math.squared_difference, (-2, 2), (-2, 2)),
    "divide_no_nan": (tf.math.divide_no_nan, (-2, 2), (0.5, 2)),
}
SHAPE_PAIRS = [((2, 3), (2, 3)), ((3,), (2, 3)), ((2, 1), (1, 3)), ((), (2, 3)), ((4, 1, 3), (2, 1))]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("xs,ys", SHAPE_PAIRS)
def test_binary_gradients_over_broadcasting_shapes(name, xs, ys):
    fn, (xl, xh), (yl, yh) = BINARY[name]
    check_gradients(fn, rand(*xs, low=xl, high=xh), rand(*ys, low=yl, high=yh))


@settings(max_examples=15, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       name=st.sampled_from(["multiply", "divide", "pow", "maximum", "squared_difference"]))
def test_binary_gradients_over_hypothesis_shapes(shapes, name):
    fn, (xl, xh), (yl, yh) = BINARY[name]
    xs, ys = shapes.input_shapes
    check_gradients(fn, rand(*xs, low=xl, high=xh), rand(*ys, low=yl, high=yh))


@pytest.mark.parametrize("name", ["multiply", "divide", "pow", "maximum"])
def test_binary_gradients_in_a_graph_with_unknown_dims(name):
    fn, (xl, xh), (yl, yh) = BINARY[name]
    x, y = rand(4, 1, 3, low=xl, high=xh), rand(2, 1, low=yl, high=yh)
    w = RNG.uniform(0.5, 1.5, size=(4, 2, 3))
    expected = tape_gradients(fn, [x, y], w)
    got = graph_gradients(fn, [x, y], [[None, 1, None], [None, 1]], w)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-12)


def test_pow_gradient_at_zero_and_negative_bases_follows_tf():
    x = tf.constant([0.0, 0.0, -2.0, -2.0], tf.float64)
    y = tf.constant([2.0, 1.0, 3.0, 2.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = tf.pow(x, y)
    gx, gy = tape.gradient(z, [x, y])
    np.testing.assert_allclose(z, [0.0, 0.0, -8.0, 4.0])
    np.testing.assert_allclose(gx, [0.0, 1.0, 12.0, -4.0])  # y·x^(y-1)
    np.testing.assert_array_equal(gy, [0.0, 0.0, 0.0, 0.0])  # x^y·ln x, taken as 0 for x <= 0 (no NaN)


def test_maximum_and_minimum_ties_send_the_gradient_to_x():
    x, y = tf.constant([1.0, 2.0, 3.0]), tf.constant([1.0, 5.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        hi, lo = tf.maximum(x, y), tf.minimum(x, y)
    np.testing.assert_array_equal(tape.gradient(hi, x), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(tape.gradient(hi, y), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(tape.gradient(lo, x), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(tape.gradient(lo, y), [0.0, 0.0, 0.0])


def test_divide_no_nan_is_zero_where_the_divisor_is_zero_with_finite_gradients():
    x, y = tf.constant([1.0, 0.0, 6.0]), tf.constant([0.0, 0.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = tf.math.divide_no_nan(x, y)
    np.testing.assert_array_equal(z, [0.0, 0.0, 2.0])
    gx, gy = tape.gradient(z, [x, y])
    np.testing.assert_allclose(gx, [0.0, 0.0, 1 / 3])
    np.testing.assert_allclose(gy, [0.0, 0.0, -6 / 9])


def test_squared_difference_values():
    np.testing.assert_array_equal(tf.math.squared_difference(tf.constant([1, 5]), tf.constant([4, 2])), [9, 9])


def test_truediv_casts_integers_as_tf_does():
    assert (tf.constant([1, 2]) / tf.constant([4, 4])).dtype == tf.float64
    assert tf.divide(tf.constant([1], tf.int16), tf.constant([4], tf.int16)).dtype == tf.float32
    np.testing.assert_allclose(tf.constant([1, 2]) / 4, [0.25, 0.5])
    assert (2 / tf.constant(4.0)).numpy() == 0.5  # a Python number takes the tensor's dtype
    with pytest.raises(TypeError, match="must have the same dtype, got tf.float32 != tf.int32"):
        tf.truediv(tf.constant(1.0), tf.constant(2))


def test_floordiv_floormod_and_logic():
    a, b = tf.constant([7, -7]), tf.constant([2, 2])
    np.testing.assert_array_equal(tf.math.floordiv(a, b), [3, -4])
    np.testing.assert_array_equal(tf.math.floormod(a, b), [1, 1])
    p, q = tf.constant([True, True, False, False]), tf.constant([True, False, True, False])
    np.testing.assert_array_equal(tf.math.logical_xor(p, q), [False, True, True, False])


def test_mixed_dtypes_in_eager_name_the_op_and_both_dtypes():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Mul.*float.*int32"):
        tf.constant([1.0]) * tf.constant([2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Maximum.*int32.*float"):
        tf.maximum(tf.constant([1]), tf.constant([2.0]))


def test_mixed_dtypes_in_a_graph_raise_type_error():
    with tf.Graph().as_default(), pytest.raises(TypeError, match=r"'Mul' Op has type int32.*float32"):
        tf.constant([1.0]) * tf.constant([2])


# -- sum and mean -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [None, 0, -1, [0, 2], (1, -1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_and_mean_values_and_gradients(axis, keepdims):
    x = rand(2, 3, 2)
    np_axis = tuple(axis) if isinstance(axis, list | tuple) else axis
    for fn, ref in [(tf.reduce_sum, np.sum), (tf.reduce_mean, np.mean)]:
        out = fn(tf.constant(x), axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(out, ref(x, axis=np_axis, keepdims=keepdims), rtol=1e-12)
        check_gradients(lambda t, fn=fn: fn(t, axis=axis, keepdims=keepdims), x)


def test_integer_reductions_keep_integer_dtype_and_truncate():
    x = tf.constant([[1, 2], [4, -7]])
    assert tf.reduce_sum(x).dtype == tf.int32 and tf.reduce_sum(x).numpy() == 0
    mean = tf.reduce_mean(x, axis=0)
    assert mean.dtype == tf.int32
    np.testing.assert_array_equal(mean, [2, -2])  # 5/2 -> 2 and -5/2 -> -2: truncated toward zero, as TF


@pytest.mark.parametrize("shape,axis", [([None, 3], 0), ([None, 3], 1), ([None, None, 3], 2), ([None, None, 3], None)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_mean_gradient_in_a_graph_with_unknown_dims(shape, axis, keepdims):
    x = rand(*[d or 2 for d in shape])
    fn = lambda t: tf.reduce_mean(t * t, axis=axis, keepdims=keepdims)  # noqa: E731
    out_shape = np.mean(x, axis=axis, keepdims=keepdims).shape
    w = RNG.uniform(0.5, 1.5, size=out_shape)
    (got,) = graph_gradients(fn, [x], [shape], w)
    np.testing.assert_allclose(got, tape_gradients(fn, [x], w)[0], rtol=1e-12)


def test_bad_reduction_axis_errors():
    x = tf.constant([[1.0, 2.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Invalid reduction dimension 2 for input with 2.*Sum"):
        tf.reduce_sum(x, axis=2)
    with tf.Graph().as_default():
        p = tf.compat.v1.placeholder(tf.float32, [None, 2])
        with pytest.raises(ValueError, match=r"Invalid reduction dimension -3 .*node Mean"):
            tf.reduce_mean(p, axis=-3)


def test_axis_may_be_a_tensor_or_numpy_int():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(tf.reduce_sum(x, axis=tf.constant(1)), [3.0, 7.0])
    np.testing.assert_array_equal(tf.reduce_sum(x, axis=np.int64(0)), [4.0, 6.0])


# -- matmul errors -----------------------------------------------------------------------------------------
def test_matmul_shape_mismatch_in_a_graph_gives_tf_text():
    with tf.Graph().as_default():
        a = tf.compat.v1.placeholder(tf.float32, [2, 3])
        b = tf.compat.v1.placeholder(tf.float32, [4, 5])
        with pytest.raises(ValueError) as e:
            tf.matmul(a, b)
    assert str(e.value).startswith("Dimensions must be equal, but are 3 and 4 for '{{node MatMul}} = MatMul[")
    assert str(e.value).endswith("with input shapes: [2,3], [4,5].")


def test_matmul_shape_mismatch_in_eager_names_the_op_and_shapes():
    # TF's eager kernel wording
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"^Matrix size-incompatible: In\[0\]: \[2,3\], In\[1\]: \[4,5\] \[Op:MatMul\]$"):
        tf.matmul(tf.constant(np.ones([2, 3])), tf.constant(np.ones([4, 5])))


def test_broadcast_mismatch_in_eager_uses_tf_eager_text():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"^Incompatible shapes: \[2,3\] vs. \[4\] \[Op:AddV2\]$"):
        tf.ones([2, 3]) + tf.ones([4])


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_matmul_gradients_with_transposes_and_batch_broadcasting(ta, tb):
    a = rand(2, 3, 4) if not ta else rand(2, 4, 3)
    b = rand(4, 5) if not tb else rand(5, 4)
    check_gradients(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), a, b)


# -- clipping ------------------------------------------------------------------------------------------------
def test_clip_by_value_values_and_gradients():
    t = tf.constant([-3.0, -1.0, 0.5, 1.0, 4.0])
    lo, hi = tf.constant(-1.0), tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch([t, lo, hi])
        y = clip_ops.clip_by_value(t, lo, hi)
    np.testing.assert_array_equal(y, [-1.0, -1.0, 0.5, 1.0, 1.0])
    gt, glo, ghi = tape.gradient(y, [t, lo, hi])
    np.testing.assert_array_equal(gt, [0.0, 1.0, 1.0, 1.0, 0.0])  # passes inside the range, bounds included
    assert glo.numpy() == 1.0 and ghi.numpy() == 1.0


def test_clip_by_value_broadcast_bounds_and_errors():
    t = np.array([[-1.0, 0.0, 10.0], [-1.0, 0.0, 10.0]])
    out = clip_ops.clip_by_value(tf.constant(t), [[2.0], [1.0]], 100.0)
    np.testing.assert_array_equal(out, [[2.0, 2.0, 10.0], [1.0, 1.0, 10.0]])
    check_gradients(lambda x, lo: clip_ops.clip_by_value(x, lo, 5.0), rand(2, 3, low=-3, high=8), rand(2, 1))
    with pytest.raises(ValueError, match=r"Shapes \(2, 3\) and \(1, 2, 3\) are incompatible"):
        clip_ops.clip_by_value(tf.constant(t), [[[2.0, 1.0, 0.0]]], 100.0)
    with pytest.raises(TypeError):
        clip_ops.clip_by_value(tf.constant([1, 2]), -3.1, 3.1)


@pytest.mark.parametrize("axes", [None, [1], [0]])
def test_clip_by_norm_matches_its_formula(axes):
    x = rand(3, 4)
    norm = np.sqrt(np.sum(x * x, axis=None if axes is None else tuple(axes), keepdims=True))
    expected = x * 1.5 / np.maximum(norm, 1.5)
    np.testing.assert_allclose(clip_ops.clip_by_norm(tf.constant(x), 1.5, axes=axes), expected, rtol=1e-12)
    check_gradients(lambda t: clip_ops.clip_by_norm(t, 1.5, axes=axes), x)


def test_clip_by_norm_of_zeros_is_zero_with_a_finite_gradient():
    x = tf.constant([0.0, 0.0, 0.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clip_ops.clip_by_norm(x, 1.0)
    np.testing.assert_array_equal(y, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(tape.gradient(y, x), [1.0, 1.0, 1.0])


def test_clip_by_global_norm_matches_tf():
    a, b = rand(2, 3), rand(4)
    gnorm = np.sqrt(np.sum(a * a) + np.sum(b * b))
    clipped, norm = clip_ops.clip_by_global_norm([tf.constant(a), None, tf.constant(b)], 1.0)
    assert isinstance(clipped, list) and clipped[1] is None
    np.testing.assert_allclose(norm, gnorm, rtol=1e-12)
    np.testing.assert_allclose(clip_ops.global_norm([a, None, b]), gnorm, rtol=1e-12)
    np.testing.assert_allclose(clipped[0], a / gnorm, rtol=1e-12)
    np.testing.assert_allclose(clipped[2], b / gnorm, rtol=1e-12)
    unchanged, _ = clip_ops.clip_by_global_norm([tf.constant(a)], 100.0)
    np.testing.assert_allclose(unchanged[0], a, rtol=1e-12)
    by_use_norm, used = clip_ops.clip_by_global_norm([tf.constant(a)], 1.0, use_norm=tf.constant(4.0, tf.float64))
    np.testing.assert_allclose(by_use_norm[0], a / 4.0, rtol=1e-12)
    assert used.numpy() == 4.0
    check_gradients(lambda x, y: tf.add_n([tf.reduce_sum(c) for c in clip_ops.clip_by_global_norm([x, y], 1.0)[0]]),
                    a, b)


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # inf - inf, on purpose
def test_clip_by_global_norm_with_infinite_norm_gives_nan_and_rejects_non_lists():
    clipped, norm = clip_ops.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert np.isinf(norm.numpy()) and np.all(np.isnan(clipped[0].numpy()))
    with pytest.raises(TypeError, match="`t_list` should be a sequence of tensors"):
        clip_ops.clip_by_global_norm(tf.constant([1.0]), 1.0)


def test_clipping_in_all_modes_and_names():
    x = rand(2, 3)
    assert_same_in_all_modes(lambda t: clip_ops.clip_by_value(clip_ops.clip_by_norm(t, 1.0), -0.3, 0.3), x)
    with tf.Graph().as_default():
        assert clip_ops.clip_by_value(tf.constant(x), -1.0, 1.0).op.name == "clip_by_value"
        assert clip_ops.clip_by_norm(tf.constant(x), 1.0).op.name == "clip_by_norm"


# -- the tf.math namespace -------------------------------------------------------------------------------------
def test_tf_math_namespace():
    for name in ["exp", "log1p", "reduce_sum", "reduce_variance", "reduce_std", "argmax", "cumsum", "sigmoid",
                 "divide_no_nan", "floordiv", "pow", "maximum", "is_nan", "count_nonzero", "squared_difference", "erf"]:
        assert callable(getattr(tf.math, name)), name
    assert tf.math.exp is tf.exp and tf.math.reduce_max is tf.reduce_max if hasattr(tf, "reduce_max") else True


def test_norm_matches_numpy_and_has_finite_difference_gradients():
    x = np.array([[3.0, -4.0, 1.0], [0.5, 2.0, -2.0]])
    np.testing.assert_allclose(tf.norm(tf.constant(x)).numpy(), np.linalg.norm(x))
    np.testing.assert_allclose(tf.norm(tf.constant(x), ord=1, axis=1).numpy(), np.abs(x).sum(axis=1))
    np.testing.assert_allclose(tf.linalg.norm(tf.constant(x), ord=np.inf, axis=0).numpy(), np.abs(x).max(axis=0))
    check_gradients(lambda t: tf.norm(t, axis=1), x)
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm"):
        tf.norm(tf.constant(x), ord=3)
