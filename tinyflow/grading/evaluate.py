"""Turn an exercise's plain probe results into a score and one teaching message.

Used by `check()` (in the learner's process) and by the grader (on results read back from the
learner's kernel); both see the same plain data, so both give the same verdict.

    >>> from tinyflow.grading.specs import get_exercise
    >>> ex = get_exercise("ex00_1")
    >>> evaluate(ex, ex.run(lambda c: c * 9 / 5 + 32)).message
    'passed (4/4 cases)'
"""

from dataclasses import asdict, dataclass
from typing import Any

from tinyflow.grading._runtime import Raised
from tinyflow.grading.compare import fmt
from tinyflow.grading.spec import Exercise, Mistake

NOT_ATTEMPTED = "not attempted yet (your code still raises NotImplementedError)"


@dataclass
class ExerciseResult:
    """The score of one exercise: `points` out of `max`, and a message for the learner."""

    id: str
    points: float
    max: float
    message: str

    @property
    def passed(self) -> bool:
        return self.points == self.max

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def zero(ex: Exercise, message: str) -> ExerciseResult:
    """A zero score for `ex` with `message` (timeouts, crashes, missing results)."""
    return ExerciseResult(ex.id, 0.0, float(ex.points), message)


def evaluate(ex: Exercise, results: list[Any] | None) -> ExerciseResult:
    """Score `results` (plain data per case, or None when the learner's object is not defined)."""
    if results is None:
        return zero(ex, f"`{ex.name}` is not defined: run the cell that defines it, and keep that name.")
    expected = ex.expected()
    if len(results) != len(expected):
        return zero(ex, "the grader received an unexpected number of results")
    if all(_untouched(r) for r in results):
        return zero(ex, NOT_ATTEMPTED)
    problems = [problem(ex, got, exp) for got, exp in zip(results, expected)]
    failed = [k for k, p in enumerate(problems) if p]
    n, passed = len(results), len(results) - len(failed)
    points = round(ex.points * passed / n, 2)
    if not failed:
        return ExerciseResult(ex.id, points, float(ex.points), f"passed ({n}/{n} cases)")
    k = failed[0]
    message = f"case {k + 1} ({ex.label(k)}): {problems[k]}"
    if passed:
        message += f" ({passed}/{n} cases passed)"
    hint = find_hint(ex, results, expected, failed)
    if hint:
        message = message.rstrip(".") + f". Hint: {hint}"
    return ExerciseResult(ex.id, points, float(ex.points), message)


def _untouched(result: Any) -> bool:
    """The generator's placeholder is still there: NotImplementedError("... your code here").
    (A NotImplementedError with another message, e.g. numpy called on a symbolic tensor, is an attempt.)"""
    return isinstance(result, Raised) and result.is_a("NotImplementedError") and (
        "your code here" in result.message or not result.message)


def problem(ex: Exercise, got: Any, expected: Any) -> str | None:
    """What is wrong with one case's result, or None if it is right."""
    if isinstance(expected, Raised):
        if isinstance(got, Raised):
            if got.is_a(expected.type_name):
                return None
            return f"your code raised {got!r}, expected {expected.type_name}"
        return f"returned {fmt(got)}, but should raise {expected.type_name}"
    if isinstance(got, Raised):
        if got.is_a("NotImplementedError"):
            return "not implemented yet (raises NotImplementedError)"
        return f"your code raised {got!r}"
    return ex.compare(got, expected)


def find_hint(ex: Exercise, results: list[Any], expected: list[Any], failed: list[int]) -> str | None:
    """The first hint of `ex` that recognises the mistake, else a generic one, else None."""
    k = failed[0]
    for hint in ex.hints:
        try:
            if isinstance(hint, Mistake):
                wrong = ex.run(hint.wrong)
                if all(_same(ex, results[i], wrong[i]) for i in failed):
                    return hint.message
            else:
                message = hint(ex.cases[k], results[k], expected[k])
                if message:
                    return message
        except Exception:  # a broken hint must not cost the learner points; the spec tests catch it
            continue
    return _generic_hint(results[k], expected[k])


def _same(ex, a, b):
    if isinstance(a, Raised) or isinstance(b, Raised):
        return a == b
    return ex.compare(a, b) is None


def _generic_hint(got, expected):
    if got is None and expected is not None:
        return "your function returned None: did you forget the `return` statement?"
    if isinstance(got, Raised) and got.is_a("NameError"):
        return "a name is not defined: check its spelling, and run the cells above first (imports too)."
    return None
