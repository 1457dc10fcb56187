"""tf.nn.conv2d, max_pool2d and avg_pool2d: values against plain-loop numpy references written out
here, gradients (first and second order) against finite differences over hypothesis geometries,
the three modes, static shapes with an unknown batch, and TF's error texts."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyflow as tf
import tinyflow.ops.conv_ops  # noqa: F401  (registers the ops before the lead wires them)
from tests.helpers import assert_same_in_all_modes, check_gradients
from tinyflow import nn
from tinyflow.session import Session


def _pads(size, k, s, d, padding):
    span = (k - 1) * d + 1
    if padding == "VALID":
        return (size - span) // s + 1, 0
    out = -(-size // s)
    return out, max((out - 1) * s + span - size, 0) // 2


def _ref_conv2d(x, w, s, padding, d=1):
    """Direct loops over output pixels: out[n,y,x,o] = Σ x[n, y·s+i·d-top, x·s+j·d-left, c]·w[i,j,c,o]."""
    n, h, wd, c = x.shape
    kh, kw, _, co = w.shape
    oh, top = _pads(h, kh, s, d, padding)
    ow, left = _pads(wd, kw, s, d, padding)
    out = np.zeros((n, oh, ow, co))
    for yy in range(oh):
        for xx in range(ow):
            for i in range(kh):
                for j in range(kw):
                    r, q = yy * s + i * d - top, xx * s + j * d - left
                    if 0 <= r < h and 0 <= q < wd:
                        out[:, yy, xx, :] += x[:, r, q, :] @ w[i, j]
    return out


def _ref_pool(x, k, s, padding, reduce):
    n, h, wd, c = x.shape
    oh, top = _pads(h, k, s, 1, padding)
    ow, left = _pads(wd, k, s, 1, padding)
    out = np.zeros((n, oh, ow, c))
    for yy in range(oh):
        for xx in range(ow):
            r0, q0 = yy * s - top, xx * s - left
            window = x[:, max(r0, 0):r0 + k, max(q0, 0):q0 + k, :]  # only real pixels
            out[:, yy, xx, :] = reduce(window, axis=(1, 2))
    return out


GEOMETRIES = [(5, 5, 3, 1, "SAME"), (5, 5, 3, 1, "VALID"), (6, 7, 3, 2, "SAME"), (6, 7, 2, 2, "VALID"),
              (4, 4, 1, 1, "SAME"), (7, 5, 3, 3, "SAME"), (8, 8, 3, 1, "SAME")]


@pytest.mark.parametrize("h,w,k,s,padding", GEOMETRIES)
def test_conv2d_matches_loop_reference(h, w, k, s, padding):
    rng = np.random.default_rng(0)
    x, f = rng.normal(size=(2, h, w, 3)), rng.normal(size=(k, k, 3, 4))
    out = nn.conv2d(x, f, strides=s, padding=padding)
    np.testing.assert_allclose(out.numpy(), _ref_conv2d(x, f, s, padding), rtol=1e-10, atol=1e-12)


def test_conv2d_dilations_and_stride_spellings():
    rng = np.random.default_rng(1)
    x, f = rng.normal(size=(1, 7, 7, 2)), rng.normal(size=(3, 3, 2, 1))
    for padding in ("SAME", "VALID"):
        out = nn.conv2d(x, f, strides=[1, 1, 1, 1], padding=padding, dilations=2)
        np.testing.assert_allclose(out.numpy(), _ref_conv2d(x, f, 1, padding, d=2), atol=1e-12)
    a = nn.conv2d(x, f, strides=[2, 2], padding="SAME").numpy()
    b = nn.conv2d(x, f, strides=[1, 2, 2, 1], padding="SAME").numpy()
    np.testing.assert_array_equal(a, b)


@settings(max_examples=15, deadline=None)
@given(h=st.integers(1, 6), w=st.integers(1, 6), k=st.integers(1, 3), s=st.integers(1, 3),
       d=st.integers(1, 2), cin=st.integers(1, 2), cout=st.integers(1, 2),
       padding=st.sampled_from(["SAME", "VALID"]), seed=st.integers(0, 2**16))
def test_conv2d_gradients_hypothesis(h, w, k, s, d, cin, cout, padding, seed):
    if padding == "VALID" and (k - 1) * d + 1 > min(h, w):
        return  # no output at all
    rng = np.random.default_rng(seed)
    x, f = rng.normal(size=(2, h, w, cin)), rng.normal(size=(k, k, cin, cout))
    np.testing.assert_allclose(nn.conv2d(x, f, s, padding, dilations=d).numpy(),
                               _ref_conv2d(x, f, s, padding, d), atol=1e-10)
    check_gradients(lambda a, b: nn.conv2d(a, b, s, padding, dilations=d), x, f)


def test_conv2d_second_derivatives():
    rng = np.random.default_rng(2)
    x, f = rng.normal(size=(1, 4, 5, 2)), rng.normal(size=(3, 2, 2, 2))

    def grads_squared(a, b):  # depends on both backprop ops and on their own gradients
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            y = tf.reduce_sum(tf.square(nn.conv2d(a, b, 2, "SAME")))
        ga, gb = tape.gradient(y, [a, b])
        return tf.reduce_sum(ga * ga) + tf.reduce_sum(gb * gb * gb)

    check_gradients(grads_squared, x, f, rtol=1e-5, atol=1e-5)


def test_conv2d_modes_and_unknown_batch():
    rng = np.random.default_rng(3)
    x, f = rng.normal(size=(2, 8, 8, 1)).astype(np.float32), rng.normal(size=(3, 3, 1, 4)).astype(np.float32)
    assert_same_in_all_modes(lambda a, b: nn.conv2d(a, b, 1, "SAME"), x, f)
    g = tf.Graph()
    with g.as_default():
        xp = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 1])
        y = nn.max_pool2d(tf.nn.relu(nn.conv2d(xp, tf.constant(f), 1, "SAME")), 2, 2, "VALID")
        assert y.shape.as_list() == [None, 4, 4, 4]
        (dx,) = tf.gradients(tf.reduce_sum(y), [xp])
        assert dx.shape.as_list() == [None, 8, 8, 1]
    with Session(graph=g) as sess:
        out, grad = sess.run([y, dx], {xp: x})
    assert out.shape == (2, 4, 4, 4) and grad.shape == x.shape


def test_empty_outputs_when_the_window_just_does_not_fit():
    x, f = tf.constant(np.ones((1, 2, 2, 1))), tf.constant(np.ones((3, 3, 1, 1)))
    assert nn.conv2d(x, f, 2, "VALID").shape.as_list() == [1, 0, 0, 1]  # (2 - 3 + 2) / 2 truncates to 0
    assert nn.max_pool2d(x, 3, 3, "VALID").shape.as_list() == [1, 0, 0, 1]
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(nn.conv2d(x, f, 2, "VALID"))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), np.zeros((1, 2, 2, 1)))


def test_conv2d_errors():
    x, f = np.zeros((1, 4, 4, 3), np.float32), np.zeros((3, 3, 2, 1), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Depth of input \(3\) is not a multiple of input "
                       r"depth of filter \(2\)"):
        nn.conv2d(x, f, 1, "SAME")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"Depth of input \(3\) is not a multiple .* for '\{\{node Conv2D\}\}"):
            nn.conv2d(x, f, 1, "SAME")
        with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
            nn.conv2d(np.zeros((4, 4, 3), np.float32), np.zeros((3, 3, 3, 1), np.float32), 1, "SAME")
        with pytest.raises(ValueError, match=r"Computed output size would be negative: -1 \[input_size: 1, "
                           r"effective_filter_size: 3, stride: 1\]"):
            nn.conv2d(np.zeros((1, 1, 1, 1), np.float32), np.zeros((3, 3, 1, 1), np.float32), 1, "VALID")
    with pytest.raises(ValueError, match="Value for attr 'padding' of \"same\" is not in the list of allowed"):
        nn.conv2d(x, f, 1, "same")
    with pytest.raises(ValueError, match="data_format='NHWC' only"):
        nn.conv2d(x, f, 1, "SAME", data_format="NCHW")
    with pytest.raises(ValueError, match="strides should be of length 1, 2 or 4 but was 3"):
        nn.conv2d(x, f, [1, 1, 1], "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Conv2D"):
        nn.conv2d(x.astype(np.float64), np.zeros((3, 3, 3, 1), np.float32), 1, "SAME")


# -- pooling ---------------------------------------------------------------------------------------------
POOLS = [(4, 4, 2, 2, "VALID"), (5, 5, 2, 2, "SAME"), (5, 6, 3, 1, "SAME"), (6, 5, 3, 2, "VALID"),
         (3, 3, 3, 3, "SAME"), (7, 7, 3, 2, "SAME")]


@pytest.mark.parametrize("h,w,k,s,padding", POOLS)
def test_pools_match_loop_reference(h, w, k, s, padding):
    x = np.random.default_rng(4).normal(size=(2, h, w, 3))
    np.testing.assert_allclose(nn.max_pool2d(x, k, s, padding).numpy(), _ref_pool(x, k, s, padding, np.max))
    np.testing.assert_allclose(nn.avg_pool2d(x, k, s, padding).numpy(), _ref_pool(x, k, s, padding, np.mean),
                               rtol=1e-12)
    np.testing.assert_allclose(nn.max_pool(x, [k, k], [1, s, s, 1], padding).numpy(),
                               _ref_pool(x, k, s, padding, np.max))


@settings(max_examples=15, deadline=None)
@given(h=st.integers(1, 6), w=st.integers(1, 6), k=st.integers(1, 3), s=st.integers(1, 3),
       padding=st.sampled_from(["SAME", "VALID"]), seed=st.integers(0, 2**16))
def test_pool_gradients_hypothesis(h, w, k, s, padding, seed):
    if padding == "VALID" and k > min(h, w):
        return
    rng = np.random.default_rng(seed)
    x = rng.permutation(2 * h * w * 2).reshape(2, h, w, 2) * 0.1  # distinct values: no ties within 1e-6
    check_gradients(lambda a: nn.max_pool2d(a, k, s, padding), x)
    check_gradients(lambda a: nn.avg_pool2d(a, k, s, padding), x)


def test_max_pool_gradient_goes_to_first_max_on_ties_and_overlaps_add_up():
    def pool_grad(array, k, s):
        x = tf.constant(np.array(array, np.float64).reshape((1,) + np.shape(array) + (1,)))
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = nn.max_pool2d(x, k, s, "VALID")
        return tape.gradient(y, x).numpy()[0, :, :, 0]

    np.testing.assert_array_equal(pool_grad([[1.0, 1.0], [1.0, 1.0]], 2, 1), [[1, 0], [0, 0]])  # first max wins
    centre = pool_grad([[0.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 0.0]], 2, 1)  # 4 windows share the max
    np.testing.assert_array_equal(centre, [[0, 0, 0], [0, 4, 0], [0, 0, 0]])


def test_pool_second_derivatives_and_modes():
    x = np.random.default_rng(5).permutation(32).reshape(1, 4, 4, 2) * 0.25

    def second(pool):
        def fn(a):
            with tf.GradientTape() as tape:
                tape.watch(a)
                y = tf.reduce_sum(pool(a) ** 3)
            return tape.gradient(y, a)
        return fn

    check_gradients(second(lambda a: nn.max_pool2d(a, 2, 1, "SAME")), x)
    check_gradients(second(lambda a: nn.avg_pool2d(a, 3, 2, "SAME")), x)
    assert_same_in_all_modes(lambda a: nn.max_pool2d(a, 2, 2, "SAME"), x.astype(np.float32))
    assert_same_in_all_modes(lambda a: nn.avg_pool2d(a, 2, 2, "SAME"), x.astype(np.float32))


def test_pool_integer_max_and_errors():
    xi = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1) - 8
    np.testing.assert_array_equal(nn.max_pool2d(xi, 3, 2, "SAME").numpy()[0, :, :, 0], [[2, 3], [6, 7]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="AvgPool"):
        nn.avg_pool2d(xi, 2, 2, "SAME")
    with pytest.raises(ValueError, match="ksize should be of length 1, 2 or 4 but was 3"):
        nn.max_pool2d(np.zeros((1, 4, 4, 1)), [2, 2, 2], 2, "SAME")
    with tf.Graph().as_default(), pytest.raises(ValueError, match="Shape must be rank 4 but is rank 2"):
        nn.max_pool2d(np.zeros((4, 4)), 2, 2, "SAME")
    with pytest.raises(NotImplementedError, match="4-D"):
        nn.avg_pool(np.zeros((1, 4, 4)), 2, 2, "SAME")
