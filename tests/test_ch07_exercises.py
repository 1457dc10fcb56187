"""Chapter 07 exercises (the Playground): the solution notebook scores full marks, the generated student copy
scores zero without crashing, the hidden references agree with the Playground itself, and plausible wrong answers
score below full marks, with a hint that names the mistake where the spec has one.

The wrong answers are written here the way a learner would write them, independently of the spec's Mistake
functions, and scored in-process with the spec's own probes and comparison (the same verdict `check()` prints).
"""

import nbformat
import numpy as np
import pytest

from tests.exercise_helpers import ROOT, assert_mistakes_reachable, assert_student_copy_fresh, grade_chapter
from tests.exercise_helpers import assert_hinted as hinted
from tests.exercise_helpers import verdict as score
from tinyflow.datasets.features import FEATURES, make_features
from tinyflow.grading.specs import ch07
from tinyflow.playground import Playground
from tinyflow.playground.network import Network

NAME = "07_playground.ipynb"
EX = {ex.id: ex for ex in ch07.EXERCISES}
MAX_POINTS = sum(ex.points for ex in ch07.EXERCISES)


# -- the notebooks, graded by the real CLI in fresh kernels -----------------------------------------------
@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return grade_chapter(tmp_path_factory, NAME)


def test_solution_notebook_scores_full_marks(report):
    entry = report["solutions"]
    assert entry["total"] == entry["max"] == MAX_POINTS, entry["exercises"]
    assert [e["id"] for e in entry["exercises"]] == list(EX)
    assert all(e["message"].startswith("passed") for e in entry["exercises"]), entry["exercises"]
    assert entry["notes"] == []


def test_exercise_notebook_scores_zero_as_not_attempted(report):
    entry = report["exercises"]
    assert entry["total"] == 0 and entry["max"] == MAX_POINTS
    assert [e["id"] for e in entry["exercises"]] == list(EX)
    for result in entry["exercises"]:
        assert result["message"].startswith("not attempted yet"), result
    assert not any("crash" in note for note in entry["notes"]), entry["notes"]


def test_exercise_notebook_is_generated_from_the_solutions():
    assert_student_copy_fresh(NAME)


def test_every_exercise_is_defined_and_checked_in_the_solution_notebook():
    source = "\n".join(c.source for c in nbformat.read(ROOT / "solutions" / NAME, as_version=4).cells)
    for ex in ch07.EXERCISES:
        assert f'check("{ex.id}", {ex.name})' in source
        assert f"def {ex.name}(" in source


# -- references and the spec's own hints ----------------------------------------------------------------------
@pytest.mark.parametrize("ex", ch07.EXERCISES, ids=lambda ex: ex.id)
def test_reference_scores_full_marks(ex):
    assert score(ex, ex.reference).passed


@pytest.mark.parametrize("ex", ch07.EXERCISES, ids=lambda ex: ex.id)
def test_every_mistake_hint_is_reachable(ex):
    assert_mistakes_reachable(ex)


def verdict(exercise_id, answer):
    return score(EX[exercise_id], answer)


def assert_hinted(exercise_id, answer, *fragments):
    hinted(EX[exercise_id], answer, *fragments)


# -- ex07_1: the input features ---------------------------------------------------------------------------------
def make_features_fn(bug=None):
    """A learner's playground_features, one column at a time; `bug` names one mistake."""

    def playground_features(points, features):
        x1, x2 = (points[:, 1], points[:, 0]) if bug == "swapped_coordinates" else (points[:, 0], points[:, 1])
        sin = (lambda v: np.sin(np.deg2rad(v))) if bug == "degrees" else np.sin
        if bug == "cosine":
            sin = np.cos
        ids = sorted(features) if bug == "sorted" else features
        columns = []
        for f in ids:
            if f == "x1":
                columns.append(x1)
            elif f == "x2":
                columns.append(x2)
            elif f == "x1^2":
                columns.append(x1 ** 2)
            elif f == "x2^2":
                columns.append(x2 ** 2)
            elif f == "x1*x2":
                columns.append(x1 * x2)
            elif f == "sin(x1)":
                columns.append(sin(x1))
            elif f == "sin(x2)":
                columns.append(sin(x2))
        return np.array(columns) if bug == "rows" else np.column_stack(columns)

    return playground_features


def features_in_table_order(points, features):
    """Walks its own table of all seven features and keeps the requested ones: the table's order, not theirs."""
    x1, x2 = points[:, 0], points[:, 1]
    table = {"x1": x1, "x2": x2, "x1^2": x1 * x1, "x2^2": x2 * x2, "x1*x2": x1 * x2,
             "sin(x1)": np.sin(x1), "sin(x2)": np.sin(x2)}
    return np.stack([column for name, column in table.items() if name in features], axis=1)


