"""Slicing ``x[...]`` (StridedSlice), gather / gather_nd / scatter_nd (indexing_ops), where / boolean_mask /
sequence_mask (mask_ops) and top_k / sort / argsort (sort_ops): values against numpy, gradients against
finite differences (incl. hypothesis keys and shapes), the three modes, unknown dims and error texts."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinyflow as tf
from tests.helpers import assert_same_in_all_modes, check_gradients, rand, run_graph
from tinyflow.framework import errors

# these modules are imported directly until tinyflow/__init__.py re-exports them
from tinyflow.ops.indexing_ops import gather, gather_nd, scatter_nd
from tinyflow.ops.indexing_ops import slice as tf_slice
from tinyflow.ops.mask_ops import boolean_mask, sequence_mask, where
from tinyflow.ops.sort_ops import argsort, sort, top_k
from tinyflow.session import Session

SMALL = settings(max_examples=15, deadline=None)




# -- x[key] ----------------------------------------------------------------------------------------
@st.composite
def keys(draw):
    """A shape and a numpy basic index for it: ints, slices with any step, None and `...`."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    key = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "slice", "full"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            bound = st.none() | st.integers(-n - 2, n + 2)
            key.append(slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, -1, -2]))))
        else:
            key.append(slice(None))
    if draw(st.booleans()):
        key.insert(draw(st.integers(0, len(key))), None)
    if draw(st.booleans()):
        key = [Ellipsis] + key[draw(st.integers(0, len(key))):]
    return shape, tuple(key)


@SMALL
@given(case=keys(), seed=st.integers(0, 1000))
def test_getitem_matches_numpy_and_gradient(case, seed):
    shape, key = case
    x = rand(*shape, seed=seed)
    np.testing.assert_array_equal(tf.constant(x)[key].numpy(), x[key])
    ints = np.arange(x.size, dtype=np.int32).reshape(shape)
    np.testing.assert_array_equal(tf.constant(ints)[key].numpy(), ints[key])
    check_gradients(lambda t: t[key], x)


def test_getitem_modes_and_static_shapes():
    x = rand(2, 3, 4)
    assert_same_in_all_modes(lambda t: t[1:, ::-1, None, 0], x)
    assert_same_in_all_modes(lambda t: t[..., -1], x)
    assert tf.constant(x)[tf.newaxis, :, 1].shape == [1, 2, 4]
    assert tf.newaxis is None


def test_getitem_with_unknown_dims_in_graph():
    x = rand(3, 4, 2)
    out, value = run_graph(lambda p: (p[:, 0], p[..., ::-2], p[1:, None]), [([None, None, 2], x)])
    assert [o.shape.as_list() for o in out] == [[None, 2], [None, None, 1], [None, 1, None, 2]]
    for got, want in zip(value, [x[:, 0], x[..., ::-2], x[1:, None]]):
        np.testing.assert_array_equal(got, want)
    g = tf.Graph()
    with g.as_default():
        p = tf.compat.v1.placeholder(tf.float64, [None, None, 2])
        (grad,) = tf.gradients(tf.reduce_sum(p[1:, ::2] * 3.0), [p])
    want = np.zeros_like(x)
    want[1:, ::2] = 3.0
    np.testing.assert_array_equal(Session(graph=g).run(grad, {p: x}), want)


def test_index_known_only_at_run_time_goes_through_gather():
    x = tf.constant(np.arange(24.0).reshape(2, 3, 4))

    @tf.function
    def pick(t, i):
        return t[:, i], t[..., i, 1:], t[i, None, 0, i]

    for got, want in zip(pick(x, tf.constant(1)), [x[:, 1], x[..., 1, 1:], x[1, None, 0, 1]]):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    g = tf.Graph()
    with g.as_default():
        p = tf.compat.v1.placeholder(tf.float64, [2, 3])
        i = tf.compat.v1.placeholder(tf.int32, [])
        (grad,) = tf.gradients(tf.reduce_sum(p[:, i] * 2.0), [p])
    np.testing.assert_array_equal(Session(graph=g).run(grad, {p: rand(2, 3), i: 2}), [[0, 0, 2], [0, 0, 2]])


def test_getitem_of_a_variable_and_second_order_gradient():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        y = v[0, 1] * 3.0 + v[1][0]
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [[0.0, 3.0], [1.0, 0.0]])
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(x[::2] ** 3)
        dy = inner.gradient(y, x)  # 3x² at even positions
    np.testing.assert_allclose(dy.numpy(), [3.0, 0.0, 27.0])
    np.testing.assert_allclose(outer.gradient(dy, x).numpy(), [6.0, 0.0, 18.0])


