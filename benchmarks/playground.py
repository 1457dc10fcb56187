"""Playground frames: one epoch (250 points, batch 10) plus the grid evaluation and every picture, in ms.

A frame is what the play loop does per tick: train one epoch in mini-batches (one ``Session.run``
per batch), evaluate every neuron on the 100 × 100 grid and the training and test points in one plan
run, then draw the output heatmap (PNG), the neuron thumbnails and links (SVG) and the loss chart,
and copy them into the widget. Two networks: the default (X1, X2 → 4 → 2 → 1) and the largest
(all 7 inputs → 6 × 8 → 1). Issue targets: median ≤ 40 ms and ≤ 100 ms per frame.
"""
from __future__ import annotations

import numpy as np

from benchmarks.timing import median_time, table
from tinyflow.datasets.features import FEATURES
from tinyflow.playground import Playground

NETWORKS = {
    "default [4, 2], 2 inputs": {"hidden": [4, 2], "features": ["x1", "x2"]},
    "6 x 8, 7 inputs": {"hidden": [8] * 6, "features": list(FEATURES)},
}
TARGETS_MS = {"default [4, 2], 2 inputs": 40.0, "6 x 8, 7 inputs": 100.0}


def _playground(settings: dict) -> Playground:
    pg = Playground(dataset="spiral", train_ratio=50, batch_size=10, seed=0, **settings)
    _ = pg.widget  # frames update a real (headless) widget, as in the notebook
    return pg


def run(repeat: int = 41) -> dict:
    """Median milliseconds per frame and per part of a frame, for each network."""
    results = {}
    for name, settings in NETWORKS.items():
        pg = _playground(settings)
        parts = {
            "frame (widget)": lambda pg=pg: pg.step(1),
            "train epoch": lambda pg=pg: pg._train_epoch(),
            "grid + data run": lambda pg=pg: pg._evaluate(with_grid=True, record=False),
            "draw pictures": pg.frame,
        }
        with np.errstate(all="ignore"):
            results[name] = {part: median_time(fn, repeat) * 1e3 for part, fn in parts.items()}
        results[name]["points"] = len(pg._x_train)
    return results


def report(results: dict) -> str:
    rows = []
    for name, ms in results.items():
        target = TARGETS_MS[name]
        frame = ms["frame (widget)"]
        rows.append([name, f"{frame:.1f}", f"{ms['train epoch']:.1f}", f"{ms['grid + data run']:.1f}",
                     f"{ms['draw pictures']:.1f}", f"<= {target:.0f}", "ok" if frame <= target else "MISSED"])
    return table(rows, ["network", "ms/frame", "train", "grid run", "draw", "target", ""])


if __name__ == "__main__":
    print(report(run()))
