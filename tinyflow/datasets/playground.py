"""The TensorFlow Playground's toy data sets, written out in numpy.

Every generator follows ``src/dataset.ts`` of github.com/tensorflow/playground
formula for formula, and ``load_playground`` follows ``generateData`` in
``src/playground.ts``. What differs, and why:

* Randomness comes from a seeded ``numpy.random.Generator`` instead of the
  Playground's seeded ``Math.random``. Uniform numbers are drawn in the same
  order as the original's loops, one row of draws per point, so feeding both
  the same uniform stream gives the same points (the tests check this against
  a line-by-line transcription). ``classify_two_gauss`` uses numpy's normal
  sampler instead of the original's polar-method loop: same distribution,
  different stream.
* ``noise`` is the number on the Playground's "Noise" slider, 0 to 50 in steps
  of 5. The original divides it by 100 before calling a generator
  (``generator(numSamples, state.noise / 100)``), so we do the same inside.
* Points come back as arrays: ``x`` (n, 2) float64 holds the original's
  ``(x, y)`` (X1 and X2 in the UI) and ``y`` (n,) float64 holds ``label``.

``DATASETS`` uses the original's URL names (``src/state.ts``): "circle", "xor",
"gauss", "spiral" to classify; "reg-plane" ("Plane" in the UI) and "reg-gauss"
("Multi gaussian") to regress. The seven input features are in ``features.py``.

Example:
    >>> x, y = classify_circle(500, noise=0, rng=0)
    >>> x.shape, y.shape, sorted(set(y.tolist()))
    ((500, 2), (500,), [-1.0, 1.0])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

# src/playground.ts: NUM_SAMPLES_CLASSIFY = 500; NUM_SAMPLES_REGRESS = 1200.
NUM_SAMPLES_CLASSIFY = 500
NUM_SAMPLES_REGRESS = 1200

RngLike = np.random.Generator | int | None
XY = tuple[np.ndarray, np.ndarray]
Generator2D = Callable[..., XY]


def _rand_uniform(u: np.ndarray, a: float, b: float) -> np.ndarray:
    """``randUniform(a, b)`` of dataset.ts applied to uniforms ``u`` in [0, 1)."""
    return u * (b - a) + a


def _linear_scale(x, domain: Sequence[float], out: Sequence[float], clamp: bool = False):
    """d3 v3's ``d3.scale.linear().domain(domain).range(out)``, as the original uses it."""
    t = (x - domain[0]) / (domain[1] - domain[0])
    if clamp:
        t = np.clip(t, 0.0, 1.0)
    return out[0] * (1 - t) + out[1] * t


def _check(num_samples: int, noise: float, name: str) -> float:
    if int(num_samples) != num_samples or num_samples < 1:
        raise ValueError(
            f"{name}: num_samples must be a positive integer. Received: num_samples={num_samples!r}"
        )
    if noise < 0:
        raise ValueError(
            f"{name}: noise is the Playground slider value, 0 to 50 (percent). Received: noise={noise!r}"
        )
    return noise / 100  # playground.ts: generator(numSamples, state.noise / 100)


