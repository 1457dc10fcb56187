"""tf.cond, tf.while_loop, tf.case: values in all three modes, gradients against finite differences
in graph mode (Session + tf.gradients) and inside tf.function (GradientTape), variables, side effects,
and TF's error texts."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinyflow as tf
import tinyflow.ops.control_flow_ops  # noqa: F401  (registers If/While before tinyflow exports them)
from tests.helpers import assert_same_in_all_modes, check_gradients, numeric_gradients
from tinyflow.session import Session


# -- gradient helpers: the analytic side in graph mode and inside a tf.function ----------------------
def graph_gradients(fn, arrays, w):
    """d sum(fn(*xs) * w) / d xs with tf.gradients in a TF1 graph, run by a Session."""
    g = tf.Graph()
    with g.as_default():
        phs = [tf.compat.v1.placeholder(tf.float64, np.shape(a)) for a in arrays]
        loss = tf.reduce_sum(fn(*phs) * tf.constant(w))
        grads = tf.gradients(loss, phs)
    with Session(graph=g) as sess:
        return sess.run(grads, dict(zip(phs, [np.asarray(a, np.float64) for a in arrays])))


def function_gradients(fn, arrays, w):
    """The same, with a GradientTape inside a tf.function."""
    @tf.function
    def grads(*xs):
        with tf.GradientTape() as tape:
            tape.watch(xs)
            loss = tf.reduce_sum(fn(*xs) * tf.constant(w))
        return tape.gradient(loss, list(xs))

    return [g.numpy() for g in grads(*[tf.constant(np.asarray(a, np.float64)) for a in arrays])]


def check_graph_gradients(fn, *arrays, rtol=1e-5, atol=1e-6):
    numeric, w = numeric_gradients(fn, arrays)
    for mode, analytic in [("graph", graph_gradients(fn, arrays, w)), ("function", function_gradients(fn, arrays, w))]:
        for i, (a, n) in enumerate(zip(analytic, numeric)):
            assert a is not None, f"{mode}: gradient of input {i} is None"
            np.testing.assert_allclose(a, n, rtol=rtol, atol=atol, err_msg=f"{mode}: gradient of input {i}")


def power_loop(x, n=4):
    """x**n by repeated multiplication in a while loop."""
    _, y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * x), [tf.constant(0), tf.ones_like(x)])
    return y


def square_or_sin(x):
    return tf.cond(tf.reduce_sum(x) > 0, lambda: x * x, lambda: tf.sin(x))


# -- values --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cond_values_in_all_modes(sign):
    x = np.array([0.5, 1.5, 2.0], np.float32) * sign
    out = assert_same_in_all_modes(square_or_sin, x)
    np.testing.assert_allclose(out, x * x if sign > 0 else np.sin(x), rtol=1e-6)


def test_while_loop_values_in_all_modes():
    x = np.array([1.5, -2.0], np.float32)
    np.testing.assert_allclose(assert_same_in_all_modes(power_loop, x), x ** 4, rtol=1e-6)


def test_while_loop_sum_and_counter():
    @tf.function
    def total(n):
        return tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), [0, 0])

    i, s = total(tf.constant(5))
    assert (int(i), int(s)) == (5, 10)
    assert tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), [0, 0]) == [5, 10]


def test_cond_returns_nested_structures():
    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: {"a": x, "b": (x + 1, 2.0)}, lambda: {"a": -x, "b": (x - 1, 3.0)})

    out = f(tf.constant(2.0))
    assert out["a"].numpy() == 2.0 and out["b"][0].numpy() == 3.0 and out["b"][1].numpy() == 2.0


def test_case_and_switch_case():
    def pick(x):
        return tf.case([(x < 0, lambda: x * 0 - 1), (x < 10, lambda: x * 2)], default=lambda: x)

    for value, expected in [(-3, -1), (4, 8), (20, 20)]:
        assert tf.function(pick)(tf.constant(value)).numpy() == expected
        assert pick(tf.constant(value)).numpy() == expected
    fns = [lambda: tf.constant(10), lambda: tf.constant(20)]
    assert tf.function(lambda i: tf.switch_case(i, fns))(tf.constant(1)).numpy() == 20


def test_maximum_iterations_static_and_tensor():
    f = tf.function(lambda n: tf.while_loop(lambda i: i < 100, lambda i: i + 1, [0], maximum_iterations=n))
    assert f(tf.constant(7))[0].numpy() == 7
    assert tf.while_loop(lambda i: i < 100, lambda i: i + 1, [0], maximum_iterations=3) == [3]
    g = tf.function(lambda: tf.while_loop(lambda i: i < 100, lambda i: i + 1, [0], maximum_iterations=5))
    assert g()[0].numpy() == 5


def test_shape_invariants_let_a_shape_grow():
    @tf.function
    def double(n):
        return tf.while_loop(lambda i, x: i < n, lambda i, x: (i + 1, tf.concat([x, x], 0)),
                             [0, tf.constant([1.0])], shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])

    assert double(tf.constant(3))[1].shape == (8,)


# -- gradients -------------------------------------------------------------------------------------
def test_while_power_gradient_matches_finite_differences():
    check_graph_gradients(power_loop, np.array([1.3, -0.7, 2.0]))


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cond_gradient_on_placeholder_matches_finite_differences(sign):
    check_graph_gradients(square_or_sin, sign * np.array([[0.3, 1.1], [0.8, 2.0]]))


def test_weight_captured_in_loop_body_gets_accumulated_gradient():
    def fn(x, w):  # y <- y * w + x, three times: y = w³x + w²x + wx + x
        _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * w + x), [0, x])
        return y

    check_graph_gradients(fn, np.array([0.5, -1.5]), np.array([1.2, 0.9]))


def test_nested_cond_in_while_gradient():
    def fn(x):
        def body(i, y):
            return i + 1, tf.cond(tf.reduce_sum(y) < 10.0, lambda: y * x, lambda: y + x)

        return tf.while_loop(lambda i, y: i < 4, body, [0, x])[1]

    check_graph_gradients(fn, np.array([2.0]))


def test_while_inside_cond_gradient():
    def fn(x):
        return tf.cond(tf.reduce_sum(x) > 0, lambda: power_loop(x, 3), lambda: x * 5.0)

    check_graph_gradients(fn, np.array([0.7, 1.1]))
    check_graph_gradients(fn, np.array([-0.7, -1.1]))


def test_eager_control_flow_is_differentiated_by_the_tape():
    check_gradients(power_loop, np.array([1.3, -0.7]))
    check_gradients(square_or_sin, np.array([-0.4, -1.0]))


@settings(max_examples=10, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=3), elements=st.floats(0.1, 2)),
       st.sampled_from([1.0, -1.0]))
def test_gradients_for_generated_shapes(x, sign):  # away from the cond's kink at sum(x) = 0
    check_graph_gradients(lambda t: power_loop(t, 3) + square_or_sin(t), sign * x, rtol=1e-4, atol=1e-5)


def test_second_derivative_through_cond_in_function():
    @tf.function
    def d2(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = tf.cond(x > 0, lambda: x * x * x, lambda: x)
            dy = inner.gradient(y, x)
        return outer.gradient(dy, x)

    assert d2(tf.constant(2.0)).numpy() == pytest.approx(12.0)  # d²(x³) = 6x


def test_second_derivative_through_while_in_graph_mode_is_a_clear_error():
    @tf.function
    def d2(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = power_loop(x, 3)
            dy = inner.gradient(y, x)
        return outer.gradient(dy, x)

    with pytest.raises(NotImplementedError, match="Second derivatives through tf.while_loop"):
        d2(tf.constant(2.0))


# -- variables and side effects -------------------------------------------------------------------------
def test_variables_read_inside_branches_get_gradients_in_a_function():
    v = tf.Variable(2.0)

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            y = tf.cond(x > 0, lambda: v * x, lambda: v * v)
        return tape.gradient(y, v)

    assert f(tf.constant(3.0)).numpy() == 3.0
    assert f(tf.constant(-3.0)).numpy() == 4.0


def test_only_the_chosen_branch_assigns():
    counter = tf.Variable(0)

    @tf.function
    def bump(x):
        tf.cond(x > 0, lambda: counter.assign_add(1), lambda: counter.assign_add(10))
        return x

    bump(tf.constant(1.0))
    bump(tf.constant(-1.0))
    assert counter.numpy() == 11


def test_assign_in_loop_body_runs_each_iteration():
    counter = tf.Variable(0)

    def body(i):
        counter.assign_add(2)
        return i + 1

    tf.function(lambda n: tf.while_loop(lambda i: i < n, body, [0]))(tf.constant(4))
    assert counter.numpy() == 8


def test_tf1_graph_variables_in_cond_and_while():
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [])
        w = tf.compat.v1.Variable(3.0)
        steps = tf.compat.v1.Variable(0)
        y = tf.cond(x > 0, lambda: w * x, lambda: w)
        _, z = tf.while_loop(lambda i, z: i < 3, lambda i, z: (i + 1, z * w), [0, x])
        dz_dx, dz_dw = tf.gradients(z, [x, w])
        count = tf.cond(x > 0, lambda: steps.assign_add(1), lambda: steps.assign_sub(1))
    with Session(graph=g) as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        assert sess.run([y, z, dz_dx, dz_dw], {x: 2.0}) == [6.0, 54.0, 27.0, 54.0]
        sess.run(count, {x: 1.0})
        sess.run(count, {x: 1.0})
        assert sess.run(steps) == 2


# -- errors ----------------------------------------------------------------------------------------------
def test_branch_dtype_mismatch_error():
    f = tf.function(lambda x: tf.cond(x > 0, lambda: x, lambda: 1))
    with pytest.raises(TypeError, match="true_fn and false_fn arguments to tf.cond must have the same number, "
                                        "type, and overall structure(.|\n)*have different types"):
        f(tf.constant(1.0))


def test_branch_structure_mismatch_error():
    f = tf.function(lambda x: tf.cond(x > 0, lambda: (x, x), lambda: x))
    with pytest.raises(TypeError, match="don't have the same nested structure"):
        f(tf.constant(1.0))


def test_python_bool_predicate_in_a_graph_is_an_error():
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.function(lambda x: tf.cond(True, lambda: x, lambda: x))(tf.constant(1.0))
    assert tf.cond(True, lambda: 1, lambda: 2) == 1  # eagerly it is fine


def test_non_callable_branches_and_bodies():
    with pytest.raises(TypeError, match="'true_fn' must be callable"):
        tf.cond(tf.constant(True), 1, lambda: 2)
    with pytest.raises(TypeError, match="'body' must be callable"):
        tf.while_loop(lambda i: i < 3, None, [0])


def test_loop_shape_change_error_names_the_input():
    f = tf.function(lambda: tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, tf.concat([x, x], 0)),
                                          [0, tf.constant([1.0])]))
    with pytest.raises(ValueError, match=r"enters the loop with shape \(1,\), but has shape \(2,\) after one "
                                         "iteration. To allow the shape to vary"):
        f()


def test_loop_dtype_change_error():
    f = tf.function(lambda x: tf.while_loop(lambda i: i < 3, lambda i: tf.cast(i, tf.float32) + 1.0, [x]))
    with pytest.raises(TypeError, match="enters the loop with type tf.int32, but has type tf.float32"):
        f(tf.constant(0))


def test_non_scalar_predicate_error():
    f = tf.function(lambda x: tf.cond(x > 0, lambda: x, lambda: -x))
    with pytest.raises(ValueError, match=r"must be a scalar, but has shape \(2,\)"):
        f(tf.constant([1.0, 2.0]))


def test_tensor_from_one_branch_used_in_the_other_is_an_error():
    leaked = []

    def true_fn(x):
        leaked.append(x * 2)
        return leaked[0]

    f = tf.function(lambda x: tf.cond(x > 0, lambda: true_fn(x), lambda: leaked[0]))
    with pytest.raises(ValueError, match="in true_fn is accessed from false_fn"):
        f(tf.constant(1.0))
