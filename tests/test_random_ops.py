"""tf.random: TF's four seeding rules in eager, tf.function and Session (following the examples of
tf.random.set_seed's documentation), statistics of the samples, dynamic shapes and errors."""
import numpy as np
import pytest

import tinyflow as tf
from tinyflow import random as tf_random
from tinyflow.session import Session


@pytest.fixture(autouse=True)
def _no_global_seed():
    tf_random.set_seed(None)
    yield
    tf_random.set_seed(None)


def _u(**kwargs):
    return tf_random.uniform([3], **kwargs).numpy()


def _differ(a, b):
    return not np.array_equal(np.asarray(a), np.asarray(b))


# -- eager -------------------------------------------------------------------------------------------
def test_eager_neither_seed_gives_fresh_numbers():
    a, b = _u(), _u()
    tf_random.set_seed(None)
    assert _differ(a, b) and _differ(a, _u())


def test_eager_global_seed_repeats_the_sequence_after_set_seed():
    tf_random.set_seed(1234)
    a1, a2 = _u(), _u()
    b1 = tf_random.normal([3]).numpy()
    tf_random.set_seed(1234)
    assert np.array_equal(_u(), a1) and np.array_equal(_u(), a2)
    np.testing.assert_array_equal(tf_random.normal([3]).numpy(), b1)
    assert _differ(a1, a2)
    tf_random.set_seed(99)
    assert _differ(_u(), a1)


def test_eager_op_seed_continues_its_kernel_and_set_seed_resets_it():
    a1, a2 = _u(seed=1), _u(seed=1)  # same kernel: its counter moves on
    assert _differ(a1, a2)
    tf_random.set_seed(None)  # like re-running the program: op seed alone gives the same sequence
    assert np.array_equal(_u(seed=1), a1) and np.array_equal(_u(seed=1), a2)
    assert _differ(_u(seed=2), a1)


def test_eager_both_seeds_determine_the_sequence():
    tf_random.set_seed(7)
    a1, a2 = _u(seed=3), _u(seed=3)
    tf_random.set_seed(7)
    assert np.array_equal(_u(seed=3), a1) and np.array_equal(_u(seed=3), a2)
    tf_random.set_seed(8)
    assert _differ(_u(seed=3), a1)
    tf_random.set_seed(None)
    assert _differ(_u(seed=3), a1)  # (default global seed, 3) is another pair


# -- tf.function ----------------------------------------------------------------------------------------
def _two_draws():
    return tf_random.uniform([2]), tf_random.uniform([2])


def test_function_with_global_seed_acts_like_a_fresh_program():
    tf_random.set_seed(1234)
    f, g = tf.function(_two_draws), tf.function(_two_draws)
    fa, fb = [t.numpy() for t in f()]
    ga, gb = [t.numpy() for t in g()]
    assert np.array_equal(fa, ga) and np.array_equal(fb, gb) and _differ(fa, fb)  # (A1, A2) twice
    fa2, _ = [t.numpy() for t in f()]
    assert _differ(fa, fa2)  # each node keeps its own state across calls
    tf_random.set_seed(1234)
    np.testing.assert_array_equal(f()[0].numpy(), fa)  # set_seed restarts function sequences too


def test_function_identical_op_seeds_keep_separate_counters():
    @tf.function
    def foo():
        return tf_random.uniform([2], seed=1), tf_random.uniform([2], seed=1)

    a1, b1 = foo()
    a2, b2 = foo()
    np.testing.assert_array_equal(a1.numpy(), b1.numpy())  # '(A1, A1)'
    np.testing.assert_array_equal(a2.numpy(), b2.numpy())  # '(A2, A2)'
    assert _differ(a1, a2)


def test_function_without_any_seed_is_nondeterministic():
    f = tf.function(_two_draws)
    a, b = f()
    a2, _ = tf.function(_two_draws)()
    assert _differ(a, b) and _differ(a, a2)


# -- graph and Session ------------------------------------------------------------------------------------
def _graph(global_seed=None, op_seed=None):
    g = tf.Graph()
    with g.as_default():
        if global_seed is not None:
            tf.compat.v1.set_random_seed(global_seed)
        a = tf_random.uniform([2], seed=op_seed)
        b = tf_random.normal([2])
    return g, a, b


def _run_twice(g, t):
    with Session(graph=g) as sess:
        return [sess.run(t) for _ in range(2)]


def test_session_without_seeds_differs_between_sessions():
    g, a, _ = _graph()
    s1, s2 = _run_twice(g, a), _run_twice(g, a)
    assert _differ(s1[0], s1[1]) and _differ(s1[0], s2[0])


def test_session_op_seed_repeats_across_sessions():
    g, a, b = _graph(op_seed=1)
    s1, s2 = _run_twice(g, a), _run_twice(g, a)
    np.testing.assert_array_equal(s1, s2)  # 'A1, A2' in both sessions
    assert _differ(s1[0], s1[1])
    assert _differ(_run_twice(g, b)[0], _run_twice(g, b)[0])  # b has no seed


def test_session_graph_seed_repeats_everything_and_set_seed_in_a_graph_sets_it():
    g, a, b = _graph(global_seed=1234)
    np.testing.assert_array_equal(_run_twice(g, [a, b]), _run_twice(g, [a, b]))
    g2 = tf.Graph()
    with g2.as_default():
        tf_random.set_seed(1234)  # inside a graph, set_seed sets the graph's seed
        a2 = tf_random.uniform([2])
    assert g2.seed == 1234
    np.testing.assert_array_equal(_run_twice(g2, a2), _run_twice(g, a))  # same (graph seed, op counter)