def classify_circle(num_samples: int = NUM_SAMPLES_CLASSIFY, noise: float = 0, rng: RngLike = None) -> XY:
    """"Circle": label +1 inside radius 2.5, -1 in the ring 3.5 to 5 (``classifyCircleData``).

    Half the points (``ceil(num_samples / 2)``) are drawn with ``r ~ U(0, 2.5)``,
    half with ``r ~ U(3.5, 5)``, at angle ``a ~ U(0, 2 pi)``, placed at
    ``(r sin a, r cos a)``. The label is ``+1 if |p + e| < 2.5 else -1`` with
    ``e ~ U(-5, 5)^2 * noise / 100``: noise flips labels, it never moves points.

    Args:
        num_samples: points to make, default 500. Odd counts give one extra
            point, as in the original (each half loops ``i < numSamples / 2``).
        noise: Playground noise slider, 0 to 50. Default 0.
        rng: a ``numpy.random.Generator`` or an int seed (``None``: fresh entropy).

    Returns:
        ``(x, y)``: x of shape (n, 2) float64, y of shape (n,) float64 in {-1, +1}.

    Example:
        >>> x, y = classify_circle(10, rng=0)
        >>> bool(((np.linalg.norm(x, axis=1) < 2.5) == (y > 0)).all())
        True
    """
    noise = _check(num_samples, noise, "classify_circle")
    rng = np.random.default_rng(rng)
    radius = 5
    half = math.ceil(num_samples / 2)
    parts = []
    for r_low, r_high in ((0, radius * 0.5), (radius * 0.7, radius)):  # positives, then negatives
        u = rng.random((half, 4))  # per point: r, angle, noiseX, noiseY
        r = _rand_uniform(u[:, 0], r_low, r_high)
        angle = _rand_uniform(u[:, 1], 0, 2 * math.pi)
        px, py = r * np.sin(angle), r * np.cos(angle)
        noise_x = _rand_uniform(u[:, 2], -radius, radius) * noise
        noise_y = _rand_uniform(u[:, 3], -radius, radius) * noise
        qx, qy = px + noise_x, py + noise_y
        label = np.where(np.sqrt(qx * qx + qy * qy) < radius * 0.5, 1.0, -1.0)
        parts.append((np.stack([px, py], axis=1), label))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def classify_xor(num_samples: int = NUM_SAMPLES_CLASSIFY, noise: float = 0, rng: RngLike = None) -> XY:
    """"Exclusive or": label +1 when x1 * x2 >= 0, else -1 (``classifyXORData``).

    ``x1, x2 ~ U(-5, 5)``, each pushed 0.3 away from zero (``x += x > 0 ? 0.3 : -0.3``),
    so the points fill [-5.3, -0.3) and (0.3, 5.3]. The label uses the point
    plus ``U(-5, 5)^2 * noise / 100``.

    Arguments as for ``classify_circle`` (default num_samples=500); returns
    ``(x, y)``, x of shape (n, 2), y of shape (n,) in {-1, +1}.

    Example:
        >>> x, y = classify_xor(8, rng=1)
        >>> bool((np.sign(x[:, 0] * x[:, 1]) == y).all())
        True
    """
    noise = _check(num_samples, noise, "classify_xor")
    rng = np.random.default_rng(rng)
    padding = 0.3
    u = rng.random((num_samples, 4))  # per point: x, y, noiseX, noiseY
    px = _rand_uniform(u[:, 0], -5, 5)
    px = px + np.where(px > 0, padding, -padding)
    py = _rand_uniform(u[:, 1], -5, 5)
    py = py + np.where(py > 0, padding, -padding)
    noise_x = _rand_uniform(u[:, 2], -5, 5) * noise
    noise_y = _rand_uniform(u[:, 3], -5, 5) * noise
    label = np.where((px + noise_x) * (py + noise_y) >= 0, 1.0, -1.0)
    return np.stack([px, py], axis=1), label


def classify_two_gauss(num_samples: int = NUM_SAMPLES_CLASSIFY, noise: float = 0, rng: RngLike = None) -> XY:
    """"Gaussian": two blobs, +1 around (2, 2) and -1 around (-2, -2) (``classifyTwoGaussData``).

    Each coordinate is normal with variance ``0.5 + 3.5 * (noise / 100) / 0.5``,
    the original's ``d3.scale.linear().domain([0, .5]).range([0.5, 4])``: variance
    0.5 at noise 0 and 4 at noise 50. Noise here moves points; labels never flip.

    Arguments as for ``classify_circle`` (default num_samples=500); returns
    ``(x, y)``, x of shape (n, 2), y of shape (n,) in {-1, +1}.

    Example:
        >>> x, y = classify_two_gauss(1000, rng=0)
        >>> bool(abs(x[y > 0].mean() - 2) < 0.1)
        True
    """
    noise = _check(num_samples, noise, "classify_two_gauss")
    rng = np.random.default_rng(rng)
    variance = _linear_scale(noise, (0, 0.5), (0.5, 4))
    half = math.ceil(num_samples / 2)
    points, labels = [], []
    for center, label in ((2, 1.0), (-2, -1.0)):
        # normalRandom(mean, variance) returns mean + sqrt(variance) * N(0, 1).
        points.append(center + math.sqrt(variance) * rng.standard_normal((half, 2)))
        labels.append(np.full(half, label))
    return np.concatenate(points), np.concatenate(labels)


