"""Shape ops (array_ops), concat/split/tile/pad (manip_ops) and tensor makers (creation_ops): values
against numpy written out here, gradients against finite differences (incl. hypothesis shapes), the
three modes, graphs with unknown dims, and TF's error texts."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinyflow as tf
from tests.helpers import assert_same_in_all_modes, check_gradients, rand, run_graph
from tinyflow.framework import errors

# manip_ops and creation_ops are imported directly until tinyflow/__init__.py re-exports them
from tinyflow.ops.creation_ops import eye, fill, linspace, ones, zeros
from tinyflow.ops.creation_ops import range as tf_range
from tinyflow.ops.manip_ops import broadcast_to, concat, pad, reverse, split, tile

SMALL = settings(max_examples=15, deadline=None)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)




def graph_grads(fn, feeds):
    """tf.gradients of sum(fn(*xs)**2 / 2) in a graph whose placeholders may have None dims."""
    def build(*phs):
        y = fn(*phs)
        return tf.gradients(tf.reduce_sum(y * y) / 2.0, list(phs))
    return run_graph(build, feeds)[1]


# -- reshape ---------------------------------------------------------------------------------------
def test_reshape_values_and_minus_one():
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(tf.reshape(x, [4, -1]).numpy(), x.reshape(4, 6))
    np.testing.assert_array_equal(tf.reshape(x, tf.constant([6, 4])).numpy(), x.reshape(6, 4))
    assert tf.reshape(tf.constant(5.0), [1, 1]).shape == [1, 1]
    assert tf.reshape(ones([1, 1]), []).shape == []


def test_reshape_gradient_and_modes():
    check_gradients(lambda x: tf.reshape(x, [3, -1]) * tf.constant(np.arange(4.0)), rand(2, 6))
    assert_same_in_all_modes(lambda x: tf.reshape(x, [-1]), rand(2, 3))


def test_reshape_by_runtime_shape_in_graph_mode():
    a, b = rand(2, 6), rand(3, 4)
    out, value = run_graph(lambda x, y: tf.reshape(x, tf.shape(y)), [([None, None], a), ([None, 4], b)])
    assert out.shape.as_list() == [None, 4]  # the known dim of y flows through tf.shape
    np.testing.assert_array_equal(value, a.reshape(3, 4))
    out, value = run_graph(lambda x: tf.reshape(x, [tf.shape(x)[0], 3, -1]), [([None, 6], a)])
    assert out.shape.as_list() == [None, 3, 2]
    np.testing.assert_array_equal(value, a.reshape(2, 3, 2))
    gx, gy = graph_grads(lambda x, y: tf.reshape(x, tf.shape(y)) * y, [([None, None], a), ([None, 4], b)])
    np.testing.assert_allclose(gx, (a.reshape(3, 4) * b * b).reshape(2, 6))
    np.testing.assert_allclose(gy, a.reshape(3, 4) ** 2 * b)


def test_reshape_errors():
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Cannot reshape a tensor with 6 elements to shape \[4\] \(4 elements\)"):
        tf.reshape(tf.constant([1, 2, 3, 4, 5, 6]), [4])
    with tf.Graph().as_default(), pytest.raises(
            ValueError, match=r"Cannot reshape a tensor with 6 elements to shape \[2,2\] \(4 elements\) for "
                              r"'\{\{node Reshape\}\}"):
        tf.reshape(tf.constant([1, 2, 3, 4, 5, 6]), [2, 2])
    with pytest.raises(ValueError, match="Only one input size may be -1, not both 0 and 1"):
        tf.reshape(tf.constant([1, 2]), [-1, -1])


# -- shape, size, rank -----------------------------------------------------------------------------
def test_shape_size_rank_are_int32():
    x = zeros([2, 3, 4])
    for t, want in [(tf.shape(x), [2, 3, 4]), (tf.size(x), 24), (tf.rank(x), 3)]:
        assert t.dtype == tf.int32
        np.testing.assert_array_equal(t.numpy(), want)
    assert [s.numpy().tolist() for s in tf.shape_n([x, x[0]])] == [[2, 3, 4], [3, 4]]
    out, value = run_graph(lambda p: (tf.shape(p), tf.rank(p)), [([None, 3], rand(5, 3))])
    assert out[0].shape.as_list() == [2] and value[0].tolist() == [5, 3] and value[1] == 2


def test_identity_n():
    a, b = tf.identity_n([tf.constant(1.0), tf.constant([2, 3])])
    assert a.numpy() == 1.0 and b.numpy().tolist() == [2, 3]


# -- expand_dims, squeeze, transpose ---------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_expand_dims(axis):
    x = rand(2, 3)
    np.testing.assert_array_equal(tf.expand_dims(x, axis).numpy(), np.expand_dims(x, axis))
    check_gradients(lambda t: tf.expand_dims(t, axis), x)


def test_expand_dims_with_unknown_dims_in_graph():
    x = rand(2, 3)
    out, value = run_graph(lambda p: tf.expand_dims(p, 1), [([None, None], x)])
    assert out.shape.as_list() == [None, 1, None]
    np.testing.assert_array_equal(value, x[:, None])
    (g,) = graph_grads(lambda p: tf.expand_dims(p, -1) * 3.0, [([None, None], x)])
    np.testing.assert_allclose(g, 9 * x)
    with pytest.raises(errors.InvalidArgumentError, match="Tried to expand dim index 3 for tensor with 2 dimensions"):
        tf.expand_dims(x, 3)


def test_squeeze():
    x = rand(1, 3, 1, 2)
    np.testing.assert_array_equal(tf.squeeze(x).numpy(), x.reshape(3, 2))
    assert tf.squeeze(x, [2]).shape == [1, 3, 2] and tf.squeeze(x, -2).shape == [1, 3, 2]
    check_gradients(lambda t: tf.squeeze(t, [0]) * tf.constant(np.arange(6.0).reshape(3, 1, 2)), x)
    with pytest.raises(errors.InvalidArgumentError, match=r"Can not squeeze dim\[1\], expected a dimension of 1, "
                                                          "got 3"):
        tf.squeeze(x, [1])
    out, value = run_graph(lambda p: tf.squeeze(p, [0]), [([1, None], rand(1, 4))])
    assert out.shape.as_list() == [None] and value.shape == (4,)
    (g,) = graph_grads(lambda p: tf.squeeze(p), [([None, 1, None], rand(2, 1, 3))])
    np.testing.assert_allclose(g, rand(2, 1, 3))


@SMALL
@given(shape=shapes, seed=st.integers(0, 1000))
def test_transpose_matches_numpy_and_gradient(shape, seed):
    x = rand(*shape, seed=seed)
    perm = list(np.random.default_rng(seed).permutation(len(shape)))
    np.testing.assert_array_equal(tf.transpose(x, perm).numpy(), np.transpose(x, perm))
    np.testing.assert_array_equal(tf.transpose(x).numpy(), x.T)
    check_gradients(lambda t: tf.transpose(t, perm), x)


def test_transpose_errors_and_modes():
    assert_same_in_all_modes(lambda t: tf.transpose(t, [1, 2, 0]), rand(2, 3, 4))
    with pytest.raises(errors.InvalidArgumentError, match="transpose expects a vector of size 2. But input"):
        tf.transpose(rand(2, 3), [1, 0, 2])


# -- stack, unstack --------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack_unstack(axis):
    a, b = rand(2, 3), rand(2, 3, seed=1)
    np.testing.assert_array_equal(tf.stack([a, b], axis).numpy(), np.stack([a, b], axis))
    check_gradients(lambda x, y: tf.stack([x, y, x], axis), a, b)
    parts = tf.unstack(np.stack([a, b], axis), axis=axis)
    assert len(parts) == 2
    np.testing.assert_array_equal(parts[1].numpy(), b)
    check_gradients(lambda x: tf.unstack(x, axis=axis)[0] * 2 + tf.unstack(x, axis=axis)[-1], np.stack([a, b], axis))


def test_stack_unstack_modes_and_errors():
    assert_same_in_all_modes(lambda x, y: tf.stack([x, y], 1), rand(2, 3), rand(2, 3, seed=1))
    assert_same_in_all_modes(lambda x: tf.unstack(x, axis=1)[2], rand(2, 3))
    with pytest.raises(errors.InvalidArgumentError, match=r"Shapes of all inputs must match: values\[0\].shape = "
                                                          r"\[2\] != values\[1\].shape = \[3\]"):
        tf.stack([tf.constant([1, 2]), tf.constant([1, 2, 3])])
    with tf.Graph().as_default():
        p = tf.compat.v1.placeholder(tf.float32, [None, 3])
        assert len(tf.unstack(p, axis=1)) == 3
        with pytest.raises(ValueError, match=r"Cannot infer argument `num` from shape \(None, 3\)"):
            tf.unstack(p)


def test_stack_of_python_numbers_and_jacobian_uses_it():
    assert tf.stack([1, 2, 3]).dtype == tf.int32
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_allclose(tape.jacobian(y, x).numpy(), np.diag([2.0, 4.0]))


# -- one_hot ---------------------------------------------------------------------------------------
def test_one_hot_values_and_dtypes():
    idx = np.array([[0, 2], [3, -1]])
    want = (idx[..., None] == np.arange(3)).astype(np.float32)  # out-of-range indices give all-off rows
    out = tf.one_hot(idx, 3)
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), want)
    np.testing.assert_array_equal(tf.one_hot(idx, 3, axis=0).numpy(), np.moveaxis(want, -1, 0))
    custom = tf.one_hot([1], 2, on_value=5, off_value=-1)
    assert custom.dtype == tf.int32 and custom.numpy().tolist() == [[-1, 5]]
    assert tf.one_hot([1], 2, dtype=tf.float64).dtype == tf.float64
    assert_same_in_all_modes(lambda i: tf.one_hot(i, 4, axis=1), np.array([[1, 0], [3, 2]], np.int32))


# -- concat and split ------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_values_and_gradient(axis):
    a, b = rand(2, 3), rand(2, 3, seed=1)
    np.testing.assert_array_equal(concat([a, b, a], axis).numpy(), np.concatenate([a, b, a], axis))
    check_gradients(lambda x, y: concat([x, y, x], axis), a, b)


def test_concat_with_unknown_sizes_in_graph():
    a, b = rand(2, 3), rand(2, 5, seed=1)
    out, value = run_graph(lambda x, y: concat([x, y], 1), [([None, None], a), ([None, 5], b)])
    assert out.shape.as_list() == [None, None]
    np.testing.assert_array_equal(value, np.concatenate([a, b], 1))
    ga, gb = graph_grads(lambda x, y: concat([x * 2.0, y], 1), [([None, None], a), ([None, 5], b)])
    np.testing.assert_allclose(ga, 4 * a)
    np.testing.assert_allclose(gb, b)


def test_concat_errors():
    msg = r"ConcatOp : Dimension 1 in both shapes must be equal: shape\[0\] = \[2,3\] vs. shape\[1\] = \[2,4\]"
    with pytest.raises(errors.InvalidArgumentError, match=msg):
        concat([tf.constant(rand(2, 3)), tf.constant(rand(2, 4))], 0)
    with tf.Graph().as_default(), pytest.raises(ValueError, match=msg):
        concat([tf.constant(rand(2, 3)), tf.constant(rand(2, 4))], 0)
    with pytest.raises(errors.InvalidArgumentError, match="Ranks of all input tensors should match"):
        concat([tf.constant(rand(2, 3)), tf.constant(rand(3))], 0)
    with pytest.raises(errors.InvalidArgumentError, match="cannot compute ConcatV2 as input #1"):
        concat([tf.constant([1.0]), tf.constant([1])], 0)


@SMALL
@given(sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3), seed=st.integers(0, 1000))
def test_split_sizes_gradient(sizes, seed):
    x = rand(2, sum(sizes), seed=seed)
    pieces = split(x, sizes, axis=1)
    for got, want in zip(pieces, np.split(x, np.cumsum(sizes)[:-1], axis=1)):
        np.testing.assert_array_equal(got.numpy(), want)
    check_gradients(lambda t: concat(split(t, sizes, axis=1)[::-1], 1), x)


def test_split_even_and_minus_one_and_errors():
    x = rand(6, 2)
    assert [p.shape[0] for p in split(x, 3)] == [2, 2, 2]
    assert [p.shape[0] for p in split(x, [1, -1, 2])] == [1, 3, 2]
    assert_same_in_all_modes(lambda t: split(t, [2, -1], axis=0)[1], x)
    with pytest.raises(errors.InvalidArgumentError, match=r"should evenly divide the split dimension, but got "
                                                          r"split_dim 0 \(size = 6\) and num_split 4"):
        split(x, 4)
    with pytest.raises(errors.InvalidArgumentError, match="Determined shape must either match input shape"):
        split(x, [1, 2])
    out, value = run_graph(lambda p: split(p, 2, axis=1), [([None, None], rand(3, 4))])
    assert value[1].shape == (3, 2)


# -- tile, broadcast_to, pad, reverse --------------------------------------------------------------
@SMALL
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=2), seed=st.integers(0, 1000))
def test_tile_gradient(shape, seed):
    x = rand(*shape, seed=seed)
    reps = list(np.random.default_rng(seed).integers(1, 3, size=len(shape)))
    np.testing.assert_array_equal(tile(x, reps).numpy(), np.tile(x, reps))
    check_gradients(lambda t: tile(t, reps), x)


def test_tile_gradient_with_unknown_dims():
    x = rand(2, 3)
    (g,) = graph_grads(lambda p: tile(p, [2, 3]), [([None, None], x)])
    np.testing.assert_allclose(g, 6 * x)
    with pytest.raises(errors.InvalidArgumentError, match="Expected multiples argument to be a vector of length 2"):
        tile(x, [2])


def test_broadcast_to():
    x = rand(3, 1)
    np.testing.assert_array_equal(broadcast_to(x, [2, 3, 4]).numpy(), np.broadcast_to(x, (2, 3, 4)))
    check_gradients(lambda t: broadcast_to(t, [2, 3, 2]), x)
    out, value = run_graph(lambda p, q: broadcast_to(p, tf.shape(q)), [([None, 1], x), ([None, None], rand(3, 2))])
    assert value.shape == (3, 2)
    with pytest.raises(errors.InvalidArgumentError, match=r"Incompatible shapes: \[3,1\] vs. \[2,2\]"):
        broadcast_to(x, [2, 2])


def test_pad():
    x = rand(2, 3)
    want = np.pad(x, [[1, 0], [2, 1]], constant_values=7.0)
    np.testing.assert_array_equal(pad(x, [[1, 0], [2, 1]], constant_values=7.0).numpy(), want)
    check_gradients(lambda t: pad(t, [[1, 2], [0, 1]]), x)
    (g,) = graph_grads(lambda p: pad(p, [[1, 1], [1, 0]]), [([None, None], x)])
    np.testing.assert_allclose(g, x)
    with pytest.raises(errors.InvalidArgumentError, match="The first dimension of paddings must be the rank of inputs"):
        pad(x, [[1, 1]])
    with pytest.raises(NotImplementedError, match="CONSTANT"):
        pad(x, [[1, 1], [1, 1]], mode="REFLECT")


def test_reverse():
    x = rand(2, 3, 2)
    np.testing.assert_array_equal(reverse(x, [0, -1]).numpy(), x[::-1, :, ::-1])
    check_gradients(lambda t: reverse(t, [1]) * tf.constant(np.arange(12.0).reshape(2, 3, 2)), x)
    assert_same_in_all_modes(lambda t: reverse(t, [2]), x)


# -- fill, zeros, ones, eye, range, linspace --------------------------------------------------------
def test_zeros_ones_fill_eye():
    z = zeros([2, 3])
    assert z.dtype == tf.float32 and z.numpy().tolist() == [[0.0] * 3] * 2
    assert ones([2], tf.int32).numpy().tolist() == [1, 1] and ones([1], tf.int32).dtype == tf.int32
    assert zeros([2], tf.bool).numpy().tolist() == [False, False]
    f = fill([2, 2], 7)
    assert f.dtype == tf.int32 and f.numpy().tolist() == [[7, 7], [7, 7]]
    np.testing.assert_array_equal(eye(2, 3).numpy(), np.eye(2, 3, dtype=np.float32))
    assert eye(2, batch_shape=[4]).shape == [4, 2, 2]
    check_gradients(lambda v: fill([2, 3], v), np.array(1.5))
    with pytest.raises(ValueError, match="Fill dimensions must be >= 0"):
        zeros([-1, 2])


def test_zeros_with_runtime_shape_in_graph():
    out, value = run_graph(lambda p: (zeros(tf.shape(p)), ones([tf.shape(p)[0], 2])), [([None, 3], rand(4, 3))])
    assert out[0].shape.as_list() == [None, 3] and out[1].shape.as_list() == [None, 2]
    assert value[0].shape == (4, 3) and value[1].tolist() == [[1.0, 1.0]] * 4


def test_range():
    r = tf_range(5)
    assert r.dtype == tf.int32 and r.numpy().tolist() == [0, 1, 2, 3, 4]
    assert tf_range(1, 10, 3).numpy().tolist() == [1, 4, 7]
    assert tf_range(5, 0, -2).numpy().tolist() == [5, 3, 1]
    f = tf_range(0, 1, 0.25)
    assert f.dtype == tf.float32 and f.numpy().tolist() == [0.0, 0.25, 0.5, 0.75]
    assert tf_range(3, dtype=tf.float64).dtype == tf.float64
    assert tf_range(tf.constant(3, tf.int64)).dtype == tf.int64
    with tf.Graph().as_default():
        assert tf_range(2, 9, 2).shape.as_list() == [4]
    with pytest.raises(errors.InvalidArgumentError, match="Requires start <= limit when delta > 0: 5/1"):
        tf_range(5, 1)
    with pytest.raises(errors.InvalidArgumentError, match="Requires delta != 0"):
        tf_range(0, 5, 0)


def test_linspace():
    np.testing.assert_allclose(linspace(0.0, 1.0, 5).numpy(), np.linspace(0, 1, 5), atol=1e-7)
    starts, stops = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    np.testing.assert_allclose(linspace(starts, stops, 3, axis=-1).numpy(), np.linspace(starts, stops, 3, axis=-1))
    np.testing.assert_allclose(linspace(starts, stops, 3).numpy(), np.linspace(starts, stops, 3))
    check_gradients(lambda a, b: linspace(a, b, 4, axis=1), starts, stops)
