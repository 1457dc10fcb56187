"""tf.function: tracing rules, caching per signature, side effects, variables, concrete functions."""
import numpy as np
import pytest

import tinyflow as tf


def test_traces_once_per_dtype_and_shape():
    trace_log = []

    @tf.function
    def f(x):
        trace_log.append(x.shape)
        return x * 2

    f(tf.constant([1.0, 2.0]))
    f(tf.constant([3.0, 4.0]))
    assert f.experimental_get_tracing_count() == 1
    f(tf.constant([1.0, 2.0, 3.0]))  # new shape
    f(tf.constant([1, 2]))  # new dtype
    assert f.experimental_get_tracing_count() == 3 and len(trace_log) == 3


def test_python_scalars_retrace_per_value():
    @tf.function
    def f(x, n):
        return x * n

    f(tf.constant(1.0), 2.0)
    f(tf.constant(1.0), 2.0)
    f(tf.constant(1.0), 3.0)
    assert f.experimental_get_tracing_count() == 2


def test_input_signature_with_unknown_dims():
    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
    def f(x):
        return tf.reduce_sum(x)

    assert f(tf.constant([1.0, 2.0])).numpy() == 3.0
    assert f(tf.constant([1.0, 2.0, 3.0])).numpy() == 6.0
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match="Binding inputs to tf.function"):
        f(tf.constant([1, 2]))


def test_python_side_effects_only_while_tracing(capsys):
    @tf.function
    def f(x):
        print("traced!")
        return x + 1

    f(tf.constant(1))
    f(tf.constant(2))
    assert capsys.readouterr().out == "traced!\n"


def test_variables_are_updated_in_place_and_read_fresh():
    v = tf.Variable(1.0)

    @tf.function
    def step():
        v.assign_add(1.0)
        return v.read_value() * 10.0

    assert step().numpy() == 20.0
    assert step().numpy() == 30.0
    assert v.numpy() == 3.0


def test_side_effect_ops_run_even_if_not_returned():
    v = tf.Variable(0.0)

    @tf.function
    def f():
        v.assign_add(2.0)

    f()
    f()
    assert v.numpy() == 4.0


def test_variables_created_on_first_trace_only():
    class Counter:
        def __init__(self):
            self.v = None

        @tf.function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(0.0)
            self.v.assign_add(x)
            return self.v.read_value()

    c = Counter()
    assert c(tf.constant(1.0)).numpy() == 1.0
    assert c(tf.constant(2.0)).numpy() == 3.0

    @tf.function
    def bad(x):
        return tf.Variable(1.0) + x

    bad(tf.constant(1.0))
    with pytest.raises(ValueError, match="only supports singleton tf.Variables created on the first call"):
        bad(tf.constant([1.0, 2.0]))


def test_concrete_function_graph():
    @tf.function
    def f(x):
        return tf.matmul(x, x)

    cf = f.get_concrete_function(tf.TensorSpec([2, 2], tf.float32))
    types = [op.type for op in cf.graph.get_operations()]
    assert types == ["Placeholder", "MatMul"]
    np.testing.assert_allclose(cf(tf.constant([[1.0, 2.0], [3.0, 4.0]])), [[7.0, 10.0], [15.0, 22.0]])


def test_captured_eager_tensor_and_structured_outputs():
    scale = tf.constant(3.0)

    @tf.function
    def f(x):
        return {"y": x * scale, "pair": (x, 7)}

    out = f(tf.constant(2.0))
    assert out["y"].numpy() == 6.0 and out["pair"][0].numpy() == 2.0 and out["pair"][1] == 7


def test_methods_are_traced_per_instance():
    class M:
        def __init__(self, k):
            self.k = k

        @tf.function
        def f(self, x):
            return x * self.k

    a, b = M(2.0), M(5.0)
    assert a.f(tf.constant(1.0)).numpy() == 2.0
    assert b.f(tf.constant(1.0)).numpy() == 5.0


def test_same_numbers_as_eager():
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(3, 4)).astype(np.float32))
    w = tf.constant(rng.normal(size=(4, 2)).astype(np.float32))

    def f(x, w):
        return tf.reduce_mean(tf.exp(tf.matmul(x, w) * 0.1), axis=0)

    np.testing.assert_array_equal(f(x, w), tf.function(f)(x, w))


def test_numpy_arguments_are_tensors():
    @tf.function
    def f(x):
        return x * 2.0

    np.testing.assert_array_equal(f(np.array([1.0, 2.0], np.float32)), [2.0, 4.0])


def test_run_functions_eagerly():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x + 1

    tf.config.run_functions_eagerly(True)
    try:
        f(tf.constant(1))
        f(tf.constant(1))
    finally:
        tf.config.run_functions_eagerly(False)
    assert len(calls) == 2 and f.experimental_get_tracing_count() == 0


def test_gradient_through_a_function_called_under_a_tape():
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x):
        return tf.reduce_sum(w * x * x)

    x = tf.constant([3.0, 4.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = f(x)
    np.testing.assert_allclose(tape.gradient(y, x), [6.0, 16.0])  # 2 w x
    np.testing.assert_allclose(tape.gradient(y, w), [9.0, 16.0])  # x²


def test_placeholders_are_named_after_parameters_and_specs_reuse_traces():
    @tf.function
    def f(x, pair):
        return x * pair[0] * pair[1]

    f(tf.constant([1.0, 2.0]), (tf.constant(2.0), tf.constant(3.0)))
    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32),
                                 (tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.float32)))
    assert [t.name for t in cf.inputs] == ["x:0", "pair_0:0", "pair_1:0"]
    assert f.experimental_get_tracing_count() == 1


def test_python_numbers_returned_from_a_function_become_tensors():
    out = tf.function(lambda x: x * x + 1.0)(1.0)
    assert isinstance(out, tf.Tensor) and out.numpy() == 2.0


def test_namedtuple_arguments_are_flattened_like_tf():
    import collections

    Pair = collections.namedtuple("Pair", "a b")

    @tf.function
    def f(p, scale):
        return Pair(a=p.a * scale, b=p.b + 1.0)

    out = f(Pair(tf.constant(2.0), tf.constant(3.0)), 10.0)
    assert isinstance(out, Pair) and (float(out.a), float(out.b)) == (20.0, 4.0)
    cf = f.get_concrete_function(Pair(tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.float32)), 10.0)
    assert [t.name for t in cf.inputs] == ["p_0:0", "p_1:0"]
    assert f.experimental_get_tracing_count() == 1