def test_ex07_1_right_answer_passes():
    assert verdict("ex07_1", make_features_fn()).passed


@pytest.mark.parametrize("wrong, fragments", [
    (make_features_fn("cosine"), ["np.sin of the first coordinate", "not np.cos"]),
    (features_in_table_order, ["wrong order", "in the order of `features`"]),
    (make_features_fn("sorted"), ["wrong order", "in the order of `features`"]),
], ids=["cosine", "table order", "sorted ids"])
def test_ex07_1_wrong_answers_get_hints(wrong, fragments):
    assert_hinted("ex07_1", wrong, *fragments)


def test_ex07_1_reference_matches_the_playground_features():
    points = np.random.default_rng(7).uniform(-6, 6, size=(25, 2))
    ids = list(FEATURES)
    assert np.array_equal(ch07._playground_features(points, ids), make_features(points, ids))
    assert np.array_equal(ch07._playground_features(points, ids[::-1]), make_features(points, ids[::-1]))


# -- ex07_2: the loss ----------------------------------------------------------------------------------------------
def loss_without_half(output, label):
    return float(np.mean(np.square(output - label)))


def loss_summed_in_a_loop(output, label):
    total = 0.0
    for out, y in zip(output, label):
        total += 0.5 * (out - y) ** 2
    return float(total)


def loss_as_half_dot_product(output, label):
    error = output - label
    return float(error @ error / 2)


def test_ex07_2_right_answer_passes():
    assert verdict("ex07_2", lambda output, label: float(((output - label) ** 2).mean() / 2)).passed


@pytest.mark.parametrize("wrong, fragments", [
    (loss_without_half, ["forgot the ½", "out − y"]),
    (loss_summed_in_a_loop, ["average over the points", "np.mean"]),
    (loss_as_half_dot_product, ["average over the points"]),
], ids=["no half", "loop sum", "dot-product sum"])
def test_ex07_2_wrong_answers_get_hints(wrong, fragments):
    assert_hinted("ex07_2", wrong, *fragments)


def test_ex07_2_reference_is_the_loss_the_playground_reports():
    pg = Playground(dataset="spiral", seed=3, hidden=[3])
    pg.step(epochs=5)
    split = pg.split
    assert np.isclose(ch07._square_loss(pg.predict(split.x_test), split.y_test), pg.test_loss, rtol=1e-12)
    assert np.isclose(ch07._square_loss(pg.predict(split.x_train), split.y_train), pg.train_loss, rtol=1e-12)


# -- ex07_3: the original's weight update --------------------------------------------------------------------------
def make_update(bug=None):
    """A learner's playground_update; `bug` names one mistake."""

    def playground_update(w, grad_sum, count, learning_rate, regularization, rate):
        if regularization == "L1":
            if bug == "np_sign":
                derivative = np.sign(w)
            elif bug == "greater_than_zero":
                derivative = np.where(w > 0, 1.0, -1.0)
            else:
                derivative = np.where(w < 0, -1.0, 1.0)
        elif regularization == "L2":
            derivative = 2 * w if bug == "two_w" else w
        else:
            derivative = w if bug == "none_as_l2" else np.zeros_like(w)
        if bug == "rate_not_divided":
            return w - learning_rate * (grad_sum / count + rate * derivative)
        if bug == "no_count":
            return w - learning_rate * (grad_sum + rate * derivative)
        if bug == "ascent":
            return w + learning_rate / count * (grad_sum + rate * derivative)
        return w - learning_rate / count * (grad_sum + rate * derivative)

    return playground_update


def test_ex07_3_right_answer_passes():
    assert verdict("ex07_3", make_update()).passed


@pytest.mark.parametrize("bug, fragments", [
    ("rate_not_divided", ["divides the regularisation term by the count too"]),
    ("np_sign", ["+1", "np.sign gives 0"]),
    ("no_count", ["divide by count", "mean gradient"]),
])
def test_ex07_3_wrong_answers_get_hints(bug, fragments):
    assert_hinted("ex07_3", make_update(bug), *fragments)


