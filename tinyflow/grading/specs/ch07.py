"""Chapter 07 (the Playground): the pieces of the original's training rule, and a network that solves the spiral.

- ex07_1 `playground_features(points, features)`: the Playground's input features of points (n, 2)
  for a list of feature ids ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"), as (n, k).
- ex07_2 `square_loss(output, label)`: the Playground's loss, the mean of ½ (output − label)².
- ex07_3 `playground_update(w, grad_sum, count, learning_rate, regularization, rate)`: the original's
  ``updateWeights``: ``w − learning_rate / count · (grad_sum + rate · R'(w))`` with R'(w) = sign(w)
  (+1 at 0) for "L1", w for "L2", 0 for "none".
- ex07_4 `small_spiral_network()`: Playground settings (a dict) whose network reaches a test loss
  below 0.05 on the spiral within 400 epochs, with at most 40 weights and biases.
"""

import numpy as np

from tinyflow.grading.spec import Case, Exercise, Mistake

_FEATURE_FNS = {
    "x1": lambda a, b: a, "x2": lambda a, b: b, "x1^2": lambda a, b: a * a, "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b, "sin(x1)": lambda a, b: np.sin(a), "sin(x2)": lambda a, b: np.sin(b),
}


def _playground_features(points, features):
    points = np.asarray(points, dtype=np.float64)
    columns = [_FEATURE_FNS[f](points[:, 0], points[:, 1]) for f in features]
    return np.stack(columns, axis=1) if columns else np.zeros((len(points), 0))


def _cos_instead_of_sin(points, features):
    trig = {"sin(x1)": lambda p: np.cos(p[:, 0]), "sin(x2)": lambda p: np.cos(p[:, 1])}
    p = np.asarray(points, dtype=np.float64)
    return np.stack([trig[f](p) if f in trig else _playground_features(p, [f])[:, 0] for f in features], axis=1)


def _wrong_order(case, got, expected):
    if getattr(got, "shape", None) == expected.shape and expected.ndim == 2 and expected.shape[1] > 1:
        if np.allclose(np.sort(got, axis=1), np.sort(expected, axis=1)):
            return "the columns are right but in the wrong order: one column per id, in the order of `features`."
    return None


def _transposed(case, got, expected):
    if getattr(got, "shape", None) == expected.shape[::-1] and expected.ndim == 2 and np.allclose(got.T, expected):
        return "one column per feature: np.stack(columns, axis=1); np.array(columns) puts them in rows."
    return None


def _per_point(case, got, expected):
    if getattr(got, "shape", None) not in (None, ()) and np.size(got) == np.size(case.args[0]):
        return "return one number, the mean over the points, not one loss per point."
    return None


_POINTS = np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 0.5], [6.0, 6.0]])


def _square_loss(output, label):
    output, label = np.asarray(output, dtype=np.float64), np.asarray(label, dtype=np.float64)
    return float(np.mean(0.5 * (output - label) ** 2))  # nn.ts: Errors.SQUARE, averaged as getLoss does


def _playground_update(w, grad_sum, count, learning_rate, regularization, rate):
    w = np.asarray(w, dtype=np.float64)
    derivative = {"none": 0.0 * w, "L1": np.where(w < 0, -1.0, 1.0), "L2": w}[regularization]
    return w - learning_rate / count * (np.asarray(grad_sum) + rate * derivative)


def _np_sign_l1(w, grad_sum, count, learning_rate, regularization, rate):
    if regularization == "L1":
        return np.asarray(w) - learning_rate / count * (np.asarray(grad_sum) + rate * np.sign(w))
    return _playground_update(w, grad_sum, count, learning_rate, regularization, rate)


def _spiral_verdict(make_settings):
    """Probe: train the learner's settings on the spiral (seed 0, 400 epochs); a verdict string."""
    from tinyflow.playground import Playground

    settings = dict(make_settings())
    pg = Playground(dataset="spiral", seed=0, **{"learning_rate": 0.1, **settings})
    size = sum(w.size for w in pg.get_weights())
    if size > 40:
        return f"too big: {size} weights and biases (at most 40)"
    pg.step(epochs=400)
    if not pg.test_loss < 0.05:
        return f"not solved: test loss {pg.test_loss:.3f} after 400 epochs (needs < 0.05)"
    return "solved"


