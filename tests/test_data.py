"""tf.data: slicing, shuffling (buffer semantics, seeds), batching, map/filter, repeat/take/skip, cardinality."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import tinyflow as tf
from tinyflow.data import Dataset
from tinyflow.framework.tensor import EagerTensor
from tinyflow.ops import random_ops


def _ints(ds):
    return [int(x) for x in ds]


# -- from_tensor_slices ------------------------------------------------------------------------------
def test_slices_of_a_list_are_scalar_tensors():
    elements = list(Dataset.from_tensor_slices([4, 5, 6]))
    assert all(isinstance(e, EagerTensor) for e in elements)
    assert [e.numpy() for e in elements] == [4, 5, 6]
    assert elements[0].dtype == tf.int32 and elements[0].shape == ()


def test_slices_keep_numpy_dtypes_and_row_shapes():
    x = np.arange(12, dtype=np.float64).reshape(4, 3)
    rows = list(Dataset.from_tensor_slices(x))
    assert len(rows) == 4 and rows[2].dtype == tf.float64
    np.testing.assert_array_equal(rows[2].numpy(), x[2])


def test_tuples_and_dicts_are_preserved():
    x, y = np.ones((3, 2), np.float32), np.array([0, 1, 2])
    a, b = next(iter(Dataset.from_tensor_slices((x, y))))
    assert a.shape == (2,) and b.dtype == tf.int64
    d = next(iter(Dataset.from_tensor_slices({"feat": x, "label": y})))
    assert set(d) == {"feat", "label"} and d["feat"].shape == (2,)
    nested = next(iter(Dataset.from_tensor_slices(((x, x), {"y": y}))))
    assert isinstance(nested, tuple) and isinstance(nested[0], tuple) and int(nested[1]["y"]) == 0


def test_namedtuple_elements_stay_namedtuples():
    Pair = collections.namedtuple("Pair", ["x", "y"])
    e = next(iter(Dataset.from_tensor_slices(Pair(np.arange(3.0), np.arange(3)))))
    assert isinstance(e, Pair) and float(e.x) == 0.0


def test_slices_copy_the_data():
    x = np.arange(3.0)
    ds = Dataset.from_tensor_slices(x)
    x[0] = 100.0
    assert float(next(iter(ds))) == 0.0


def test_mismatched_lengths_name_both_shapes():
    with pytest.raises(ValueError, match=r"same size in dimension 0.*\(3, 2\).*\(4,\)"):
        Dataset.from_tensor_slices((np.zeros((3, 2)), np.zeros(4)))


def test_scalar_cannot_be_sliced():
    with pytest.raises(ValueError, match="rank >= 1"):
        Dataset.from_tensor_slices(3.0)


def test_element_spec_and_repr():
    ds = Dataset.from_tensor_slices((np.zeros((5, 2), np.float32), np.zeros(5, np.int64)))
    sx, sy = ds.element_spec
    assert sx.shape.as_list() == [2] and sx.dtype == tf.float32 and sy.dtype == tf.int64
    bx, _ = ds.batch(2).element_spec
    assert bx.shape.as_list() == [None, 2]
    assert ds.batch(2, drop_remainder=True).element_spec[0].shape.as_list() == [2, 2]
    assert "TensorSliceDataset" in repr(ds)


# -- batch -------------------------------------------------------------------------------------------
def test_batch_shapes_with_and_without_remainder():
    x = np.arange(10 * 3, dtype=np.float32).reshape(10, 3)
    shapes = [b.shape.as_list() for b in Dataset.from_tensor_slices(x).batch(4)]
    assert shapes == [[4, 3], [4, 3], [2, 3]]
    shapes = [b.shape.as_list() for b in Dataset.from_tensor_slices(x).batch(4, drop_remainder=True)]
    assert shapes == [[4, 3], [4, 3]]
    batches = [b.numpy() for b in Dataset.from_tensor_slices(x).batch(4)]
    np.testing.assert_array_equal(np.concatenate(batches), x)


def test_batch_of_mapped_elements_stacks_every_component():
    ds = Dataset.range(5).map(lambda i: (i, {"sq": i * i})).batch(2)
    first = next(iter(ds))
    np.testing.assert_array_equal(first[0].numpy(), [0, 1])
    np.testing.assert_array_equal(first[1]["sq"].numpy(), [0, 1])
    assert len(list(ds)) == 3


def test_batch_of_ragged_elements_explains():
    ragged = Dataset.from_generator(lambda: iter([np.zeros(3), np.zeros(4)]))
    with pytest.raises(ValueError, match=r"different shapes in component 0.*\[3\].*element 1.*\[4\]"):
        list(ragged.batch(2))


def test_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size=0"):
        Dataset.range(3).batch(0)


# -- shuffle -----------------------------------------------------------------------------------------
def test_shuffle_is_a_permutation_and_deterministic_with_seed():
    ds = Dataset.range(50).shuffle(50, seed=7)
    first = _ints(ds)
    assert sorted(first) == list(range(50)) and first != list(range(50))
    assert _ints(Dataset.range(50).shuffle(50, seed=7)) == first  # same seed, same first pass
    assert _ints(Dataset.range(50).shuffle(50, seed=8)) != first


def test_reshuffle_each_iteration():
    ds = Dataset.range(30).shuffle(30, seed=3)
    assert _ints(ds) != _ints(ds)  # a new order every pass ...
    fixed = Dataset.range(30).shuffle(30, seed=3, reshuffle_each_iteration=False)
    assert _ints(fixed) == _ints(fixed)  # ... unless asked not to


def test_shuffle_buffer_limits_how_far_elements_move():
    # With a buffer of k, output i is one of the first i + k inputs: element j can't come out before
    # position j - k + 1. A buffer of 1 changes nothing.
    k = 5
    for seed in range(5):
        out = _ints(Dataset.range(100).shuffle(k, seed=seed))
        assert sorted(out) == list(range(100))
        assert all(v <= i + k - 1 for i, v in enumerate(out))
    assert _ints(Dataset.range(20).shuffle(1, seed=0)) == list(range(20))


def test_shuffle_buffer_follows_the_reference_algorithm():
    # The buffer algorithm written out: fill k, emit a uniform pick, refill its slot.
    k, n, seed = 4, 12, 11
    got = _ints(Dataset.range(n).shuffle(k, seed=seed))
    rng = np.random.default_rng([*random_ops.get_seed(seed), 0])  # TF's (graph seed, op seed), then the pass
    draws = rng.random(256)
    buffer, nxt, out, d = list(range(k)), k, [], 0
    while buffer:
        pick = int(draws[d] * len(buffer))
        d += 1
        out.append(buffer[pick])
        if nxt < n:
            buffer[pick] = nxt
            nxt += 1
        else:
            buffer[pick] = buffer[-1]
            buffer.pop()
    assert got == out


def test_shuffled_batches_match_shuffled_elements():
    x = np.arange(20, dtype=np.float32)
    ds = Dataset.from_tensor_slices((x, x * 2)).shuffle(20, seed=5, reshuffle_each_iteration=False)
    elements = [float(a) for a, _ in ds]
    batched = np.concatenate([a.numpy() for a, _ in ds.batch(6)])
    np.testing.assert_array_equal(batched, elements)
    for a, b in ds.batch(6):  # the components stay aligned
        np.testing.assert_array_equal(b.numpy(), a.numpy() * 2)


def test_bad_buffer_size():
    with pytest.raises(ValueError, match="buffer_size"):
        Dataset.range(3).shuffle(0)


# -- map, filter, repeat, take, skip -------------------------------------------------------------------
def test_map_unpacks_tuples_and_uses_tinyflow_ops():
    x, y = np.arange(4.0, dtype=np.float32), np.arange(4)
    ds = Dataset.from_tensor_slices((x, y)).map(lambda a, b: (tf.square(a) + 1.0, b * 2))
    out = [(float(a), int(b)) for a, b in ds]
    assert out == [(1.0, 0), (2.0, 2), (5.0, 4), (10.0, 6)]
    d = Dataset.from_tensor_slices({"a": x}).map(lambda e: e["a"] * 3.0)
    assert [float(v) for v in d] == [0.0, 3.0, 6.0, 9.0]


def test_map_returning_none_explains():
    with pytest.raises(TypeError, match="returned None"):
        list(Dataset.range(2).map(lambda x: None))


def test_filter():
    assert _ints(Dataset.range(10).filter(lambda x: x % 3 == 0)) == [0, 3, 6, 9]
    assert Dataset.range(10).filter(lambda x: x > 2).cardinality().numpy() == -2


def test_repeat_take_skip():
    assert _ints(Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert _ints(Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert _ints(Dataset.range(5).skip(2)) == [2, 3, 4]
    assert _ints(Dataset.range(5).take(-1)) == [0, 1, 2, 3, 4]
    assert _ints(Dataset.range(0).repeat()) == []  # an empty dataset repeated forever is still empty


def test_repeat_then_batch_crosses_epochs_and_reshuffles():
    ds = Dataset.range(5).shuffle(5, seed=2).repeat(2).batch(5)
    a, b = [sorted(t.numpy().tolist()) for t in ds]
    assert a == b == [0, 1, 2, 3, 4]
    batches = [t.numpy().tolist() for t in Dataset.range(5).repeat(2).batch(3)]
    assert batches == [[0, 1, 2], [3, 4, 0], [1, 2, 3], [4]]


def test_cardinality_and_len():
    ds = Dataset.from_tensor_slices(np.zeros((10, 2)))
    assert ds.cardinality().dtype == tf.int64
    assert int(ds.cardinality()) == 10 and len(ds) == 10
    assert len(ds.batch(3)) == 4 and len(ds.batch(3, drop_remainder=True)) == 3
    assert len(ds.take(4)) == 4 and len(ds.skip(4)) == 6 and len(ds.repeat(3)) == 30
    assert len(ds.shuffle(4).prefetch(tf.data.AUTOTUNE)) == 10
    assert int(ds.repeat().cardinality()) == tf.data.INFINITE_CARDINALITY
    assert len(ds.repeat().take(5)) == 5
    with pytest.raises(TypeError, match="infinite"):
        len(ds.repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(ds.filter(lambda x: True))


def test_as_numpy_iterator_and_other_sources():
    assert list(Dataset.range(3).as_numpy_iterator()) == [0, 1, 2]
    (a, b), = list(Dataset.from_tensors((np.ones(3), 2.0)).as_numpy_iterator())
    assert a.shape == (3,) and b == 2.0
    zipped = [(int(i), float(v)) for i, v in Dataset.from_tensor_slices([5.0, 6.0]).enumerate()]
    assert zipped == [(0, 5.0), (1, 6.0)]
    assert _ints(Dataset.range(2).concatenate(Dataset.range(7, 9))) == [0, 1, 7, 8]
    assert _ints(Dataset.from_generator(lambda: iter(range(3)))) == [0, 1, 2]


def test_element_spec_does_not_disturb_shuffling():
    ds = Dataset.range(20).shuffle(20, seed=4).map(lambda x: x * 2)
    reference = _ints(Dataset.range(20).shuffle(20, seed=4).map(lambda x: x * 2))
    assert ds.element_spec.dtype == tf.int64 and "MapDataset" in repr(ds)
    assert _ints(ds) == reference


def test_cache_replays_the_first_pass():
    ds = Dataset.range(10).shuffle(10, seed=1).cache()
    assert _ints(ds) == _ints(ds)


def test_iterator_protocol():
    it = iter(Dataset.range(2))
    assert int(next(it)) == 0 and int(it.get_next()) == 1
    with pytest.raises(StopIteration):
        next(it)


def test_iteration_in_a_tf1_graph_is_refused():
    with tf.Graph().as_default():
        with pytest.raises(RuntimeError, match="eager mode"):
            iter(Dataset.range(2))


def test_dataset_feeds_a_python_training_loop():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    y = (x @ np.array([[2.0], [-1.0]], np.float32) + 0.5).astype(np.float32)
    w, b = tf.Variable(np.zeros((2, 1), np.float32)), tf.Variable(np.zeros(1, np.float32))
    ds = Dataset.from_tensor_slices((x, y)).shuffle(64, seed=0).batch(16).repeat(40)
    for xb, yb in ds:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(xb, w) + b - yb))
        gw, gb = tape.gradient(loss, [w, b])
        w.assign_sub(0.1 * gw)
        b.assign_sub(0.1 * gb)
    np.testing.assert_allclose(w.numpy().ravel(), [2.0, -1.0], atol=1e-3)
    np.testing.assert_allclose(b.numpy(), [0.5], atol=1e-3)


def test_global_seed_makes_unseeded_shuffles_reproducible():
    tf.random.set_seed(5)
    first = _ints(Dataset.range(20).shuffle(20))
    tf.random.set_seed(5)
    assert _ints(Dataset.range(20).shuffle(20)) == first
    tf.random.set_seed(None)