def classify_spiral(num_samples: int = NUM_SAMPLES_CLASSIFY, noise: float = 0, rng: RngLike = None) -> XY:
    """"Spiral": two interleaved arms, +1 and -1 (``classifySpiralData``).

    With ``n = num_samples / 2`` and ``i = 0, 1, ...`` below ``n``, a point of the
    arm with phase ``dt`` (0 for +1, pi for -1) sits at radius ``r = i / n * 5``
    and angle ``t = 1.75 * i / n * 2 pi + dt`` (1.75 turns), at
    ``(r sin t, r cos t) + U(-1, 1)^2 * noise / 100``. Noise moves points.

    Arguments as for ``classify_circle`` (default num_samples=500); returns
    ``(x, y)``, x of shape (n, 2), y of shape (n,) in {-1, +1}.

    Example:
        >>> x, y = classify_spiral(4, rng=0)  # noise 0: fully determined
        >>> x[1].round(3).tolist(), y.tolist()
        ([-1.768, 1.768], [1.0, 1.0, -1.0, -1.0])
    """
    noise = _check(num_samples, noise, "classify_spiral")
    rng = np.random.default_rng(rng)
    n = num_samples / 2
    i = np.arange(math.ceil(n), dtype=np.float64)
    r = i / n * 5
    points, labels = [], []
    for delta_t, label in ((0.0, 1.0), (math.pi, -1.0)):
        t = 1.75 * i / n * 2 * math.pi + delta_t
        u = rng.random((len(i), 2))  # per point: noise x, noise y
        px = r * np.sin(t) + _rand_uniform(u[:, 0], -1, 1) * noise
        py = r * np.cos(t) + _rand_uniform(u[:, 1], -1, 1) * noise
        points.append(np.stack([px, py], axis=1))
        labels.append(np.full(len(i), label))
    return np.concatenate(points), np.concatenate(labels)


def _uniform_square_with_noise(num_samples: int, noise: float, rng: np.random.Generator):
    """Points in [-6, 6)^2 and their label-noise offsets, as both regressors draw them."""
    radius = 6
    u = rng.random((num_samples, 4))  # per point: x, y, noiseX, noiseY
    px = _rand_uniform(u[:, 0], -radius, radius)
    py = _rand_uniform(u[:, 1], -radius, radius)
    noise_x = _rand_uniform(u[:, 2], -radius, radius) * noise
    noise_y = _rand_uniform(u[:, 3], -radius, radius) * noise
    return px, py, noise_x, noise_y


def regress_plane(num_samples: int = NUM_SAMPLES_REGRESS, noise: float = 0, rng: RngLike = None) -> XY:
    """"Plane" (``reg-plane``): label = (x1 + x2) / 10 (``regressPlane``).

    Points are uniform in [-6, 6)^2. The label is ``d3.scale.linear().domain([-10, 10])
    .range([-1, 1])`` of x1 + x2 at the point plus ``U(-6, 6)^2 * noise / 100``;
    unclamped, so it reaches +-1.2 at the corners (further with noise).

    Arguments as for ``classify_circle`` (default num_samples=1200); returns
    ``(x, y)``, x of shape (n, 2), y of shape (n,) float64.

    Example:
        >>> x, y = regress_plane(5, rng=0)
        >>> bool(np.allclose(y, x.sum(axis=1) / 10))
        True
    """
    noise = _check(num_samples, noise, "regress_plane")
    px, py, noise_x, noise_y = _uniform_square_with_noise(num_samples, noise, np.random.default_rng(rng))
    label = _linear_scale((px + noise_x) + (py + noise_y), (-10, 10), (-1, 1))
    return np.stack([px, py], axis=1), label


# src/dataset.ts, regressGaussian: (center x, center y, sign) of the six bumps.
GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def regress_gaussian(num_samples: int = NUM_SAMPLES_REGRESS, noise: float = 0, rng: RngLike = None) -> XY:
    """"Multi gaussian" (``reg-gauss``): six +-1 cones on a 3 x 2 grid (``regressGaussian``).

    Each bump gives ``sign * max(0, 1 - d / 2)`` with ``d`` the distance to its
    center (the original's clamped ``domain([0, 2]).range([1, 0])``), and the
    label is the bump value largest in absolute value (first wins ties, 0 far
    from all), taken at the point plus ``U(-6, 6)^2 * noise / 100``.

    Arguments as for ``classify_circle`` (default num_samples=1200); returns
    ``(x, y)``, x of shape (n, 2), y of shape (n,) float64 in [-1, 1].

    Example:
        >>> x, y = regress_gaussian(1200, rng=0)
        >>> bool(y.min() >= -1 and y.max() <= 1)
        True
    """
    noise = _check(num_samples, noise, "regress_gaussian")
    px, py, noise_x, noise_y = _uniform_square_with_noise(num_samples, noise, np.random.default_rng(rng))
    qx, qy = px + noise_x, py + noise_y
    label = np.zeros(num_samples)
    for cx, cy, sign in GAUSSIANS:
        dx, dy = qx - cx, qy - cy
        new_label = sign * _linear_scale(np.sqrt(dx * dx + dy * dy), (0, 2), (1, 0), clamp=True)
        label = np.where(np.abs(new_label) > np.abs(label), new_label, label)
    return np.stack([px, py], axis=1), label


