"""Chapter 04 exercises: the solution notebook earns full marks, the student copy earns zero without crashing,
the hidden references are right, and plausible wrong answers score below full with a hint that names the bug.

The wrong answers are written the way a learner would write them (with tinyflow), and go through the spec's
comparison directly, in this process: fast, and the same verdict `check()` prints.
"""

import numpy as np
import pytest

import tinyflow as tf
from tests.exercise_helpers import assert_hinted as hinted
from tests.exercise_helpers import assert_mistakes_reachable, assert_student_copy_fresh, grade_chapter
from tests.exercise_helpers import verdict as score
from tinyflow.grading.specs import ch04

NAME = "04_eager_tape_function.ipynb"
EX = {ex.id: ex for ex in ch04.EXERCISES}


# -- the notebooks, graded by the real CLI in fresh kernels -----------------------------------------------
@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return grade_chapter(tmp_path_factory, NAME)


def test_solution_notebook_scores_full_marks(report):
    entry = report["solutions"]
    assert entry["total"] == entry["max"] == sum(ex.points for ex in ch04.EXERCISES)
    assert [e["id"] for e in entry["exercises"]] == list(EX)


def test_exercise_notebook_scores_zero_as_not_attempted(report):
    entry = report["exercises"]
    assert entry["total"] == 0
    assert all("not attempted" in e["message"] for e in entry["exercises"])


def test_exercise_notebook_is_generated_from_the_solutions():
    assert_student_copy_fresh(NAME)


# -- helpers ----------------------------------------------------------------------------------------------
def verdict(exercise_id, obj):
    return score(EX[exercise_id], obj)


def assert_hinted(exercise_id, obj, *fragments):
    hinted(EX[exercise_id], obj, *fragments)


@pytest.mark.parametrize("ex", ch04.EXERCISES, ids=lambda ex: ex.id)
def test_every_mistake_hint_is_reachable(ex):
    assert_mistakes_reachable(ex)


# -- ex04_1: the fixed linear regression ------------------------------------------------------------------
def make_train_linear(bug=None):
    """A learner's train_linear; `bug` names one mistake."""

    def train_linear(x, y, w0, b0, steps=100, learning_rate=0.01):
        dtype = None if bug == "int_data" else tf.float32
        x, y = tf.constant(x, dtype=dtype), tf.constant(y, dtype=dtype)
        w, b = tf.Variable(float(w0)), tf.Variable(float(b0))
        optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)
        y_outside = w * x + b if bug == "outside_tape" else None

        @tf.function
        def train_step():
            with tf.GradientTape() as tape:
                y_pred = y_outside if bug == "outside_tape" else w * x + b
                errors = tf.square(y_pred - y)
                loss = tf.reduce_sum(errors) if bug == "sum" else tf.reduce_mean(errors)
            grads = tape.gradient(loss, [w, b])
            if bug == "only_w":
                optimizer.apply_gradients(zip(grads[:1], [w]))
            elif bug != "not_applied":
                optimizer.apply_gradients(zip(grads, [w, b]))
            return loss

        for _ in range(steps):
            train_step()
        return float(w.numpy()), float(b.numpy())

    return train_linear


def test_ex04_1_right_answer_passes():
    assert verdict("ex04_1", make_train_linear()).passed


@pytest.mark.parametrize("bug, fragments", [
    ("outside_tape", ["INSIDE", "only records"]),
    ("int_data", ["int32", "tf.float32"]),
    ("sum", ["n times too large", "MEAN"]),
    ("not_applied", ["never change"]),
    ("only_w", ["b never changes"]),
])
def test_ex04_1_wrong_answers_get_hints(bug, fragments):
    assert_hinted("ex04_1", make_train_linear(bug), *fragments)


def test_ex04_1_reference_converges_to_least_squares():
    x, y = [0.0, 1.0, 2.0, 3.0, 4.0], [-1.1, 2.0, 5.1, 7.9, 11.0]
    slope, intercept = np.polyfit(x, y, 1)
    w, b = ch04._gd_line(x, y, 0.0, 0.0, steps=5000, learning_rate=0.02)
    assert np.allclose([w, b], [slope, intercept], atol=1e-8)