def _small_spiral_network():
    return {"features": ["x1", "x2", "sin(x1)", "sin(x2)"], "hidden": [5]}


def _same_verdict(got, expected):
    return None if got == expected else f"gave {got!r}, expected {expected!r}"


def _spiral_hint(case, got, expected):
    if isinstance(got, str) and got.startswith("not solved"):
        return ("X1 and X2 alone need several layers for two spiral arms; feed sin(X1) and sin(X2) too, "
                "which already wiggle like the arms, and one small hidden layer is enough.")
    if isinstance(got, str) and got.startswith("too big"):
        return "each neuron costs (inputs + 1) weights: try one hidden layer of 4 or 5 neurons."
    return None


EXERCISES = [
    Exercise(
        id="ex07_1",
        name="playground_features",
        title="The Playground's input features",
        points=2,
        cases=[Case(_POINTS, ["x1", "x2"]), Case(_POINTS, ["x1^2", "x2^2", "x1*x2"]),
               Case(_POINTS, ["sin(x2)", "x1", "sin(x1)"], label="sines, out of order"),
               Case(_POINTS[:1], ["x2"], label="one point, one feature")],
        reference=_playground_features,
        hints=[Mistake(_cos_instead_of_sin, "sin(X1) is np.sin of the first coordinate, not np.cos."), _wrong_order,
               _transposed],
    ),
    Exercise(
        id="ex07_2",
        name="square_loss",
        title="The Playground's loss",
        points=1,
        cases=[Case(np.array([1.0, -1.0]), np.array([1.0, 1.0])), Case(np.array([0.5]), np.array([-1.0])),
               Case(np.array([0.2, 0.4, -0.9, 0.0]), np.array([1.0, 1.0, -1.0, -1.0]))],
        reference=_square_loss,
        hints=[Mistake(lambda o, y: float(np.mean((o - y) ** 2)), "the Playground's error is ½ (out − y)²: "
                       "you forgot the ½, which makes its derivative simply out − y."),
               Mistake(lambda o, y: float(np.sum(0.5 * (o - y) ** 2)), "average over the points (np.mean), "
                       "as getLoss divides by dataPoints.length."),
               _per_point],
    ),
    Exercise(
        id="ex07_3",
        name="playground_update",
        title="The original's weight update with regularisation",
        points=3,
        cases=[Case(np.array([0.5, -0.25]), np.array([1.0, 2.0]), 10, 0.03, "none", 0.1,
                    label="regularization 'none' with a nonzero rate"),
               Case(np.array([0.5, -0.25, 0.0]), np.array([1.0, 2.0, -1.0]), 10, 0.1, "L1", 0.3,
                    label="L1 with a weight at exactly 0"),
               Case(np.array([[0.5, -2.0], [1.0, 0.1]]), np.array([[0.2, 0.0], [-0.4, 1.0]]), 4, 0.3, "L2", 1.0)],
        reference=_playground_update,
        hints=[Mistake(lambda w, g, n, lr, reg, rr: _playground_update(w, g, n, lr, reg, rr * n),
                       "updateWeights divides the regularisation term by the count too: "
                       "lr / count · (grad_sum + rate · R'(w))."),
               Mistake(_np_sign_l1, "the original's L1 derivative is w < 0 ? -1 : 1, so a weight at exactly 0 "
                       "gets +1; np.sign gives 0 there."),
               Mistake(lambda w, g, n, lr, reg, rr: _playground_update(w, g, 1, lr, reg, rr),
                       "grad_sum is a sum over `count` examples: divide by count to get the mean gradient."),
               Mistake(lambda w, g, n, lr, reg, rr: _playground_update(w, g, n, lr, reg, 2 * rr if reg == "L2" else rr),
                       "the original's L2 penalty is ½ w², so its derivative R'(w) is w, not 2w.")],
    ),
    Exercise(
        id="ex07_4",
        name="small_spiral_network",
        title="A small network that solves the spiral",
        points=2,
        cases=[Case()],
        reference=_small_spiral_network,
        probe=_spiral_verdict,
        compare=_same_verdict,
        hints=[_spiral_hint],
        timeout=120,
    ),
]
