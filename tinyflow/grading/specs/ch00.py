"""Chapter 00 (welcome): two warm-up exercises that need only numpy.

- ex00_1 `celsius_to_fahrenheit(c)`: F = C * 9/5 + 32, for a number or a numpy array of any shape.
- ex00_2 `matmul_shape(shape_a, shape_b)`: the shape of `A @ B` for 2-D shapes, as a tuple, or
  `ValueError` when the inner dimensions differ.
"""

import numpy as np

from tinyflow.grading.compare import equal, fmt, kind
from tinyflow.grading.spec import Case, Exercise, Mistake


def _celsius_to_fahrenheit(c):
    return np.multiply(c, 1.8) + 32.0  # F = C * 9/5 + 32


def _needs_elementwise(case, got, expected):
    if getattr(got, "type_name", None) == "TypeError":
        return ("the same code must work on a number and on a whole array: use arithmetic (*, /, +) "
                "instead of float(), math.* or a loop over the items.")
    return None


def _matmul_shape(shape_a, shape_b):
    (m, k1), (k2, n) = shape_a, shape_b
    if k1 != k2:
        raise ValueError(f"inner dimensions differ: {k1} != {k2}")
    return (m, n)


def _used_assert(case, got, expected):
    if getattr(got, "type_name", None) == "AssertionError":
        return "raise ValueError(...) yourself: `assert` raises the wrong type and vanishes under python -O."
    return None


def _not_a_tuple(case, got, expected):
    if isinstance(got, (list, np.ndarray)) and np.array_equal(got, expected):
        return f"return a tuple of ints, like numpy's `.shape`: {expected}, not {kind(got)} {fmt(got)}."
    return None


EXERCISES = [
    Exercise(
        id="ex00_1",
        name="celsius_to_fahrenheit",
        title="Convert Celsius to Fahrenheit, element-wise",
        points=2,
        cases=[
            Case(0.0),
            Case(100.0),
            Case(np.array([-40.0, 0.0, 37.0, 100.0])),
            Case(np.array([[0.0, 10.0], [20.0, 30.0]]), label="a 2x2 array"),
        ],
        reference=_celsius_to_fahrenheit,
        hints=[
            Mistake(lambda c: c * 9 / 5, "you scaled by 9/5 but forgot to add 32."),
            Mistake(lambda c: c * 5 / 9 + 32, "the factor is upside down: multiply by 9/5 (= 1.8), not 5/9."),
            Mistake(lambda c: (c - 32) * 5 / 9, "that is Fahrenheit to Celsius; go the other way."),
            Mistake(lambda c: (c + 32) * 9 / 5, "add 32 after scaling, not before: F = C * 9/5 + 32."),
            Mistake(lambda c: c * 9 // 5 + 32, "`//` is floor division and drops the fraction: use `/`."),
            _needs_elementwise,
        ],
    ),
    Exercise(
        id="ex00_2",
        name="matmul_shape",
        title="The shape of a matrix product",
        points=2,
        cases=[
            Case((2, 3), (3, 4)),
            Case((1, 5), (5, 1)),
            Case((7, 2), (2, 7)),
            Case((2, 3), (2, 3), label="shape_a=(2, 3), shape_b=(2, 3), inner dimensions differ"),
        ],
        reference=_matmul_shape,
        compare=equal(),
        hints=[
            Mistake(lambda a, b: (a[1], b[0]), "you returned the inner dimensions; A @ B keeps the outer "
                    "ones: (rows of A, columns of B)."),
            Mistake(lambda a, b: (a[0], b[1]), "check that the inner dimensions agree (shape_a[1] == "
                    "shape_b[0]) and raise ValueError when they do not."),
            Mistake(lambda a, b: (b[1], a[0]), "rows come from A, columns from B: (shape_a[0], shape_b[1])."),
            _used_assert,
            _not_a_tuple,
        ],
    ),
]
