"""Attention maps: which key each query attends to, as a heatmap with the tokens on the axes.

>>> import numpy as np
>>> from tinyflow.viz import plot_attention
>>> w = np.array([[1.0, 0.0], [0.3, 0.7]])  # rows: queries, columns: keys; each row sums to 1
>>> ax = plot_attention(w, ["the", "cat"])
>>> ax.get_xlabel(), ax.get_ylabel()
('key position', 'query position')
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

_ANNOTATE_UP_TO = 8  # write the numbers into the cells of maps this small


def plot_attention(weights, x_tokens: Sequence[str] | None = None, y_tokens: Sequence[str] | None = None,
                   ax: Axes | None = None, title: str = "Attention weights", annotate: bool | None = None) -> Axes:
    """Draw attention weights ``(queries, keys)`` as a heatmap with a colourbar.

    Args:
        weights: a 2-D array or tensor; row ``i`` is how query ``i`` spreads its attention over the
            keys (a softmax, so rows sum to 1). Leading axes of size 1 (batch, head) are dropped;
            for several heads pass one head, ``weights[0, h]``.
        x_tokens: the key tokens (columns). Default: their positions 0, 1, ...
        y_tokens: the query tokens (rows). Default: ``x_tokens`` when the map is square (self-attention).
        ax: the Axes to draw into (default: a new figure).
        title: the title.
        annotate: write each weight in its cell (default: when both sides have at most 8 tokens).

    >>> import numpy as np
    >>> ax = plot_attention(np.full((3, 3), 1 / 3), list("abc"), title="Uniform attention")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a', 'b', 'c']
    """
    w = np.asarray(weights, dtype=np.float64)
    while w.ndim > 2 and w.shape[0] == 1:
        w = w[0]
    if w.ndim != 2:
        raise ValueError("plot_attention draws one map of shape (queries, keys). "
                         f"Received weights of shape {np.shape(weights)}; for several heads pass weights[0, h].")
    n_queries, n_keys = w.shape
    if y_tokens is None and x_tokens is not None and n_queries == n_keys:
        y_tokens = x_tokens
    for name, tokens, n, axis in (("x_tokens", x_tokens, n_keys, "keys"), ("y_tokens", y_tokens, n_queries,
                                                                           "queries")):
        if tokens is not None and len(tokens) != n:
            raise ValueError(f"plot_attention: {name} has {len(tokens)} tokens but the weights have {n} {axis} "
                             f"(weights shape {w.shape}: rows are queries, columns are keys).")
    if ax is None:
        side = 0.45
        _, ax = plt.subplots(figsize=(max(4.0, 1.8 + side * n_keys), max(3.0, 1.2 + side * n_queries)))
    image = ax.imshow(w, cmap="viridis", vmin=0.0, aspect="auto")
    ax.figure.colorbar(image, ax=ax, label="attention weight")
    ax.set_xticks(range(n_keys), labels=_tick_labels(x_tokens, n_keys))
    ax.set_yticks(range(n_queries), labels=_tick_labels(y_tokens, n_queries))
    if x_tokens is not None and sum(len(str(t)) + 1 for t in x_tokens) > 30:  # long labels would overlap
        ax.tick_params(axis="x", labelrotation=90)
    if annotate is None:
        annotate = max(n_queries, n_keys) <= _ANNOTATE_UP_TO
    if annotate:
        high = w.max() if w.size else 0.0
        for i in range(n_queries):
            for j in range(n_keys):
                colour = "black" if w[i, j] > 0.6 * high else "white"  # readable on viridis
                ax.text(j, i, f"{w[i, j]:.2f}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xlabel("key position")
    ax.set_ylabel("query position")
    ax.set_title(title)
    return ax


def _tick_labels(tokens: Sequence[str] | None, n: int) -> list[str]:
    return [str(i) for i in range(n)] if tokens is None else [str(t) for t in tokens]
