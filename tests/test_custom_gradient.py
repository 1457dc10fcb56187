"""tf.custom_gradient: the decorated function's grad_fn replaces autodiff, eagerly, in tf.function and
in TF1 graphs; variables reach grad_fn through the `variables` keyword."""
import numpy as np
import pytest

import tinyflow as tf
import tinyflow.math  # noqa: F401  (tf.math.log, as in TF's docs)
from tests.helpers import check_gradients
from tinyflow.ops.custom_gradient import custom_gradient
from tinyflow.session import Session

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # exp(100) overflows float32, inf/inf


@custom_gradient
def log1pexp(x):
    """TF's example: log(1 + eˣ) with a numerically stable gradient."""
    e = tf.exp(x)

    def grad(upstream):
        return upstream * (1 - 1 / (1 + e))

    return tf.math.log(1 + e), grad


def naive_log1pexp(x):
    return tf.math.log(1 + tf.exp(x))


def eager_grad(fn, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return y.numpy(), tape.gradient(y, x).numpy()


def test_log1pexp_gradient_is_stable_at_100():
    _, naive = eager_grad(naive_log1pexp, 100.0)
    assert np.isnan(naive)  # inf / inf: the reason for a custom gradient
    y, g = eager_grad(log1pexp, 100.0)
    assert g == 1.0 and not np.isnan(y)
    y0, g0 = eager_grad(log1pexp, 0.0)
    assert y0 == pytest.approx(np.log(2.0)) and g0 == pytest.approx(0.5)


def test_log1pexp_in_a_function_and_in_a_graph():
    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = log1pexp(x)
        return tape.gradient(y, x)

    assert f(tf.constant(100.0)).numpy() == 1.0
    assert f(tf.constant(0.0)).numpy() == pytest.approx(0.5)
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [3])
        (dx,) = tf.gradients(log1pexp(x), [x])
    with Session(graph=g) as sess:
        np.testing.assert_allclose(sess.run(dx, {x: [100.0, 0.0, -3.0]}), [1.0, 0.5, 1 / (1 + np.exp(3.0))],
                                   rtol=1e-6)


def test_a_correct_custom_gradient_matches_finite_differences():
    @custom_gradient
    def cube(x):
        def grad(upstream):
            return upstream * 3 * x * x

        return x * x * x, grad

    check_gradients(cube, np.array([[0.5, -1.2], [2.0, 0.3]]))


def test_grad_fn_really_replaces_the_gradient():
    @custom_gradient
    def clip_gradient(x):
        def grad(upstream):
            return tf.clip_by_value(upstream, -0.1, 0.1)

        return x * 1.0, grad

    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(clip_gradient(x) * 5.0)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0.1, 0.1])


def test_several_inputs_and_outputs():
    @custom_gradient
    def mul_and_add(a, b):
        def grad(da_b, dapb):
            return da_b * b + dapb, da_b * a + dapb

        return (a * b, a + b), grad

    check_gradients(lambda a, b: mul_and_add(a, b)[0] + 2 * mul_and_add(a, b)[1], np.array([1.5, -2.0]),
                    np.array([0.5, 3.0]))


def test_variables_reach_grad_fn():
    w = tf.Variable(2.0)

    @custom_gradient
    def scale(x):
        def grad(upstream, variables=None):
            assert variables == [w] or variables[0] is w
            return upstream * w * 10, [upstream * x * 100]

        return x * w, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scale(x)
    dx, dw = tape.gradient(y, [x, w])
    assert (dx.numpy(), dw.numpy()) == (20.0, 300.0)

    @tf.function
    def in_function(x):
        with tf.GradientTape() as tape:
            y = scale(x)
        return tape.gradient(y, w)

    assert in_function(tf.constant(3.0)).numpy() == 300.0


def test_grad_fn_without_variables_keyword_is_an_error():
    w = tf.Variable(2.0)

    @custom_gradient
    def scale(x):
        return x * w, lambda upstream: upstream

    with pytest.raises(TypeError, match="grad_fn must accept a keyword argument 'variables'"):
        scale(tf.constant(1.0))


def test_wrong_number_of_gradients_is_an_error():
    @custom_gradient
    def two_inputs(a, b):
        return a * b, lambda upstream: upstream

    a, b = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = two_inputs(a, b)
    with pytest.raises(ValueError, match="expected to return 2 gradients but returned 1"):
        tape.gradient(y, a)


def test_second_derivative_uses_grad_fn():
    @custom_gradient
    def square(x):
        def grad(upstream):
            return upstream * 2 * x

        return x * x, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = square(x)
        dy = inner.gradient(y, x)
    assert (dy.numpy(), outer.gradient(dy, x).numpy()) == (6.0, 2.0)
