"""The grader's command line: `python -m tinyflow.grade NOTEBOOK... [options]`.

    python -m tinyflow.grade exercises/00_welcome.ipynb
    python -m tinyflow.grade submissions/*/03_autodiff.ipynb --csv grades.csv --json grades.json

Prints a table per notebook. Exit code 0 whenever grading completed, whatever the score; 2 for usage
errors (a missing file, an unknown chapter); 1 if a kernel could not be started.
"""

import argparse
import csv
import json
import re
import sys
from pathlib import Path

from tinyflow.grading.specs import UnknownExercise, load_chapter


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel  # slow imports: keep them lazy

    from tinyflow.grading.grader import chapter_of, grade_notebook

    try:
        KernelSpecManager().get_kernel_spec(args.kernel)
    except NoSuchKernel:
        print(f"error: no Jupyter kernel named {args.kernel!r} (see: jupyter kernelspec list)", file=sys.stderr)
        return 2

    jobs = []
    for path in _expand(args.notebooks):
        chapter = args.chapter if args.chapter is not None else chapter_of(path)
        problem = _usage_problem(path, chapter)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        jobs.append((path, chapter))
    reports, failed = [], 0
    for path, chapter in jobs:
        try:
            report = grade_notebook(path, chapter, cell_timeout=args.cell_timeout, timeout=args.timeout,
                                    kernel_name=args.kernel)
        except RuntimeError as e:  # the kernel did not start: an environment problem, not a grade
            print(f"error: could not grade {path}: {e}", file=sys.stderr)
            failed += 1  # the other notebooks of a batch are still graded and reported
            continue
        print(format_report(report))
        reports.append(report)
    if not reports:
        return 1
    if args.json:
        data = [r.to_dict() for r in reports]
        Path(args.json).write_text(json.dumps(data[0] if len(data) == 1 else data, indent=2) + "\n")
    if args.csv:
        write_csv(args.csv, reports)
    return 1 if failed else 0


def _parser():
    parser = argparse.ArgumentParser(prog="python -m tinyflow.grade", description="Grade exercise notebooks.")
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK",
                        help="notebooks to grade, or folders of notebooks (e.g. a class's submissions)")
    parser.add_argument("--chapter", type=_chapter, help="chapter (default: from the file name, 03_...)")
    parser.add_argument("--json", metavar="FILE", help="write the report as JSON (a list if several)")
    parser.add_argument("--csv", metavar="FILE", help="write one row per (notebook, exercise)")
    parser.add_argument("--cell-timeout", type=float, default=30.0, metavar="S",
                        help="seconds per cell and per exercise test (default: 30)")
    parser.add_argument("--timeout", type=float, default=600.0, metavar="S",
                        help="seconds for running all cells of one notebook (default: 600)")
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel name (default: python3)")
    return parser


def _expand(names: list[str]) -> list[Path]:
    """Notebook paths; a folder stands for the notebooks directly inside it (an instructor's submissions)."""
    paths = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
            paths += found or [path / "*.ipynb"]  # an empty folder is reported as "no such notebook"
        else:
            paths.append(path)
    return paths


def _chapter(text):
    match = re.fullmatch(r"(?:ch)?(\d{1,2})", text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"a chapter looks like 3, 03 or ch03. Received: {text!r}")
    return int(match.group(1))


def _usage_problem(path, chapter):
    if not path.is_file():
        return f"no such notebook: {path}"
    if chapter is None:
        return f"cannot tell the chapter of {path.name}: name it like 03_autodiff.ipynb, or pass --chapter"
    try:
        load_chapter(chapter)
    except UnknownExercise as e:
        return str(e)
    return None


def format_report(report) -> str:
    """A plain-text table: one line per exercise, the total, then notes on the run."""
    lines = [f"{report.notebook} (chapter {report.chapter:02d})"]
    width = max([len(r.id) for r in report.exercises] + [len("total")])
    for r in report.exercises:
        lines.append(f"  {r.id:<{width}}  {_num(r.points):>4} / {_num(r.max):<4}  {r.message}")
    lines.append(f"  {'total':<{width}}  {_num(report.total):>4} / {_num(report.max)}")
    lines += [f"  note: {note}" for note in report.notes]
    return "\n".join(lines)


def write_csv(path, reports) -> None:
    """One row per (notebook, exercise): notebook, chapter, exercise, points, max, message."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["notebook", "chapter", "exercise", "points", "max", "message"])
        for report in reports:
            for r in report.exercises:
                writer.writerow([report.notebook, report.chapter, r.id, r.points, r.max, r.message])


def _num(x):
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
