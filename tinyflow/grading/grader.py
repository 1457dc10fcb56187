"""Grade a notebook: run it in a fresh kernel, then probe each exercise with the grader's own code.

1. Every code cell runs in order with a per-cell timeout; an erroring cell does not stop the rest,
   a hanging cell is interrupted, and a crashed kernel is restarted (the earlier cells are re-run,
   the crashing one is skipped). Printed output is ignored, so stored outputs, printed "passed"
   lines and visible `check(...)` calls change nothing.
2. For each exercise of the chapter, the grader sends the *source text* of `_runtime.py` with the
   hidden cases and a random nonce into the kernel. It runs the learner's object and writes plain data
   to a randomly named .npz file (no pickle) in a fresh folder. Patching `tinyflow.grading` in a cell
   cannot change this code. The grader accepts only a single results file carrying its nonce.
3. The grader process scores the results with `evaluate`; learner code never runs in it.

    >>> report = grade_notebook("solutions/00_welcome.ipynb")        # doctest: +SKIP
    >>> report.total, report.max                                     # doctest: +SKIP
    (4.0, 4.0)
"""

import json
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from tinyflow.grading import _runtime
from tinyflow.grading.evaluate import ExerciseResult, evaluate, zero
from tinyflow.grading.kernel import GradingKernel
from tinyflow.grading.spec import Exercise
from tinyflow.grading.specs import load_chapter

MAX_RESTARTS = 3
MAX_NOTES = 20
_RESULTS_FILE = re.compile(r"results-[0-9a-f]{16}\.npz")
_INVALID = object()  # marks a missing or forged results file

_PROBE_CODE = """\
import builtins as __tinyflow_grader
try:
    __tinyflow_grader.exec(
        __tinyflow_grader.compile({source!r}, "<tinyflow-grader>", "exec", dont_inherit=True),
        {{"__builtins__": __tinyflow_grader, "__name__": "__tinyflow_grader__",
          "_USER_NS": __tinyflow_grader.globals(), "_REQUEST_JSON": {request!r}}})
finally:
    del __tinyflow_grader
"""


@dataclass
class NotebookReport:
    """The grade of one notebook: one `ExerciseResult` per exercise, and notes on how the run went."""

    notebook: str
    chapter: int
    exercises: list[ExerciseResult]
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(sum(r.points for r in self.exercises), 2)

    @property
    def max(self) -> float:
        return round(sum(r.max for r in self.exercises), 2)

    def to_dict(self) -> dict[str, Any]:
        return {"notebook": self.notebook, "chapter": self.chapter, "total": self.total, "max": self.max,
                "exercises": [r.to_dict() for r in self.exercises], "notes": self.notes}


def chapter_of(path: Path | str) -> int | None:
    """The chapter a notebook belongs to, from its file name: '03_autodiff.ipynb' -> 3."""
    match = re.match(r"(\d\d)_", Path(path).name)
    return int(match.group(1)) if match else None


def grade_notebook(path: Path | str, chapter: int | None = None, cell_timeout: float = 30.0,
                   timeout: float = 600.0, kernel_name: str = "python3") -> NotebookReport:
    """Grade the notebook at `path` against the exercises of `chapter` (default: from the file name).

    Args:
        cell_timeout: seconds per code cell, and per exercise probe unless the exercise sets `timeout`.
        timeout: seconds for running all the notebook's cells (probes have their own limits).
    """
    path = Path(path)
    chapter = chapter_of(path) if chapter is None else chapter
    if chapter is None:
        raise ValueError(f"Cannot tell the chapter of {path.name}: name it like 03_x.ipynb or pass chapter.")
    exercises = load_chapter(chapter)
    report = NotebookReport(str(path), chapter, [])
    try:
        cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    except Exception as e:  # a corrupt submission scores 0; it does not stop a batch
        report.notes.append(f"could not read the notebook: {type(e).__name__}: {e}")
        report.exercises = [zero(ex, "the notebook could not be read") for ex in exercises]
        return report
    with GradingKernel(path.resolve().parent, kernel_name) as kernel:
        session = _Session(kernel, cell_timeout, report.notes)
        session.run_cells(cells, time.monotonic() + timeout)
        report.exercises = [session.probe(ex) for ex in exercises]
    del report.notes[MAX_NOTES:]
    return report


