"""Chapter 05 (training): four exercises on losses, optimizers and training loops.

- ex05_1 `adam_update(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)`: one Adam step exactly as
  `tf.keras.optimizers.Adam` computes it; returns (w, m, v). Graded on several steps of a quadratic.
- ex05_2 `bce_from_logits(labels, logits)`: element-wise binary cross-entropy from logits, stable for any logit.
- ex05_3 `train_logistic(x, y, steps, learning_rate)`: a broken logistic-regression loop, fixed; returns (w, b).
- ex05_4 `momentum_update(w, g, velocity, learning_rate, momentum)`: one step of SGD with momentum (Keras's
  convention); returns (w, velocity). Graded on the trajectory of w.
"""

import numpy as np

from tinyflow.grading._runtime import Raised
from tinyflow.grading.compare import close
from tinyflow.grading.spec import Case, Exercise, Mistake


def _raised(got, type_name, text=""):
    return isinstance(got, Raised) and got.is_a(type_name) and text in got.message


def _has_nan(got):
    if isinstance(got, dict):
        return any(_has_nan(v) for v in got.values())
    try:
        return not np.all(np.isfinite(np.asarray(got, dtype=np.float64)))
    except (TypeError, ValueError):
        return False


# -- ex05_1: Adam --------------------------------------------------------------------------------------
def run_optimizer(update, w0, curvature, steps, **hyper):
    """Minimise f(w) = 0.5 * sum(curvature * w²) from w0 with `update`; return every w and the final state.

    `update` is the learner's adam_update (state: m, v) or momentum_update (state: velocity), told apart
    by its parameter names.
    """
    import inspect

    w = np.array(w0, dtype=np.float64)
    a = np.array(curvature, dtype=np.float64)
    names = list(inspect.signature(update).parameters)
    adam = "m" in names and "v" in names
    state = [np.zeros_like(w), np.zeros_like(w)] if adam else [np.zeros_like(w)]
    path = []
    for t in range(1, steps + 1):
        g = a * w  # the gradient of f
        if adam:
            out = update(w, g, state[0], state[1], t, **hyper)
        else:
            out = update(w, g, state[0], **hyper)
        if not isinstance(out, (tuple, list)) or len(out) != 1 + len(state):
            raise TypeError(f"return a tuple of {1 + len(state)} arrays, got {type(out).__name__}")
        w = np.asarray(out[0], dtype=np.float64).reshape(w.shape)
        state = [np.asarray(s, dtype=np.float64).reshape(w.shape) for s in out[1:]]
        path.append(w)
    result = {"w": np.array(path)}
    if adam:
        result["m"], result["v"] = state
    return result


