"""TF1 graphs and Session: naming, fetch structures, feeds, plan caching, and TF's error texts."""
import collections

import numpy as np
import pytest

import tinyflow as tf
from tinyflow.framework.plan import Plan

v1 = tf.compat.v1


def test_unique_names_and_scopes():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
        b = a + a
        c = a + a
        with tf.name_scope("scope"):
            d = a + a
        with tf.name_scope("scope"):
            e = a * a
    assert [a.name, b.name, c.name, d.name, e.name] == ["Const:0", "add:0", "add_1:0", "scope/add:0", "scope_1/mul:0"]
    assert g.get_tensor_by_name("scope/add:0") is d
    assert g.get_operation_by_name("add_1") is c.op
    assert c.op.type == "AddV2" and c.op.inputs == [a, a]


def test_public_op_names_follow_tf():
    with tf.Graph().as_default():
        a = tf.constant([[1.0]])
        assert tf.add(a, a).name == "Add:0"
        assert tf.matmul(a, a).name == "MatMul:0"
        # names are unique case-insensitively, as in TF: "matmul" collides with "MatMul"
        assert (a @ a).name == "matmul_1:0"
        assert tf.multiply(a, a).name == "Mul:0"


def test_run_nested_fetches_and_op_fetch_gives_none():
    Pair = collections.namedtuple("Pair", "x y")
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [2], name="x")
        y = x * 2.0
        z = tf.reduce_sum(y)
        op = tf.no_op()
    with v1.Session(graph=g) as sess:
        out = sess.run({"a": [y, (z,)], "p": Pair(x=z, y=op)}, feed_dict={x: [1.0, 2.0]})
    np.testing.assert_array_equal(out["a"][0], [2.0, 4.0])
    assert isinstance(out["a"][1], tuple) and out["a"][1][0] == 6.0
    assert isinstance(out["p"], Pair) and out["p"].x == 6.0 and out["p"].y is None


def test_fetch_by_name_and_feed_by_name():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [], name="x")
        _ = tf.multiply(x, 3.0, name="triple")
    with v1.Session(graph=g) as sess:
        assert sess.run("triple:0", {"x:0": 2.0}) == 6.0


def test_unfed_placeholder_error_text():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [2, 3])
        y = x + 1.0
    with v1.Session(graph=g) as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(y)
    assert ("You must feed a value for placeholder tensor 'Placeholder' with dtype float and shape [2,3]"
            in str(info.value))


def test_wrong_feed_shape_error_text():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [2, 3])
    with v1.Session(graph=g) as sess, pytest.raises(ValueError) as info:
        sess.run(x, {x: np.zeros(3)})
    assert str(info.value) == "Cannot feed value of shape (3,) for Tensor Placeholder:0, which has shape (2, 3)"


def test_partially_known_feed_shape_accepts_any_batch():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [None, 2])
        s = tf.reduce_sum(x, axis=1)
    with v1.Session(graph=g) as sess:
        assert sess.run(s, {x: np.ones((5, 2))}).shape == (5,)
        assert sess.run(s, {x: np.ones((1, 2))}).shape == (1,)


def test_uninitialized_variable_error():
    g = tf.Graph()
    with g.as_default():
        v = v1.Variable(1.0)
        y = v * 2.0
    with v1.Session(graph=g) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value Variable"):
            sess.run(y)
        sess.run(v1.global_variables_initializer())
        assert sess.run(y) == 2.0


def test_closed_session_error():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
    sess = v1.Session(graph=g)
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        sess.run(c)


def test_tensor_from_another_graph():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        b = tf.constant(2.0)
        with pytest.raises(ValueError, match="must be from the same graph"):
            _ = a + b
    with v1.Session(graph=g2) as sess, pytest.raises(ValueError, match="is not an element of this graph"):
        sess.run(a)


def test_invalid_fetch_type():
    g = tf.Graph()
    with v1.Session(graph=g) as sess, pytest.raises(TypeError) as info:
        sess.run(1)
    assert "Fetch argument 1 has invalid type <class 'int'>, must be a string or Tensor." in str(info.value)


def test_placeholder_under_eager():
    with pytest.raises(RuntimeError, match=r"tf.placeholder\(\) is not compatible with eager execution."):
        v1.placeholder(tf.float32)


def test_eager_tensor_inside_plain_graph():
    e = tf.constant(1.0)
    with tf.Graph().as_default(), pytest.raises(RuntimeError, match="Attempting to capture an EagerTensor"):
        _ = e + 1.0


