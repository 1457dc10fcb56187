"""Exercise specs: how a chapter author writes the hidden tests of an exercise.

Each chapter has a module `tinyflow/grading/specs/chNN.py` with a list `EXERCISES`. An `Exercise` names
the learner's object (a function, class or value in the notebook), its hidden `Case`s, an independent
`reference`, and hints that recognise common mistakes and teach something.

Grading happens in two halves that only share plain data (numbers, strings, lists, tuples, dicts and
numpy arrays):

1. the **probe** runs the learner's object on each case, in the learner's kernel. The default probe
   calls the object: `obj(*case.args, **case.kwargs)`. Results are converted to plain data, and an
   exception becomes a `Raised` record (NotImplementedError reads as "not attempted yet").
2. the **comparison** runs in the grader: the same probe applied to `reference` gives the expected
   results, `compare` (default `close()`) judges each case, and for the first failing case the hints
   are tried in order; the first message wins.

A full chapter module, `tinyflow/grading/specs/ch99.py`:

    import numpy as np

    from tinyflow.grading.spec import Case, Exercise, Mistake

    def _softmax(x):                     # the reference, written independently of the solution
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def _wrong_axis(case, got, expected):  # a hint: plain data in, a message or None out
        if getattr(got, "shape", None) == expected.shape and np.allclose(got.sum(axis=0), 1):
            return "your rows do not sum to 1 but your columns do: normalise over axis=-1."
        return None

    EXERCISES = [
        Exercise(
            id="ex99_1",
            name="softmax",                      # the learner defines `def softmax(x): ...`
            points=2,
            cases=[Case(np.array([1.0, 2.0, 3.0])),
                   Case(np.array([[1000.0, 1000.0], [0.0, 1.0]]), label="large logits")],
            reference=_softmax,
            hints=[Mistake(lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True),
                           "subtract the row maximum before np.exp, or large logits overflow to inf."),
                   _wrong_axis],
        ),
    ]

Case arguments must be plain data; build anything else (tinyflow tensors, models) inside a custom
probe. A custom probe is a module-level `def probe(obj, *args, **kwargs)` that uses only builtins,
`np` and what it imports itself: its *source* is sent to the learner's kernel, so it cannot use other
names from the spec module. For a class exercise:

    def fit_and_predict(cls, x, y):
        import tinyflow as tf
        model = cls(units=1)
        model.fit(tf.constant(x), tf.constant(y), epochs=5)
        return model.predict(tf.constant(x))    # converted to a numpy array by the probe

    Exercise(id="ex06_1", name="MyModel", probe=fit_and_predict, reference=_RefModel, ...)

`Mistake(wrong, message)` fires when the learner's results equal those of `wrong` (run through the
same probe) on every failing case, so the usual way to write a hint is to write the buggy version.
"""

import builtins
import copy
import dis
import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tinyflow.grading import _runtime
from tinyflow.grading.compare import Compare, close, fmt

_ID = re.compile(r"^ex(\d\d)_(\d+)$")
_PLAIN_SCALARS = (type(None), bool, int, float, str)


class Case:
    """One hidden test: positional and keyword arguments for the probe, and an optional `label`.

    >>> Case(np.array([0.0, 100.0]), label="freezing and boiling").args[0].shape
    (2,)
    """

    def __init__(self, *args: Any, label: str = "", **kwargs: Any):
        for value in [*args, *kwargs.values()]:
            _require_plain(value)
        # normalised as the kernel will receive them (numpy scalars become floats or 0-d arrays)
        self.args = _runtime.to_plain(args)
        self.kwargs = _runtime.to_plain(kwargs)
        self.label = label

    def __repr__(self) -> str:
        items = [fmt(a) for a in self.args] + [f"{k}={fmt(v)}" for k, v in self.kwargs.items()]
        return f"Case({', '.join(items)})"


@dataclass
class Mistake:
    """A hint that fires when the learner's results match those of a known wrong implementation.

    >>> Mistake(lambda c: c * 9 / 5, "you forgot to add 32.").message
    'you forgot to add 32.'
    """

    wrong: Any
    message: str