def _adam(epsilon_at="keras", bias_correction=True, sqrt=True, square=True, swap_betas=False, t_shift=0):
    """Adam as Keras computes it, or a buggy variant."""

    def adam_update(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        b1, b2 = (1 - beta_1, 1 - beta_2) if swap_betas else (beta_1, beta_2)
        t = t + t_shift
        with np.errstate(all="ignore"):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * (g * g if square else g)
            root = np.sqrt if sqrt else (lambda z: z)
            if epsilon_at == "keras":  # Keras: bias correction folded into the step size, ε̂ added to sqrt(v)
                alpha = learning_rate * np.sqrt(1 - b2**t) / (1 - b1**t) if bias_correction else learning_rate
                w = w - alpha * m / (root(v) + epsilon)
            elif epsilon_at == "inside":
                alpha = learning_rate * np.sqrt(1 - b2**t) / (1 - b1**t) if bias_correction else learning_rate
                w = w - alpha * m / root(v + epsilon)
            else:  # the paper's Algorithm 1: ε added to sqrt(v̂)
                m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
                denominator = root(v_hat + epsilon) if epsilon_at == "paper_inside" else root(v_hat) + epsilon
                w = w - learning_rate * m_hat / denominator
        return w, m, v

    return adam_update


def _adam_hints(case, got, expected):
    if _raised(got, "TypeError", "return a tuple"):
        return "return the three updated values as a tuple: (w, m, v)."
    if _has_nan(got):
        return ("your update produced nan or inf: check that v is a running mean of the SQUARED gradient (so it "
                "is never negative) and that the bias correction uses t = 1 on the first step (1 - beta**0 = 0).")
    return None


_PAPER_HINT = ("your update is the Adam paper's Algorithm 1 (ε added to sqrt(v̂)). Keras uses the paper's faster "
               "form: alpha_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t), w -= alpha_t * m / (sqrt(v) + ε), with ε "
               "added to sqrt(v), not to sqrt(v̂). The two differ when ε is not tiny next to sqrt(v).")

EX05_1 = Exercise(
    id="ex05_1",
    name="adam_update",
    title="Adam from its formula, as Keras computes it",
    points=3,
    cases=[
        Case([1.0, -2.0], [1.0, 10.0], 5, learning_rate=0.1, label="two weights, curvatures 1 and 10, 5 steps"),
        Case([0.5], [3.0], 20, learning_rate=0.01, label="one weight, 20 steps at lr 0.01"),
        Case([2.0, 1.0, -1.0], [1.0, 2.0, 0.5], 10, learning_rate=0.05, beta_1=0.5, beta_2=0.9,
             label="beta_1=0.5, beta_2=0.9"),
        Case([1.0, 1.0], [1e-3, 1e-4], 6, learning_rate=0.1, label="tiny gradients (ε matters)"),
        Case([1.0, -1.0], [1.0, 0.1], 5, learning_rate=0.1, epsilon=0.1, label="a large epsilon=0.1"),
    ],
    reference=_adam(),
    probe=run_optimizer,
    compare=close(rtol=1e-5, atol=1e-9),
    hints=[
        _adam_hints,
        Mistake(_adam(bias_correction=False),
                "you left out the bias correction: m and v start at 0, so early on they are too small by the "
                "factors (1 - beta_1^t) and (1 - beta_2^t). Scale the step by sqrt(1 - beta_2^t) / (1 - beta_1^t)."),
        Mistake(_adam(epsilon_at="inside"),
                "epsilon goes outside the square root: divide by (sqrt(v) + epsilon), not sqrt(v + epsilon)."),
        Mistake(_adam(epsilon_at="paper_inside"),
                "epsilon goes outside the square root: divide by (sqrt(v) + epsilon), not sqrt(v + epsilon)."),
        Mistake(_adam(sqrt=False),
                "divide by the square ROOT of v (an RMS of the gradients, same units as g), not by v itself."),
        Mistake(_adam(epsilon_at="paper", sqrt=False),
                "divide by the square ROOT of v (an RMS of the gradients, same units as g), not by v itself."),
        Mistake(_adam(epsilon_at="paper"), _PAPER_HINT),
        Mistake(_adam(swap_betas=True),
                "the betas are swapped: m = beta_1 * m + (1 - beta_1) * g keeps 90% of the old average."),
        Mistake(_adam(t_shift=1), "the first step has t = 1 (the probe passes t = 1, 2, 3 ...): do not add 1."),
    ],
)


# -- ex05_2: binary cross-entropy from logits -----------------------------------------------------------
def _bce_stable(labels, logits):
    """max(x, 0) - x z + log(1 + exp(-|x|)), via numpy's logaddexp: log(e^0 + e^x) - x z."""
    z, x = np.asarray(labels, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    return np.logaddexp(0.0, x) - x * z


def _bce_naive(labels, logits):
    z, x = np.asarray(labels, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-x))
        return -(z * np.log(p) + (1 - z) * np.log(1 - p))


def _bce_softplus_naive(labels, logits):
    z, x = np.asarray(labels, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.log(1 + np.exp(x)) - x * z


def _bce_variant(sign=-1.0, with_max=True):
    def bce(labels, logits):
        z, x = np.asarray(labels, dtype=np.float64), np.asarray(logits, dtype=np.float64)
        return (np.maximum(x, 0) if with_max else 0.0) + sign * x * z + np.log1p(np.exp(-np.abs(x)))

    return bce


def _bce_hints(case, got, expected):
    if _has_nan(got):
        return ("you got inf or nan for large logits: sigmoid(x) rounds to exactly 0 or 1, and log(0) = -inf; "
                "exp(1000) overflows. Rewrite the loss so that exp only sees -|x|: "
                "max(x, 0) - x * z + log(1 + exp(-|x|)).")
    if np.ndim(got) == 0 and np.ndim(expected) > 0:
        return "return one loss per element (the same shape as logits), not the mean."
    return None


EX05_2 = Exercise(
    id="ex05_2",
    name="bce_from_logits",
    title="A numerically stable binary cross-entropy from logits",
    points=2,
    cases=[
        Case(np.array([1.0, 0.0, 1.0, 0.0]), np.array([2.0, -1.0, -3.0, 0.5]), label="moderate logits"),
        Case(np.array([0.0, 1.0]), np.array([0.0, 0.0]), label="logit 0: log 2 each"),
        Case(np.array([1.0, 0.0, 1.0, 0.0]), np.array([1000.0, -1000.0, -1000.0, 1000.0]),
             label="logits ±1000"),
        Case(np.array([0.0, 1.0, 1.0, 0.0]), np.array([50.0, -50.0, 40.0, -40.0]), label="logits ±50 and ±40"),
        Case(np.array([[0.3, 1.0, 0.0], [0.5, 0.9, 0.1]]), np.array([[0.2, -4.0, 3.0], [-0.7, 8.0, -2.5]]),
             label="soft labels, shape (2, 3)"),
    ],
    reference=_bce_stable,
    compare=close(rtol=1e-5, atol=1e-6),
    hints=[
        _bce_hints,
        Mistake(_bce_variant(sign=1.0), "the label term has the wrong sign: the loss is max(x, 0) - x * z + "
                "log(1 + exp(-|x|)), so it gets smaller when the logit agrees with the label."),
        Mistake(_bce_variant(with_max=False), "you dropped max(x, 0): log(1 + exp(x)) = max(x, 0) + "
                "log(1 + exp(-|x|)), the max is what keeps the identity exact."),
        Mistake(lambda labels, logits: _bce_stable(logits, labels),
                "labels come first and logits second, as in tf.nn.sigmoid_cross_entropy_with_logits(labels, logits)."),
    ],
)


# -- ex05_3: a broken logistic-regression loop ------------------------------------------------------------
def _logistic_data(noise, n, drop, seed):
    """Two Gaussian blobs, minus the last `drop` points of class 0, so the classes are unbalanced (then the
    bias has a gradient from the first step, and a loop that never updates w still moves b)."""
    from tinyflow.datasets import classify_two_gauss

    x, y = classify_two_gauss(n, noise=noise, rng=seed)  # the first half is class +1, the second half -1
    x, y = x[: n - drop], y[: n - drop]
    return np.round(x / 4, 3), (y > 0).astype(np.float64)  # inputs scaled to about [-1, 1], labels 0/1


_CLEAN = _logistic_data(0, 40, 8, 1)
_NOISY = _logistic_data(50, 60, 15, 2)


def run_train_logistic(train_logistic, x, y, steps, learning_rate):
    """Call the learner's loop; return w (flattened to (2,)) and b as plain numbers."""
    out = train_logistic(x, y, steps=steps, learning_rate=learning_rate)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"return a pair (w, b), got {type(out).__name__}")
    w, b = out
    b = float(np.asarray(b, dtype=np.float64).reshape(-1)[0])
    return {"w": np.asarray(w, dtype=np.float64).reshape(-1), "b": b}


def _gd_logistic(kind="right"):
    """Full-batch gradient descent on the mean logistic loss from w = 0, b = 0 (or a buggy variant)."""

    def train_logistic(x, y, steps=100, learning_rate=0.5):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1, 1)
        w, b = np.zeros((x.shape[1], 1)), 0.0
        n = 1 if kind == "sum" else len(x)
        sign = -1.0 if kind == "ascent" else 1.0
        with np.errstate(all="ignore"):
            for _ in range(steps):
                p = 1 / (1 + np.exp(-(x @ w + b)))  # (n, 1)
                dw, db = x.T @ (p - y) / n, float(np.sum(p - y)) / n  # gradients of the mean loss
                if kind in ("right", "sum", "ascent", "b_ascent", "only_w"):
                    w = w - sign * learning_rate * dw
                if kind in ("right", "sum", "ascent", "only_b"):
                    b = b - sign * learning_rate * db
                if kind == "b_ascent":
                    b = b + learning_rate * db
        return w, b

    return train_logistic


