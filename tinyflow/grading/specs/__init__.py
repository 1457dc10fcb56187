"""The hidden tests, one module per chapter: `chNN.py` defines `EXERCISES`, a list of `Exercise`.

    >>> [ex.id for ex in load_chapter(0)]
    ['ex00_1', 'ex00_2']
    >>> get_exercise("ex00_1").name
    'celsius_to_fahrenheit'
"""

import importlib
import re

from tinyflow.grading.spec import Exercise


class UnknownExercise(LookupError):
    """No spec module for a chapter, or no exercise with a given id."""


def load_chapter(chapter: int) -> list[Exercise]:
    """The exercises of `chapter` (an int, 0..99), in the order they are graded."""
    module_name = f"tinyflow.grading.specs.ch{int(chapter):02d}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name != module_name:
            raise
        raise UnknownExercise(f"There are no exercises for chapter {int(chapter):02d}.") from None
    return list(module.EXERCISES)


def get_exercise(exercise_id: str) -> Exercise:
    """The exercise with id `exercise_id`, e.g. "ex00_1"."""
    match = re.fullmatch(r"ex(\d\d)_\d+", str(exercise_id))
    if not match:
        raise UnknownExercise(f"Exercise ids look like 'ex03_2'. Received: {exercise_id!r}")
    exercises = {ex.id: ex for ex in load_chapter(int(match.group(1)))}
    if exercise_id not in exercises:
        known = ", ".join(sorted(exercises))
        raise UnknownExercise(f"Unknown exercise {exercise_id!r}; chapter {match.group(1)} has: {known}.")
    return exercises[exercise_id]
