"""Chapter 03 (autodiff): five exercises on how gradients are computed.

- ex03_1 `mul_grad(grad, x, y)`: the gradient function of a broadcasting multiply, in numpy: return
  (dx, dy), each summed back to its input's shape ("unbroadcast").
- ex03_2 `numerical_gradient(f, x, eps)`: central finite differences of a scalar function of an array,
  without changing the caller's `x`.
- ex03_3 `Value`: a micrograd-style scalar with +, *, tanh and reverse-mode `backward()`.
- ex03_4 `softmax_vjp(logits, upstream)`: the vector-Jacobian product of softmax over the last axis.
- ex03_5 `second_derivative(f, x)`: f'' with two nested GradientTapes.
"""

import numpy as np

from tinyflow.grading.compare import close
from tinyflow.grading.spec import Case, Exercise, Mistake


# -- ex03_1: the gradient of a broadcasting multiply ----------------------------------------------------
def _unbroadcast(g, shape):
    """Sum `g` down to `shape`: first the leading axes broadcasting added, then the stretched size-1 axes."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def _mul_grad(grad, x, y):
    return _unbroadcast(grad * y, np.shape(x)), _unbroadcast(grad * x, np.shape(y))


def _mul_grad_mean(grad, x, y):
    def shrink(g, shape):
        while g.ndim > len(shape):
            g = g.mean(axis=0)
        for axis, size in enumerate(shape):
            if size == 1 and g.shape[axis] != 1:
                g = g.mean(axis=axis, keepdims=True)
        return g

    return shrink(grad * y, np.shape(x)), shrink(grad * x, np.shape(y))


def run_mul_grad(mul_grad, grad, x, y):
    """Call `mul_grad(grad, x, y)` and name the two results (a dict gives clearer messages than a pair)."""
    result = mul_grad(grad, x, y)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(f"mul_grad must return a pair (dx, dy), got {type(result).__name__}")
    return {"dx": result[0], "dy": result[1]}


def _swapped_hint(case, got, expected):
    """dz/dx = y, but the learner multiplied grad by x (recognised on the first failing case)."""
    if not isinstance(got, dict) or set(got) != {"dx", "dy"}:
        return None
    grad, x, y = case.args
    wrong_dx = grad * x
    if np.shape(got["dx"]) == np.shape(x) and np.shape(wrong_dx) == np.shape(grad):
        lead = wrong_dx.ndim - np.ndim(x)
        stretched = tuple(lead + i for i, n in enumerate(np.shape(x)) if n == 1 and wrong_dx.shape[lead + i] != 1)
        reduced = wrong_dx.sum(axis=tuple(range(lead)) + stretched, keepdims=True).reshape(np.shape(x))
        if np.allclose(got["dx"], reduced) and not np.allclose(reduced, expected["dx"]):
            return "dz/dx = y and dz/dy = x: the gradient for x is grad * y (not grad * x)."
    return None


def _broadcast_hint(case, got, expected):
    if getattr(got, "type_name", None) == "TypeError" and "pair" in got.message:
        return "return a pair (dx, dy): one gradient for each input of the multiply."
    if not isinstance(got, dict) or set(got) != {"dx", "dy"}:
        return None
    grad_shape = np.shape(case.args[0])
    for name in "xy":
        g, e = got["d" + name], expected["d" + name]
        gs, es = np.shape(g), np.shape(e)
        if gs == es:
            continue
        if gs == grad_shape:
            return (f"the gradient for {name} has shape {gs}, expected {es}: did you forget to sum over the "
                    f"broadcast axis? {name} was broadcast up to {grad_shape}, so every copy's gradient must be "
                    f"added back into {name}'s shape.")
        if int(np.prod(gs)) == int(np.prod(es)):
            return (f"the gradient for {name} has shape {gs}, expected {es}: keep the size-1 axes of {name} "
                    "(sum them with keepdims=True); sum away only the leading axes broadcasting added.")
        return f"the gradient for {name} must have {name}'s shape {es}, got {gs}."
    return None


# -- ex03_2: central differences ------------------------------------------------------------------------
def run_numerical_gradient(numerical_gradient, f_name, x):
    """Call `numerical_gradient(f, x, 1e-5)` on a named test function; also report whether x was changed."""
    a = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 1.5]])
    fs = {
        "sum_sin": lambda v: np.sum(np.sin(3 * v)),
        "quartic": lambda v: np.sum(v ** 4) / 4 + v[0] * v[-1],
        "logsumexp": lambda v: np.log(np.sum(np.exp(v))),
        "matrix": lambda v: np.sum(np.tanh(v @ a) ** 2),
    }
    before = np.array(x, copy=True)
    grad = numerical_gradient(fs[f_name], x, 1e-5)
    return {"grad": grad, "x_unchanged": bool(np.allclose(x, before, rtol=0, atol=1e-12))}


def _central(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)  # a private copy: the caller's x never changes
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        f_plus = f(x)
        x[idx] = old - eps
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def _difference(kind):
    """Buggy variants: 'forward', 'no_half' (divides by eps), 'no_restore', 'rows' (loops over axis 0)."""

    def numerical_gradient(f, x, eps=1e-5):
        x = np.array(x, dtype=np.float64)
        grad = np.zeros_like(x)
        indices = range(x.shape[0]) if kind == "rows" else np.ndindex(x.shape)
        for idx in indices:
            old = np.array(x[idx], copy=True)
            if kind == "forward":
                f0 = f(x)
                x[idx] = old + eps
                grad[idx] = (f(x) - f0) / eps
                x[idx] = old
                continue
            x[idx] = old + eps
            f_plus = f(x)
            x[idx] = old - eps
            f_minus = f(x)
            if kind != "no_restore":
                x[idx] = old
            grad[idx] = (f_plus - f_minus) / (eps if kind == "no_half" else 2 * eps)
        return grad

    return numerical_gradient


def _in_place(f, x, eps=1e-5):
    x = np.asarray(x)  # no copy: the caller's array is modified (and left slightly off)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += eps
        f_plus = f(x)
        x[idx] -= 2 * eps
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def _changed_x(case, got, expected):
    if isinstance(got, dict) and got.get("x_unchanged") is False:
        return ("your function changed the caller's x: work on a copy (x = np.array(x, dtype=float)), and put "
                "each entry back to its old value after evaluating f(x + eps) and f(x - eps).")
    return None


# -- ex03_3: micrograd --------------------------------------------------------------------------------
def run_value(cls, expr, a, b):
    """Build an expression from Values a and b, call backward(), report the value and the gradients."""
    av, bv = cls(a), cls(b)
    if expr == "a*b + a":
        out = av * bv + av
    elif expr == "a*a":
        out = av * av
    elif expr == "tanh(a*b + b)":
        out = (av * bv + bv).tanh()
    elif expr == "diamond":
        c = av * bv
        out = c * c + c * av
    elif expr == "numbers":
        out = 2 * av + bv * 3 + 1
    elif expr == "neuron":
        out = (av * 0.5 + bv * -1.5 + 0.25).tanh() * (av + bv)
    else:
        raise ValueError(f"unknown expression {expr!r}")
    out.backward()
    return {"out": float(out.data), "grad_a": float(av.grad), "grad_b": float(bv.grad),
            "grad_out": float(out.grad)}


def _value_class(accumulate=True, topological=True, seed=True, tanh_slope="output"):
    """A reference Value class, or a buggy one: `=` instead of `+=`, DFS without topological order,
    no seed gradient, or a wrong tanh slope ('input': 1 - x², 'linear': 1 - t)."""
    import math

    class Value:
        def __init__(self, data, _children=()):
            self.data = float(data)
            self.grad = 0.0
            self._prev = tuple(_children)
            self._backward = lambda: None

        def _add_grad(self, g):
            self.grad = self.grad + g if accumulate else g

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other))

            def _backward():
                self._add_grad(out.grad)
                other._add_grad(out.grad)

            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other))

            def _backward():
                self._add_grad(other.data * out.grad)
                other._add_grad(self.data * out.grad)

            out._backward = _backward
            return out

        def __radd__(self, other):
            return self + other

        def __rmul__(self, other):
            return self * other

        def tanh(self):
            t = math.tanh(self.data)
            out = Value(t, (self,))

            def _backward():
                slope = {"output": 1 - t * t, "input": 1 - self.data ** 2, "linear": 1 - t}[tanh_slope]
                self._add_grad(slope * out.grad)

            out._backward = _backward
            return out

        def backward(self):
            if seed:
                self.grad = 1.0
            if not topological:  # propagate depth-first, as soon as a node is reached
                def visit(v):
                    v._backward()
                    for child in v._prev:
                        visit(child)

                visit(self)
                return
            order, seen = [], set()

            def build(v):
                if id(v) not in seen:
                    seen.add(id(v))
                    for child in v._prev:
                        build(child)
                    order.append(v)

            build(self)
            for v in reversed(order):
                v._backward()

    return Value


def _value_hint(case, got, expected):
    if isinstance(got, dict) and got.get("grad_out") == 0.0:
        return "backward() must start by setting the output's own gradient to 1.0 (d out / d out = 1)."
    return None


# -- ex03_4: the softmax vector-Jacobian product ------------------------------------------------------
def _softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _softmax_vjp(logits, upstream):
    s = _softmax(logits)
    return s * (upstream - np.sum(upstream * s, axis=-1, keepdims=True))  # J^T g, J = diag(s) - s s^T


def _vjp_unstable(logits, upstream):
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the mistake; no warning noise
        e = np.exp(logits)
        s = e / np.sum(e, axis=-1, keepdims=True)
    return s * (upstream - np.sum(upstream * s, axis=-1, keepdims=True))


def _vjp_diagonal(logits, upstream):
    s = _softmax(logits)
    return upstream * s * (1 - s)


def _vjp_axis0(logits, upstream):
    e = np.exp(logits - np.max(logits, axis=0, keepdims=True))
    s = e / np.sum(e, axis=0, keepdims=True)
    return s * (upstream - np.sum(upstream * s, axis=0, keepdims=True))


def _keepdims_hint(case, got, expected):
    if getattr(got, "type_name", None) == "ValueError" and "broadcast" in got.message:
        return ("a row sum of shape (n,) does not broadcast against (n, k): sum with keepdims=True so it has "
                "shape (n, 1).")
    if isinstance(got, np.ndarray) and np.isnan(got).any() and np.max(np.abs(case.args[0])) > 100:
        return "exp(1000) overflows: subtract the row maximum from the logits before np.exp."
    return None


# -- ex03_5: second derivatives with nested tapes ------------------------------------------------------
def run_second_derivative(second_derivative, f_name, x):
    """Call `second_derivative(f, tf.constant(x))` for a named element-wise function f."""
    import tinyflow as tf

    fs = {
        "cube": lambda t: t ** 3,
        "sin": lambda t: tf.sin(t),
        "tanh": lambda t: tf.tanh(t),
        "gauss": lambda t: tf.exp(-t * t),
    }
    return second_derivative(fs[f_name], tf.constant(x))


def _nested(order=2, watch_outer=True):
    def second_derivative(f, x):
        import tinyflow as tf

        with tf.GradientTape() as outer:
            if watch_outer:
                outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = f(x)
            dy = inner.gradient(y, x)
        return dy if order == 1 else outer.gradient(dy, x)

    return second_derivative


def _tape_hint(case, got, expected):
    if got is None or (getattr(got, "type_name", None) == "TypeError" and "None" in got.message):
        return ("a gradient came back None: x is a constant, not a Variable, so each tape must watch it "
                "(tape.watch(x)) before f(x) is computed.")
    if getattr(got, "type_name", None) == "RuntimeError" and "non-persistent" in got.message.lower():
        return ("a non-persistent tape can compute gradients only once: nest two tapes, the outer one "
                "recording the inner tape's gradient computation.")
    return None


X1 = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
EXERCISES = [
    Exercise(
        id="ex03_1",
        name="mul_grad",
        title="The gradient of z = x * y, with broadcasting",
        points=3,
        probe=run_mul_grad,
        cases=[
            Case(np.array([[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]]), X1, np.array([[2.0, 0.5, -1.0], [1.0, 1.0, 4.0]]),
                 label="x (2, 3), y (2, 3)"),
            Case(np.array([[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]]), X1, np.array([2.0, 0.5, -1.0]),
                 label="x (2, 3), y (3,): a bias-like row"),
            Case(np.arange(12.0).reshape(4, 3) - 5, np.arange(12.0).reshape(4, 3) / 4, np.array([[1.0, -1.0, 2.0]]),
                 label="x (4, 3), y (1, 3)"),
            Case(np.arange(12.0).reshape(4, 3) / 3 - 1, np.array([[1.0], [2.0], [-1.0], [0.5]]),
                 np.array([[0.5, -1.0, 2.0]]), label="x (4, 1), y (1, 3): both broadcast"),
            Case(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.5, -0.5], [1.0, 2.0]]), np.array(3.0),
                 label="x (2, 2), y () a scalar"),
            Case(np.arange(24.0).reshape(2, 3, 4) / 10, np.arange(24.0).reshape(2, 3, 4) / 7 - 1,
                 np.array([[1.0], [-2.0], [0.5]]), label="x (2, 3, 4), y (3, 1)"),
        ],
        reference=_mul_grad,
        hints=[
            _swapped_hint,
            Mistake(_mul_grad_mean, "sum over the broadcast axes, do not average: each copy of y contributed "
                    "to the output, and the contributions add up."),
            _broadcast_hint,
        ],
    ),
    Exercise(
        id="ex03_2",
        name="numerical_gradient",
        title="Central finite differences",
        points=3,
        probe=run_numerical_gradient,
        cases=[
            Case("sum_sin", np.array([0.3, -1.2, 2.0]), label="f = sum(sin(3x)), x of shape (3,)"),
            Case("quartic", np.array([1.0, -0.5, 2.0, 0.25]), label="f = sum(x^4)/4 + x[0] x[-1]"),
            Case("logsumexp", np.array([1.0, 2.0, -1.0]), label="f = log(sum(exp(x)))"),
            Case("matrix", np.array([[0.2, -0.4, 0.6], [1.0, 0.5, -0.3]]),
                 label="f = sum(tanh(x @ A)^2), x of shape (2, 3)"),
        ],
        reference=_central,
        compare=close(rtol=1e-7, atol=1e-7),
        hints=[
            _changed_x,
            Mistake(_difference("forward"), "(f(x + eps) - f(x)) / eps is a one-sided difference with error "
                    "O(eps); use the central difference (f(x + eps) - f(x - eps)) / (2 eps), error O(eps²)."),
            Mistake(_difference("no_half"), "your gradient is twice too large: f(x + eps) and f(x - eps) are 2 eps "
                    "apart, so divide by 2 * eps."),
            Mistake(_difference("no_restore"), "put each entry back to its old value after the two evaluations; "
                    "otherwise later entries are differentiated at a shifted point."),
            Mistake(_difference("rows"), "loop over every element, not just the first axis: for a 2-D x, x[i] is a "
                    "whole row. Use `for idx in np.ndindex(x.shape)`."),
        ],
    ),
    Exercise(
        id="ex03_3",
        name="Value",
        title="A tiny reverse-mode autodiff (micrograd's Value)",
        points=3,
        probe=run_value,
        cases=[
            Case("a*b + a", 2.0, -3.0),
            Case("a*a", 3.0, 0.0, label="a*a (a is used twice)"),
            Case("numbers", 1.5, -2.0, label="2*a + b*3 + 1 (Python numbers)"),
            Case("tanh(a*b + b)", 0.5, 0.8),
            Case("diamond", 1.5, -0.5, label="c = a*b; c*c + c*a (c feeds three ops)"),
            Case("neuron", 0.7, -0.2, label="tanh(0.5a - 1.5b + 0.25) * (a + b)"),
        ],
        reference=_value_class(),
        compare=close(rtol=1e-6, atol=1e-9),
        hints=[
            _value_hint,
            Mistake(_value_class(accumulate=False), "gradients must accumulate: a value used twice receives a "
                    "gradient from each use, so write `self.grad += ...`, not `self.grad = ...`."),
            Mistake(_value_class(topological=False), "call _backward() in reverse topological order: a node may "
                    "pass its gradient on only after every op that uses it has added its share (build the order "
                    "with a depth-first search, then walk it backwards)."),
            Mistake(_value_class(tanh_slope="input"), "d tanh(x)/dx = 1 - tanh(x)², with the output t = tanh(x), "
                    "not 1 - x²."),
            Mistake(_value_class(tanh_slope="linear"), "d tanh(x)/dx = 1 - t² (t squared), not 1 - t."),
        ],
    ),
    Exercise(
        id="ex03_4",
        name="softmax_vjp",
        title="The softmax gradient: a vector-Jacobian product",
        points=2,
        cases=[
            Case(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0]), label="logits (3,), one-hot upstream"),
            Case(np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0]]),
                 np.array([[0.3, -0.2, 1.0, 0.5], [1.0, 2.0, 3.0, 4.0]]), label="logits (2, 4)"),
            Case(np.array([[0.1, 0.2], [2.0, -1.0], [0.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]),
                 label="logits (3, 2)"),
            Case(np.array([1000.0, 1001.0, 1002.0]), np.array([0.0, 1.0, -1.0]), label="large logits"),
        ],
        reference=_softmax_vjp,
        hints=[
            Mistake(_vjp_diagonal, "that is only the diagonal of the Jacobian (as if softmax were element-wise "
                    "like sigmoid). Every output depends on every logit: J = diag(s) - s sᵀ, so "
                    "Jᵀg = s * (g - sum(g * s))."),
            Mistake(_vjp_axis0, "softmax and its gradient work along the last axis (each row is one "
                    "distribution): use axis=-1, not axis=0."),
            Mistake(_vjp_unstable, "exp(1000) overflows: subtract the row maximum from the logits before np.exp."),
            _keepdims_hint,
        ],
    ),
    Exercise(
        id="ex03_5",
        name="second_derivative",
        title="Second derivatives with nested GradientTapes",
        points=2,
        probe=run_second_derivative,
        cases=[
            Case("cube", np.array([1.0, 2.0, -0.5]), label="f = x³"),
            Case("sin", np.array([0.0, 1.0, 2.5]), label="f = sin(x)"),
            Case("tanh", np.array([-1.0, 0.0, 0.5]), label="f = tanh(x)"),
            Case("gauss", np.array([0.5, 1.0, 2.0]), label="f = exp(-x²)"),
        ],
        reference=_nested(),
        compare=close(rtol=1e-6, atol=1e-9),
        hints=[
            Mistake(_nested(order=1), "that is the first derivative: differentiate it once more, with the outer "
                    "tape: outer.gradient(dy_dx, x)."),
            Mistake(_nested(watch_outer=False), "the outer tape must watch x as well (outer.watch(x)), or it does not "
                    "record anything that depends on x and returns None."),
            _tape_hint,
        ],
    ),
]
