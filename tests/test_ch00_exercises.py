"""Chapter 00 (welcome): the solution notebook scores full marks, the student copy scores zero, and wrong
warm-up answers get a hint. The grader runs once (a module fixture) on both notebooks, in real kernels."""

import re

import nbformat
import pytest

from tests.exercise_helpers import ROOT, assert_student_copy_fresh, grade_chapter
from tinyflow.grading.evaluate import evaluate
from tinyflow.grading.specs import get_exercise, load_chapter

NAME = "00_welcome.ipynb"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    report = grade_chapter(tmp_path_factory, NAME, timeout=300)
    return {"solution": report["solutions"], "exercise": report["exercises"], "stdout": report["stdout"]}


def test_solution_notebook_scores_full_marks(graded):
    report = graded["solution"]
    assert report["total"] == report["max"] == sum(ex.points for ex in load_chapter(0))
    assert report["notes"] == []


def test_exercise_notebook_scores_zero_without_crashing(graded):
    report = graded["exercise"]
    assert report["total"] == 0 and report["max"] > 0
    assert all(e["message"].startswith("not attempted yet") for e in report["exercises"])
    assert not any("crash" in note for note in report["notes"])


def test_lesson_shows_the_real_grader_report(graded):
    """The lesson prints the report for an unsolved copy; it must match what the grader prints."""
    lesson = nbformat.read(ROOT / "notebooks" / NAME, as_version=4)
    text = "\n".join(c.source for c in lesson.cells if c.cell_type == "markdown")
    shown = re.search(r"```text\n(exercises/00_welcome\.ipynb.*?)\n```", text, re.S).group(1)
    printed = graded["stdout"].split("\n")
    start = printed.index(f"exercises/{NAME} (chapter 00)")
    assert shown.split("\n") == printed[start : start + len(shown.split("\n"))]


def test_exercise_notebook_is_generated_from_the_solution():
    assert_student_copy_fresh(NAME)


def test_every_exercise_of_the_chapter_is_in_the_solution_notebook():
    source = "\n".join(c.source for c in nbformat.read(ROOT / "solutions" / NAME, as_version=4).cells)
    for ex in load_chapter(0):
        assert f'check("{ex.id}", {ex.name})' in source and f"def {ex.name}(" in source


def _shape_with_assert(shape_a, shape_b):
    assert shape_a[1] == shape_b[0]
    return (shape_a[0], shape_b[1])


@pytest.mark.parametrize("exercise_id, wrong, hint", [
    ("ex00_1", lambda c: c * 9 / 5, "forgot to add 32"),
    ("ex00_1", lambda c: c * 5 / 9 + 32, "upside down"),
    ("ex00_1", lambda c: (c + 32) * 9 / 5, "add 32 after scaling"),
    ("ex00_1", lambda c: float(c) * 1.8 + 32, "work on a number and on a whole array"),
    ("ex00_2", lambda a, b: (a[1], b[0]), "outer ones"),
    ("ex00_2", lambda a, b: (a[0], b[1]), "raise ValueError"),
    ("ex00_2", _shape_with_assert, "`assert`"),
])
def test_wrong_answers_score_below_full_with_a_hint(exercise_id, wrong, hint):
    ex = get_exercise(exercise_id)
    result = evaluate(ex, ex.run(wrong))
    assert result.points < ex.points
    assert "Hint:" in result.message and hint in result.message, result.message


@pytest.mark.parametrize("folder", ["notebooks", "solutions"])
def test_relative_links_in_chapter_00_and_01_notebooks_resolve(folder):
    for name in (NAME, "01_tensors.ipynb"):
        cells = nbformat.read(ROOT / folder / name, as_version=4).cells
        text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
        for target in re.findall(r"\]\(([^)#]+?\.(?:ipynb|md))\)", text):
            assert (ROOT / folder / target).resolve().is_file(), f"{folder}/{name} links to missing {target}"
