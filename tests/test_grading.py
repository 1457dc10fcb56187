"""Tests for tinyflow.grading: specs and check(), the exercise generator, and the grader CLI.

The grader tests start real kernels. To stay fast, the notebooks are graded by three CLI runs that
start together (a module fixture); each test then reads its own notebook's entry in the JSON report.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tinyflow.grading import Case, Exercise, check
from tinyflow.grading import _runtime as runtime
from tinyflow.grading.assign import SolutionMarkerError, generate, notebook_text, student_notebook
from tinyflow.grading.evaluate import evaluate
from tinyflow.grading.grader import _Session
from tinyflow.grading.kernel import GradingKernel
from tinyflow.grading.specs import UnknownExercise, get_exercise

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "grading_fixtures"
SOLUTION = FIXTURES / "solutions" / "00_demo.ipynb"

IMPORTS = "import numpy as np\nfrom tinyflow.grading import check"
CHECKS = 'check("ex00_1", celsius_to_fahrenheit)\ncheck("ex00_2", matmul_shape)'
C2F = {
    "right": "def celsius_to_fahrenheit(c):\n    return c * 9 / 5 + 32",
    "no_offset": "def celsius_to_fahrenheit(c):\n    return c * 9 / 5",
    "upside_down": "def celsius_to_fahrenheit(c):\n    return c * 5 / 9 + 32",
    "hangs": "def celsius_to_fahrenheit(c):\n    while True:\n        pass",
    "crashes": "def celsius_to_fahrenheit(c):\n    import os\n    os._exit(1)",
}
SHAPE = {
    "right": "def matmul_shape(a, b):\n    if a[1] != b[0]:\n        raise ValueError('no')\n    return (a[0], b[1])",
    "inner": "def matmul_shape(a, b):\n    return (a[1], b[0])",
    "no_check": "def matmul_shape(a, b):\n    return (a[0], b[1])",
}
WRONG = [IMPORTS, C2F["no_offset"], SHAPE["inner"], CHECKS]  # scores 0 / 4

FAKE_CHECK = '''def check(exercise_id, obj):
    print(f"✅ {exercise_id} passed (4/4 cases)")
    return True
import tinyflow.grading
tinyflow.grading.check = check'''

PATCH_GRADING = '''import tinyflow.grading as grading
from tinyflow.grading import _runtime, evaluate, feedback
from tinyflow.grading.specs import ch00
reference = {ex.name: ex.reference for ex in ch00.EXERCISES}
real_run_cases = _runtime.run_cases
_runtime.run_cases = lambda obj, probe, cases: real_run_cases(reference[obj.__name__], probe, cases)
_runtime.call = lambda obj, *args, **kwargs: reference[obj.__name__](*args, **kwargs)
for ex in ch00.EXERCISES:
    ex.compare, ex.hints = (lambda got, expected: None), []
full = lambda ex, results: evaluate.ExerciseResult(ex.id, ex.points, ex.points, "passed")
evaluate.evaluate = feedback.evaluate = full
assert grading.check("ex00_1", celsius_to_fahrenheit)  # the patch works inside the kernel'''

FORGE_RESULTS = '''import glob, json, os, tempfile, threading, time
import numpy as np
def forge():
    meta = {"nonce": "0" * 32, "exercise": "ex00_1", "results": [32.0, 212.0, 212.0, 212.0]}
    while True:
        for folder in glob.glob(os.path.join(tempfile.gettempdir(), "tinyflow-grade-*")):
            try:
                for name in os.listdir(folder):
                    if name != "results-" + "a" * 16 + ".npz":
                        os.remove(os.path.join(folder, name))
                np.savez(os.path.join(folder, "results-" + "a" * 16 + ".npz"),
                         __meta__=np.frombuffer(json.dumps(meta).encode(), np.uint8))
            except OSError:
                pass
        time.sleep(0.001)
threading.Thread(target=forge, daemon=True).start()
def celsius_to_fahrenheit(c):
    time.sleep(0.2)  # give the forger time to act
    return c * 9 / 5'''


def make_notebook(path, *sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nbformat.write(nb, path)
    return path


# -- specs and check() ---------------------------------------------------------------------------------


def test_check_passes_reference_answers_and_prints_one_line(capsys):
    assert check("ex00_1", lambda c: c * 9 / 5 + 32) is True
    assert check("ex00_2", lambda a, b: (a[0], b[1]) if a[1] == b[0] else {}["x"]) is False
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✅ ex00_1 passed (4/4 cases)"
    assert out[1] == ("❌ ex00_2: case 4 (shape_a=(2, 3), shape_b=(2, 3), inner dimensions differ): "
                      "your code raised KeyError: 'x', expected ValueError (3/4 cases passed)")


def shape_with_assert(a, b):
    assert a[1] == b[0]
    return (a[0], b[1])


@pytest.mark.parametrize("exercise_id, answer, hint", [
    ("ex00_1", lambda c: c * 9 / 5, "forgot to add 32"),
    ("ex00_1", lambda c: c * 5 / 9 + 32, "upside down"),
    ("ex00_1", lambda c: c * 9 // 5 + 32, "floor division"),
    ("ex00_1", lambda c: float(c) * 1.8 + 32, "on a whole array"),
    ("ex00_1", lambda c: None, "forget the `return`"),
    ("ex00_2", lambda a, b: (a[1], b[0]), "inner dimensions"),
    ("ex00_2", lambda a, b: (a[0], b[1]), "raise ValueError"),
    ("ex00_2", lambda a, b: [a[0], b[1]] if a[1] == b[0] else int("x"), "return a tuple"),
    ("ex00_2", lambda a, b: shape_with_assert(a, b), "`assert`"),
])
def test_wrong_answers_fail_with_a_teaching_hint(capsys, exercise_id, answer, hint):
    assert check(exercise_id, answer) is False
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"❌ {exercise_id}: case ") and "Hint:" in line and hint in line, line


def test_not_attempted_and_missing_and_partial_credit():
    ex = get_exercise("ex00_1")

    def todo(c):
        raise NotImplementedError("Exercise ex00_1: your code here")

    assert evaluate(ex, ex.run(todo)).message.startswith("not attempted yet")
    assert "is not defined" in evaluate(ex, None).message
    half = evaluate(get_exercise("ex00_2"), get_exercise("ex00_2").run(lambda a, b: (a[0], b[1])))
    assert half.points == 1.5 and "3/4 cases passed" in half.message


def test_student_exceptions_become_messages():
    ex = get_exercise("ex00_1")
    result = evaluate(ex, ex.run(lambda c: {}["missing"]))
    assert result.points == 0 and "your code raised KeyError: 'missing'" in result.message


def test_spec_api_rejects_mistakes_of_chapter_authors():
    ok = dict(name="f", points=1, cases=[Case(1.0)], reference=abs)
    with pytest.raises(ValueError, match="ex03_2"):
        Exercise(id="exercise1", **ok)
    with pytest.raises(TypeError, match="module-level"):
        Exercise(id="ex99_1", probe=lambda obj, x: obj(x), **ok)
    with pytest.raises(TypeError, match="plain data"):
        Case(object())
    with pytest.raises(UnknownExercise):
        get_exercise("ex42_1")


def uses_a_global(obj, x):
    return obj(x) + ROOT


def test_custom_probe_must_be_self_contained():
    with pytest.raises(TypeError, match="ROOT"):
        Exercise(id="ex99_1", name="f", points=1, cases=[Case(1.0)], reference=abs, probe=uses_a_global)


class FakeTensor:
    def numpy(self):
        return np.arange(3.0)


def test_plain_data_roundtrip_without_pickle(tmp_path):
    value = [FakeTensor(), (1, "a", None), {"k": float("nan")}, np.array([1, None], dtype=object), object()]
    plain = runtime.to_plain(value)
    assert isinstance(plain[0], np.ndarray) and plain[3] == [1, None] and isinstance(plain[4], runtime.Opaque)
    runtime.write_results(str(tmp_path), {"nonce": "n"}, [plain, runtime.Raised("ValueError", [], "bad")])
    (file,) = tmp_path.iterdir()
    header, (back, raised) = runtime.read_results(file)
    assert header == {"nonce": "n"} and raised.type_name == "ValueError"
    assert back[1] == (1, "a", None) and np.isnan(back[2]["k"]) and back[4] == plain[4]
    np.testing.assert_array_equal(back[0], np.arange(3.0))


# -- the generator -------------------------------------------------------------------------------------


def test_generator_replaces_blocks_and_drops_solution_only_cells():
    solution = nbformat.read(SOLUTION, as_version=4)
    student = student_notebook(solution)
    sources = [c.source for c in student.cells if c.cell_type == "code"]
    text = "\n".join(sources)
    assert '    raise NotImplementedError("Exercise ex00_1: your code here")' in sources[1]  # from check() below
    assert '    raise NotImplementedError("Exercise ex00_2: your code here")' in sources[3]  # from the comment
    assert "SOLUTION" not in text and "9 / 5" not in text and "inner dimensions differ" not in text
    assert "Instructor note" not in text and len(student.cells) == len(solution.cells) - 1
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells if c.cell_type == "code")
    assert sources[3].endswith('check("ex00_2", matmul_shape)')  # code after the block is kept


def test_generator_finds_ids_in_markdown_or_falls_back_to_a_generic_message():
    block = "x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"
    nb = new_notebook(cells=[nbformat.v4.new_markdown_cell("### Exercise ex05_3"), new_code_cell(block),
                             new_code_cell(block)])
    cells = student_notebook(nb).cells
    assert cells[1].source == 'x = 1\nraise NotImplementedError("Exercise ex05_3: your code here")'
    assert cells[2].source == 'x = 1\nraise NotImplementedError("Exercise: your code here")'


@pytest.mark.parametrize("source", ["### BEGIN SOLUTION\nx = 1", "x = 1\n### END SOLUTION"])
def test_generator_rejects_unbalanced_markers(source):
    with pytest.raises(SolutionMarkerError, match="line"):
        student_notebook(new_notebook(cells=[new_code_cell(source)]))


def test_generator_is_deterministic_and_fixture_copy_is_fresh(tmp_path):
    assert generate(SOLUTION.parent, FIXTURES / "exercises", check=True) == []
    generate(SOLUTION.parent, tmp_path / "a")
    generate(SOLUTION.parent, tmp_path / "b")
    first = (tmp_path / "a" / SOLUTION.name).read_bytes()
    assert first == (tmp_path / "b" / SOLUTION.name).read_bytes()
    assert first == notebook_text(nbformat.reads(first.decode(), as_version=4)).encode()  # nbformat's layout


def test_generator_check_option_detects_stale_copies(tmp_path):
    def assign(*args):
        cmd = [sys.executable, "-m", "tinyflow.grading.assign", "--solutions", str(SOLUTION.parent),
               "--exercises", str(tmp_path), *args]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)

    missing = assign("--check")
    assert missing.returncode == 1 and SOLUTION.name in missing.stdout and not list(tmp_path.iterdir())
    assert assign().returncode == 0 and assign("--check").returncode == 0
    target = tmp_path / SOLUTION.name
    target.write_text(target.read_text().replace("your code here", "edited"))
    stale = assign("--check")
    assert stale.returncode == 1 and f"stale: {target}" in stale.stdout


def test_repository_exercises_are_generated_from_solutions():
    if not list((ROOT / "solutions").glob("*.ipynb")):
        pytest.skip("no solution notebooks yet")
    stale = generate(ROOT / "solutions", ROOT / "exercises", check=True)
    assert stale == [], f"stale student notebooks {stale}: run python -m tinyflow.grading.assign"


# -- the grader (real kernels) -------------------------------------------------------------------------


def apply_twice(obj, x):
    return obj(obj(x))


def test_custom_probe_travels_as_source_into_the_kernel(tmp_path):
    ex = Exercise(id="ex99_1", name="double", points=1, cases=[Case(3), Case(np.arange(2.0))],
                  reference=lambda x: 2 * x, probe=apply_twice)
    with GradingKernel(tmp_path) as kernel:
        session = _Session(kernel, cell_timeout=10, notes=[])
        kernel.execute("def double(x):\n    return x + x", timeout=10)
        assert session.probe(ex).message == "passed (2/2 cases)"
        kernel.execute("def double(x):\n    return 3 * x", timeout=10)
        assert session.probe(ex).message.startswith("case 1 (x=3): gave 27, expected 12")


def _grade(paths, out, *options):
    """Start the grader CLI. Each run gets its own TMPDIR, so the forger notebook (whose kernel scans
    the temp folder) cannot reach the probes of the runs grading at the same time."""
    tmp = out.with_suffix(".tmp")
    tmp.mkdir()
    cmd = [sys.executable, "-m", "tinyflow.grade", *map(str, paths), "--json", str(out), *options]
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    d = tmp_path_factory.mktemp("graded")
    student = generate(SOLUTION.parent, d / "exercises")[0]
    edited = nbformat.read(student, as_version=4)
    for n, cell in enumerate(c for c in edited.cells if c.cell_type == "code"):
        cell.execution_count = n + 1
        if "check(" in cell.source:
            cell.outputs = [new_output("stream", name="stdout", text="✅ ex00_1 passed (4/4 cases)\n")]
    nbformat.write(edited, d / "00_edited_outputs.ipynb")
    no_checks = nbformat.read(SOLUTION, as_version=4)
    for cell in no_checks.cells:
        cell.source = "\n".join(line for line in cell.source.split("\n") if "check(" not in line)
    nbformat.write(no_checks, d / "00_deleted_checks.ipynb")
    batch = [
        shutil.copy(SOLUTION, d / "00_solution.ipynb"), student, d / "00_edited_outputs.ipynb",
        d / "00_deleted_checks.ipynb",
        make_notebook(d / "00_wrong_a.ipynb", *WRONG),
        make_notebook(d / "00_wrong_b.ipynb", IMPORTS, C2F["upside_down"], SHAPE["no_check"], CHECKS),
        make_notebook(d / "00_fake_check.ipynb", IMPORTS, FAKE_CHECK, *WRONG[1:]),
        make_notebook(d / "00_fake_print.ipynb", *WRONG, 'print("✅ ex00_1 passed\\n✅ ex00_2 passed\\ntotal 4 / 4")'),
        make_notebook(d / "00_patched_grading.ipynb", *WRONG, PATCH_GRADING),
        make_notebook(d / "00_forged_results.ipynb", IMPORTS, FORGE_RESULTS, SHAPE["inner"]),
    ]
    broken = [
        make_notebook(d / "00_hang.ipynb", "x = 1", C2F["hangs"], "while True:\n    pass",
                      "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
                      SHAPE["right"]),
        make_notebook(d / "00_crash.ipynb", "x = 1", C2F["crashes"], "import os\nos._exit(1)", SHAPE["right"]),
    ]
    runs = [_grade(batch, d / "batch.json", "--csv", str(d / "batch.csv")),
            _grade(broken, d / "broken.json", "--cell-timeout", "3"),
            _grade([student], d / "single.json")]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_, err), name in zip(runs, outputs, ["batch", "broken", "single"]):
        assert run.returncode == 0, f"grading the {name} notebooks failed: {err}"
    reports = {}
    for name in ("batch", "broken"):
        for report in json.loads((d / f"{name}.json").read_text()):
            reports[Path(report["notebook"]).stem] = report
    return {"dir": d, "runs": runs, "outputs": outputs, "reports": reports,
            "single": json.loads((d / "single.json").read_text()), "student": student}


def scores(report):
    return {e["id"]: e["points"] for e in report["exercises"]}


def messages(report):
    return {e["id"]: e["message"] for e in report["exercises"]}


def test_solution_scores_full_marks(graded):
    report = graded["reports"]["00_solution"]
    assert (report["total"], report["max"]) == (4.0, 4.0) and report["notes"] == []


def test_generated_student_copy_scores_zero_and_exit_code_is_zero(graded):
    assert [run.returncode for run in graded["runs"]] == [0, 0, 0], graded["outputs"]
    single = graded["single"]
    assert single["total"] == 0 and single["max"] == 4.0 and single["notebook"] == str(graded["student"])
    assert all(m.startswith("not attempted yet") for m in messages(single).values())
    assert "total 0 / 4" in " ".join(graded["outputs"][2][0].split())  # the printed table


def test_wrong_answers_score_below_full_with_hints(graded):
    wrong_a, wrong_b = graded["reports"]["00_wrong_a"], graded["reports"]["00_wrong_b"]
    assert scores(wrong_a) == {"ex00_1": 0.0, "ex00_2": 0.0}
    assert "forgot to add 32" in messages(wrong_a)["ex00_1"]
    assert "inner dimensions" in messages(wrong_a)["ex00_2"]
    assert scores(wrong_b) == {"ex00_1": 0.5, "ex00_2": 1.5}
    assert "upside down" in messages(wrong_b)["ex00_1"]
    assert "raise ValueError" in messages(wrong_b)["ex00_2"]


@pytest.mark.parametrize("name", ["00_fake_check", "00_fake_print", "00_patched_grading", "00_edited_outputs"])
def test_tampering_does_not_raise_the_grade(graded, name):
    report = graded["reports"][name]
    assert report["total"] == 0, report


def test_deleted_checks_change_nothing(graded):
    assert graded["reports"]["00_deleted_checks"]["total"] == 4.0


def test_forged_results_file_is_rejected(graded):
    report = graded["reports"]["00_forged_results"]
    assert report["total"] == 0
    assert "tampered" in messages(report)["ex00_1"]  # ex00_2 is rejected too, or graded if the forger is late


def test_hanging_code_scores_zero_but_other_exercises_score(graded):
    report = graded["reports"]["00_hang"]
    assert scores(report) == {"ex00_1": 0.0, "ex00_2": 2.0}, report
    assert "took longer than 3 s" in messages(report)["ex00_1"]
    for n in (3, 4):  # interrupted, and (SIGINT ignored) restarted
        assert f"code cell {n} took longer than 3 s and was interrupted" in report["notes"]


def test_kernel_crash_does_not_stop_grading(graded):
    report = graded["reports"]["00_crash"]
    assert scores(report) == {"ex00_1": 0.0, "ex00_2": 2.0}, report
    assert "crashed the Python kernel" in messages(report)["ex00_1"]
    assert any("code cell 3 crashed" in note for note in report["notes"])


def test_csv_has_one_row_per_notebook_and_exercise(graded):
    with open(graded["dir"] / "batch.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 * 10 and set(rows[0]) == {"notebook", "chapter", "exercise", "points", "max", "message"}
    solution_rows = [r for r in rows if r["notebook"].endswith("00_solution.ipynb")]
    assert [(r["exercise"], float(r["points"])) for r in solution_rows] == [("ex00_1", 2.0), ("ex00_2", 2.0)]


@pytest.mark.parametrize("args, error", [
    (["missing/00_nothing.ipynb"], "no such notebook"),
    ([str(SOLUTION), "--chapter", "99"], "no exercises for chapter 99"),
    ([str(FIXTURES / "no_such_folder")], "no such notebook"),  # a real folder is graded: tests/test_grade_cli.py
    ([str(SOLUTION), "--kernel", "no-such-kernel"], "no Jupyter kernel named"),
])
def test_usage_errors_exit_non_zero(args, error):
    run = subprocess.run([sys.executable, "-m", "tinyflow.grade", *args], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and error in run.stderr
