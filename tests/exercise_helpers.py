"""Shared by the chapter exercise tests: grade a chapter's notebooks with the real CLI in fresh kernels,
check that the student copy is generated from the solution, and score an answer in-process."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tinyflow.grading.assign import notebook_text, read_notebook, student_notebook
from tinyflow.grading.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1]


def grade_chapter(tmp_path_factory, name: str, timeout: int = 600) -> dict:
    """``python -m tinyflow.grade solutions/NAME exercises/NAME --json``: the two reports and the printed text."""
    out = tmp_path_factory.mktemp(name.split("_")[0]) / "report.json"
    run = subprocess.run([sys.executable, "-m", "tinyflow.grade", f"solutions/{name}", f"exercises/{name}",
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stderr
    solution, exercise = json.loads(out.read_text())
    return {"solutions": solution, "exercises": exercise, "stdout": run.stdout}


def assert_student_copy_fresh(name: str) -> None:
    """exercises/NAME is exactly what the generator makes from solutions/NAME."""
    expected = notebook_text(student_notebook(read_notebook(ROOT / "solutions" / name), where=f"solutions/{name}"))
    assert (ROOT / "exercises" / name).read_text(encoding="utf-8") == expected, \
        "exercises/ is stale: run python -m tinyflow.grading.assign"


def verdict(exercise, answer):
    """Score ``answer`` with the spec's own comparison, in this process (what check() prints)."""
    return evaluate(exercise, exercise.run(answer))


def assert_hinted(exercise, answer, *fragments) -> None:
    """A wrong ``answer`` scores below full, with a hint containing every fragment."""
    result = verdict(exercise, answer)
    assert result.points < result.max, result.message
    assert "Hint:" in result.message, result.message
    for fragment in fragments:
        assert fragment in result.message, result.message


def assert_mistakes_reachable(exercise) -> None:
    """Each Mistake's own wrong implementation gets that Mistake's message (no earlier hint shadows it)."""
    from tinyflow.grading.spec import Mistake  # noqa: PLC0415

    for hint in exercise.hints:
        if isinstance(hint, Mistake):
            result = verdict(exercise, hint.wrong)
            assert not result.passed and hint.message in result.message, (hint.message, result.message)