def _loop_hints(case, got, expected):
    if _raised(got, "TypeError", "NoneType") or _raised(got, "ValueError", "No gradients"):
        return ("a gradient is None: the tape only records operations run inside its `with` block, so the logits "
                "(and the loss) must be computed there, on every step.")
    if _raised(got, "TypeError", "return a pair"):
        return "return the trained (w, b), e.g. `return w.numpy(), b.numpy()`."
    if _raised(got, "InvalidArgumentError"):
        return "x and y arrive as float64 numpy arrays: convert them to float32 (tf.constant(x, dtype=tf.float32))."
    return None


EX05_3 = Exercise(
    id="ex05_3",
    name="train_logistic",
    title="Fix a broken training loop",
    points=3,
    cases=[
        Case(_CLEAN[0], _CLEAN[1], 50, 0.5, label="separable blobs, 50 steps at lr 0.5"),
        Case(_NOISY[0], _NOISY[1], 100, 0.2, label="overlapping blobs, 100 steps at lr 0.2"),
        Case(_NOISY[0], _NOISY[1], 1, 1.0, label="a single step"),
    ],
    reference=_gd_logistic(),
    probe=run_train_logistic,
    compare=close(rtol=1e-4, atol=1e-5),
    hints=[
        _loop_hints,
        Mistake(_gd_logistic("none"), "w and b never change: `w - learning_rate * dw` makes a new tensor and "
                "throws it away. Update the Variables in place with w.assign_sub(learning_rate * dw)."),
        Mistake(_gd_logistic("only_b"), "w never changes: `w - learning_rate * dw` makes a new tensor and throws "
                "it away. Update the Variable in place with w.assign_sub(learning_rate * dw)."),
        Mistake(_gd_logistic("only_w"), "b never changes: update it too, with b.assign_sub(learning_rate * db)."),
        Mistake(_gd_logistic("ascent"), "the loss goes UP: gradient descent subtracts the gradient "
                "(assign_sub), since the gradient points uphill."),
        Mistake(_gd_logistic("b_ascent"), "b moves uphill: gradient descent subtracts the gradient, so use "
                "b.assign_sub(learning_rate * db), not assign_add."),
        Mistake(_gd_logistic("sum"), "your steps are n times too large: average the per-example losses "
                "(tf.reduce_mean), do not sum them."),
    ],
)