class _Session:
    """The kernel plus what is needed to rebuild its state: the cells that ran to completion."""

    def __init__(self, kernel, cell_timeout, notes):
        self.kernel, self.cell_timeout, self.notes = kernel, cell_timeout, notes
        self.completed = []  # sources of cells that finished (with or without an error)
        self.restarts = 0

    def run_cells(self, cells, deadline):
        for n, source in enumerate(cells, start=1):
            if not source.strip():
                continue
            left = deadline - time.monotonic()
            if left <= 0 or self.restarts > MAX_RESTARTS:
                why = "the time limit was reached" if left <= 0 else "the kernel crashed too often"
                self.notes.append(f"code cells {n} and later were not run: {why}")
                return
            limit = min(self.cell_timeout, left)
            outcome = self.kernel.execute(source, limit)
            if outcome.status in ("ok", "error"):
                self.completed.append(source)
            if outcome.status == "error":
                self.notes.append(f"code cell {n} raised {outcome.ename}: {outcome.evalue}"[:200])
            elif outcome.status == "timeout":
                self.notes.append(f"code cell {n} took longer than {limit:g} s and was interrupted")
            elif outcome.status == "dead":
                self.notes.append(f"code cell {n} crashed the Python kernel; the kernel was restarted")
            if outcome.restarted:
                self.rebuild()

    def rebuild(self):
        """After a restart, re-run the cells that had completed, to restore the namespace."""
        self.restarts += 1
        for source in self.completed:
            if self.kernel.execute(source, self.cell_timeout).restarted:
                self.notes.append("the kernel crashed again while re-running earlier cells")
                return

    def probe(self, ex: Exercise) -> ExerciseResult:
        """Run the exercise's probe in the kernel and score what it wrote."""
        outdir = Path(tempfile.mkdtemp(prefix="tinyflow-grade-"))
        nonce = secrets.token_hex(16)
        limit = ex.timeout or self.cell_timeout
        try:
            outcome = self.kernel.execute(_probe_code(ex, nonce, outdir), limit, silent=True)
            if outcome.restarted:
                self.rebuild()
            if outcome.status == "timeout":
                return zero(ex, f"testing `{ex.name}` took longer than {limit:g} s (an infinite loop?)")
            if outcome.status == "dead":
                return zero(ex, f"testing `{ex.name}` crashed the Python kernel (os._exit? out of memory?)")
            if outcome.status == "error":
                if str(outdir) in (outcome.evalue or ""):  # something in the kernel interfered with the results
                    return zero(ex, "the test results were missing or tampered with")
                return zero(ex, f"`{ex.name}` could not be tested: {outcome.ename}: {outcome.evalue}"[:300])
            results = _read_verified(outdir, nonce, ex.id)
            if results is _INVALID:
                return zero(ex, "the test results were missing or tampered with")
            return evaluate(ex, results)
        except Exception as e:  # a bug in a spec must not stop the other exercises
            return zero(ex, f"internal grader error ({type(e).__name__}: {e}); please report it")
        finally:
            shutil.rmtree(outdir, ignore_errors=True)


def _probe_code(ex, nonce, outdir):
    """The code text the grader runs in the learner's kernel for exercise `ex`."""
    request = {
        "nonce": nonce, "exercise": ex.id, "name": ex.name, "outdir": str(outdir),
        "probe": ex.probe.__name__, "probe_source": ex.probe_source(),
        "cases": _runtime.pack_cases([(c.args, c.kwargs) for c in ex.cases]),
    }
    source = Path(_runtime.__file__).read_text(encoding="utf-8")
    return _PROBE_CODE.format(source=source, request=json.dumps(request))


def _read_verified(outdir, nonce, exercise_id):
    """The results in `outdir`, if it holds exactly one results file with our nonce; else _INVALID."""
    files = list(outdir.iterdir())
    if len(files) != 1 or not _RESULTS_FILE.fullmatch(files[0].name):
        return _INVALID
    try:
        header, results = _runtime.read_results(files[0])
    except Exception:
        return _INVALID
    if header.get("nonce") != nonce or header.get("exercise") != exercise_id:
        return _INVALID
    return results
