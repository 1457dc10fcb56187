"""Decision boundaries of 2-D classifiers: the model's score over the plane, with the data on top.

>>> import numpy as np
>>> from tinyflow.viz import plot_decision_boundary
>>> x = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
>>> y = np.array([0, 1, 0, 1])
>>> ax = plot_decision_boundary(lambda p: p[:, 0] > 0.5, x, y)  # the rule "x1 > 0.5"
>>> ax.get_xlabel(), ax.get_ylabel()
('x1', 'x2')
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, Normalize


def plot_decision_boundary(predict_fn: Callable, x, y, ax: Axes | None = None, title: str = "Decision boundary",
                           extent: Sequence[float] | None = None, resolution: int = 100,
                           cmap: str = "RdBu") -> Axes:
    """Colour the plane by ``predict_fn``'s output and scatter the points ``x`` coloured by label ``y``.

    Two kinds of model output are understood:

    * one score per point, shape ``(m,)`` or ``(m, 1)``: a probability in [0, 1] (boundary at 0.5)
      or a logit (boundary at 0); drawn as a heatmap with the boundary as a black line;
    * one score per class, shape ``(m, k)``: each point of the plane gets the colour of its argmax class.

    Args:
        predict_fn: maps an ``(m, 2)`` float32 numpy array to scores (numpy array or tensor).
        x: the points, shape ``(n, 2)``.
        y: their integer labels, shape ``(n,)`` or ``(n, 1)``.
        ax: the Axes to draw into (default: a new figure).
        title: the title.
        extent: ``(x1_min, x1_max, x2_min, x2_max)`` (default: the data's range plus 10 %).
        resolution: grid points per side.
        cmap: colour map for two classes (more classes use ``"tab10"``).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(20, 2))
    >>> ax = plot_decision_boundary(lambda p: 1 / (1 + np.exp(-p.sum(axis=1))), x, x.sum(axis=1) > 0)
    """
    x = np.asarray(x, dtype=np.float32)
    labels = np.asarray(y).reshape(-1).astype(int)
    if x.ndim != 2 or x.shape[1] != 2 or len(labels) != len(x):
        raise ValueError("plot_decision_boundary needs points of shape (n, 2) and one label per point. "
                         f"Received: x.shape={x.shape}, y.shape={np.shape(y)}")
    if extent is None:
        lo, hi = x.min(axis=0), x.max(axis=0)
        pad = 0.1 * np.maximum(hi - lo, 1e-3)
        extent = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
    x1_min, x1_max, x2_min, x2_max = (float(e) for e in extent)
    xx, yy = np.meshgrid(np.linspace(x1_min, x1_max, resolution), np.linspace(x2_min, x2_max, resolution))
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)  # (resolution², 2)
    scores = np.asarray(predict_fn(grid), dtype=np.float64)
    m = len(grid)
    if scores.shape not in ((m,), (m, 1)) and not (scores.ndim == 2 and scores.shape[0] == m):
        raise ValueError(f"predict_fn returned shape {scores.shape} for {m} points; expected ({m},), ({m}, 1) "
                         f"or ({m}, number_of_classes).")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5))

    n_classes = max(int(labels.max(initial=0)) + 1, scores.shape[1] if scores.ndim == 2 else 2)
    if scores.ndim == 1 or scores.shape[1] == 1:  # one score per point
        z = scores.reshape(resolution, resolution)
        probability = z.min() >= 0.0 and z.max() <= 1.0
        threshold = 0.5 if probability else 0.0
        span = max(float(np.abs(z - threshold).max()), 1e-6)
        norm = Normalize(0.0, 1.0) if probability else Normalize(-span, span)
        mesh = ax.pcolormesh(xx, yy, z, cmap=cmap, norm=norm, shading="auto", alpha=0.6)
        if z.min() < threshold < z.max():
            ax.contour(xx, yy, z, levels=[threshold], colors="k", linewidths=1.0)
        ax.figure.colorbar(mesh, ax=ax, label="P(class 1)" if probability else "score (logit)")
        point_colours = [plt.get_cmap(cmap)(float(k > 0)) for k in range(n_classes)]
    else:  # one score per class: colour by the winning class
        point_colours = [plt.get_cmap("tab10")(k % 10) for k in range(n_classes)]
        z = scores.argmax(axis=1).reshape(resolution, resolution)
        ax.pcolormesh(xx, yy, z, cmap=ListedColormap(point_colours), norm=Normalize(-0.5, n_classes - 0.5),
                      shading="auto", alpha=0.35)
    for k in np.unique(labels):
        pts = x[labels == k]
        ax.scatter(pts[:, 0], pts[:, 1], color=point_colours[k], edgecolors="k", linewidths=0.6, s=25,
                   label=f"class {k}")
    ax.set_xlim(x1_min, x1_max)
    ax.set_ylim(x2_min, x2_max)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return ax