def test_getitem_errors():
    x = tf.constant(rand(2, 3))
    with pytest.raises(TypeError, match=r"Only integers, slices .* are valid indices, got \[0, 1\]\. .*tf\.gather"):
        x[[0, 1]]
    with pytest.raises(TypeError, match="valid indices, got 1.5"):
        x[1.5]
    with pytest.raises(TypeError, match="tf.gather"):
        x[tf.constant([0, 1])]
    with pytest.raises(errors.InvalidArgumentError, match="slice index 5 of dimension 1 out of bounds"):
        x[0, 5]
    with pytest.raises(errors.InvalidArgumentError, match="Index out of range using input dim 2; input has only 2"):
        x[0, 0, 0]
    with pytest.raises(ValueError, match="Multiple ellipses in slice spec not allowed"):
        x[..., ...]
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        x[::0]
    with tf.Graph().as_default(), pytest.raises(ValueError, match=r"slice index -3 of dimension 0 out of bounds\. "
                                                                  r"for '\{\{node strided_slice\}\}"):
        tf.constant(rand(2, 3))[-3]


def test_tf_slice():
    x = rand(3, 4)
    np.testing.assert_array_equal(tf_slice(x, [1, 0], [2, -1]).numpy(), x[1:3, :])
    check_gradients(lambda t: tf_slice(t, [0, 1], [2, 2]), x)


# -- gather ----------------------------------------------------------------------------------------
@SMALL
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), seed=st.integers(0, 1000), data=st.data())
def test_gather_matches_numpy_and_gradient(shape, seed, data):
    x = rand(*shape, seed=seed)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    idx = np.random.default_rng(seed).integers(0, shape[axis], size=data.draw(st.sampled_from([(), (4,), (2, 2)])))
    np.testing.assert_array_equal(gather(x, idx, axis=axis).numpy(), np.take(x, idx, axis=axis))
    check_gradients(lambda t: gather(t, idx, axis=axis), x)


def test_gather_gradient_adds_repeated_indices():
    params = tf.constant(rand(3, 2))
    with tf.GradientTape() as tape:
        tape.watch(params)
        y = tf.reduce_sum(gather(params, [0, 2, 0, 0]))
    np.testing.assert_array_equal(tape.gradient(y, params).numpy(), [[3, 3], [0, 0], [1, 1]])


@pytest.mark.parametrize("axis", [1, 2])
def test_gather_with_batch_dims(axis):
    x = rand(2, 3, 4)
    idx = np.array([[2, 0, 2], [1, 1, 0]])  # (batch=2, 3)
    want = np.stack([np.take(x[b], idx[b], axis=axis - 1) for b in range(2)])
    np.testing.assert_array_equal(gather(x, idx, axis=axis, batch_dims=1).numpy(), want)
    check_gradients(lambda t: gather(t, idx, axis=axis, batch_dims=1), x)


def test_gather_modes_unknown_dims_and_second_order():
    assert_same_in_all_modes(lambda t, i: gather(t, i, axis=1), rand(2, 3), np.array([2, 0, 2], np.int64))
    out, (value, grad) = run_graph(
        lambda p, i: (gather(p, i), tf.gradients(tf.reduce_sum(gather(p, i)), [p])[0]),
        [([None, 2], rand(3, 2)), ([None], np.array([1, 1], np.int32))])
    assert out[0].shape.as_list() == [None, 2]
    np.testing.assert_array_equal(grad, [[0, 0], [2, 2], [0, 0]])
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(gather(x, [2, 2]) ** 2)
        dy = inner.gradient(y, x)  # 2 * 2 * x[2] at position 2
    np.testing.assert_allclose(dy.numpy(), [0.0, 0.0, 12.0])
    np.testing.assert_allclose(outer.gradient(dy, x).numpy(), [0.0, 0.0, 4.0])


def test_gather_errors():
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[1\] = 5 is not in \[0, 3\)"):
        gather(tf.constant([1.0, 2.0, 3.0]), [0, 5])
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[0,1\] = -1 is not in \[0, 3\)"):
        gather(tf.constant([1.0, 2.0, 3.0]), [[0, -1]])
    with pytest.raises(TypeError, match="Value passed to parameter 'indices' has DataType float32"):
        gather(tf.constant([1.0, 2.0]), [0.0])
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[0\] = 7 is not in \[0, 2\)"):
        run_graph(lambda p, i: gather(p, i), [([None], np.zeros(2)), ([None], np.array([7], np.int32))])


# -- gather_nd, scatter_nd -------------------------------------------------------------------------
def test_gather_nd_and_scatter_nd():
    x = rand(3, 4)
    idx = np.array([[0, 1], [2, 3], [0, 1]])
    np.testing.assert_array_equal(gather_nd(x, idx).numpy(), x[idx[:, 0], idx[:, 1]])
    np.testing.assert_array_equal(gather_nd(x, [[2], [0]]).numpy(), x[[2, 0]])
    check_gradients(lambda t: gather_nd(t, idx), x)
    out = scatter_nd([[1], [3], [1]], [1.0, 2.0, 5.0], [4])
    np.testing.assert_array_equal(out.numpy(), [0.0, 6.0, 0.0, 2.0])  # repeated indices add up
    check_gradients(lambda u: scatter_nd([[0, 1], [1, 0], [0, 1]], u, [2, 2]), rand(3))
    assert_same_in_all_modes(lambda t: gather_nd(t, [[1, 1]]), x)
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[1\] = \[2, 4\] does not index into param shape"
                                                          r" \[3,4\]"):
        gather_nd(x, [[0, 0], [2, 4]])


