"""Comparators and formatting for grading: they work on plain data only, never on learner objects.

A comparator is a function `compare(got, expected) -> str | None`: None when `got` is acceptable, or a
short phrase that says what is wrong ("gave 180.0, expected 212.0"). Two are provided:

- `close(rtol, atol)`: numbers and arrays equal up to a tolerance; the container type does not
  matter (a list, tuple or array of the right numbers all pass). The default.
- `equal()`: exact, and the container type must match (a tuple is not a list).

    >>> close()(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-12]) is None
    True
    >>> close()(np.ones(3), np.ones((1, 3)))
    'gave [1.0, 1.0, 1.0] with shape (3,), expected shape (1, 3)'
    >>> equal()([2, 4], (2, 4))
    'gave [2, 4] (a list), expected (2, 4) (a tuple)'
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from tinyflow.grading._runtime import Opaque, Raised

Compare = Callable[[Any, Any], str | None]
MAX_FMT = 80  # characters of one formatted value


def close(rtol: float = 1e-6, atol: float = 1e-9) -> Compare:
    """Numbers and arrays must match `np.isclose(got, expected, rtol, atol)`; other data must be equal."""

    def compare(got: Any, expected: Any) -> str | None:
        return _close(got, expected, rtol, atol)

    return compare


def equal() -> Compare:
    """Exact equality; containers must have the same type. 0-d numpy numbers count as Python numbers."""
    return _equal


def _close(got, expected, rtol, atol):
    if _is_numeric(expected) and _as_numeric_array(expected) is not None:  # ragged tuples compare per item
        g, e = _as_numeric_array(got), np.asarray(expected)
        if g is None:
            return f"gave {_with_kind(got)}, expected {_with_kind(expected)}"
        if g.shape != e.shape:
            return f"gave {fmt(got)} with shape {g.shape}, expected shape {e.shape}"
        bad = ~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        if not bad.any():
            return None
        if e.ndim == 0 or e.size <= 12:
            return f"gave {fmt(got)}, expected {fmt(expected)}"
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        return f"differs at index {idx}: gave {fmt(g[idx])}, expected {fmt(e[idx])}"
    return _structural(got, expected, lambda g, e: _close(g, e, rtol, atol))


def _equal(got, expected):
    if _is_number(expected) and _is_number(got):
        same_kind = isinstance(_py(got), float) == isinstance(_py(expected), float)
        return None if same_kind and _py(got) == _py(expected) else _gave(got, expected)
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray):
            return _gave(got, expected)
        if got.shape != expected.shape:
            return f"gave {fmt(got)} with shape {got.shape}, expected shape {expected.shape}"
        return None if np.array_equal(got, expected) else _gave(got, expected)
    return _structural(got, expected, _equal)


def _structural(got, expected, compare_items):
    """Compare strings, None, lists, tuples and dicts, delegating items to `compare_items`."""
    if isinstance(expected, (list, tuple)):
        strict = compare_items is _equal
        if not isinstance(got, (list, tuple)) or (strict and type(got) is not type(expected)):
            return _gave(got, expected)
        if len(got) != len(expected):
            return f"gave {fmt(got)} with {len(got)} items, expected {len(expected)} items"
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = compare_items(g, e)
            if problem:
                short = len(fmt(got)) + len(fmt(expected)) <= 60
                return _gave(got, expected) if short else f"item {i} {problem}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return _gave(got, expected)
        if set(got) != set(expected):
            missing = sorted(map(repr, set(expected) - set(got)))
            extra = sorted(map(repr, set(got) - set(expected)))
            return f"has keys missing {missing} and unexpected keys {extra}"
        for k in expected:
            problem = compare_items(got[k], expected[k])
            if problem:
                return f"at key {k!r} {problem}"
        return None
    if isinstance(expected, Opaque) or type(got) is not type(expected) or got != expected:
        return _gave(got, expected)
    return None


def _gave(got, expected):
    if kind(got) != kind(expected):
        return f"gave {_with_kind(got)}, expected {_with_kind(expected)}"
    return f"gave {fmt(got)}, expected {fmt(expected)}"


def _with_kind(x):
    return fmt(x) if x is None else f"{fmt(x)} ({kind(x)})"


# -- helpers on plain data ------------------------------------------------------------------------------


def _is_number(x):
    if isinstance(x, np.ndarray):
        return x.ndim == 0 and x.dtype.kind in "biufc"
    return isinstance(x, (bool, int, float))


def _py(x):
    return x.item() if isinstance(x, np.ndarray) else x


def _is_numeric(x):
    """A number, a numeric array, or a non-empty (nested) list/tuple of numbers."""
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "biufc"
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(_is_numeric(v) for v in x)
    return isinstance(x, (bool, int, float))


def _as_numeric_array(x):
    if not _is_numeric(x):
        return None
    try:
        a = np.asarray(x)
    except ValueError:  # ragged nested lists
        return None
    return a if a.dtype.kind in "biufc" else None


def kind(x: Any) -> str:
    """A short description of the type of plain data: 'a list', 'an array', 'None', ..."""
    if x is None:
        return "None"
    if isinstance(x, Raised):
        return f"an exception ({x.type_name})"
    if isinstance(x, Opaque):
        return f"a {x.type_name} object"
    if isinstance(x, np.ndarray):
        return "a number" if _is_number(x) else "an array"
    names = {bool: "a bool", int: "an int", float: "a float", str: "a str", list: "a list", tuple: "a tuple"}
    return names.get(type(x), "a dict" if isinstance(x, dict) else f"a {type(x).__name__}")


def fmt(x: Any) -> str:
    """Format plain data briefly and deterministically (independent of numpy's print options)."""
    text = _fmt(x)
    return text if len(text) <= MAX_FMT else text[: MAX_FMT - 3] + "..."


def _fmt(x):
    if isinstance(x, float):
        return _fmt_float(x)
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return _fmt(x.item())
        if x.size > 12:
            return f"<array of shape {x.shape}, dtype {x.dtype}>"
        return _fmt(x.tolist())
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    if isinstance(x, tuple):
        return "(" + ", ".join(_fmt(v) for v in x) + ("," if len(x) == 1 else "") + ")"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{_fmt(k)}: {_fmt(v)}" for k, v in x.items()) + "}"
    if isinstance(x, Opaque):
        return f"<{x.type_name} object>"
    return repr(x)


def _fmt_float(x):
    text = f"{x:.6g}"
    if text.lstrip("-").isdigit():
        text += ".0"  # keep floats recognisable: 212.0, not 212
    return text
