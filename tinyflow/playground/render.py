"""Pictures of a Playground frame: heatmaps as RGB arrays in the original's colours, PNG bytes, the loss chart.

The colours are the original's (``src/heatmap.ts`` and ``src/playground.ts``):

* a heatmap maps a value in [-1, 1] to one of 31 shades (``NUM_SHADES = 30``), a d3 *quantize*
  scale over the RGB ramp ``#f59322`` (orange, -1) → ``#e8eaeb`` (grey, 0) → ``#0877bd`` (blue, +1),
  and paints it with alpha 160 over the page (#f7f7f7). "Discretize output" paints only the two ends;
* links and biases use the same ramp as a continuous, clamped scale (:func:`link_colour`);
* a neuron's thumbnail is its 100 × 100 grid averaged over 10 × 10 blocks (``reduceMatrix``).

PNGs are written by :func:`encode_png` (signature, IHDR, one zlib-compressed IDAT, IEND).

Example:
    >>> rgb = heatmap_rgb(np.array([[-1.0, 0.0], [0.5, 1.0]]))
    >>> rgb.shape, rgb.dtype, rgb[0, 0].tolist()
    ((2, 2, 3), dtype('uint8'), [246, 184, 113])
    >>> encode_png(rgb)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
"""
from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

import numpy as np

ORANGE, GREY, BLUE = (0xF5, 0x93, 0x22), (0xE8, 0xEA, 0xEB), (0x08, 0x77, 0xBD)
NUM_SHADES = 30
HEATMAP_ALPHA = 160  # heatmap.ts: image.data[++p] = 160
PAGE = 0xF7  # styles.css: body { background-color: #f7f7f7 }, under the heatmap canvas


def _ramp(t: np.ndarray) -> np.ndarray:
    """d3.scale.linear().domain([0, .5, 1]).range([orange, grey, blue]) for t in [0, 1] → (…, 3) float RGB."""
    t = np.clip(t, 0.0, 1.0)[..., None]
    lower = np.array(ORANGE) + (np.array(GREY) - np.array(ORANGE)) * (t / 0.5)
    upper = np.array(GREY) + (np.array(BLUE) - np.array(GREY)) * ((t - 0.5) / 0.5)
    return np.where(t <= 0.5, lower, upper)


def _palette() -> np.ndarray:
    """The 31 heatmap shades, as d3 rounds them, painted with alpha 160/255 over the page: (31, 3) uint8."""
    shades = np.round(_ramp(np.arange(NUM_SHADES + 1) / NUM_SHADES))
    a = HEATMAP_ALPHA / 255
    return np.round(shades * a + PAGE * (1 - a)).astype(np.uint8)


PALETTE = _palette()
POINT_PALETTE = np.round(_ramp(np.arange(NUM_SHADES + 1) / NUM_SHADES)).astype(np.uint8)  # points: opaque


def shade_index(values: np.ndarray, discretize: bool = False) -> np.ndarray:
    """d3.scale.quantize().domain([-1, 1]) over 31 shades: the shade number (int) of each value."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=1.0, neginf=-1.0)
    if discretize:
        values = np.where(values >= 0, 1.0, -1.0)  # heatmap.ts: value >= 0 ? 1 : -1
    k = len(PALETTE)
    return np.clip(np.floor((values + 1) * (k / 2)), 0, k - 1).astype(np.intp)


def heatmap_rgb(values: np.ndarray, discretize: bool = False) -> np.ndarray:
    """Colour a (rows, cols) array of values as the original's heatmap canvas shows it: (rows, cols, 3) uint8."""
    return PALETTE[shade_index(values, discretize)]


def point_colour(label: float) -> str:
    """The fill of a data point with ``label`` (heatmap.ts: ``this.color(d.label)``), as ``#rrggbb``."""
    r, g, b = POINT_PALETTE[shade_index(np.array([label]))[0]]
    return f"#{r:02x}{g:02x}{b:02x}"


