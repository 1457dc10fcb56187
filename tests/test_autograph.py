"""AutoGraph: Python control flow on tensors inside tf.function becomes tf.cond / tf.while_loop;
Python conditions stay Python; unsupported constructs fail with a clear explanation."""
import sys

import numpy as np
import pytest

import tinyflow as tf
import tinyflow.autograph as autograph
import tinyflow.ops.control_flow_ops  # noqa: F401
import tinyflow.ops.logging_ops as logging_ops


def ops_of(fn, *args):
    return [op.type for op in tf.function(fn).get_concrete_function(*args).graph.get_operations()]


# -- the cases of TensorFlow's AutoGraph guide -------------------------------------------------------------
def square_if_positive(x):
    if tf.reduce_sum(x) > 0:
        x = x * x
    else:
        x = -x
    return x


def test_if_on_a_tensor_becomes_one_cond():
    f = tf.function(square_if_positive)
    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [1.0, 4.0])
    np.testing.assert_array_equal(f(tf.constant([-1.0, -2.0])).numpy(), [1.0, 2.0])
    assert f.experimental_get_tracing_count() == 1  # one graph serves both signs
    assert "StatelessIf" in ops_of(square_if_positive, tf.constant([1.0]))


def sum_below(n):
    s = 0
    i = 0
    while i < n:
        s += i
        i += 1
    return s


def test_while_on_a_tensor_becomes_a_while_loop():
    assert tf.function(sum_below)(tf.constant(5)).numpy() == 10
    assert "StatelessWhile" in ops_of(sum_below, tf.constant(5))
    assert tf.function(sum_below)(5) == 10  # a Python bound: a Python loop, unrolled while tracing


def sum_of_squares(n):
    acc = tf.constant(0)
    for i in tf.range(n):
        acc = acc + i * i
    return acc


def test_for_over_tf_range_accumulates():
    assert tf.function(sum_of_squares)(tf.constant(4)).numpy() == 14
    assert tf.function(sum_of_squares)(tf.constant(0)).numpy() == 0


def test_for_over_python_range_with_a_tensor_bound():
    def halves(n):
        total = 0.0
        for _ in range(n):
            total = total + 0.5
        return total

    assert tf.function(halves)(tf.constant(6)).numpy() == 3.0
    assert tf.function(halves)(3) == 1.5


def test_for_over_a_tensor_iterates_its_rows():
    def row_sums(m):
        out = tf.zeros([2])
        for row in m:
            out = out + row
        return out

    np.testing.assert_array_equal(tf.function(row_sums)(tf.constant([[1.0, 2.0], [3.0, 4.0]])).numpy(), [4.0, 6.0])


def test_nested_loops_keep_their_temporaries_local():
    def triangle(n):
        s = tf.constant(0)
        for i in tf.range(n):
            for j in tf.range(i):
                t = i * j
                s = s + t
        return s

    assert tf.function(triangle)(tf.constant(4)).numpy() == sum(i * j for i in range(4) for j in range(i))


# -- Python conditions stay Python ----------------------------------------------------------------------------
def test_python_conditions_stay_python():
    def scale(x, training):
        if training:
            x = x * 2
        else:
            x = x * 3
        return x

    f = tf.function(scale)
    assert f(tf.constant(1.0), True).numpy() == 2.0
    assert f(tf.constant(1.0), False).numpy() == 3.0
    assert "StatelessIf" not in ops_of(scale, tf.constant(1.0), True)


def test_boolean_operators_and_conditional_expressions():
    def classify(x, y):
        if x > 0 and y > 0:
            return 1
        elif not x > 0 or y > 10:
            return 2
        else:
            return 3

    f = tf.function(classify)
    assert [f(tf.constant(a), tf.constant(b)).numpy() for a, b in [(1.0, 1.0), (-1.0, 1.0), (1.0, -1.0)]] == [1, 2, 3]
    absolute = tf.function(lambda x: x if x > 0 else -x)  # lambdas are converted too
    assert [absolute(tf.constant(v)).numpy() for v in (-4.0, 5.0)] == [4.0, 5.0]


def test_early_return_in_both_branches():
    def sign(x):
        if x > 0:
            return 1.0
        return -1.0

    assert [tf.function(sign)(tf.constant(v)).numpy() for v in (3.0, -3.0)] == [1.0, -1.0]


def test_helpers_closures_and_methods_are_converted():
    offset = tf.constant(100.0)

    def helper(x):
        if x > 0:
            x = x + offset
        return x

    def caller(x):
        return helper(x) * 2

    assert tf.function(caller)(tf.constant(1.0)).numpy() == 202.0

    class Base:
        def f(self, x):
            return x + 1

    class Model(Base):
        scale = 10.0

        @tf.function
        def f(self, x):
            y = super().f(x)
            if y > 0:
                y = y * self.scale
            return y

    assert Model().f(tf.constant(1.0)).numpy() == 20.0


