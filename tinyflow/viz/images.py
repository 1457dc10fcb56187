"""Image grids and confusion matrices, for the image-classification chapters.

>>> import numpy as np
>>> from tinyflow import viz
>>> fig = viz.plot_images(np.zeros((3, 8, 8)), ["a", "b", "c"], "Three blank images")
>>> fig._suptitle.get_text()
'Three blank images'
>>> ax = viz.plot_confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=2)
>>> ax.get_xlabel(), ax.get_ylabel()
('predicted', 'true')
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_images(images, captions: Sequence[str], title: str, columns: int = 10, cmap: str = "gray_r",
                vmin: float | None = 0.0, vmax: float | None = 1.0):
    """A grid of small images, each with a caption above it. Returns the Figure.

    Args:
      images: array of shape (n, height, width) (or (n, h, w, 1)).
      captions: one caption per image.
      title: the figure's title.
      columns: images per row (default 10).
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"plot_images expects images of shape (n, height, width); got shape {images.shape}")
    if len(captions) != len(images):
        raise ValueError(f"plot_images needs one caption per image: {len(images)} images, {len(captions)} captions")
    columns = max(1, min(columns, len(images)))
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.1 * columns, 1.5 * rows + 0.3), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, caption in zip(axes.ravel(), images, captions):
        ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(caption, fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """counts[i, j] = how many examples of true class i were predicted as class j."""
    y_true, y_pred = np.asarray(y_true, dtype=int).ravel(), np.asarray(y_pred, dtype=int).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length; got {y_true.size} and {y_pred.size}")
    n = num_classes if num_classes is not None else int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    counts = np.zeros((n, n), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion_matrix(y_true, y_pred, num_classes: int | None = None, ax=None,
                          title: str = "Confusion matrix"):
    """The confusion matrix as an annotated heatmap (rows: true class, columns: predicted). Returns the Axes."""
    counts = confusion_matrix(y_true, y_pred, num_classes)
    n = len(counts)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.8))
    image = ax.imshow(counts, cmap="Blues")
    for i in range(n):
        for j in range(n):
            if counts[i, j]:
                ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=8,
                        color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label="examples")
    return ax
