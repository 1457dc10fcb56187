"""The TensorFlow Playground's seven input features: X1, X2, X1^2, X2^2, X1X2, sin X1, sin X2.

The Playground feeds its network a chosen subset of these functions of a point
``(x1, x2)`` (``INPUTS`` in ``src/playground.ts``, in this order). Our ids are
the Playground's labels in lower case, with ``*`` for the product;
``PLAYGROUND_FEATURE_KEYS`` maps the keys of the Playground's URL to them.

Example:
    >>> import numpy as np
    >>> make_features(np.array([[1.0, 2.0]]), ["x1", "x1*x2", "x2^2"]).tolist()
    [[1.0, 2.0, 4.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def _x1(x):
    return x[:, 0]


def _x2(x):
    return x[:, 1]


def _x1_squared(x):
    return x[:, 0] * x[:, 0]


def _x2_squared(x):
    return x[:, 1] * x[:, 1]


def _x1_times_x2(x):
    return x[:, 0] * x[:, 1]


def _sin_x1(x):
    return np.sin(x[:, 0])


def _sin_x2(x):
    return np.sin(x[:, 1])


# Feature id -> function of points (n, 2) -> (n,). Order and formulas: src/playground.ts, INPUTS.
FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": _x1,
    "x2": _x2,
    "x1^2": _x1_squared,
    "x2^2": _x2_squared,
    "x1*x2": _x1_times_x2,
    "sin(x1)": _sin_x1,
    "sin(x2)": _sin_x2,
}

# The Playground's URL keys (src/state.ts: x=true&xSquared=true ...) -> our feature ids.
PLAYGROUND_FEATURE_KEYS: dict[str, str] = {
    "x": "x1",
    "y": "x2",
    "xSquared": "x1^2",
    "ySquared": "x2^2",
    "xTimesY": "x1*x2",
    "sinX": "sin(x1)",
    "sinY": "sin(x2)",
}


def make_features(x: np.ndarray, features: Sequence[str] = ("x1", "x2")) -> np.ndarray:
    """Stack the chosen ``FEATURES`` of points ``x`` into a matrix.

    Args:
        x: points of shape (n, 2).
        features: feature ids from ``FEATURES``, in the column order wanted.
            Default ``("x1", "x2")``, the Playground's default selection.

    Returns:
        float64 array of shape (n, len(features)).

    Example:
        >>> make_features(np.array([[0.0, 3.0]]), ["x2", "sin(x1)"]).tolist()
        [[3.0, 0.0]]
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"make_features expects points of shape (n, 2). Received: shape={x.shape}")
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ValueError(f"Unknown feature id(s) {unknown}. Expected ids from {list(FEATURES)}")
    if len(features) == 0:
        return np.zeros((len(x), 0))
    return np.stack([FEATURES[f](x) for f in features], axis=1)
