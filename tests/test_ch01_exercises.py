"""Chapter 01 (tensors): the solution notebook scores full marks, the student copy scores zero, the spec's
references agree with numpy, and plausible wrong answers score below full with a hint that names the mistake.

Wrong answers are scored in-process through the spec (`ex.run` + `evaluate`, exactly what `check` does), which
is fast; the grader itself runs once, on both notebooks, in real kernels."""


import nbformat
import numpy as np
import pytest

import tinyflow as tf
from tests.exercise_helpers import ROOT, assert_student_copy_fresh, grade_chapter
from tinyflow.grading.evaluate import evaluate
from tinyflow.grading.specs import get_exercise, load_chapter

NAME = "01_tensors.ipynb"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    report = grade_chapter(tmp_path_factory, NAME, timeout=300)
    return {"solution": report["solutions"], "exercise": report["exercises"]}


def test_solution_notebook_scores_full_marks(graded):
    report = graded["solution"]
    assert report["total"] == report["max"] == sum(ex.points for ex in load_chapter(1))
    assert [e["message"] for e in report["exercises"]] == [
        f"passed ({len(ex.cases)}/{len(ex.cases)} cases)" for ex in load_chapter(1)]
    assert report["notes"] == []


def test_exercise_notebook_scores_zero_without_crashing(graded):
    report = graded["exercise"]
    assert report["total"] == 0 and report["max"] == 10
    assert all(e["message"].startswith("not attempted yet") for e in report["exercises"])
    assert not any("crash" in note for note in report["notes"])


def test_exercise_notebook_is_generated_from_the_solution():
    assert_student_copy_fresh(NAME)


def test_solution_notes_are_not_in_the_student_copy():
    student = (ROOT / "exercises" / NAME).read_text(encoding="utf-8")
    assert "Solution notes" not in student and "transpose_b=True" not in student
    sources = [c.source for c in nbformat.read(ROOT / "exercises" / NAME, as_version=4).cells]
    for ex in load_chapter(1):
        assert f'raise NotImplementedError("Exercise {ex.id}: your code here")' in "\n".join(sources)


# -- the references agree with numpy --------------------------------------------------------------------


def _expected(exercise_id):
    return get_exercise(exercise_id).expected()


def test_broadcast_reference_agrees_with_numpy():
    ex = get_exercise("ex01_1")
    for case, result in zip(ex.cases, ex.expected()):
        a, b = case.args
        try:
            shape = np.broadcast_shapes(a, b)
        except ValueError:
            assert result == {"raised": "ValueError",
                              "message": f"Incompatible shapes: [{','.join(map(str, a))}] vs. "
                                         f"[{','.join(map(str, b))}]"}
        else:
            assert result == shape


def test_array_references_agree_with_numpy():
    ex2, ex3 = get_exercise("ex01_2"), get_exercise("ex01_3")
    for case, result in zip(ex2.cases, _expected("ex01_2")):
        (x,) = case.args
        np.testing.assert_allclose(result, x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-6)
        assert result.dtype == np.float32
    for case, result in zip(ex3.cases, _expected("ex01_3")):
        a, b = case.args
        np.testing.assert_allclose(result, ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), atol=1e-4)
    ex4 = get_exercise("ex01_4")
    for case, result in zip(ex4.cases, _expected("ex01_4")):
        labels, predictions = case.args
        assert result["dtype"] == "float32"
        assert result["value"] == pytest.approx(np.mean(np.equal(labels, predictions)))


def test_cases_catch_silent_broadcasting_bugs():
    """Square inputs make a missing keepdims / a misplaced axis silently wrong instead of an error."""
    assert any(np.shape(c.args[0])[0] == np.shape(c.args[0])[1] for c in get_exercise("ex01_2").cases)
    assert any(np.shape(c.args[0])[0] == np.shape(c.args[1])[0] for c in get_exercise("ex01_3").cases)


# -- wrong answers ----------------------------------------------------------------------------------------