def test_symbolic_tensor_has_no_bool_or_value():
    with tf.Graph().as_default():
        c = tf.constant(1.0)
        with pytest.raises(TypeError, match="Using a symbolic `tf.Tensor` as a Python `bool` is not allowed"):
            bool(c)
        with pytest.raises(NotImplementedError, match="symbolic"):
            c.numpy()


def test_plan_is_cached_per_fetch_and_feed_set():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [])
        y = x * x
        z = y + 1.0
    sess = v1.Session(graph=g)
    sess.run(z, {x: 1.0})
    sess.run(z, {x: 2.0})
    assert len(sess._plans) == 1
    sess.run(y, {x: 2.0})
    sess.run([y, z], {x: 2.0})
    assert len(sess._plans) == 3


def test_plan_runs_only_needed_ops_and_feeding_cuts_the_graph():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [])
        y = x * 2.0
        _unused = tf.exp(x)
        z = y + 1.0
    # y is fed, so neither x nor the Mul producing y is needed
    plan = Plan(g, [z], [], [y], ctx=None)
    assert plan.num_ops == 2  # Const(1.0) and the add
    assert plan.run([np.float32(5.0)])[0] == 6.0


def test_plan_releases_intermediate_buffers():
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [4])
        y = x
        for _ in range(10):
            y = y * 1.5
    plan = Plan(g, [y], [], [x], ctx=None)
    freed = [i for step in plan._steps for i in step[3]]
    # every intermediate (and the feed) is released right after its only use
    assert len(freed) == 10
    assert np.allclose(plan.run([np.ones(4, np.float32)])[0], 1.5**10)


def test_fetched_values_are_copies():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant([1.0, 2.0])
    with v1.Session(graph=g) as sess:
        a = sess.run(c)
        a += 100
        np.testing.assert_array_equal(sess.run(c), [1.0, 2.0])


def test_each_session_owns_its_variable_values():
    g = tf.Graph()
    with g.as_default():
        v = v1.Variable(1.0)
        inc = v.assign_add(1.0)
        init = v1.global_variables_initializer()
    s1, s2 = v1.Session(graph=g), v1.Session(graph=g)
    s1.run(init)
    s2.run(init)
    s1.run(inc)
    s1.run(inc)
    assert s1.run(v) == 3.0 and s2.run(v) == 1.0


def test_eval_and_run_use_default_session():
    g = tf.Graph()
    with g.as_default():
        v = v1.Variable(2.0)
        y = v * 3.0
        init = v1.global_variables_initializer()
    with v1.Session(graph=g):
        init.run()
        assert y.eval() == 6.0
    with pytest.raises(ValueError, match="No default session is registered"):
        y.eval()


def test_disable_eager_execution_builds_default_graph():
    v1.disable_eager_execution()
    try:
        assert not tf.executing_eagerly()
        x = v1.placeholder(tf.float32, [])
        y = x + 1.0
        assert y.graph is tf.get_default_graph()
        with v1.Session() as sess:
            assert sess.run(y, {x: 1.0}) == 2.0
    finally:
        v1.enable_eager_execution()


def test_runtime_kernel_error_names_the_node():
    g = tf.Graph()
    with g.as_default():
        a = v1.placeholder(tf.float32, [None, 3])
        b = v1.placeholder(tf.float32, [None, 2])
        c = tf.matmul(a, b, name="product")  # shapes can't be checked statically: dims unknown... only inner
    with v1.Session(graph=g) as sess, pytest.raises(tf.errors.InvalidArgumentError, match="product"):
        sess.run(c, {a: np.ones((2, 3)), b: np.ones((2, 2))})


def test_constant_infers_int64_for_big_ints_and_refuses_lossy_casts():
    assert tf.constant(3_000_000_000).dtype == tf.int64
    assert tf.constant([1.0, 2.0], dtype=tf.int32).numpy().tolist() == [1, 2]
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.constant([1.5, 2.5], dtype=tf.int32)


def test_tensors_and_variables_do_not_alias_the_callers_numpy_array():
    a = np.array([1.0, 2.0])
    t, v = tf.constant(a), tf.Variable(a)
    a[0] = 99.0
    assert t.numpy().tolist() == [1.0, 2.0] and v.numpy().tolist() == [1.0, 2.0]
