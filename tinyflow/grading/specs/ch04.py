"""Chapter 04 (eager, tape, function): four exercises on TF2's execution model.

- ex04_1 `train_linear(x, y, w0, b0, steps, learning_rate)`: the source chapter's linear regression, fixed
  (float32 data, prediction inside the tape), trained with SGD from the given start; returns (w, b).
- ex04_2 `predict_traces(calls)`: how many times a fresh `tf.function` traces for a sequence of calls,
  each a Python number or a tensor described as {"dtype": ..., "shape": [...]}.
- ex04_3 `hvp(f, x, v)`: a Hessian-vector product H(x) v with two nested GradientTapes.
- ex04_4 `jacobian(f, x)`: the (m, n) Jacobian of f: R^n -> R^m, one `tape.gradient` call per output.
"""

import numpy as np

from tinyflow.grading._runtime import Raised
from tinyflow.grading.compare import close, equal
from tinyflow.grading.spec import Case, Exercise, Mistake


def _raised(got, type_name, text=""):
    return isinstance(got, Raised) and got.is_a(type_name) and text in got.message


# -- ex04_1: the source chapter's example, fixed -------------------------------------------------------
def _gd_line(x, y, w0, b0, steps=100, learning_rate=0.01, *, scale="mean", sign=1.0, update_b=True,
             update_w=True):
    """Gradient descent on the mean squared error of y ≈ w x + b, in float64 (or a buggy variant)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w, b = float(w0), float(b0)
    n = x.size if scale == "mean" else 1
    with np.errstate(all="ignore"):  # the buggy variants diverge
        for _ in range(steps):
            r = w * x + b - y  # residuals
            dw, db = 2 * np.sum(r * x) / n, 2 * np.sum(r) / n  # d/dw and d/db of mean(r²)
            if update_w:
                w -= sign * learning_rate * dw
            if update_b:
                b -= sign * learning_rate * db
    return (float(w), float(b))


def _linear_hints(case, got, expected):
    if _raised(got, "ValueError", "No gradients"):
        return ("the tape returned None for w and b: the prediction y_pred = w * x + b must be computed INSIDE "
                "the `with tf.GradientTape() as tape:` block, on every step. The tape only records operations "
                "that run while it is active.")
    if _raised(got, "InvalidArgumentError") or _raised(got, "TypeError", "int32"):
        return ("the data arrive as Python ints, which tf.constant makes int32, while w and b are float32: "
                "TensorFlow never casts for you. Use tf.constant(x, dtype=tf.float32) or tf.cast(x, tf.float32).")
    if _raised(got, "TypeError", "NoneType"):
        return ("a gradient is None: compute the prediction and the loss inside the GradientTape block, and "
                "ask for gradients of that loss with respect to the Variables [w, b].")
    return None


def _float_pair(case, got, expected):
    if isinstance(got, (tuple, list)) and len(got) == 2:
        shapes = [np.shape(v) for v in got]
        if any(s not in ((), (1,)) for s in shapes):
            return f"return two numbers (w, b); you returned values of shapes {shapes}."
    return None


EX04_1 = Exercise(
    id="ex04_1",
    name="train_linear",
    title="The source chapter's linear regression, fixed",
    points=3,
    cases=[
        Case([1, 2, 3], [2, 4, 6], 0.5, -0.5, 100, 0.01, label="the source chapter's int data, 100 steps"),
        Case([1, 2, 3], [2, 4, 6], 0.5, -0.5, 1000, 0.05, label="the source chapter's data, 1000 steps at lr 0.05"),
        Case([0.0, 1.0, 2.0, 3.0, 4.0], [-1.1, 2.0, 5.1, 7.9, 11.0], 0.0, 0.0, 200, 0.02,
             label="float data, start at w=0, b=0"),
        Case([-2, -1, 0, 1, 2], [-3, -1, 1, 3, 5], 1.0, 1.0, 50, 0.1, label="int data centred on 0"),
        Case([1, 2, 3], [2, 4, 6], 1.5, 2.0, 0, 0.01, label="steps=0 returns the start"),
    ],
    reference=_gd_line,
    compare=close(rtol=1e-4, atol=1e-4),
    hints=[
        _linear_hints,
        _float_pair,
        Mistake(lambda x, y, w0, b0, steps=100, learning_rate=0.01: (w0, b0),
                "w and b never change: apply the gradients (optimizer.apply_gradients(zip(grads, [w, b]))) on "
                "every step, and return the trained variables' values."),
        Mistake(lambda *a: _gd_line(*a, sign=-1.0),
                "w and b move uphill: subtract the gradient (or let the optimizer do it); do not add it."),
        Mistake(lambda *a: _gd_line(*a, scale="sum"),
                "your steps are n times too large: the loss is the MEAN of the squared errors "
                "(tf.reduce_mean or tf.keras.losses.MeanSquaredError), not their sum."),
        Mistake(lambda *a: _gd_line(*a, update_b=False),
                "b never changes: pass both variables, [w, b], to tape.gradient and apply_gradients."),
        Mistake(lambda *a: _gd_line(*a, update_w=False),
                "w never changes: pass both variables, [w, b], to tape.gradient and apply_gradients."),
    ],
)


# -- ex04_2: predicting traces -----------------------------------------------------------------------------
def _signature(call, *, tensors="dtype+shape", numbers="value"):
    if isinstance(call, dict):
        dtype, shape = str(call["dtype"]), tuple(call["shape"])
        return ("tensor",) + {"dtype+shape": (dtype, shape), "dtype": (dtype,), "shape": (shape,)}[tensors]
    if numbers == "value":
        return ("python", type(call).__name__, call)
    if numbers == "type":
        return ("python", type(call).__name__)
    return ("tensor", {"int": "int32", "float": "float32", "bool": "bool"}[type(call).__name__], ())


def _predict_traces(calls):
    """Distinct signatures: (dtype, shape) for a tensor, the value itself for a Python number."""
    return len({_signature(c) for c in calls})


EX04_2 = Exercise(
    id="ex04_2",
    name="predict_traces",
    title="Predict how many times tf.function traces",
    points=2,
    cases=[
        Case([1.0, 2.0, 1.0], label="Python floats 1.0, 2.0, 1.0"),
        Case([{"dtype": "float32", "shape": []}] * 3, label="three float32 scalars"),
        Case([{"dtype": "float32", "shape": [3]}, {"dtype": "float32", "shape": [4]},
              {"dtype": "float32", "shape": [3]}], label="float32 vectors of length 3, 4, 3"),
        Case([{"dtype": "float32", "shape": [2]}, {"dtype": "int32", "shape": [2]},
              {"dtype": "float64", "shape": [2]}], label="one shape, three dtypes"),
        Case([1.0, {"dtype": "float32", "shape": []}, 2.0, {"dtype": "float32", "shape": []}, 1.0, 3],
             label="floats 1.0, 2.0, int 3 and two float32 scalars"),
        Case([{"dtype": "float32", "shape": [2, 3]}, {"dtype": "float32", "shape": [3, 2]},
              {"dtype": "float32", "shape": [2, 3]}, 5, 5], label="shapes (2, 3), (3, 2), (2, 3), then 5, 5"),
        Case([], label="no calls"),
        Case([float(i) for i in range(10)], label="the floats 0.0 ... 9.0 (a Python loop counter)"),
    ],
    reference=_predict_traces,
    compare=equal(),
    hints=[
        Mistake(lambda calls: len(calls),
                "a tf.function keeps every trace it made: a call whose signature was seen before reuses it."),
        Mistake(lambda calls: len({_signature(c, numbers="tensor") for c in calls}),
                "Python numbers are not converted to tensors for the signature: each distinct VALUE is a new "
                "signature (so f(1.0) and f(2.0) trace twice). Pass tf.constant(...) to avoid that."),
        Mistake(lambda calls: len({_signature(c, numbers="type") for c in calls}),
                "for a Python number the value itself is part of the signature, not just its type."),
        Mistake(lambda calls: len({_signature(c, tensors="dtype") for c in calls}),
                "a tensor's signature is its dtype AND its shape: a vector of length 4 retraces a function "
                "traced for length 3 (unless you give an input_signature with None dimensions)."),
        Mistake(lambda calls: len({_signature(c, tensors="shape") for c in calls}),
                "a tensor's signature is its dtype AND its shape: float32 and int32 tensors need different graphs."),
    ],
)


# -- ex04_3: Hessian-vector product --------------------------------------------------------------------
def run_hvp(hvp, f_name, x, v):
    """Call `hvp(f, x, v)` on a named scalar function of a float64 vector; return H(x) v as an array."""
    import tinyflow as tf

    a = tf.constant(np.array([[2.0, 1.0, 0.0], [-1.0, 3.0, 0.5], [0.0, 0.5, 1.0]]))
    fs = {
        "quartic": lambda x: tf.reduce_sum(x**4) / 4.0,
        "rosenbrock": lambda x: tf.reduce_sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2),
        "quadratic": lambda x: 0.5 * tf.reduce_sum(x * tf.reduce_sum(a * x, axis=1)),
        "log_sum_exp": lambda x: tf.reduce_logsumexp(x * x - x),
    }
    out = hvp(fs[f_name], tf.constant(np.array(x, dtype=np.float64)), tf.constant(np.array(v, dtype=np.float64)))
    return None if out is None else np.asarray(out)


def _hvp_full_hessian(f, x, v):
    """Reference: build the whole Hessian with tape.jacobian of the gradient, then multiply by v."""
    import tinyflow as tf

    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        g = inner.gradient(y, x)
    h = outer.jacobian(g, x)  # (n, n)
    return tf.reduce_sum(h * v, axis=1)  # H @ v


def _first_order(f, x, v):
    import tinyflow as tf

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)


def _hessian_times_ones(f, x, v):
    import tinyflow as tf

    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        g = inner.gradient(y, x)
    return outer.gradient(g, x)  # the gradient of sum(g): H @ ones, v is ignored


def _gradient_times_v(f, x, v):
    return _first_order(f, x, v) * v


def _hvp_hints(case, got, expected):
    if got is None or _raised(got, "TypeError", "NoneType") or _raised(got, "TypeError", "None"):
        return ("the outer tape gave None: it saw no path from x to what you differentiated. Compute the inner "
                "gradient INSIDE the outer tape's `with` block (so the backward pass itself is recorded), and "
                "watch x on both tapes (x is a constant, not a Variable).")
    if _raised(got, "RuntimeError", "persistent"):
        return "call gradient() once per tape, or create the tape with persistent=True."
    return None


EX04_3 = Exercise(
    id="ex04_3",
    name="hvp",
    title="Hessian-vector product with nested tapes",
    points=2,
    cases=[
        Case("quartic", [1.0, -2.0, 0.5], [1.0, 1.0, 1.0]),
        Case("quartic", [1.0, -2.0, 0.5], [0.0, 1.0, 0.0]),
        Case("rosenbrock", [0.5, -1.0, 2.0], [1.0, 0.0, -1.0]),
        Case("quadratic", [0.3, 0.2, -0.4], [1.0, 2.0, 3.0]),
        Case("log_sum_exp", [0.1, 0.7, -0.3], [0.5, -1.0, 2.0]),
    ],
    reference=_hvp_full_hessian,
    probe=run_hvp,
    compare=close(rtol=1e-6, atol=1e-8),
    hints=[
        _hvp_hints,
        Mistake(_first_order, "you returned the gradient g = ∇f(x). Differentiate once more: the outer tape "
                "differentiates g · v (a scalar) with respect to x."),
        Mistake(_gradient_times_v, "g * v multiplies the first derivative by v; H v needs the SECOND derivative: "
                "differentiate sum(g * v) with respect to x with the outer tape."),
        Mistake(_hessian_times_ones, "outer.gradient(g, x) differentiates sum(g), which is H @ ones. Form the "
                "scalar tf.reduce_sum(g * v) first, then differentiate it."),
    ],
)


# -- ex04_4: a Jacobian from gradient calls -------------------------------------------------------------
def run_jacobian(jacobian, f_name, x):
    """Call `jacobian(f, x)` on a named function R^n -> R^m of a float64 vector; return it as an array."""
    import tinyflow as tf

    a = tf.constant(np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]]))
    fs = {
        "linear": lambda x: tf.reduce_sum(a * x, axis=1),  # A @ x: (3,) from (2,)
        "poly": lambda x: tf.stack([x[0] * x[1], x[0] ** 2, tf.sin(x[1])]),
        "tanh": lambda x: tf.tanh(x),
        "softmax": lambda x: tf.nn.softmax(x),
        "with_constant": lambda x: tf.stack([x[0] * x[1] * x[2], tf.constant(3.0, dtype=tf.float64)]),
    }
    out = jacobian(fs[f_name], tf.constant(np.array(x, dtype=np.float64)))
    return None if out is None else np.asarray(out)


def _jacobian_fd(f, x, eps=1e-6):
    """Reference: central finite differences, one input coordinate at a time (float64)."""
    import tinyflow as tf

    x0 = np.asarray(x, dtype=np.float64)
    columns = []
    for j in range(x0.size):
        step = np.zeros_like(x0)
        step[j] = eps
        plus, minus = np.asarray(f(tf.constant(x0 + step))), np.asarray(f(tf.constant(x0 - step)))
        columns.append((plus - minus) / (2 * eps))
    return np.stack(columns, axis=1)  # (m, n): row i is the gradient of y[i]


def _jacobian_hints(case, got, expected):
    if _raised(got, "RuntimeError", "persistent"):
        return ("a tape can compute gradients only once: create it with tf.GradientTape(persistent=True) to call "
                "gradient() once per output.")
    if got is None or (isinstance(got, Raised) and "None" in got.message):
        return ("a gradient came back None: the tape only sees what runs inside it. Slicing y[i] is an operation "
                "too, so take y[i] inside the `with` block (or collect the rows there), and watch x.")
    shape, want = np.shape(got), np.shape(expected)
    if isinstance(got, np.ndarray) and shape == want and not got.any() and np.any(expected):
        return ("every entry is zero: the tape saw no path from x to the rows you differentiated. Slicing y[i] is "
                "an operation too, so take y[i] inside the `with` block (or collect the rows there).")
    if isinstance(got, np.ndarray) and shape == want[::-1] and shape != want:
        return f"you returned shape {shape}, the transpose: row i of the Jacobian is the gradient of y[i], {want}."
    if isinstance(got, np.ndarray) and shape == (want[1],):
        return ("you returned one gradient: tape.gradient(y, x) of a vector y is the gradient of sum(y). Loop over "
                "the outputs and take one gradient per y[i], stacked as rows.")
    return None


EX04_4 = Exercise(
    id="ex04_4",
    name="jacobian",
    title="A Jacobian from one gradient call per output",
    points=2,
    cases=[
        Case("linear", [0.5, -1.0]),
        Case("poly", [1.5, -0.5]),
        Case("tanh", [0.1, -0.4, 2.0, 0.0]),
        Case("softmax", [1.0, 2.0, 0.5]),
        Case("with_constant", [1.0, 2.0, 3.0], label="an output that does not depend on x"),
    ],
    reference=_jacobian_fd,
    probe=run_jacobian,
    compare=close(rtol=1e-5, atol=1e-7),
    hints=[_jacobian_hints],
)

EXERCISES = [EX04_1, EX04_2, EX04_3, EX04_4]
