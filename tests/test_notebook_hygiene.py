"""Course hygiene: every lesson and solution notebook is committed executed in order from a clean
kernel, without stray errors, with small outputs, a title, objectives, a summary and exercise links;
student copies are regenerated from the solutions; the README links every chapter."""
import json
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
MAX_TEXT_PER_CELL = 20_000  # characters of text output in one cell
MAX_NOTEBOOK_BYTES = 2_500_000  # the whole file, figures included
ERROR_TAGS = {"raises-exception", "nbval-raises-exception"}


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def _text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_executed_in_order_from_a_clean_kernel(path):
    counts = [c.get("execution_count") for c in _code_cells(_load(path))]
    assert counts, f"{path.name} has no code"
    assert None not in counts, f"{path.name}: some code cells were never run"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts[:12]}... are not 1, 2, 3, ...: rerun it top to bottom "
        "from a fresh kernel (jupyter nbconvert --to notebook --execute --inplace)")


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_untagged_errors_and_small_outputs(path):
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES, f"{path.name} is {path.stat().st_size} bytes"
    for cell in _code_cells(_load(path)):
        tags = set(cell.get("metadata", {}).get("tags", []))
        text_size = 0
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                assert tags & ERROR_TAGS, f"{path.name}: untagged error output {out.get('ename')}"
            if out["output_type"] == "stream":
                text_size += len("".join(out["text"]))
            for key, val in out.get("data", {}).items():
                if key.startswith("text/"):
                    text_size += len("".join(val))
        assert text_size < MAX_TEXT_PER_CELL, f"{path.name}: a cell prints {text_size} characters"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_structure(path):
    cells = _load(path)["cells"]
    md = [_text(c) for c in cells if c["cell_type"] == "markdown"]
    assert md and md[0].lstrip().startswith("# "), f"{path.name} must open with a '# ' title"
    assert any(re.search(r"objectives", m, re.I) for m in md[:3]), f"{path.name}: no objectives near the top"
    tail = "\n".join(md[-3:])
    assert re.search(r"summary", tail, re.I), f"{path.name}: no summary at the end"
    assert f"../exercises/{path.name}" in tail, f"{path.name}: the end must link to ../exercises/{path.name}"


def test_every_lesson_has_exercises_and_solutions():
    for lesson in LESSONS:
        assert (ROOT / "solutions" / lesson.name).exists(), f"no solutions/{lesson.name}"
        assert (ROOT / "exercises" / lesson.name).exists(), f"no exercises/{lesson.name}"


def test_exercises_are_regenerated_from_solutions():
    result = subprocess.run([sys.executable, "-m", "tinyflow.grading.assign", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"stale exercises: run python -m tinyflow.grading.assign\n{result.stdout}"


def test_readme_course_map_links_every_chapter():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for lesson in LESSONS:
        for folder in ("notebooks", "exercises", "solutions"):
            assert f"({folder}/{lesson.name})" in readme, f"README does not link {folder}/{lesson.name}"