# -- ex04_2: predicting traces ------------------------------------------------------------------------------
def test_ex04_2_reference_matches_real_tracing():
    for case in EX["ex04_2"].cases:
        @tf.function
        def f(x):
            return x

        for call in case.args[0]:
            f(tf.zeros(call["shape"], dtype=call["dtype"]) if isinstance(call, dict) else call)
        assert f.experimental_get_tracing_count() == ch04._predict_traces(case.args[0]), case.label


def ignores_shapes(calls):
    return len({c["dtype"] if isinstance(c, dict) else c for c in calls})


def numbers_as_tensors(calls):
    keys = set()
    for c in calls:
        keys.add((c["dtype"], tuple(c["shape"])) if isinstance(c, dict) else (type(c).__name__, ()))
    return len(keys)


@pytest.mark.parametrize("wrong, fragments", [
    (lambda calls: len(calls), ["reuses it"]),
    (numbers_as_tensors, ["value"]),
    (ignores_shapes, ["dtype AND its shape"]),
])
def test_ex04_2_wrong_answers_get_hints(wrong, fragments):
    assert_hinted("ex04_2", wrong, *fragments)


# -- ex04_3: Hessian-vector products ------------------------------------------------------------------------
def hvp_right(f, x, v):
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        g = inner.gradient(y, x)
        gv = tf.reduce_sum(g * v)
    return outer.gradient(gv, x)


def hvp_inner_outside_outer(f, x, v):
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
    g = inner.gradient(y, x)             # after the outer block: not recorded
    return outer.gradient(tf.reduce_sum(g * v), x)


def hvp_first_order(f, x, v):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)


def hvp_times_ones(f, x, v):
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        g = inner.gradient(y, x)
    return outer.gradient(g, x)


def test_ex04_3_right_answer_passes():
    assert verdict("ex04_3", hvp_right).passed


@pytest.mark.parametrize("wrong, fragments", [
    (hvp_inner_outside_outer, ["INSIDE the outer tape"]),
    (hvp_first_order, ["Differentiate once more"]),
    (hvp_times_ones, ["H @ ones"]),
])
def test_ex04_3_wrong_answers_get_hints(wrong, fragments):
    assert_hinted("ex04_3", wrong, *fragments)


def test_ex04_3_reference_matches_analytic_hessians():
    x, v = np.array([1.0, -2.0, 0.5]), np.array([0.5, 1.0, -1.0])
    got = ch04.run_hvp(ch04._hvp_full_hessian, "quartic", x, v)
    assert np.allclose(got, 3 * x**2 * v)  # H = diag(3 x²)
    a = np.array([[2.0, 1.0, 0.0], [-1.0, 3.0, 0.5], [0.0, 0.5, 1.0]])
    got = ch04.run_hvp(ch04._hvp_full_hessian, "quadratic", x, v)
    assert np.allclose(got, (a + a.T) / 2 @ v)  # f = ½ xᵀAx: H = (A + Aᵀ)/2


# -- ex04_4: Jacobians ---------------------------------------------------------------------------------------
def make_jacobian(bug=None):
    def jacobian(f, x):
        with tf.GradientTape(persistent=bug != "not_persistent") as tape:
            tape.watch(x)
            y = f(x)
            rows = [y[i] for i in range(y.shape[0])] if bug != "slice_outside" else None
        if bug == "slice_outside":
            rows = [y[i] for i in range(y.shape[0])]
        if bug == "whole_y":
            return tape.gradient(y, x)
        grads = [tape.gradient(r, x, unconnected_gradients="zero") for r in rows]
        result = tf.stack(grads)
        return tf.transpose(result) if bug == "transposed" else result

    return jacobian


def test_ex04_4_right_answer_passes():
    assert verdict("ex04_4", make_jacobian()).passed


@pytest.mark.parametrize("bug, fragments", [
    ("not_persistent", ["persistent=True"]),
    ("slice_outside", ["Slicing y[i] is an operation"]),
    ("whole_y", ["gradient of sum(y)"]),
    ("transposed", ["transpose"]),
])
def test_ex04_4_wrong_answers_get_hints(bug, fragments):
    assert_hinted("ex04_4", make_jacobian(bug), *fragments)


def test_ex04_4_reference_matches_tape_jacobian():
    for case in EX["ex04_4"].cases:
        def tape_jacobian(f, x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = f(x)
            return tape.jacobian(y, x)

        reference = ch04.run_jacobian(ch04._jacobian_fd, *case.args)
        assert np.allclose(ch04.run_jacobian(tape_jacobian, *case.args), reference, atol=1e-7), case.args