def test_same_first_numbers_in_eager_function_and_session():
    def draw():
        return tf_random.normal([4], seed=5) + tf_random.uniform([4], seed=6, dtype=tf.float32)

    eager = draw().numpy()
    tf_random.set_seed(None)
    traced = tf.function(draw)().numpy()
    g = tf.Graph()
    with g.as_default():
        out = draw()
    with Session(graph=g) as sess:
        graph = sess.run(out)
    np.testing.assert_array_equal(eager, traced)
    np.testing.assert_array_equal(eager, graph)


def test_dynamic_shape_from_a_placeholder():
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3])
        r = tf_random.uniform(tf.shape(x), seed=1)
        assert r.shape.as_list() == [None, 3]
    with Session(graph=g) as sess:
        assert sess.run(r, {x: np.zeros((5, 3))}).shape == (5, 3)


# -- statistics ----------------------------------------------------------------------------------------------
def test_normal_and_uniform_statistics():
    tf_random.set_seed(0)
    n = tf_random.normal([10000], mean=2.0, stddev=3.0).numpy()
    assert n.dtype == np.float32 and abs(n.mean() - 2.0) < 0.1 and abs(n.std() - 3.0) < 0.1
    u = tf_random.uniform([10000], minval=-1.0, maxval=3.0, dtype=tf.float64).numpy()
    assert u.dtype == np.float64 and u.min() >= -1.0 and u.max() < 3.0
    assert abs(u.mean() - 1.0) < 0.05 and abs(u.std() - 4 / np.sqrt(12)) < 0.05
    h = tf_random.uniform([10000], dtype=tf.float16).numpy()
    assert h.dtype == np.float16 and h.min() >= 0 and h.max() < 1.0
    t = tf_random.uniform([5], minval=tf.constant(2.0), maxval=tf.constant(2.5)).numpy()
    assert t.min() >= 2.0 and t.max() < 2.5


def test_truncated_normal_stays_within_two_stddevs():
    tf_random.set_seed(1)
    t = tf_random.truncated_normal([10000], mean=1.0, stddev=0.5).numpy()
    assert t.min() >= 0.0 and t.max() <= 2.0
    assert abs(t.mean() - 1.0) < 0.02
    assert abs(t.std() - 0.5 * 0.8796) < 0.02  # std of N(0,1) truncated to [-2, 2] is 0.8796


def test_uniform_integers():
    tf_random.set_seed(2)
    v = tf_random.uniform([10000], minval=-3, maxval=4, dtype=tf.int64).numpy()
    assert v.dtype == np.int64 and set(np.unique(v).tolist()) == set(range(-3, 4))
    assert np.all(np.abs(np.bincount(v + 3) / 10000 - 1 / 7) < 0.02)
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype tf.int32"):
        tf_random.uniform([2], dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval: 5 >= 5"):
        tf_random.uniform([2], minval=5, maxval=5, dtype=tf.int32)
    with pytest.raises(ValueError, match="Invalid dtype tf.uint8"):
        tf_random.uniform([2], maxval=3, dtype=tf.uint8)


def test_categorical_frequencies():
    tf_random.set_seed(3)
    probs = np.array([[0.1, 0.6, 0.3], [0.0, 0.0, 1.0]])
    with np.errstate(divide="ignore"):
        logits = np.log(probs).astype(np.float32)
    s = tf_random.categorical(logits, 10000).numpy()
    assert s.shape == (2, 10000) and s.dtype == np.int64
    np.testing.assert_allclose(np.bincount(s[0], minlength=3) / 10000, probs[0], atol=0.02)
    assert np.all(s[1] == 2)  # zero probability is never drawn
    assert tf_random.categorical(logits, 3, dtype=tf.int32).dtype == tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError, match="logits should be a matrix, got shape \\[3\\]"):
        tf_random.categorical(np.zeros(3, np.float32), 1)


def test_shuffle_is_a_permutation_of_rows():
    x = np.arange(20).reshape(10, 2)
    tf_random.set_seed(4)
    y = tf_random.shuffle(x).numpy()
    assert _differ(x, y)
    np.testing.assert_array_equal(np.sort(y[:, 0]), x[:, 0])
    np.testing.assert_array_equal(y[:, 1], y[:, 0] + 1)  # rows move whole


def test_random_ops_have_no_gradient_but_shift_and_scale_do():
    mean = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(mean)
        y = tf.reduce_sum(tf_random.normal([5], mean=mean, seed=1))
    assert tape.gradient(y, mean).numpy() == 5.0


def test_shape_and_dtype_errors():
    with pytest.raises(ValueError, match="Invalid dtype tf.int32 for tf.random.normal"):
        tf_random.normal([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="must be fully defined"):
        tf_random.normal([None, 2])
    g = tf.Graph()
    with g.as_default():
        r = tf_random.normal([2, 3], name="noise")
        u = tf_random.uniform([2], minval=1.0, maxval=3.0)
    assert r.name == "noise:0" and r.shape.as_list() == [2, 3] and r.op.type == "RandomStandardNormal"
    assert u.name == "random_uniform:0" and u.op.inputs[0].op.name == "random_uniform/mul"