@dataclass
class Exercise:
    """An exercise: the learner's object `name`, hidden `cases`, a `reference` and teaching `hints`.

    Args:
        id: "exNN_k", where NN is the chapter.
        name: the name of the learner's object in the notebook namespace.
        points: the maximum score; a fraction of the cases earns that fraction of the points.
        cases: the hidden cases (plain data).
        reference: an independent correct implementation (same kind of object as the learner's).
        probe: how to exercise the object on a case; default `call`. See the module docstring.
        compare: a comparator from `tinyflow.grading.compare`; default `close()`.
        hints: `Mistake`s and functions `hint(case, got, expected) -> str | None`, tried in order.
        timeout: seconds allowed for the probe in the grader (default: the grader's cell timeout).
        title: a short description, for reports.
    """

    id: str
    name: str
    points: float
    cases: list[Case]
    reference: Any
    probe: Callable[..., Any] = _runtime.call
    compare: Compare = field(default_factory=close)
    hints: list[Any] = field(default_factory=list)
    timeout: float | None = None
    title: str = ""

    def __post_init__(self):
        if not _ID.match(self.id):
            raise ValueError(f"Exercise id must look like 'ex03_2'. Received: id={self.id!r}")
        if not self.name.isidentifier():
            raise ValueError(f"Exercise {self.id}: name must be an identifier. Received: name={self.name!r}")
        if not self.cases or self.points <= 0:
            raise ValueError(f"Exercise {self.id} needs at least one case and points > 0.")
        if not self._builtin_probe():
            _check_probe_is_portable(self.probe)
        self._expected = None

    @property
    def chapter(self) -> int:
        """The chapter number, from the id: ex03_2 -> 3."""
        return int(_ID.match(self.id).group(1))

    def probe_source(self) -> str:
        """Source text of a custom probe, to send to the kernel; "" for a built-in probe."""
        return "" if self._builtin_probe() else textwrap.dedent(inspect.getsource(self.probe))

    def _builtin_probe(self):
        return self.probe is _runtime.BUILTIN_PROBES.get(getattr(self.probe, "__name__", None))

    def run(self, obj: Any) -> list[Any]:
        """Probe `obj` on every case, in this process; plain results as the grader would read them."""
        cases = [(case.args, case.kwargs) for case in self.cases]
        return roundtrip(_runtime.run_cases(obj, self.probe, cases))

    def expected(self) -> list[Any]:
        """The reference's results (computed once)."""
        if self._expected is None:
            self._expected = self.run(self.reference)
        return copy.deepcopy(self._expected)

    def label(self, k: int) -> str:
        """A short description of case `k` (0-based): its label, or its arguments."""
        case = self.cases[k]
        if case.label:
            return case.label
        try:
            bound = inspect.signature(self.reference).bind(*case.args, **case.kwargs).arguments
            text = ", ".join(f"{name}={fmt(v)}" for name, v in bound.items())
        except (TypeError, ValueError):
            text = repr(case)[len("Case(") : -1]
        return text if len(text) <= 60 else text[:57] + "..."


def roundtrip(results: list[Any]) -> list[Any]:
    """Encode and decode results, so in-process results look exactly like the grader's."""
    arrays: dict[str, np.ndarray] = {}
    encoded = [_runtime.encode(r, arrays) for r in results]
    return [_runtime.decode(r, arrays) for r in encoded]


def _require_plain(x):
    if isinstance(x, _PLAIN_SCALARS) or (isinstance(x, (np.ndarray, np.generic)) and not x.dtype.hasobject):
        return
    if isinstance(x, (list, tuple, dict)):
        for item in [*x.keys(), *x.values()] if isinstance(x, dict) else x:
            _require_plain(item)
        return
    raise TypeError(
        f"Case arguments must be plain data (numbers, str, list, tuple, dict, numpy arrays). "
        f"Received: {type(x).__name__}. Build other objects inside a custom probe."
    )


def _check_probe_is_portable(probe):
    """A custom probe travels as source text, so it must be a self-contained module-level function."""
    where = f"probe {getattr(probe, '__qualname__', probe)!r}"
    if not inspect.isfunction(probe) or probe.__name__ == "<lambda>" or probe.__qualname__ != probe.__name__:
        raise TypeError(f"{where} must be a module-level `def`, not a lambda, method or nested function.")
    if probe.__code__.co_freevars:
        raise TypeError(f"{where} must not use closure variables: {probe.__code__.co_freevars}")
    used, allowed = _global_names(probe.__code__), {"np", "to_plain", *dir(builtins)}
    if used - allowed:
        raise TypeError(
            f"{where} uses module-level names {sorted(used - allowed)}: its source runs alone in the "
            "learner's kernel, so import what it needs inside the function."
        )


def _global_names(code):
    """Names a code object (and the comprehensions inside it) reads as globals."""
    names = {ins.argval for ins in dis.get_instructions(code) if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for const in code.co_consts:
        if inspect.iscode(const):
            names |= _global_names(const)
    return names
