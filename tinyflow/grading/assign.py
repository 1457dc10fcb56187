"""Generate the student notebooks in `exercises/` from the solution notebooks in `solutions/`.

In every code cell, each block from a `### BEGIN SOLUTION` line to its `### END SOLUTION` line becomes
one line, indented like the marker:

    raise NotImplementedError("Exercise ex00_1: your code here")

The exercise id comes from a `# Exercise ex00_1` comment above the block, a `check("ex00_1", ...)` call
in the same cell or the next cells, or an "Exercise ex00_1" heading in the markdown just before.
Cells tagged `solution-only` are dropped; outputs and execution counts are cleared. The output is
deterministic byte for byte, so a test can tell when `exercises/` is stale.

    python -m tinyflow.grading.assign                  # solutions/*.ipynb -> exercises/*.ipynb
    python -m tinyflow.grading.assign --check          # exit 1 and list stale files, write nothing
    python -m tinyflow.grading.assign --solutions DIR --exercises DIR
"""

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

BEGIN = re.compile(r"^(\s*)###\s*BEGIN SOLUTION\b")
END = re.compile(r"^\s*###\s*END SOLUTION\b")
CHECK_ID = re.compile(r"""\bcheck\(\s*["'](ex\d\d_\d+)["']""")
COMMENT_ID = re.compile(r"#\s*Exercise\s+(ex\d\d_\d+)\b", re.IGNORECASE)
MARKDOWN_ID = re.compile(r"\bExercise\s+`?(ex\d\d_\d+)\b", re.IGNORECASE)
SOLUTION_ONLY = "solution-only"
VOLATILE_METADATA = ("execution", "ExecuteTime")  # timings written by JupyterLab and nbextensions


class SolutionMarkerError(ValueError):
    """A `### BEGIN SOLUTION` without its `### END SOLUTION`, or the other way round."""


def student_notebook(nb: nbformat.NotebookNode, where: str = "notebook") -> nbformat.NotebookNode:
    """The student copy of solution notebook `nb` (a new notebook; `nb` is not changed).

    >>> source = "def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION\\n"
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source + "check('ex00_3', f)")])
    >>> print(student_notebook(nb).cells[0].source)
    def f(x):
        raise NotImplementedError("Exercise ex00_3: your code here")
    check('ex00_3', f)
    """
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a deep copy
    cells = [c for c in nb.cells if SOLUTION_ONLY not in c.get("metadata", {}).get("tags", [])]
    for i, cell in enumerate(cells):
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.source = _replace_blocks(cells, i, f"{where}, code cell {i + 1}")
            cell.outputs = []
            cell.execution_count = None
    nb.cells = cells
    return nb


def _replace_blocks(cells, i, where):
    lines, out, begin = cells[i].source.split("\n"), [], None
    for n, line in enumerate(lines):
        if begin is None and BEGIN.match(line):
            begin = n
        elif begin is None and END.match(line):
            raise SolutionMarkerError(f"{where}, line {n + 1}: `### END SOLUTION` without a BEGIN line.")
        elif begin is not None and BEGIN.match(line):
            raise SolutionMarkerError(f"{where}, line {n + 1}: solution blocks cannot be nested.")
        elif begin is not None and END.match(line):
            indent = BEGIN.match(lines[begin]).group(1)
            out.append(f'{indent}raise NotImplementedError("{_message(_exercise_id(cells, i, begin))}")')
            begin = None
        elif begin is None:
            out.append(line)
    if begin is not None:
        raise SolutionMarkerError(f"{where}, line {begin + 1}: `### BEGIN SOLUTION` without an END line.")
    return "\n".join(out)


def _message(exercise_id):
    return f"Exercise {exercise_id}: your code here" if exercise_id else "Exercise: your code here"


def _exercise_id(cells, i, line):
    """Find the id of the block starting at `line` of cell `i`; None if nothing names it."""
    lines = cells[i].source.split("\n")
    for text in reversed(lines[:line]):  # "# Exercise ex03_2" above the block
        if COMMENT_ID.search(text):
            return COMMENT_ID.search(text).group(1)
    for ids in (CHECK_ID.findall("\n".join(lines[line:])), CHECK_ID.findall("\n".join(lines[:line]))[::-1]):
        if ids:
            return ids[0]
    for cell in cells[i + 1 : i + 4]:  # check("ex03_2", ...) in a following cell
        if any(BEGIN.match(text) for text in cell.source.split("\n")):
            break
        if cell.cell_type == "code" and CHECK_ID.search(cell.source):
            return CHECK_ID.search(cell.source).group(1)
    for cell in reversed(cells[max(0, i - 3) : i]):  # an "Exercise ex03_2" heading just before
        if cell.cell_type == "markdown" and MARKDOWN_ID.search(cell.source):
            return MARKDOWN_ID.findall(cell.source)[-1]
        if cell.cell_type == "code":
            break
    return None


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook; cells of a v4.5+ notebook that lack an id get a deterministic one."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("nbformat") == 4 and data.get("nbformat_minor", 0) >= 5:
        for n, cell in enumerate(data.get("cells", [])):
            if "id" not in cell:
                source = "".join(cell.get("source", ""))
                cell["id"] = hashlib.sha1(f"{n}:{source}".encode()).hexdigest()[:8]
    return nbformat.reads(json.dumps(data), as_version=4)


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """The exact text nbformat.write would store (sorted keys, indent 1, final newline)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def generate(solutions: Path | str = "solutions", exercises: Path | str = "exercises",
             check: bool = False) -> list[Path]:
    """Write `exercises/X.ipynb` for every `solutions/X.ipynb`; return the paths that were stale.

    With `check=True` nothing is written: the returned paths are those missing or out of date.
    """
    solutions, exercises = Path(solutions), Path(exercises)
    stale = []
    for source in sorted(solutions.glob("*.ipynb")):
        target = exercises / source.name
        text = notebook_text(student_notebook(read_notebook(source), where=str(source)))
        if target.exists() and target.read_bytes() == text.encode("utf-8"):
            continue
        stale.append(target)
        if not check:
            exercises.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tinyflow.grading.assign",
                                     description="Generate student notebooks from solution notebooks.")
    parser.add_argument("--solutions", default="solutions", help="solution notebooks (default: solutions)")
    parser.add_argument("--exercises", default="exercises", help="student copies (default: exercises)")
    parser.add_argument("--check", action="store_true", help="list stale copies, exit 1, write nothing")
    args = parser.parse_args(argv)
    if not Path(args.solutions).is_dir():
        parser.error(f"--solutions {args.solutions!r} is not a folder")
    try:
        stale = generate(args.solutions, args.exercises, check=args.check)
    except SolutionMarkerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for path in stale:
        print(f"stale: {path}" if args.check else f"wrote {path}")
    if args.check and stale:
        print("Regenerate them with: python -m tinyflow.grading.assign", file=sys.stderr)
        return 1
    if not stale:
        print(f"{args.exercises} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