# -- ex05_4: momentum ------------------------------------------------------------------------------------
def _momentum(kind="keras"):
    """SGD with momentum, Keras's convention (v = mu v - lr g; w += v), or a buggy variant."""

    def momentum_update(w, g, velocity, learning_rate=0.01, momentum=0.9):
        if kind == "plain":
            return w - learning_rate * g, velocity
        if kind == "old_velocity":
            return w + velocity, momentum * velocity - learning_rate * g
        if kind == "plus":
            velocity = momentum * velocity + learning_rate * g
            return w + velocity, velocity
        if kind == "nesterov":
            velocity = momentum * velocity - learning_rate * g
            return w + momentum * velocity - learning_rate * g, velocity
        if kind == "damped":  # an exponential moving average of g instead of a sum
            velocity = momentum * velocity + (1 - momentum) * g
            return w - learning_rate * velocity, velocity
        velocity = momentum * velocity - learning_rate * g
        return w + velocity, velocity

    return momentum_update


def _momentum_hints(case, got, expected):
    if _raised(got, "TypeError", "return a tuple"):
        return "return the pair (w, velocity): the velocity must be carried to the next step."
    return None


EX05_4 = Exercise(
    id="ex05_4",
    name="momentum_update",
    title="SGD with momentum",
    points=2,
    cases=[
        Case([1.0, 1.0], [1.0, 20.0], 8, learning_rate=0.04, momentum=0.9, label="a narrow valley, 8 steps"),
        Case([2.0], [0.5], 15, learning_rate=0.1, momentum=0.5, label="one weight, momentum 0.5"),
        Case([1.0, -3.0, 0.5], [2.0, 1.0, 4.0], 6, learning_rate=0.1, momentum=0.0, label="momentum 0 is plain SGD"),
    ],
    reference=_momentum(),
    probe=run_optimizer,
    compare=close(rtol=1e-6, atol=1e-9),
    hints=[
        _momentum_hints,
        Mistake(_momentum("plain"), "your steps ignore the velocity: keep a running velocity, "
                "v = momentum * v - learning_rate * g, move w by v, and return the new v."),
        Mistake(_momentum("old_velocity"), "you moved w with the OLD velocity: update the velocity first, "
                "then w = w + velocity."),
        Mistake(_momentum("plus"), "w moves uphill: the velocity accumulates -learning_rate * g."),
        Mistake(_momentum("nesterov"), "that is Nesterov momentum (w moves by momentum * v - lr * g); "
                "the classic update is simply w = w + v."),
        Mistake(_momentum("damped"), "you averaged the gradients with weights (1 - momentum): Keras's velocity "
                "is a plain decaying SUM, v = momentum * v - learning_rate * g (steps grow to lr / (1 - momentum))."),
    ],
)

EXERCISES = [EX05_1, EX05_2, EX05_3, EX05_4]