def link_colours(values: np.ndarray) -> list[str]:
    """playground.ts ``colorScale`` for many values: linear, clamped, -1 orange, 0 grey, +1 blue, as ``rgb(r,g,b)``.

    Values that are not numbers (a diverged network) are drawn black.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    rgb = np.round(_ramp((np.nan_to_num(values, nan=0.0) + 1) / 2)).astype(int)
    rgb[~np.isfinite(values)] = 0
    return [f"rgb({r},{g},{b})" for r, g, b in rgb.tolist()]


def link_colour(value: float) -> str:
    """``colorScale`` of one value (see :func:`link_colours`)."""
    return link_colours(np.array([value]))[0]


def link_widths(weights: np.ndarray) -> np.ndarray:
    """playground.ts ``linkWidthScale``: |w| in [0, 5] → 1 to 10 px, clamped (not-a-number: 10 px)."""
    magnitude = np.nan_to_num(np.abs(np.asarray(weights, dtype=np.float64)), nan=5.0, posinf=5.0)
    return 1.0 + 9.0 * np.minimum(magnitude, 5.0) / 5.0


def reduce_blocks(grid: np.ndarray, factor: int = 10) -> np.ndarray:
    """heatmap.ts ``reduceMatrix``: the mean of each ``factor × factor`` block of (n, n, …) → (n/f, n/f, …).

    Example:
        >>> reduce_blocks(np.arange(16.0).reshape(4, 4), 2).tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """
    n = grid.shape[0]
    if grid.shape[1] != n or n % factor:
        raise ValueError(f"reduce_blocks needs a square grid whose side divides by {factor}. Received: {grid.shape}")
    m = n // factor
    return grid.reshape(m, factor, m, factor, *grid.shape[2:]).mean(axis=(1, 3))


def encode_png(rgb: np.ndarray, level: int = 1) -> bytes:
    """Encode an (h, w, 3) uint8 array as PNG bytes (8-bit RGB, no filtering, zlib ``level``).

    Example:
        >>> len(encode_png(np.zeros((10, 10, 3), np.uint8))) < 100
        True
    """
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, channels = rgb.shape
    if channels != 3:
        raise ValueError(f"encode_png expects an (h, w, 3) RGB array. Received: shape={rgb.shape}")
    raw = np.empty((h, 1 + 3 * w), np.uint8)
    raw[:, 0] = 0  # filter type 0 (None) on every row
    raw[:, 1:] = rgb.reshape(h, 3 * w)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8 bits, colour type 2 (RGB)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
            + chunk(b"IEND", b""))


def loss_chart_svg(train: Sequence[float], test: Sequence[float], width: int = 150, height: int = 50,
                   max_points: int = 250) -> str:
    """The original's loss chart (``AppendingLineChart``): training loss grey, test loss black, y from min to max.

    Long histories are thinned to ``max_points`` evenly spaced epochs (the last one always kept).

    Example:
        >>> loss_chart_svg([0.5, 0.3, 0.2], [0.6, 0.4, 0.3]).startswith("<svg")
        True
    """
    train, test = np.asarray(train, dtype=float), np.asarray(test, dtype=float)
    body = ""
    if len(train) > 0:
        keep = np.unique(np.linspace(0, len(train) - 1, min(len(train), max_points)).round().astype(int))
        both = np.concatenate([train, test])
        both = both[np.isfinite(both)]
        lo, hi = (float(both.min()), float(both.max())) if len(both) else (0.0, 1.0)
        span = hi - lo if hi > lo else 1.0
        xs = keep / max(len(train) - 1, 1) * (width - 2) + 1
        for series, colour in ((train, "#777"), (test, "black")):
            ys = height - 2 - (np.nan_to_num(series[keep], nan=hi, posinf=hi, neginf=lo) - lo) / span * (height - 4)
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
            body += f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
    return (f'<svg class="tf-linechart" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
            f"{body}</svg>")


def dataset_thumbnail_png(x: np.ndarray, y: np.ndarray, size: int = 100) -> bytes:
    """A data set's button picture (``drawDatasetThumbnails``): 4 px squares coloured by label on white.

    As in the original, the canvas's y axis points down, so the picture is the data flipped upside down.
    """
    image = np.full((size, size, 3), 255, np.uint8)
    cols = np.clip((size * (x[:, 0] + 6) / 12).astype(int), 0, size - 4)
    rows = np.clip((size * (x[:, 1] + 6) / 12).astype(int), 0, size - 4)
    colours = np.round(_ramp((np.asarray(y, dtype=float) + 1) / 2)).astype(np.uint8)  # colorScale(label)
    for dr in range(4):
        for dc in range(4):
            image[rows + dr, cols + dc] = colours
    return encode_png(image)
