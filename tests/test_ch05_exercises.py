"""Chapter 05 exercises: the solution notebook earns full marks, the student copy earns zero without crashing,
the hidden references agree with tinyflow's Keras optimizers and losses, and plausible wrong answers score below
full with a hint that names the bug.

The wrong answers are written the way a learner would write them, and go through the spec's comparison
directly, in this process: fast, and the same verdict `check()` prints.
"""

import numpy as np
import pytest

import tinyflow as tf
from tests.exercise_helpers import assert_hinted as hinted
from tests.exercise_helpers import assert_mistakes_reachable, assert_student_copy_fresh, grade_chapter
from tests.exercise_helpers import verdict as score
from tinyflow.grading.specs import ch05

NAME = "05_training.ipynb"
EX = {ex.id: ex for ex in ch05.EXERCISES}


# -- the notebooks, graded by the real CLI in fresh kernels -----------------------------------------------
@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return grade_chapter(tmp_path_factory, NAME)


def test_solution_notebook_scores_full_marks(report):
    entry = report["solutions"]
    assert entry["total"] == entry["max"] == sum(ex.points for ex in ch05.EXERCISES)
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


@pytest.mark.parametrize("ex", ch05.EXERCISES, ids=lambda ex: ex.id)
def test_every_mistake_hint_is_reachable(ex):
    assert_mistakes_reachable(ex)


# -- ex05_1: Adam ---------------------------------------------------------------------------------------
def make_adam(bug=None):
    def adam_update(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        if bug == "no_bias_correction":
            return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v
        m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
        if bug == "epsilon_inside":
            return w - learning_rate * m_hat / np.sqrt(v_hat + epsilon), m, v
        if bug == "no_sqrt":
            return w - learning_rate * m_hat / (v_hat + epsilon), m, v
        if bug == "paper":
            return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v
        alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        return w - alpha * m / (np.sqrt(v) + epsilon), m, v

    return adam_update


def test_ex05_1_right_answer_passes():
    assert verdict("ex05_1", make_adam()).passed


@pytest.mark.parametrize("bug, fragments", [
    ("no_bias_correction", ["bias correction"]),
    ("epsilon_inside", ["outside the square root"]),
    ("no_sqrt", ["square ROOT"]),
    ("paper", ["Algorithm 1", "added to sqrt(v)"]),
])
def test_ex05_1_wrong_answers_get_hints(bug, fragments):
    assert_hinted("ex05_1", make_adam(bug), *fragments)


def test_ex05_1_paper_form_earns_partial_credit():
    """The paper's form agrees with Keras except where epsilon matters: some points, and an explanation."""
    result = verdict("ex05_1", make_adam("paper"))
    assert 0 < result.points < result.max


@pytest.mark.parametrize("case", EX["ex05_1"].cases, ids=lambda c: c.label)
def test_ex05_1_reference_matches_keras_adam(case):
    w0, curvature, steps = case.args
    expected = ch05.run_optimizer(ch05._adam(), w0, curvature, steps, **case.kwargs)["w"]
    hyper = {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, **case.kwargs}
    w = tf.Variable(np.array(w0, dtype=np.float32))
    optimizer = tf.keras.optimizers.Adam(**hyper)
    a = tf.constant(curvature, dtype=tf.float32)
    for k in range(steps):
        optimizer.apply_gradients([(a * w, w)])
        assert np.allclose(w.numpy(), expected[k], rtol=1e-4, atol=1e-6), (k, w.numpy(), expected[k])


# -- ex05_2: binary cross-entropy from logits -----------------------------------------------------------
def bce_naive(labels, logits):
    p = 1 / (1 + np.exp(-np.asarray(logits, dtype=np.float64)))
    return -(labels * np.log(p) + (1 - labels) * np.log(1 - p))


def bce_softplus_overflow(labels, logits):
    return np.log(1 + np.exp(logits)) - logits * labels


def bce_mean(labels, logits):
    x = np.asarray(logits, dtype=np.float64)
    return np.mean(np.maximum(x, 0) - x * labels + np.log1p(np.exp(-np.abs(x))))


def bce_tinyflow_right(labels, logits):
    x, z = tf.constant(logits), tf.constant(labels)
    return tf.maximum(x, 0.0) - x * z + tf.math.log1p(tf.exp(-tf.abs(x)))


def test_ex05_2_right_answers_pass():
    assert verdict("ex05_2", bce_tinyflow_right).passed
    assert verdict("ex05_2", lambda labels, logits: np.logaddexp(0, logits) - logits * labels).passed


@pytest.mark.parametrize("wrong, fragments", [
    (bce_naive, ["inf or nan", "max(x, 0)"]),
    (bce_softplus_overflow, ["overflows"]),
    (bce_mean, ["one loss per element"]),
])
def test_ex05_2_wrong_answers_get_hints(wrong, fragments):
    with np.errstate(all="ignore"):
        assert_hinted("ex05_2", wrong, *fragments)


def test_ex05_2_reference_matches_tinyflow():
    for case in EX["ex05_2"].cases:
        labels, logits = case.args
        library = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(labels), logits=tf.constant(logits))
        assert np.allclose(ch05._bce_stable(labels, logits), library.numpy(), rtol=1e-12, atol=1e-12)


