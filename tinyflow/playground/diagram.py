"""The Playground's SVG pictures: the network (neuron thumbnails, bias squares, weighted links), the
data points and axes over the output heatmap, and the colour legend.

Geometry follows ``drawNetwork`` in ``src/playground.ts``: neurons are 30 px squares (``RECT_SIZE``)
on a 55 px pitch, hidden layers sit at ``d3.scale.ordinal().rangePoints([118, width - 30], 0.7)``
(shifted so that x = 0 is the right edge of the input column), links are d3 "diagonal" Béziers,
``linkWidthScale`` gives their width and ``colorScale`` their colour, dashed ``9 1`` and shifted by
``-epoch / 3`` so the dashes flow while training.

Example:
    >>> [round(x) for x in layer_positions(2, width=400)]
    [106, 302]
    >>> svg = heatmap_overlay_svg(np.zeros((1, 2)), np.ones(1), np.zeros((0, 2)), np.zeros(0))
    >>> svg.count("<circle")
    1
"""
from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np

from tinyflow.playground.render import link_colours, link_widths, point_colour

RECT_SIZE = 30
ROW = RECT_SIZE + 25  # nodeIndexScale: i * (RECT_SIZE + 25)
BIAS_SIZE = 5
INPUT_RIGHT = 2  # links leave the input column here (x = 0 is its right edge)
HEATMAP_SIZE, HEATMAP_PAD = 300, 20  # new HeatMap(300, DENSITY, ...) with showAxes: 20 px padding


def layer_positions(n_layers: int, width: int) -> list[float]:
    """Left x of each hidden layer: d3 ``rangePoints([38, width - 30], 0.7)`` (the original's 118 − 80)."""
    if n_layers == 0:
        return []
    start, stop = 38.0, float(width - RECT_SIZE)
    step = (stop - start) / (n_layers - 1 + 0.7)
    return [start + step * 0.35 + i * step for i in range(n_layers)]


def _diagonal(sx: float, sy: float, tx: float, ty: float) -> str:
    """d3.svg.diagonal with horizontal projection: control points at the horizontal midpoint."""
    m = (sx + tx) / 2
    return f"M{sx:.1f},{sy:.1f}C{m:.1f},{sy:.1f} {m:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def network_svg(input_rows: Sequence[int], hidden: Sequence[int], weights: Sequence[np.ndarray],
                thumbnails: Sequence[bytes], epoch: int, width: int) -> str:
    """The network between the input column and the output heatmap, as an SVG string.

    Args:
        input_rows: the row (0 to 6) of each active input feature, in input order.
        hidden: hidden layer sizes.
        weights: ``[W1, b1, W2, b2, ...]``, ``W_k`` of shape (inputs of layer k, units).
        thumbnails: one PNG per hidden neuron, layer by layer.
        epoch: the epoch number (it shifts the dashes of the links).
        width: the SVG's width in px; the output node's links end at its right edge.

    Example:
        >>> w = [np.ones((2, 1)), np.zeros(1)]
        >>> network_svg([0, 1], [], w, [], epoch=0, width=300).count("<path")
        2
    """
    xs = layer_positions(len(hidden), width)
    height = ROW * max(7, *hidden) if hidden else ROW * 7
    # Where links leave (right-hand side) and enter (left-hand side) each layer's nodes.
    sources = [(INPUT_RIGHT, row * ROW + RECT_SIZE / 2) for row in input_rows]
    links, nodes = [], []
    thumbs = iter(thumbnails)
    layer_lefts = [*xs, float(width)]
    for k, left in enumerate(layer_lefts):
        w, b = weights[2 * k], weights[2 * k + 1]
        n_units = w.shape[1]
        colours, widths = link_colours(w.T), link_widths(w.T).ravel().tolist()  # ordered target by target
        bias_colours = link_colours(b)
        targets = []
        n_in = len(sources)
        for i in range(n_units):
            cy = i * ROW + RECT_SIZE / 2
            for j, (sx, sy) in enumerate(sources):  # drawLink: spread the ends over 12 px
                ty = cy + ((j - (n_in - 1) / 2) / max(n_in, 1)) * 12
                links.append(f'<path class="link" d="{_diagonal(sx, sy, left, ty)}" '
                             f'style="stroke:{colours[i * n_in + j]};stroke-width:{widths[i * n_in + j]:.2f}px"/>')
            if k < len(xs):  # a hidden neuron: thumbnail, border and bias square
                y = i * ROW
                nodes.append(
                    f'<g class="node" transform="translate({left:.1f},{y})">'
                    f'<rect x="-2" y="-2" width="{RECT_SIZE + 4}" height="{RECT_SIZE + 4}" rx="3" '
                    f'style="fill:black"/><image href="{_data_uri(next(thumbs))}" width="{RECT_SIZE}" '
                    f'height="{RECT_SIZE}" preserveAspectRatio="none"/>'
                    f'<rect class="bias" x="{-BIAS_SIZE - 4}" y="{RECT_SIZE - BIAS_SIZE + 3}" width="{BIAS_SIZE}" '
                    f'height="{BIAS_SIZE}" style="fill:{bias_colours[i]}"/></g>')
            targets.append((left + RECT_SIZE + 2, cy))
        sources = targets
    return (f'<svg class="tf-network" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
            f'<g style="stroke-dasharray:9 1;stroke-dashoffset:{-epoch / 3:.1f};fill:none">{"".join(links)}</g>'
            f'{"".join(nodes)}</svg>')


