"""Instant feedback in a notebook: `check("ex00_1", celsius_to_fahrenheit)`.

`check` runs the exercise's hidden cases on the object in this process, prints one deterministic
line (no timings, so nbval can compare it) and returns True when every case passes.

    >>> check("ex00_1", lambda c: c * 9 / 5)
    ❌ ex00_1: case 1 (c=0.0): gave 0.0, expected 32.0. Hint: you scaled by 9/5 but forgot to add 32.
    False
"""

from typing import Any

from tinyflow.grading.evaluate import ExerciseResult, evaluate
from tinyflow.grading.specs import get_exercise


def check(exercise_id: str, obj: Any) -> bool:
    """Test `obj` (your function, class or value) against exercise `exercise_id`; print the verdict."""
    ex = get_exercise(exercise_id)
    result = evaluate(ex, ex.run(obj))
    print(feedback_line(result))
    return result.passed


def feedback_line(result: ExerciseResult) -> str:
    """'✅ ex00_1 passed (4/4 cases)' or '❌ ex00_1: <what went wrong>. Hint: <how to fix it>'."""
    if result.passed:
        return f"✅ {result.id} {result.message}"
    return f"❌ {result.id}: {result.message}"
