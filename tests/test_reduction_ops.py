"""Reductions, arg-max, running sums and einsum: values against numpy formulas, gradients against
finite differences (ties, zeros, hypothesis shapes), the three modes and TF's error texts."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinyflow as tf
import tinyflow.math  # noqa: F401  (tf.math namespace)
from tests.helpers import assert_same_in_all_modes, check_gradients, tape_gradients
from tinyflow.ops import reduction_ops as R
from tinyflow.session import Session

RNG = np.random.default_rng(1)


def rand(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape)


def np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


AXES = [None, 0, -1, [0, 2], [2, -3]]


# -- max, min, prod ------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("fn,ref", [(R.reduce_max, np.max), (R.reduce_min, np.min), (R.reduce_prod, np.prod)])
def test_max_min_prod_values_and_gradients(fn, ref, axis, keepdims):
    x = RNG.permutation(24).reshape(2, 3, 4) / 10.0 - 1.1  # distinct values: no ties
    np.testing.assert_allclose(fn(tf.constant(x), axis, keepdims), ref(x, np_axis(axis), keepdims=keepdims))
    check_gradients(lambda t: fn(t, axis, keepdims), x)


def test_max_gradient_is_shared_among_ties():
    x = tf.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        hi, lo = R.reduce_max(x, axis=1), R.reduce_min(x)
    np.testing.assert_allclose(tape.gradient(hi, x), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(tape.gradient(lo, x), [[1, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize("x", [[[2.0, 0.0, 3.0], [1.5, -1.0, 2.0]], [[0.0, 0.0, 3.0], [0.0, 4.0, 2.0]]],
                         ids=["one zero", "two zeros"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_prod_gradient_with_zeros(x, axis):
    x = np.array(x)
    check_gradients(lambda t: R.reduce_prod(t, axis), x)
    with tf.GradientTape() as tape:
        t = tf.constant(x)
        tape.watch(t)
        y = R.reduce_prod(t)
    g = tape.gradient(y, t).numpy()
    expected = [[np.prod(np.delete(x.ravel(), i)) for i in range(6)]]  # product of the others
    np.testing.assert_allclose(g.ravel(), np.ravel(expected))


@settings(max_examples=15, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), data=st.data(),
       fn=st.sampled_from([R.reduce_max, R.reduce_prod, R.reduce_logsumexp, tf.reduce_mean]))
def test_reduction_gradients_over_hypothesis_shapes(shape, data, fn):
    axis = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), max_size=len(shape)) | st.none())
    keepdims = data.draw(st.booleans())
    x = RNG.permutation(int(np.prod(shape))).reshape(shape) / 7.0 + 0.3
    check_gradients(lambda t: fn(t, axis, keepdims), x)


def test_reductions_keep_integer_dtypes():
    x = tf.constant([[3, -1], [2, 5]])
    for fn, expected in [(R.reduce_max, 5), (R.reduce_min, -1), (R.reduce_prod, -30)]:
        out = fn(x)
        assert out.dtype == tf.int32 and out.numpy() == expected


def test_max_gradient_in_a_graph_with_unknown_dims():
    x = rand(4, 3)
    g = tf.Graph()
    with g.as_default():
        p = tf.compat.v1.placeholder(tf.float64, [None, 3])
        y = R.reduce_max(p, axis=1)
        (dx,) = tf.gradients(y, [p])
        assert y.shape.as_list() == [None]
    with Session(graph=g) as sess:
        got = sess.run(dx, {p: x})
    np.testing.assert_array_equal(got, (x == x.max(axis=1, keepdims=True)).astype(float))


# -- logsumexp, variance, std, any, all, count_nonzero ---------------------------------------------------
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_values_and_gradients(axis, keepdims):
    x = rand(2, 3, 4, low=-3, high=3)
    expected = np.log(np.sum(np.exp(x), axis=np_axis(axis), keepdims=keepdims))
    np.testing.assert_allclose(R.reduce_logsumexp(tf.constant(x), axis, keepdims), expected, rtol=1e-12)
    check_gradients(lambda t: R.reduce_logsumexp(t, axis, keepdims), x)


@pytest.mark.filterwarnings("ignore:divide by zero")  # log(0) for the all -inf row, which is -inf as in TF
def test_logsumexp_is_stable_and_handles_infinities():
    out = R.reduce_logsumexp(tf.constant([[1000.0, 1000.0], [-1000.0, -1000.0], [-np.inf, -np.inf]]), axis=1)
    np.testing.assert_allclose(out, [1000 + np.log(2), -1000 + np.log(2), -np.inf], rtol=1e-6)
    x = tf.constant([1000.0, 1000.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = R.reduce_logsumexp(x)
    np.testing.assert_allclose(tape.gradient(y, x), [0.5, 0.5])  # softmax, no overflow


@pytest.mark.parametrize("axis", [None, 0, [1, 2]])
@pytest.mark.parametrize("keepdims", [False, True])
def test_variance_and_std(axis, keepdims):
    x = rand(2, 3, 4)
    mean = np.sum(x, axis=np_axis(axis), keepdims=True) / (x.size / np.mean(x, axis=np_axis(axis)).size)
    var = np.mean((x - mean) ** 2, axis=np_axis(axis), keepdims=keepdims)
    np.testing.assert_allclose(tf.math.reduce_variance(tf.constant(x), axis, keepdims), var, rtol=1e-12)
    np.testing.assert_allclose(R.reduce_std(tf.constant(x), axis, keepdims), np.sqrt(var), rtol=1e-12)
    check_gradients(lambda t: R.reduce_variance(t, axis, keepdims), x)
    check_gradients(lambda t: R.reduce_std(t, axis, keepdims), x)


def test_variance_rejects_integers_as_tf_does():
    with pytest.raises(TypeError, match="Input must be either real or complex. Received integer type tf.int32"):
        R.reduce_variance(tf.constant([1, 2, 3]))


def test_any_all_and_count_nonzero():
    b = tf.constant([[True, False, False], [True, True, True]])
    np.testing.assert_array_equal(R.reduce_any(b, axis=1), [True, True])
    np.testing.assert_array_equal(R.reduce_all(b, axis=1), [False, True])
    assert R.reduce_all(b).numpy() == np.False_ and R.reduce_any(b, keepdims=True).shape == [1, 1]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"float\w* is not in the list.*\[Op:Any\]"):
        R.reduce_any(tf.constant([1.0]))
    x = tf.constant([[0, 1, 2], [0, 0, 3]])
    n = R.count_nonzero(x)
    assert n.dtype == tf.int64 and n.numpy() == 3
    np.testing.assert_array_equal(R.count_nonzero(x, axis=0, keepdims=True), [[0, 1, 2]])
    assert R.count_nonzero(b, axis=1, dtype=tf.int32).dtype == tf.int32
    assert R.count_nonzero(tf.constant([0.0, 0.5, -2.0])).numpy() == 2
    np.testing.assert_allclose(R.reduce_euclidean_norm(tf.constant([[3.0, 4.0]]), axis=1), [5.0])


def test_reductions_in_all_modes():
    x = rand(3, 4)

    def fn(t):
        return (R.reduce_max(t, 0) + R.reduce_prod(t, -1, keepdims=True) + R.reduce_logsumexp(t, [0, 1])
                + R.reduce_std(t, 0) + R.cumsum(t, axis=1, exclusive=True)[0])

    assert_same_in_all_modes(fn, x)


# -- argmax, argmin ------------------------------------------------------------------------------------------
def test_argmax_argmin():
    x = tf.constant([[1.0, 9.0, 9.0], [7.0, 2.0, 7.0]])
    am = R.argmax(x)  # axis None means 0, output int64, as tf.math.argmax
    assert am.dtype == tf.int64
    np.testing.assert_array_equal(am, [1, 0, 0])
    np.testing.assert_array_equal(R.argmax(x, axis=1), [1, 0])  # ties: the first index
    np.testing.assert_array_equal(R.argmin(x, -1, output_type=tf.int32), [0, 1])
    assert R.argmin(x, 1, output_type=tf.int32).dtype == tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected dimension in the range \[-2, 2\), but got 2"):
        R.argmax(x, axis=2)
    with pytest.raises(TypeError, match="output_type' has DataType float32 not in list"):
        R.argmax(x, output_type=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(R.argmax(x, 1), tf.float32)
    assert tape.gradient(y, x) is None


def test_argmax_in_a_graph_keeps_unknown_dims():
    with tf.Graph().as_default():
        p = tf.compat.v1.placeholder(tf.float32, [None, 5, 3])
        assert R.argmax(p, axis=1).shape.as_list() == [None, 3]
        with pytest.raises(ValueError, match=r"Expected dimension in the range \[-3, 3\), but got 3 .*ArgMax"):
            R.argmax(p, axis=3)


# -- cumsum, cumprod -----------------------------------------------------------------------------------------
def np_scan(x, axis, exclusive, reverse, op):
    x = np.moveaxis(x, axis, 0)
    x = x[::-1] if reverse else x
    out, acc = [], np.full(x.shape[1:], 0.0 if op == "sum" else 1.0)
    for row in x:
        if exclusive:
            out.append(acc.copy())
        acc = acc + row if op == "sum" else acc * row
        if not exclusive:
            out.append(acc.copy())
    out = np.stack(out)
    return np.moveaxis(out[::-1] if reverse else out, 0, axis)


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumsum_cumprod_values_and_gradients(axis, exclusive, reverse):
    x = rand(3, 4, low=0.5, high=1.5) * RNG.choice([-1, 1], size=(3, 4))
    for fn, op in [(R.cumsum, "sum"), (R.cumprod, "prod")]:
        out = fn(tf.constant(x), axis, exclusive=exclusive, reverse=reverse)
        np.testing.assert_allclose(out, np_scan(x, axis, exclusive, reverse, op), rtol=1e-12)
        check_gradients(lambda t, fn=fn: fn(t, axis, exclusive=exclusive, reverse=reverse), x)


def test_cumsum_keeps_dtype_and_checks_axis():
    assert R.cumsum(tf.constant([1, 2, 3], tf.int8)).dtype == tf.int8
    np.testing.assert_array_equal(R.cumsum(tf.constant([1, 2, 3])), [1, 3, 6])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected scan axis in the range \[-1, 1\), but got 1"):
        R.cumsum(tf.constant([1.0, 2.0]), axis=1)


# -- einsum ------------------------------------------------------------------------------------------------------
EQUATIONS = [  # (equation, operand shapes)
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("bij,bkj->bik", [(2, 2, 3), (2, 4, 3)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("i,i->", [(3,), (3,)]),
    ("bhqd,bhkd->bhqk", [(1, 2, 3, 2), (1, 2, 4, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("ij,k->ik", [(2, 3), (4,)]),
    ("ij,jk->k", [(2, 3), (3, 4)]),
    ("ijk,kj->", [(2, 3, 4), (4, 3)]),
    ("bqd,kbd->bkq", [(2, 3, 4), (5, 2, 4)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
    ("...ij,...jk->...ik", [(1, 2, 3), (3, 3, 2)]),
    ("Ab,bC->AC", [(2, 3), (3, 2)]),
]


@pytest.mark.parametrize("equation,shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
def test_einsum_values_and_gradients(equation, shapes):
    arrays = [rand(*s) for s in shapes]
    np.testing.assert_allclose(R.einsum(equation, *[tf.constant(a) for a in arrays]),
                               np.einsum(equation, *arrays), rtol=1e-12)
    check_gradients(lambda *ts: R.einsum(equation, *ts), *arrays)


def test_einsum_equals_matmul_and_runs_in_all_modes():
    a, b = rand(2, 3), rand(3, 4)
    np.testing.assert_allclose(R.einsum("ij,jk->ik", tf.constant(a), tf.constant(b)), a @ b, rtol=1e-12)
    assert_same_in_all_modes(lambda x, y: R.einsum("ij,kj->ik", x, y), a, rand(4, 3))


def test_einsum_second_order_gradient():
    a, b = tf.constant(rand(2, 3)), tf.constant(rand(3, 2))
    with tf.GradientTape() as outer:
        outer.watch([a, b])
        with tf.GradientTape() as inner:
            inner.watch(a)
            y = tf.reduce_sum(R.einsum("ij,jk->ik", a, b) ** 2)
        ga = inner.gradient(y, a)  # 2 (a b) bᵀ
        z = tf.reduce_sum(ga)
    gb = outer.gradient(z, b).numpy()
    A, B = a.numpy(), b.numpy()
    expected = 2 * (np.ones((2, 3)).T @ (A @ B) + A.T @ (np.ones((2, 3)) @ B))  # d/dB Σ 2(AB)Bᵀ
    np.testing.assert_allclose(gb, expected, rtol=1e-10)


def test_einsum_in_a_graph_with_unknown_dims():
    a, b = rand(4, 2, 3), rand(4, 3, 5)
    fn = lambda x, y: R.einsum("bij,bjk->bik", x, y)  # noqa: E731
    w = RNG.uniform(0.5, 1.5, size=(4, 2, 5))
    g = tf.Graph()
    with g.as_default():
        x, y = tf.compat.v1.placeholder(tf.float64, [None, 2, 3]), tf.compat.v1.placeholder(tf.float64, [None, 3, 5])
        out = fn(x, y)
        assert out.shape.as_list() == [None, 2, 5]
        grads = tf.gradients(tf.reduce_sum(out * tf.constant(w)), [x, y])
    with Session(graph=g) as sess:
        got = sess.run(grads, {x: a, y: b})
    for e, gg in zip(tape_gradients(fn, [a, b], w), got):
        np.testing.assert_allclose(gg, e, rtol=1e-12)


def test_einsum_errors_use_tf_texts():
    a, b = tf.constant(rand(2, 3)), tf.constant(rand(4, 5))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Expected dimension 3 at axis 0 of the input shaped \[4,5\] but got dimension 4"):
        R.einsum("ij,jk->ik", a, b)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected input 1 to have rank 2 but got: 1"):
        R.einsum("ij,jk->ik", a, tf.constant(rand(3)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected 2 inputs but got: 1"):
        R.einsum("ij,jk->ik", a)
    with tf.Graph().as_default():
        p = tf.compat.v1.placeholder(tf.float32, [2, 3])
        q = tf.compat.v1.placeholder(tf.float32, [4, 5])
        with pytest.raises(ValueError, match=r"Expected dimension 3 .* for '\{\{node einsum\}\} = Einsum"):
            R.einsum("ij,jk->ik", p, q)
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        R.einsum("i1,1k->ik", a, a)
    with pytest.raises(ValueError, match="no ellipsis"):
        R.einsum("...ij->ij", tf.constant(rand(2, 2, 3)))
    with pytest.raises(ValueError, match="each output subscript must appear once"):
        R.einsum("ij->iz", a)


def test_einsum_repeated_labels_compute_but_refuse_a_gradient():
    m = rand(3, 3)
    np.testing.assert_allclose(R.einsum("ii->i", tf.constant(m)), np.diag(m))
    x = tf.constant(m)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = R.einsum("ii->", x)
    with pytest.raises(NotImplementedError, match="repeat a label"):
        tape.gradient(y, x)