def _scale(v: np.ndarray) -> np.ndarray:
    """[-6, 6] → [0, 260] px (the heatmap's xScale; yScale is its mirror)."""
    return (v + 6) / 12 * (HEATMAP_SIZE - 2 * HEATMAP_PAD)


def _circles(x: np.ndarray, y: np.ndarray, css_class: str) -> str:
    x = np.asarray(x, dtype=np.float64).reshape(-1, 2)
    inside = (np.abs(x) <= 6).all(axis=1)  # updateCircles: keep the points inside the heatmap
    cx, cy = _scale(x[inside, 0]), _scale(-x[inside, 1])
    circles = "".join(f'<circle r="3" cx="{a:.1f}" cy="{c:.1f}" fill="{point_colour(lab)}"/>'
                      for a, c, lab in zip(cx, cy, y[inside]))
    return f'<g class="{css_class}">{circles}</g>'


def _axes() -> str:
    """Bottom and right axes with ticks at -6 … 6; the 0 tick darker (styles.css #heatmap .tick)."""
    size = HEATMAP_SIZE - 2 * HEATMAP_PAD
    parts = []
    for v in range(-6, 7):
        p = _scale(np.array(float(v)))
        line, text = ("#999", "#333") if v == 0 else ("#ddd", "#bbb")
        parts.append(f'<line x1="{p:.1f}" x2="{p:.1f}" y1="{size}" y2="{size + 6}" stroke="{line}"/>'
                     f'<text x="{p:.1f}" y="{size + 16}" fill="{text}" text-anchor="middle">{v}</text>')
        q = size - p
        parts.append(f'<line x1="{size}" x2="{size + 6}" y1="{q:.1f}" y2="{q:.1f}" stroke="{line}"/>'
                     f'<text x="{size + 9}" y="{q + 3:.1f}" fill="{text}">{v}</text>')
    return f'<g style="font-size:10px">{"".join(parts)}</g>'


def heatmap_overlay_svg(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> str:
    """Training points (white rims), test points (black rims, pass none to hide them) and the axes."""
    pad = HEATMAP_PAD
    return (f'<svg class="tf-points" width="{HEATMAP_SIZE}" height="{HEATMAP_SIZE}" '
            f'xmlns="http://www.w3.org/2000/svg"><g transform="translate({pad},{pad})">'
            '<style>.train circle{stroke:white;stroke-width:1;stroke-opacity:.8;fill-opacity:.9}'
            '.test circle{stroke:black;stroke-width:1;stroke-opacity:.6;fill-opacity:.9}</style>'
            f'{_axes()}{_circles(x_train, y_train, "train")}{_circles(x_test, y_test, "test")}</g></svg>')


def colour_legend_svg() -> str:
    """The gradient bar under the heatmap, -1 (orange) … 1 (blue), 144 px wide."""
    ticks = "".join(f'<text x="{3 + 72 * (v + 1)}" y="24" text-anchor="middle" fill="#777" '
                    f'style="font-size:10px">{v}</text>' for v in (-1, 0, 1))
    return ('<svg width="150" height="30" xmlns="http://www.w3.org/2000/svg"><defs>'
            '<linearGradient id="tf-playground-gradient" x1="0%" y1="100%" x2="100%" y2="100%">'
            '<stop offset="0%" stop-color="#f59322"/><stop offset="50%" stop-color="#e8eaeb"/>'
            '<stop offset="100%" stop-color="#0877bd"/></linearGradient></defs>'
            '<rect x="3" width="144" height="10" style="fill:url(#tf-playground-gradient)"/>'
            f"{ticks}</svg>")
