"""Exercises and grading for the tinyflow course.

- `check(exercise_id, obj)`: instant feedback in a notebook (hidden cases, a hint on failure).
- `tinyflow.grading.spec`: how chapter authors write exercises (`Exercise`, `Case`, `Mistake`).
- `python -m tinyflow.grading.assign`: generate `exercises/` from `solutions/`.
- `python -m tinyflow.grade NOTEBOOK...`: grade notebooks in fresh kernels.

    >>> from tinyflow.grading import check
    >>> check("ex00_1", lambda c: c * 9 / 5 + 32)
    ✅ ex00_1 passed (4/4 cases)
    True
"""

from tinyflow.grading.feedback import check
from tinyflow.grading.spec import Case, Exercise, Mistake
from tinyflow.grading.specs import get_exercise, load_chapter

__all__ = ["Case", "Exercise", "Mistake", "check", "get_exercise", "load_chapter"]
