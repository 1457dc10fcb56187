"""Training curves: a Keras ``History`` per metric, or any named curves on one Axes.

>>> from tinyflow.viz import plot_history, plot_curves
>>> axes = plot_history({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6]})
>>> axes[0].get_xlabel(), axes[0].get_ylabel()
('epoch', 'loss')
>>> ax = plot_curves({"lr=0.1": [1.0, 0.4], "lr=0.01": [1.0, 0.9]}, "step", "loss", "Learning rates")
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator


def plot_history(history, metrics: Sequence[str] | None = None, ax: Axes | Sequence[Axes] | None = None,
                 title: str = "Training history") -> list[Axes]:
    """Plot training (solid) and validation (dashed) curves per epoch, one Axes per metric.

    Args:
        history: what ``model.fit`` returns (its ``.history`` dict is used), or a dict of lists
            such as ``{"loss": [...], "val_loss": [...], "accuracy": [...]}``.
        metrics: metric names to plot, without the ``val_`` prefix (default: every metric found).
        ax: one Axes (all metrics share it), one Axes per metric, or None for a new figure.
        title: the title; with several metrics each Axes gets ``"{title}: {metric}"``.

    Returns the list of Axes, one per metric (the same Axes repeated if one was given).

    >>> axes = plot_history({"loss": [0.9, 0.4], "accuracy": [0.5, 0.8]})
    >>> [a.get_title() for a in axes]
    ['Training history: loss', 'Training history: accuracy']
    """
    logs = _history_dict(history)
    if metrics is None:
        metrics = [k for k in logs if not k.startswith("val_") or k[4:] not in logs]
    metrics = list(metrics)
    for m in metrics:
        if m not in logs and "val_" + m not in logs:
            raise KeyError(f"plot_history: no metric '{m}' in the history. Available: {sorted(logs)}. "
                           f"Received: metrics={metrics}")
    if ax is None:
        _, grid = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.5), squeeze=False)
        axes = list(grid[0])
    elif isinstance(ax, Axes):
        axes = [ax] * len(metrics)
    else:
        axes = list(ax)
        if len(axes) != len(metrics):
            raise ValueError(f"plot_history needs one Axes per metric: {len(metrics)} metrics {metrics}, "
                             f"but {len(axes)} Axes were given.")
    shared = len(set(map(id, axes))) < len(axes)
    for m, a in zip(metrics, axes):
        base = m[4:] if m.startswith("val_") else m
        for key, style, label in ((base, "-", "train"), ("val_" + base, "--", "validation")):
            if key in logs:
                values = np.asarray(logs[key], dtype=float)
                line_label = f"{label} {base}" if shared else label
                a.plot(np.arange(1, len(values) + 1), values, style, marker="o" if len(values) < 30 else None,
                       markersize=3, label=line_label)
        a.set_xlabel("epoch")
        a.set_ylabel(", ".join(dict.fromkeys(m.removeprefix("val_") for m in metrics)) if shared else base)
        a.set_title(title if len(metrics) == 1 or shared else f"{title}: {base}")
        a.xaxis.set_major_locator(MaxNLocator(integer=True))
        a.grid(alpha=0.3)
        a.legend()
    if ax is None:
        axes[0].figure.tight_layout()
    return axes


def plot_curves(curves: Mapping[str, Sequence], xlabel: str, ylabel: str, title: str, ax: Axes | None = None,
                logy: bool = False) -> Axes:
    """Plot named curves on one Axes, e.g. the loss for several learning rates.

    Args:
        curves: ``{label: ys}`` (x is 0, 1, 2, ...) or ``{label: (xs, ys)}``.
        xlabel, ylabel, title: the axis labels and the title (every course figure has them).
        ax: the Axes to draw into (default: a new figure).
        logy: use a logarithmic y axis (losses that span several orders of magnitude).

    >>> ax = plot_curves({"lr=0.5": [1.0, 0.2, 0.05]}, "step", "loss", "Loss per step", logy=True)
    >>> ax.get_yscale()
    'log'
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for label, values in curves.items():
        arr = np.asarray(values, dtype=float)
        if arr.ndim == 2 and arr.shape[0] == 2:
            xs, ys = arr
        elif arr.ndim == 1:
            xs, ys = np.arange(len(arr)), arr
        else:
            raise ValueError(f"plot_curves: curve '{label}' must be a 1-D sequence of y values or a pair (xs, ys). "
                             f"Received an array of shape {arr.shape}.")
        ax.plot(xs, ys, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both" if logy else "major")
    if curves:
        ax.legend()
    return ax


def _history_dict(history) -> dict[str, list]:
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError("plot_history expects a History (what model.fit returns) or a dict of lists like "
                        f"{{'loss': [...], 'val_loss': [...]}}. Received: {type(history).__name__}")
    if not logs:
        raise ValueError("plot_history: the history is empty; did model.fit run for at least one epoch?")
    return dict(logs)