@pytest.mark.parametrize("regularization, rate", [("L1", 0.3), ("L2", 1.0), ("none", 0.3)])
def test_ex07_3_reference_is_the_playground_network_update(regularization, rate):
    """One full-batch step of the Playground's own network (no hidden layer: out = tanh(x W + b)) moves W
    exactly as the reference does with the summed per-point gradients."""
    x = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.2], [-1.5, 0.2, 0.9], [0.4, -0.6, 2.0]])
    y = np.array([1.0, -1.0, 1.0, -1.0])
    w, b = np.array([[0.0], [-0.3], [0.2]]), np.array([0.1])  # a weight at exactly 0 for L1
    net = Network(3, [], "tanh", "tanh", regularization)
    net.set_weights([w, b])
    out = np.tanh(x @ w + b)[:, 0]
    grad_sum = x.T @ ((out - y) * (1 - out ** 2))[:, None]  # Σ dE/dW of ½ (out − y)², per point
    net.train_epoch(x, y, batch_size=len(x), learning_rate=0.3, regularization_rate=rate)
    expected = ch07._playground_update(w, grad_sum, len(x), 0.3, regularization, rate)
    assert np.allclose(net.get_weights()[0], expected, rtol=1e-12, atol=1e-15)
    net.session.close()


# -- ex07_4: a small network for the spiral ------------------------------------------------------------------------
def test_ex07_4_a_learners_own_settings_pass():
    """Features in another order and the learning rate spelled out: the same network, solved (test loss ≈ 0.018)."""
    settings = {"features": ["sin(x1)", "sin(x2)", "x2", "x1"], "hidden": [5], "learning_rate": 0.1}
    assert verdict("ex07_4", lambda: settings).passed


@pytest.mark.parametrize("settings, fragments", [
    ({"features": ["x1", "x2"], "hidden": [5]}, ["X1 and X2 alone", "sin(X1) and sin(X2)"]),
    ({"hidden": [4, 2]}, ["X1 and X2 alone"]),
    ({"features": ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"], "hidden": [6]},
     ["(inputs + 1) weights"]),
    ({"features": ["x1", "x2"], "hidden": [8, 8]}, ["(inputs + 1) weights", "one hidden layer"]),
], ids=["x1 x2 only", "the Playground's defaults", "all seven features", "two wide layers"])
def test_ex07_4_wrong_answers_get_hints(settings, fragments):
    assert_hinted("ex07_4", lambda: dict(settings), *fragments)


# -- mistakes the spec catches without a specific hint: they must still cost points ---------------------------------
@pytest.mark.parametrize("exercise_id, wrong", [
    ("ex07_1", make_features_fn("rows")),
    ("ex07_1", make_features_fn("swapped_coordinates")),
    ("ex07_1", make_features_fn("degrees")),
    ("ex07_2", lambda output, label: 0.5 * (output - label) ** 2),
    ("ex07_2", lambda output, label: float(np.sum((output - label) ** 2))),
    ("ex07_3", make_update("greater_than_zero")),
    ("ex07_3", make_update("two_w")),
    ("ex07_3", make_update("none_as_l2")),
    ("ex07_3", make_update("ascent")),
    ("ex07_4", lambda: Playground(dataset="spiral", seed=0, features=["x1", "x2", "sin(x1)", "sin(x2)"],
                                  hidden=[5])),
], ids=["features as rows", "x1 and x2 swapped", "sine in degrees", "per-point losses", "sum without half",
        "L1 is -1 at 0", "L2 as 2w", "'none' regularised as L2", "gradient ascent", "a Playground, not a dict"])
def test_other_wrong_answers_score_below_full(exercise_id, wrong):
    result = verdict(exercise_id, wrong)
    assert result.points < result.max, result.message


def test_more_common_mistakes_get_specific_hints():
    """Mistakes reported by the test author that had no hint before: rows instead of columns, one loss per
    point, and L2's derivative taken as 2w."""

    def features_as_rows(points, features):
        p = np.asarray(points, dtype=np.float64)
        table = {"x1": p[:, 0], "x2": p[:, 1], "x1^2": p[:, 0] ** 2, "x2^2": p[:, 1] ** 2, "x1*x2": p[:, 0] * p[:, 1],
                 "sin(x1)": np.sin(p[:, 0]), "sin(x2)": np.sin(p[:, 1])}
        return np.array([table[f] for f in features])

    def loss_per_point(output, label):
        return 0.5 * (np.asarray(output) - np.asarray(label)) ** 2

    def l2_as_two_w(w, grad_sum, count, learning_rate, regularization, rate):
        w = np.asarray(w, dtype=np.float64)
        derivative = {"none": 0 * w, "L1": np.where(w < 0, -1.0, 1.0), "L2": 2 * w}[regularization]
        return w - learning_rate / count * (np.asarray(grad_sum) + rate * derivative)

    exercises = {ex.id: ex for ex in ch07.EXERCISES}
    hinted(exercises["ex07_1"], features_as_rows, "np.stack(columns, axis=1)")
    hinted(exercises["ex07_2"], loss_per_point, "one number")
    hinted(exercises["ex07_3"], l2_as_two_w, "not 2w")