def _tf_format(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def bc_left_aligned(a, b):
    n = max(len(a), len(b))
    a, b = a + (1,) * (n - len(a)), b + (1,) * (n - len(b))
    if any(p != q and 1 not in (p, q) for p, q in zip(a, b)):
        raise ValueError("Incompatible shapes")
    return tuple(max(p, q) for p, q in zip(a, b))


def bc_no_check(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    return tuple(max(p, q) for p, q in zip(a, b))


def bc_max_with_check(a, b):
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    if any(p != q and 1 not in (p, q) for p, q in zip(pa, pb)):
        raise ValueError(f"Incompatible shapes: {_tf_format(a)} vs. {_tf_format(b)}")
    return tuple(max(p, q) for p, q in zip(pa, pb))


def bc_zip(a, b):
    out = []
    for p, q in zip(reversed(a), reversed(b)):
        if p != q and 1 not in (p, q):
            raise ValueError(f"Incompatible shapes: {_tf_format(a)} vs. {_tf_format(b)}")
        out.append(q if p == 1 else p)
    return tuple(reversed(out))


def bc_python_message(a, b):
    try:
        return tuple(int(d) for d in np.broadcast_shapes(a, b))
    except ValueError:
        raise ValueError(f"Incompatible shapes: {a} vs. {b}") from None


def bc_assert(a, b):
    try:
        return tuple(int(d) for d in np.broadcast_shapes(a, b))
    except ValueError:
        raise AssertionError("shapes do not broadcast") from None


def bc_list(a, b):
    try:
        return [int(d) for d in np.broadcast_shapes(a, b)]
    except ValueError:
        raise ValueError(f"Incompatible shapes: {_tf_format(a)} vs. {_tf_format(b)}") from None


def norm_axis0(x):
    return x / tf.sqrt(tf.reduce_sum(tf.square(x), axis=0, keepdims=True))


def norm_no_keepdims(x):
    return x / tf.sqrt(tf.reduce_sum(tf.square(x), axis=1))


def norm_no_sqrt(x):
    return x / tf.reduce_sum(x * x, axis=-1, keepdims=True)


def norm_sum_to_one(x):
    return x / tf.reduce_sum(x, axis=1, keepdims=True)


def norm_with_numpy(x):
    return x / np.sqrt(np.sum(np.square(x), axis=1, keepdims=True))


def dist_not_squared(a, b):
    return tf.reduce_sum(a[:, tf.newaxis, :] - b[tf.newaxis, :, :], axis=-1)


def dist_sqrt(a, b):
    return tf.sqrt(tf.reduce_sum(tf.square(a[:, tf.newaxis, :] - b[tf.newaxis, :, :]), axis=-1))


def dist_wrong_axis(a, b):
    return tf.reduce_sum(tf.square(a[:, tf.newaxis, :] - b[tf.newaxis, :, :]), axis=1)


def dist_transposed(a, b):
    return tf.reduce_sum(tf.square(a[tf.newaxis, :, :] - b[:, tf.newaxis, :]), axis=-1)


def dist_forgot_transpose(a, b):
    aa = tf.reduce_sum(a * a, axis=1, keepdims=True)
    bb = tf.transpose(tf.reduce_sum(b * b, axis=1, keepdims=True))
    return aa - 2.0 * tf.matmul(a, b) + bb


def dist_bb_column(a, b):
    aa = tf.reduce_sum(a * a, axis=1, keepdims=True)
    bb = tf.reduce_sum(b * b, axis=1, keepdims=True)
    return aa - 2.0 * tf.matmul(a, b, transpose_b=True) + bb


def dist_no_newaxis(a, b):
    return tf.reduce_sum(tf.square(a - b), axis=-1)


def acc_int_mean(labels, predictions):
    return tf.reduce_mean(tf.cast(tf.equal(labels, predictions), tf.int32))


def acc_cast_after(labels, predictions):
    return tf.cast(tf.reduce_mean(tf.cast(labels == predictions, tf.int32)), tf.float32)


def acc_float64(labels, predictions):
    return tf.reduce_mean(tf.cast(tf.equal(labels, predictions), tf.float64))


def acc_truediv(labels, predictions):
    return tf.reduce_sum(tf.cast(tf.equal(labels, predictions), tf.int32)) / tf.size(labels)


def acc_error_rate(labels, predictions):
    return tf.reduce_mean(tf.cast(tf.not_equal(labels, predictions), tf.float32))


def acc_python_float(labels, predictions):
    return float(np.mean(labels.numpy() == predictions.numpy()))


def acc_bool_mean(labels, predictions):
    return tf.reduce_mean(tf.equal(labels, predictions))


WRONG = [
    ("ex01_1", bc_left_aligned, "aligned the shapes on the left"),
    ("ex01_1", bc_no_check, "equal or one of them is 1"),
    ("ex01_1", bc_max_with_check, "not max()"),
    ("ex01_1", bc_zip, "zip() stops at the shorter shape"),
    ("ex01_1", bc_python_message, "square brackets with no spaces"),
    ("ex01_1", bc_assert, "`assert`"),
    ("ex01_1", bc_list, "return a tuple of ints"),
    ("ex01_2", norm_axis0, "reduce over axis=1"),
    ("ex01_2", norm_no_keepdims, "keepdims=True"),
    ("ex01_2", norm_no_sqrt, "square root"),
    ("ex01_2", norm_sum_to_one, "unit LENGTH"),
    ("ex01_2", norm_with_numpy, "use tf ops only"),
    ("ex01_3", dist_not_squared, "square them first"),
    ("ex01_3", dist_sqrt, "drop tf.sqrt"),
    ("ex01_3", dist_wrong_axis, "sum over the LAST axis"),
    ("ex01_3", dist_transposed, "the transpose"),
    ("ex01_3", dist_forgot_transpose, "transpose_b=True"),
    ("ex01_3", dist_bb_column, "shape (1, m)"),
    ("ex01_3", dist_no_newaxis, "(n, 1, d)"),
    ("ex01_4", acc_int_mean, "truncated to 0"),
    ("ex01_4", acc_cast_after, "too late"),
    ("ex01_4", acc_float64, "float64"),
    ("ex01_4", acc_truediv, "int32 / int32"),
    ("ex01_4", acc_error_rate, "tf.not_equal"),
    ("ex01_4", acc_python_float, "return a tf.Tensor"),
    ("ex01_4", acc_bool_mean, "reductions do not accept bool"),
]


@pytest.mark.parametrize("exercise_id, wrong, hint", WRONG, ids=[f"{e}-{w.__name__}" for e, w, _ in WRONG])
def test_wrong_answers_score_below_full_with_a_hint(exercise_id, wrong, hint):
    ex = get_exercise(exercise_id)
    result = evaluate(ex, ex.run(wrong))
    assert result.points < ex.points, result.message
    assert "Hint:" in result.message and hint in result.message, result.message


def test_every_exercise_has_at_least_two_diagnosed_wrong_answers():
    counts = {ex.id: sum(1 for e, _, _ in WRONG if e == ex.id) for ex in load_chapter(1)}
    assert min(counts.values()) >= 2, counts


def test_partial_credit_and_a_numpy_error_is_not_not_attempted():
    ex = get_exercise("ex01_2")
    partial = evaluate(ex, ex.run(norm_no_keepdims))  # right on the single-row case only
    assert partial.points == 0.5 and "1/4 cases passed" in partial.message
    numpy_inside = evaluate(ex, ex.run(norm_with_numpy))
    assert not numpy_inside.message.startswith("not attempted")
