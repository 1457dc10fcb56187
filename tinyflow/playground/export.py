"""Export a trained Playground network as a Python script: tinyflow Keras (or plain tinyflow ops) plus its weights.

The script defines ``features(points)`` (the chosen input features of points (n, 2)), the network with
its trained weights written out as float64 literals (``repr`` round-trips every float exactly), and
``predict(points)``, which returns what ``Playground.predict`` returns.

Example:
    >>> from tinyflow.playground import Playground
    >>> pg = Playground(dataset="xor", hidden=[3], seed=0)
    >>> pg.step(epochs=2)
    >>> namespace = {}
    >>> exec(export_code(pg, "tf"), namespace)
    >>> points = np.array([[1.0, 2.0], [-3.0, 0.5]])
    >>> bool(np.allclose(namespace["predict"](points), pg.predict(points)))
    True
"""
from __future__ import annotations

import numpy as np

# Feature id -> a Python expression in x1, x2 (the original's INPUTS functions).
FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1^2": "x1 * x1", "x2^2": "x2 * x2", "x1*x2": "x1 * x2",
                "sin(x1)": "np.sin(x1)", "sin(x2)": "np.sin(x2)"}
TF_ACTIVATIONS = {"relu": "tf.nn.relu({})", "tanh": "tf.tanh({})", "sigmoid": "tf.sigmoid({})", "linear": "{}"}
STYLES = ("keras", "tf")


def _literal(array: np.ndarray) -> str:
    return f"np.array({array.tolist()!r})"


def _header(pg) -> str:
    s = pg.state
    return (f'"""A network trained in the tinyflow Playground for {pg.epoch} epochs.\n\n'
            f"Data set {s.dataset!r} ({s.problem}), features {s.features}, hidden layers {s.hidden}, "
            f"activation {s.activation!r},\nlearning rate {s.learning_rate:g}, regularization {s.regularization} "
            f"(rate {s.regularization_rate:g}), loss {s.loss!r}, seed {s.seed}.\n"
            f"Training loss {pg.train_loss:.6f}, test loss {pg.test_loss:.6f}.\n"
            '"""\nimport numpy as np\n\nimport tinyflow as tf\n')


def _features_code(features: list[str]) -> str:
    columns = ", ".join(FEATURE_CODE[f] for f in features)
    body = f"np.stack([{columns}], axis=1)" if features else "np.zeros((len(points), 0))"
    return ("\n\ndef features(points):\n"
            f'    """The Playground inputs {features} of points (n, 2), as an (n, {len(features)}) array."""\n'
            "    points = np.asarray(points, dtype=np.float64)\n"
            "    x1, x2 = points[:, 0], points[:, 1]\n"
            f"    return {body}\n")


def export_code(pg, style: str = "keras") -> str:
    """Python source that rebuilds ``pg``'s network with its current weights.

    Args:
        pg: a :class:`~tinyflow.playground.Playground`.
        style: "keras" (a ``keras.Sequential`` of float64 ``Dense`` layers and ``set_weights``) or
            "tf" (``tf.matmul`` and activations written out). Default "keras".

    Raises:
        ValueError: for an unknown style, or when the network has diverged (its weights are not numbers).
    """
    if style not in STYLES:
        raise ValueError(f"export_code: style is one of {list(STYLES)}. Received: style={style!r}")
    weights = pg.get_weights()
    if not all(np.isfinite(w).all() for w in weights):
        raise ValueError("export_code: the network has diverged (its weights are not finite numbers); "
                         "reset it or lower the learning rate, then train again.")
    s = pg.state
    output = "linear" if s.problem == "regression" else "tanh"
    activations = [s.activation] * len(s.hidden) + [output]
    code = _header(pg) + _features_code(s.features)
    if style == "keras":
        layers = "".join(f'    keras.layers.Dense({w.shape[1]}, activation="{a}", dtype="float64"),\n'
                         for w, a in zip(weights[::2], activations))
        code = code.replace("import tinyflow as tf\n", "import tinyflow as tf\nfrom tinyflow import keras\n")
        code += ("\n\nmodel = keras.Sequential([\n"
                 f'    keras.Input(shape=({len(s.features)},), dtype="float64"),\n{layers}])\n'
                 "model.set_weights([\n" + "".join(f"    {_literal(w)},\n" for w in weights) + "])\n"
                 "\n\ndef predict(points):\n"
                 '    """The network\'s output for points (n, 2), as Playground.predict gives it."""\n'
                 "    return np.asarray(model(features(points))).reshape(-1)\n")
        return code
    names = [f"{kind}{k // 2 + 1}" for k, kind in zip(range(len(weights)), ["W", "b"] * len(weights))]
    code += "\n" + "".join(f"{n} = tf.constant({_literal(w)})\n" for n, w in zip(names, weights))
    lines = ["    h = tf.constant(features(points))"]
    for k, a in enumerate(activations, start=1):
        lines.append("    h = " + TF_ACTIVATIONS[a].format(f"tf.matmul(h, W{k}) + b{k}"))
    code += ("\n\ndef predict(points):\n"
             '    """The network\'s output for points (n, 2), as Playground.predict gives it."""\n'
             + "\n".join(lines) + "\n    return tf.reshape(h, [-1]).numpy()\n")
    return code