# src/state.ts: the names used in the Playground's URL (dataset=..., regDataset=...).
CLASSIFICATION_DATASETS: dict[str, Generator2D] = {
    "circle": classify_circle,
    "xor": classify_xor,
    "gauss": classify_two_gauss,
    "spiral": classify_spiral,
}
REGRESSION_DATASETS: dict[str, Generator2D] = {
    "reg-plane": regress_plane,
    "reg-gauss": regress_gaussian,
}
DATASETS: dict[str, Generator2D] = {**CLASSIFICATION_DATASETS, **REGRESSION_DATASETS}


def shuffle_indices(n: int, rng: RngLike = None) -> np.ndarray:
    """The permutation the original's Fisher-Yates ``shuffle`` (dataset.ts) applies to n items.

    Example:
        >>> sorted(shuffle_indices(5, rng=0).tolist())
        [0, 1, 2, 3, 4]
    """
    rng = np.random.default_rng(rng)
    order = np.arange(n)
    u = rng.random(n)
    for counter in range(n, 0, -1):
        index = int(u[n - counter] * counter)  # Math.floor(Math.random() * counter)
        order[counter - 1], order[index] = order[index], order[counter - 1]
    return order


def train_test_split(
    x: np.ndarray, y: np.ndarray, train_ratio: float = 50, rng: RngLike = None
) -> tuple[XY, XY]:
    """Shuffle, then cut at ``floor(n * train_ratio / 100)``, as ``generateData`` does.

    Args:
        x, y: arrays with the same first dimension.
        train_ratio: percent for training (the UI's slider goes 10 to 90). Default 50.
        rng: a ``numpy.random.Generator`` or an int seed.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``.

    Example:
        >>> x, y = classify_xor(10, rng=0)
        >>> (x_tr, y_tr), (x_te, y_te) = train_test_split(x, y, train_ratio=70, rng=0)
        >>> len(x_tr), len(x_te)
        (7, 3)
    """
    if not 0 <= train_ratio <= 100:
        raise ValueError(f"train_ratio is a percentage, 0 to 100. Received: train_ratio={train_ratio!r}")
    if len(x) != len(y):
        raise ValueError(f"x and y need the same length. Received: len(x)={len(x)}, len(y)={len(y)}")
    order = shuffle_indices(len(x), rng)
    x, y = x[order], y[order]
    split = math.floor(len(x) * train_ratio / 100)
    return (x[:split], y[:split]), (x[split:], y[split:])


def load_playground(name: str = "circle", noise: float = 0, train_ratio: float = 50,
                    seed: RngLike = 0, num_samples: int | None = None) -> tuple[XY, XY]:
    """Make a Playground data set and split it, the way the Playground's ``generateData`` does.

    One random stream makes the points, then shuffles them (the original seeds once for both).

    Args:
        name: a key of ``DATASETS`` ("circle", "xor", "gauss", "spiral", "reg-plane",
            "reg-gauss"). Default "circle".
        noise: Playground noise slider, 0 to 50. Default 0.
        train_ratio: percent used for training, default 50.
        seed: int seed or ``numpy.random.Generator``. Default 0.
        num_samples: default 500 for classification and 1200 for regression.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``.

    Example:
        >>> (x_tr, y_tr), (x_te, y_te) = load_playground("spiral", noise=10)
        >>> x_tr.shape, x_te.shape
        ((250, 2), (250, 2))
    """
    if name not in DATASETS:
        raise ValueError(f"Unknown Playground data set. Expected one of {list(DATASETS)}. Received: {name!r}")
    if num_samples is None:
        num_samples = NUM_SAMPLES_REGRESS if name in REGRESSION_DATASETS else NUM_SAMPLES_CLASSIFY
    rng = np.random.default_rng(seed)
    x, y = DATASETS[name](num_samples, noise, rng)
    return train_test_split(x, y, train_ratio, rng)
