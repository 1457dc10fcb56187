"""GradientTape: watching, persistence, nested tapes, jacobians, unconnected sources, errors."""
import subprocess
import sys

import numpy as np
import pytest

import tinyflow as tf


def test_variables_are_watched_automatically():
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(w * w)
    np.testing.assert_allclose(tape.gradient(y, w), [2.0, 4.0])
    assert tape.watched_variables()[0] is w


def test_constants_need_watch():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x).numpy() == 6.0


def test_watch_accessed_variables_false():
    a, b = tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    assert ga.numpy() == 3.0 and gb is None


def test_non_persistent_tape_second_call_raises():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to compute one set of"):
        tape.gradient(y, x)


def test_persistent_tape_allows_several_calls():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert tape.gradient(y, x).numpy() == 6.0
    assert tape.gradient(z, x).numpy() == 108.0  # d(x^4) = 4x^3


def test_nested_sources_structure():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = a * b * c
    g = tape.gradient(y, {"ab": [a, b], "c": (c,)})
    assert set(g) == {"ab", "c"}
    assert [float(t) for t in g["ab"]] == [6.0, 3.0] and isinstance(g["c"], tuple) and float(g["c"][0]) == 2.0


def test_unconnected_gradients_none_or_zero():
    a, b = tf.Variable([1.0, 2.0]), tf.Variable([5.0, 6.0])
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(a * a)
    assert tape.gradient(y, [a, b])[1] is None
    z = tape.gradient(y, [a, b], unconnected_gradients="zero")[1]
    np.testing.assert_array_equal(z, [0.0, 0.0])


def test_stop_recording():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
        with tape.stop_recording():
            z = x * x * x
        total = y + z
    assert tape.gradient(total, x).numpy() == 4.0


def test_stop_gradient():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = tf.stop_gradient(x * x) * x
    assert tape.gradient(y, x).numpy() == 4.0


def test_nested_tapes_give_second_derivative():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x * x * x
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert dy.numpy() == 12.0 and d2y.numpy() == 12.0  # 3x², 6x


def test_third_derivative_through_three_tapes():
    x = tf.constant(1.5)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.exp(x * 2.0)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    np.testing.assert_allclose(d3.numpy(), 8 * np.exp(3.0), rtol=1e-6)


def test_output_gradients():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = x * x
    g = tape.gradient(y, x, output_gradients=tf.constant([10.0, 100.0]))
    np.testing.assert_allclose(g, [20.0, 400.0])


def test_jacobian():
    x = tf.Variable([1.0, 2.0, 3.0])
    w = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(w * x * x, axis=1)  # y_i = sum_j w_ij x_j²
    j = tape.jacobian(y, x)
    np.testing.assert_allclose(j, np.array([[1, 2, 3], [4, 5, 6]]) * 2 * np.array([1.0, 2, 3]))


def test_integer_tensors_get_no_gradient():
    x = tf.constant(3)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x) is None


def test_gradient_accumulates_over_reuse_and_broadcast():
    b = tf.Variable([1.0, 2.0, 3.0])
    x = tf.constant(np.ones((4, 3), np.float32))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum((x + b) * b)
    # d/db sum_i (x_i + b) b = sum_i (x_i + 2b) = 4 + 8b
    np.testing.assert_allclose(tape.gradient(y, b), 4 + 8 * np.array([1.0, 2.0, 3.0]))


def test_tape_inside_function_matches_eager():
    w = tf.Variable([0.5, -1.0])

    def grad(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * x * w)
        return tape.gradient(loss, w)

    x = tf.constant([2.0, 3.0])
    np.testing.assert_array_equal(grad(x), tf.function(grad)(x))


def test_unconnected_gradients_enum():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = a * 3.0
    assert tape.gradient(y, [a, b], unconnected_gradients=tf.UnconnectedGradients.ZERO)[1].numpy() == 0.0


def test_inf_and_nan_are_silent_like_tf_but_user_numpy_still_warns():
    # a fresh interpreter: pytest's own warning capture would override the filter under test
    code = ("import numpy as np, tinyflow as tf\n"
            "print(tf.math.log(tf.constant(0.0)).numpy(), (tf.constant(0.0) / 0.0).numpy())\n"
            "np.log(np.float32(0.0))\n")
    out = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["-inf", "nan"]
    assert out.stderr.count("RuntimeWarning") == 1 and "<string>" in out.stderr  # only the user's np.log


def test_cast_of_python_float_keeps_float64_precision():
    assert tf.cast(0.999, tf.float64).numpy() == 0.999
    assert tf.cast(1.7, tf.int32).numpy() == 1
