"""One Playground frame: every neuron on the 100 × 100 grid over [-6, 6]², turned into the pictures shown.

``grid_points`` is the original's ``updateDecisionBoundary`` grid (x from -6 to 6 left to right, y
from 6 to -6 top to bottom). The Playground evaluates the grid, the training and the test points in
one plan run (fetching every layer's activations); :func:`render_frame` then colours the output
heatmap, downsamples each hidden neuron to a 10 × 10 thumbnail, and draws the network and the loss
chart. Nothing here talks to widgets: the widget only copies these bytes and strings.

Example:
    >>> grid_points().shape
    (10000, 2)
    >>> sorted(input_thumbnails())[:2]
    ['sin(x1)', 'sin(x2)']
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np

from tinyflow.datasets.features import FEATURES, make_features
from tinyflow.playground import diagram
from tinyflow.playground.render import encode_png, heatmap_rgb, loss_chart_svg, reduce_blocks

DENSITY = 100  # playground.ts: DENSITY, the heatmap's grid points per side
THUMBNAIL_FACTOR = 10  # playground.ts: reduceMatrix(boundary[id], 10)


@functools.lru_cache(maxsize=1)
def grid_points() -> np.ndarray:
    """The (DENSITY², 2) grid, row-major from the top-left corner (-6, 6)."""
    xs = np.linspace(-6, 6, DENSITY)  # xScale: domain [0, DENSITY - 1] → [-6, 6]
    ys = np.linspace(6, -6, DENSITY)  # yScale: domain [DENSITY - 1, 0] → [-6, 6]
    gx, gy = np.meshgrid(xs, ys)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    points.flags.writeable = False
    return points


@functools.lru_cache(maxsize=2)
def input_thumbnails(discretize: bool = False) -> dict[str, bytes]:
    """The input features' thumbnails (their value on the grid, 10 × 10), as PNG bytes per feature id."""
    values = make_features(grid_points(), list(FEATURES)).reshape(DENSITY, DENSITY, len(FEATURES))
    small = reduce_blocks(values, THUMBNAIL_FACTOR)
    return {f: encode_png(heatmap_rgb(small[:, :, k], discretize)) for k, f in enumerate(FEATURES)}


@dataclasses.dataclass
class Frame:
    """What the widget shows after an epoch: numbers, PNG bytes and SVG strings."""

    epoch: int
    train_loss: float
    test_loss: float
    heatmap_png: bytes
    network_svg: str
    loss_chart_svg: str


def render_frame(epoch: int, layers: list[np.ndarray], weights: list[np.ndarray], history: list[tuple],
                 input_rows: list[int], hidden: list[int], discretize: bool, network_width: int) -> Frame:
    """Draw a frame from one evaluation run.

    Args:
        epoch: the epoch counter.
        layers: every layer's activations, whose first ``DENSITY²`` rows are the grid points.
        weights: ``[W1, b1, ...]``.
        history: ``(train_loss, test_loss)`` per epoch so far (the last one is this frame's).
        input_rows: row of each active input in the features column.
        hidden: hidden layer sizes.
        discretize: paint only the two ends of the colour scale.
        network_width: width of the network drawing in px.
    """
    n = DENSITY * DENSITY
    output = layers[-1][:n, 0].reshape(DENSITY, DENSITY)
    heatmap = encode_png(heatmap_rgb(output, discretize))
    thumbnails = []
    if hidden:
        neurons = np.concatenate([a[:n] for a in layers[:-1]], axis=1)  # (DENSITY², all hidden units)
        small = reduce_blocks(neurons.reshape(DENSITY, DENSITY, -1), THUMBNAIL_FACTOR)
        colours = heatmap_rgb(small, discretize)  # (10, 10, units, 3)
        thumbnails = [encode_png(colours[:, :, u]) for u in range(colours.shape[2])]
    train = [h[0] for h in history]
    test = [h[1] for h in history]
    network = diagram.network_svg(input_rows, hidden, weights, thumbnails, epoch, network_width)
    return Frame(epoch, train[-1], test[-1], heatmap, network, loss_chart_svg(train, test))
