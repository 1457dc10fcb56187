"""tf.random.stateless_* (a pure function of seed and shape) and tf.random.Generator (state in the
object): repeatability in every mode, independence of the global seed, statistics and errors."""
import numpy as np
import pytest

import tinyflow as tf
from tests.helpers import assert_same_in_all_modes
from tinyflow import random as tf_random
from tinyflow.session import Session


@pytest.fixture(autouse=True)
def _no_global_seed():
    tf_random.set_seed(None)
    yield
    tf_random.set_seed(None)


STATELESS = {
    "normal": lambda seed: tf_random.stateless_normal([4, 3], seed=seed, mean=1.0, stddev=2.0),
    "truncated": lambda seed: tf_random.stateless_truncated_normal([4, 3], seed=seed),
    "uniform": lambda seed: tf_random.stateless_uniform([4, 3], seed=seed, minval=-1.0, maxval=1.0),
    "uniform_int": lambda seed: tf_random.stateless_uniform([4, 3], seed=seed, minval=0, maxval=100,
                                                            dtype=tf.int64),
    "categorical": lambda seed: tf_random.stateless_categorical(tf.constant([[0.0, 1.0, 2.0]]), 8, seed=seed),
}


@pytest.mark.parametrize("kind", sorted(STATELESS))
def test_stateless_repeat_for_a_seed_in_every_mode(kind):
    draw = STATELESS[kind]
    first = draw([1, 2]).numpy()
    np.testing.assert_array_equal(draw([1, 2]).numpy(), first)
    tf_random.set_seed(5)  # the global seed plays no part
    np.testing.assert_array_equal(draw([1, 2]).numpy(), first)
    assert not np.array_equal(draw([1, 3]).numpy(), first)
    assert_same_in_all_modes(draw, np.array([1, 2], np.int32))
    np.testing.assert_array_equal(tf.function(draw)(tf.constant([1, 2])).numpy(), first)


def test_stateless_seed_from_a_placeholder_and_statistics():
    g = tf.Graph()
    with g.as_default():
        seed = tf.compat.v1.placeholder(tf.int64, [2])
        x = tf_random.stateless_normal([10000], seed=seed)
    with Session(graph=g) as sess:
        a, b = sess.run(x, {seed: [7, 7]}), sess.run(x, {seed: [7, 8]})
    assert abs(a.mean()) < 0.05 and abs(a.std() - 1) < 0.05 and not np.array_equal(a, b)
    t = tf_random.stateless_truncated_normal([10000], seed=[3, 4], stddev=2.0).numpy()
    assert np.abs(t).max() <= 4.0 and abs(t.std() - 2 * 0.8796) < 0.05
    u = tf_random.stateless_uniform([10000], seed=[3, 4], dtype=tf.float64).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02


def test_stateless_errors():
    with pytest.raises(ValueError, match="For integer dtype tf.int32, minval and maxval must be both"):
        tf_random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32)
    with pytest.raises(TypeError, match="must be int32 or int64, got float32"):
        tf_random.stateless_normal([2], seed=[1.0, 2.0])
    with tf.Graph().as_default(), pytest.raises(ValueError, match=r"seed must have shape \[2\], not \[3\]"):
        tf_random.stateless_normal([2], seed=[1, 2, 3])


def test_generator_from_seed_repeats_and_advances():
    g = tf_random.Generator.from_seed(42)
    a, b = g.normal([3]).numpy(), g.normal([3]).numpy()
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(tf_random.Generator.from_seed(42).normal([3]).numpy(), a)
    g.reset_from_seed(42)
    np.testing.assert_array_equal(g.normal([3]).numpy(), a)
    ints = g.uniform([1000], minval=2, maxval=5, dtype=tf.int32).numpy()
    assert set(np.unique(ints).tolist()) == {2, 3, 4}
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        g.uniform([2], dtype=tf.int64)


def test_generator_state_advances_inside_a_function():
    g = tf_random.Generator.from_seed(1)

    @tf.function
    def draw():
        return g.uniform([2]), g.truncated_normal([2])

    (a, _), (b, _) = draw(), draw()
    assert not np.array_equal(a.numpy(), b.numpy())
    eager = tf_random.Generator.from_seed(1).uniform([2]).numpy()
    np.testing.assert_array_equal(a.numpy(), eager)  # same stream as eager draws


def test_generator_seeds_split_and_global_generator():
    g = tf_random.Generator.from_seed(3)
    seeds = g.make_seeds(4)
    assert seeds.shape.as_list() == [2, 4] and seeds.dtype == tf.int64
    x = tf_random.stateless_normal([2], seed=seeds.numpy()[:, 0])
    assert x.shape.as_list() == [2]
    c1, c2 = g.split(2)
    assert not np.array_equal(c1.normal([3]).numpy(), c2.normal([3]).numpy())
    tf_random.set_seed(9)
    first = tf_random.get_global_generator().normal([3]).numpy()
    tf_random.set_seed(9)  # set_seed starts a new global generator from the seed
    np.testing.assert_array_equal(tf_random.get_global_generator().normal([3]).numpy(), first)
    mine = tf_random.Generator.from_non_deterministic_state()
    tf_random.set_global_generator(mine)
    assert tf_random.get_global_generator() is mine