# -- ex05_3: the broken training loop ---------------------------------------------------------------------
def make_train_logistic(bug=None):
    """The exercise's loop with all bugs fixed, or with one of them left in."""

    def train_logistic(x, y, steps=100, learning_rate=0.5):
        x = tf.constant(x, dtype=tf.float32)
        y = tf.reshape(tf.constant(y, dtype=tf.float32), [-1, 1])
        w, b = tf.Variable(tf.zeros([2, 1])), tf.Variable(0.0)
        outside = tf.matmul(x, w) + b if bug == "outside_tape" else None
        for _ in range(steps):
            with tf.GradientTape() as tape:
                logits = outside if bug == "outside_tape" else tf.matmul(x, w) + b
                loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
            dw, db = tape.gradient(loss, [w, b])
            if bug == "w_not_assigned":
                w - learning_rate * dw  # noqa: B018  (the bug: a new tensor, thrown away)
            else:
                w.assign_sub(learning_rate * dw)
            if bug == "wrong_sign":
                b.assign_add(learning_rate * db)
            else:
                b.assign_sub(learning_rate * db)
        return w.numpy(), b.numpy()

    return train_logistic


def test_ex05_3_right_answer_passes():
    assert verdict("ex05_3", make_train_logistic()).passed


def test_ex05_3_keras_sgd_is_accepted():
    def train_logistic(x, y, steps=100, learning_rate=0.5):
        x = tf.constant(x, dtype=tf.float32)
        y = tf.reshape(tf.constant(y, dtype=tf.float32), [-1, 1])
        w, b = tf.Variable(tf.zeros([2, 1])), tf.Variable(0.0)
        optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=tf.matmul(x, w) + b))
            optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
        return w, b

    assert verdict("ex05_3", train_logistic).passed


@pytest.mark.parametrize("bug, fragments", [
    ("outside_tape", ["inside its `with` block"]),
    ("w_not_assigned", ["w never changes", "assign_sub"]),
    ("wrong_sign", ["b moves uphill", "assign_sub"]),
])
def test_ex05_3_wrong_answers_get_hints(bug, fragments):
    assert_hinted("ex05_3", make_train_logistic(bug), *fragments)


def test_ex05_3_as_given_gets_the_tape_hint():
    def train_logistic(x, y, steps=100, learning_rate=0.5):  # the notebook's broken loop, verbatim
        x = tf.constant(x, dtype=tf.float32)
        y = tf.reshape(tf.constant(y, dtype=tf.float32), [-1, 1])
        w = tf.Variable(tf.zeros([2, 1]))
        b = tf.Variable(0.0)
        logits = tf.matmul(x, w) + b
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
        for _ in range(steps):
            with tf.GradientTape() as tape:
                tape.watch(w)
            dw, db = tape.gradient(loss, [w, b])
            w - learning_rate * dw  # noqa: B018
            b.assign_add(learning_rate * db)
        return w.numpy(), b.numpy()

    assert_hinted("ex05_3", train_logistic, "None", "inside its `with` block")


# -- ex05_4: momentum -----------------------------------------------------------------------------------
def momentum_pytorch_convention(w, g, velocity, learning_rate=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    return w - learning_rate * velocity, velocity


def momentum_ignored(w, g, velocity, learning_rate=0.01, momentum=0.9):
    return w - learning_rate * g, momentum * velocity - learning_rate * g


def momentum_old_velocity(w, g, velocity, learning_rate=0.01, momentum=0.9):
    w = w + velocity
    velocity = momentum * velocity - learning_rate * g
    return w, velocity


def momentum_no_state(w, g, velocity, learning_rate=0.01, momentum=0.9):
    velocity = momentum * velocity - learning_rate * g
    return w + velocity  # forgot to return the velocity


def test_ex05_4_both_conventions_pass():
    """Keras's v = mu v - lr g and PyTorch's v = mu v + g give the same path of w for a constant lr."""
    assert verdict("ex05_4", ch05._momentum()).passed
    assert verdict("ex05_4", momentum_pytorch_convention).passed


@pytest.mark.parametrize("wrong, fragments", [
    (momentum_ignored, ["ignore the velocity"]),
    (momentum_old_velocity, ["OLD velocity"]),
    (momentum_no_state, ["return the pair (w, velocity)"]),
])
def test_ex05_4_wrong_answers_get_hints(wrong, fragments):
    assert_hinted("ex05_4", wrong, *fragments)


@pytest.mark.parametrize("case", EX["ex05_4"].cases, ids=lambda c: c.label)
def test_ex05_4_reference_matches_keras_sgd(case):
    w0, curvature, steps = case.args
    expected = ch05.run_optimizer(ch05._momentum(), w0, curvature, steps, **case.kwargs)["w"]
    w = tf.Variable(np.array(w0, dtype=np.float32))
    optimizer = tf.keras.optimizers.SGD(**case.kwargs)
    a = tf.constant(curvature, dtype=tf.float32)
    for k in range(steps):
        optimizer.apply_gradients([(a * w, w)])
        assert np.allclose(w.numpy(), expected[k], rtol=1e-5, atol=1e-6), (k, w.numpy(), expected[k])