def test_nonlocal_and_closure_variables_are_shared_with_the_original():
    def outer():
        calls = 0

        def count(x):
            nonlocal calls
            calls += 1
            if x > 0:
                x = x + 1
            return x

        return count, lambda: calls

    count, calls = outer()
    assert tf.function(count)(tf.constant(1.0)).numpy() == 2.0
    assert calls() == 1


def test_tf_print_in_a_converted_loop_prints_every_iteration(capsys):
    def loud(n):
        i = tf.constant(0)
        while i < n:
            logging_ops.print("i =", i, output_stream=sys.stdout)
            i += 1
        return i

    tf.function(loud)(tf.constant(3))
    assert capsys.readouterr().out == "i = 0\ni = 1\ni = 2\n"


def test_gradient_through_converted_control_flow():
    def f(x):
        y = x
        for _ in tf.range(3):
            if tf.reduce_sum(y) < 100.0:
                y = y * x
        return y

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x)

    assert grad(tf.constant(2.0)).numpy() == pytest.approx(4 * 2.0 ** 3)  # d(x⁴) = 4x³


def test_training_loop_with_a_tape_inside_a_tensor_loop():
    w = tf.Variable(0.0)

    @tf.function
    def train(x, y, steps):
        loss = tf.constant(0.0)  # used after the loop, so it must exist before it (TF's rule)
        for _ in tf.range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((x * w - y) ** 2)
            w.assign_sub(0.1 * tape.gradient(loss, w))
        return loss

    loss = train(tf.constant([1.0, 2.0]), tf.constant([2.0, 4.0]), tf.constant(50))
    assert loss.numpy() < 1e-6 and w.numpy() == pytest.approx(2.0)
    assert train.experimental_get_tracing_count() == 1


# -- conversion itself ------------------------------------------------------------------------------------
def test_to_code_shows_the_generated_source():
    code = autograph.to_code(square_if_positive)
    assert "ag__.if_stmt(" in code and "def if_body_1():" in code and "nonlocal x" in code
    assert "ag__.while_stmt(" in autograph.to_code(sum_below)
    assert "ag__.for_stmt(" in autograph.to_code(sum_of_squares)


def test_conversion_is_cached_per_function():
    assert autograph.convert(square_if_positive) is autograph.convert(square_if_positive)


def test_source_less_functions_fall_back_unconverted():
    fn = eval("lambda x: x + 1")  # noqa: S307  (no source file)
    assert autograph.convert(fn) is fn
    with pytest.raises(ValueError, match="AutoGraph could not convert"):
        autograph.to_code(fn)


def test_do_not_convert_and_autograph_false():
    @autograph.experimental.do_not_convert
    def plain(x):
        if x > 0:
            x = x * 2
        return x

    assert autograph.convert(plain) is plain
    with pytest.raises(TypeError, match="symbolic `tf.Tensor` as a Python `bool`"):
        tf.function(plain)(tf.constant(1.0))
    with pytest.raises(TypeError, match="symbolic `tf.Tensor` as a Python `bool`"):
        tf.function(square_if_positive, autograph=False)(tf.constant([1.0]))


# -- errors --------------------------------------------------------------------------------------------------
def test_variable_defined_in_one_branch_only():
    def one_branch(x):
        if x > 0:
            y = x * 2
        return y

    with pytest.raises(ValueError, match="'y' must also be initialized in the else branch"):
        tf.function(one_branch)(tf.constant(1.0))


def test_branch_dtype_mismatch_names_the_variable():
    def mixed(x):
        if x > 0:
            y = 1
        else:
            y = 1.0
        return y

    with pytest.raises(TypeError, match="'y' has dtype int32 in the main branch, but dtype float32 in the else"):
        tf.function(mixed)(tf.constant(1.0))


def test_loop_variable_must_be_defined_before_the_loop():
    def last(n):
        i = 0
        while i < n:
            i += 1
            z = i
        return z

    with pytest.raises(ValueError, match="'z' must be defined before the loop"):
        tf.function(last)(tf.constant(3))


@pytest.mark.parametrize("kind, exit_", [("break", "break"), ("continue", "continue"), ("return", "return i")])
def test_break_continue_return_in_a_tensor_loop_explain_the_limit(kind, exit_):
    loop = _define(f"def loop(n):\n    i = 0\n    while i < n:\n        i += 1\n        if i > 3:\n"
                   f"            {exit_}\n    return i\n", "loop")
    with pytest.raises(NotImplementedError, match=f"contains `{kind}`.*TensorFlow's AutoGraph supports this"):
        tf.function(loop)(tf.constant(10))
    assert tf.function(loop)(10) == (10 if kind == "continue" else 4)  # a Python bound: a Python loop


def _define(text: str, name: str):
    """Define a function from source text that inspect.getsource can find (via linecache)."""
    import linecache  # noqa: PLC0415

    filename = f"<autograph-test-{abs(hash(text))}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {"tf": tf}
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102
    return namespace[name]


def test_return_in_only_one_branch_explains_the_limit():
    def early(x):
        if x > 0:
            return x
        print("not reached with a tensor")

    with pytest.raises(NotImplementedError, match="a `return` that is not the last statement of both branches"):
        tf.function(early)(tf.constant(1.0))
