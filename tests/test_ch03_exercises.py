"""Chapter 03 exercises: the solution notebook scores full marks, the generated student copy scores zero
without crashing, and typical wrong answers score below full marks with a hint that names the mistake.

The wrong answers are written here the way a learner might write them, independently of the buggy
versions in the spec, and are scored in-process with the spec's own comparison (no kernels), which is fast.
"""
import math

import numpy as np
import pytest

import tinyflow as tf
from tests.exercise_helpers import assert_student_copy_fresh, grade_chapter
from tinyflow.grading.evaluate import evaluate
from tinyflow.grading.specs import get_exercise, load_chapter

NOTEBOOK = "03_autodiff.ipynb"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    report = grade_chapter(tmp_path_factory, NOTEBOOK)
    return report["solutions"], report["exercises"]


def test_solution_notebook_scores_full_marks(graded):
    solution, _ = graded
    assert solution["total"] == solution["max"] == 13.0, solution["exercises"]
    assert solution["notes"] == []


def test_student_copy_scores_zero_without_crashing(graded):
    _, student = graded
    assert student["total"] == 0 and student["max"] == 13.0
    for result in student["exercises"]:
        assert result["message"].startswith("not attempted yet"), result


def test_student_copy_is_generated_from_the_solution():
    assert_student_copy_fresh(NOTEBOOK)


@pytest.mark.parametrize("ex", load_chapter(3), ids=lambda ex: ex.id)
def test_reference_scores_full_marks(ex):
    assert evaluate(ex, ex.run(ex.reference)).passed


# -- ex03_1: mul_grad ----------------------------------------------------------------------------------
def no_unbroadcast(grad, x, y):
    return grad * y, grad * x


def swapped(grad, x, y):
    dx, dy = grad * x, grad * y
    return dx.sum(axis=tuple(range(dx.ndim - np.ndim(x)))), dy.sum(axis=tuple(range(dy.ndim - np.ndim(y))))


def sum_without_keepdims(grad, x, y):
    def reduce(g, shape):
        lead = g.ndim - len(shape)
        stretched = [lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1]
        return g.sum(axis=tuple(range(lead)) + tuple(stretched))  # drops the size-1 axes

    return reduce(grad * y, np.shape(x)), reduce(grad * x, np.shape(y))


def averaged(grad, x, y):
    def reduce(g, shape):
        lead = g.ndim - len(shape)
        g = g.mean(axis=tuple(range(lead)))
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        return g.mean(axis=stretched, keepdims=True) if stretched else g

    return reduce(grad * y, np.shape(x)), reduce(grad * x, np.shape(y))


# -- ex03_2: numerical_gradient ------------------------------------------------------------------------
def forward_difference(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp = x.copy()
        xp[idx] += eps
        g[idx] = (f(xp) - f(x)) / eps
    return g


def divided_by_eps(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        g[idx] = (f(xp) - f(xm)) / eps
    return g


def mutates_caller(f, x, eps=1e-5):
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += eps
        fp = f(x)
        x[idx] -= 2 * eps
        fm = f(x)
        g[idx] = (fp - fm) / (2 * eps)
    return g


def first_axis_only(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(len(x)):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        g[i] = (f(xp) - f(xm)) / (2 * eps)
    return g


# -- ex03_3: Value -------------------------------------------------------------------------------------
def make_value(grad_update="+=", order="topological", seed=True, tanh_slope=lambda t, x: 1 - t * t):
    class Value:
        def __init__(self, data, _children=()):
            self.data, self.grad = float(data), 0.0
            self._prev, self._backward = tuple(_children), lambda: None

        def _push(self, g):
            self.grad = self.grad + g if grad_update == "+=" else g

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other))

            def _backward():
                self._push(out.grad)
                other._push(out.grad)

            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other))

            def _backward():
                self._push(other.data * out.grad)
                other._push(self.data * out.grad)

            out._backward = _backward
            return out

        __radd__ = __add__
        __rmul__ = __mul__

        def tanh(self):
            t = math.tanh(self.data)
            out = Value(t, (self,))

            def _backward():
                self._push(tanh_slope(t, self.data) * out.grad)

            out._backward = _backward
            return out

        def backward(self):
            if seed:
                self.grad = 1.0
            if order == "recursive":
                self._backward()
                for child in self._prev:
                    child.backward_no_seed()
                return
            topo, seen = [], set()

            def build(v):
                if v not in seen:
                    seen.add(v)
                    for c in v._prev:
                        build(c)
                    topo.append(v)

            build(self)
            for v in reversed(topo):
                v._backward()

        def backward_no_seed(self):
            self._backward()
            for child in self._prev:
                child.backward_no_seed()

    return Value


# -- ex03_4: softmax_vjp -------------------------------------------------------------------------------
def stable_softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def like_sigmoid(logits, upstream):
    s = stable_softmax(logits)
    return upstream * s * (1 - s)


def along_axis0(logits, upstream):
    s = stable_softmax(logits, axis=0)
    return s * (upstream - (upstream * s).sum(axis=0, keepdims=True))


def overflowing(logits, upstream):
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    return s * (upstream - (upstream * s).sum(axis=-1, keepdims=True))


def no_keepdims(logits, upstream):
    s = stable_softmax(logits)
    return s * (upstream - (upstream * s).sum(axis=-1))


# -- ex03_5: second_derivative -------------------------------------------------------------------------
def first_derivative_only(f, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)


def forgot_watch(f, x):
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = f(x)
        dy = inner.gradient(y, x)
    return outer.gradient(dy, x)


def one_tape_twice(f, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
        dy = tape.gradient(y, x)
    return tape.gradient(dy, x)


WRONG = [
    ("ex03_1", no_unbroadcast, "did you forget to sum over the broadcast axis?"),
    ("ex03_1", swapped, "the gradient for x is grad * y"),
    ("ex03_1", sum_without_keepdims, "keepdims=True"),
    ("ex03_1", averaged, "do not average"),
    ("ex03_2", forward_difference, "central difference"),
    ("ex03_2", divided_by_eps, "divide by 2 * eps"),
    ("ex03_2", mutates_caller, "changed the caller's x"),
    ("ex03_2", first_axis_only, "np.ndindex"),
    ("ex03_3", make_value(grad_update="="), "self.grad += ..."),
    ("ex03_3", make_value(order="recursive"), "reverse topological order"),
    ("ex03_3", make_value(seed=False), "gradient to 1.0"),
    ("ex03_3", make_value(tanh_slope=lambda t, x: 1 - x * x), "not 1 - x²"),
    ("ex03_4", like_sigmoid, "only the diagonal of the Jacobian"),
    ("ex03_4", along_axis0, "use axis=-1"),
    ("ex03_4", overflowing, "subtract the row maximum"),
    ("ex03_4", no_keepdims, "keepdims=True"),
    ("ex03_5", first_derivative_only, "that is the first derivative"),
    ("ex03_5", forgot_watch, "tape.watch(x)"),
    ("ex03_5", one_tape_twice, "nest two tapes"),
]


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG, ids=[f"{w[0]}-{w[1].__name__}" for w in WRONG])
def test_wrong_answer_scores_below_full_with_a_hint(exercise_id, answer, hint):
    ex = get_exercise(exercise_id)
    result = evaluate(ex, ex.run(answer))
    assert result.points < result.max
    assert "Hint:" in result.message and hint in result.message, result.message