# -- where, boolean_mask, sequence_mask ------------------------------------------------------------
def test_where_three_args_broadcasts_and_differentiates():
    c = np.array([[True], [False], [True]])
    x, y = rand(1, 4), rand(3, 4, seed=1)
    np.testing.assert_array_equal(where(c, x, y).numpy(), np.where(c, x, y))
    check_gradients(lambda a, b: where(tf.constant(c), a, b), x, y)
    check_gradients(lambda a: where(tf.constant(c), a, 0.0), x)
    assert_same_in_all_modes(lambda a, b: where(a > b, a, b), x, y)
    assert where([True, False], [1, 2], [3, 4]).numpy().tolist() == [1, 4]


def test_where_one_arg_and_errors():
    coords = where(tf.constant([[True, False], [True, True]]))
    assert coords.dtype == tf.int64 and coords.numpy().tolist() == [[0, 0], [1, 0], [1, 1]]
    with pytest.raises(ValueError, match="x and y must both be non-None or both be None"):
        where([True], [1.0])
    with pytest.raises(errors.InvalidArgumentError, match=r"input #2\(zero-based\) was expected to be a float tensor "
                                                          "but is a int32 tensor"):
        where([True], tf.constant([1.0]), tf.constant([1]))
    with pytest.raises(errors.InvalidArgumentError, match="input #0.* expected to be a bool tensor"):
        where(tf.constant([1.0]), 1.0, 2.0)


def test_boolean_mask():
    x = rand(3, 4)
    mask = np.array([True, False, True])
    np.testing.assert_array_equal(boolean_mask(x, mask).numpy(), x[mask])
    mask2 = x > 0
    np.testing.assert_array_equal(boolean_mask(x, mask2).numpy(), x[mask2])
    cols = np.array([False, True, True, False])
    np.testing.assert_array_equal(boolean_mask(x, cols, axis=1).numpy(), x[:, cols])
    check_gradients(lambda t: boolean_mask(t, mask2), x)
    out, value = run_graph(lambda p, m: boolean_mask(p, m), [([None, 4], x), ([None], mask)])
    assert out.shape.as_list() == [None, 4]
    np.testing.assert_array_equal(value, x[mask])
    with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
        boolean_mask(x, [True, False])


def test_sequence_mask():
    np.testing.assert_array_equal(sequence_mask([1, 3, 0]).numpy(), np.arange(3) < np.array([[1], [3], [0]]))
    m = sequence_mask([[2], [1]], 4, dtype=tf.float32)
    assert m.dtype == tf.float32 and m.shape == [2, 1, 4]
    np.testing.assert_array_equal(m.numpy()[:, 0], [[1, 1, 0, 0], [1, 0, 0, 0]])


# -- top_k, sort, argsort --------------------------------------------------------------------------
def test_top_k_values_indices_and_ties():
    x = np.array([[1.0, 5.0, 3.0, 5.0], [0.0, -1.0, 2.0, 2.0]])
    values, indices = top_k(x, k=3)
    np.testing.assert_array_equal(values.numpy(), [[5, 5, 3], [2, 2, 0]])
    np.testing.assert_array_equal(indices.numpy(), [[1, 3, 2], [2, 3, 0]])  # ties: lower index first
    assert indices.dtype == tf.int32 and top_k(x).values.shape == [2, 1]
    with pytest.raises(errors.InvalidArgumentError, match="input must have at least k columns. Had 4, needed 5"):
        top_k(x, 5)


@SMALL
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4), seed=st.integers(0, 1000))
def test_top_k_and_sort_gradients(shape, seed):
    x = rand(*shape, seed=seed)
    check_gradients(lambda t: top_k(t, k=2).values, x)
    check_gradients(lambda t: sort(t, axis=0, direction="DESCENDING"), x)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_sort_and_argsort_match_numpy(axis):
    x = np.random.default_rng(3).integers(0, 4, size=(4, 5)).astype(np.int32)  # many ties
    np.testing.assert_array_equal(sort(x, axis=axis).numpy(), np.sort(x, axis=axis))
    np.testing.assert_array_equal(argsort(x, axis=axis).numpy(), np.argsort(x, axis=axis, kind="stable"))
    np.testing.assert_array_equal(sort(x, axis=axis, direction="DESCENDING").numpy(), -np.sort(-x, axis=axis))
    assert sort(np.array([3, 0, 255], np.uint8)).numpy().tolist() == [0, 3, 255]
    assert_same_in_all_modes(lambda t: sort(t, axis=axis), rand(3, 4))
    with pytest.raises(ValueError, match="direction should be one of ASCENDING or DESCENDING"):
        sort(x, direction="UP")


def test_sort_with_unknown_length_in_graph():
    x = rand(2, 5)
    out, value = run_graph(lambda p: (sort(p), argsort(p)), [([None, None], x)])
    np.testing.assert_array_equal(value[0], np.sort(x))
    np.testing.assert_array_equal(value[1], np.argsort(x))
