"""Playground frames: one epoch (250 points, batch 10) plus the grid evaluation and every picture, in ms.

A frame is what the play loop does per tick: train one epoch in mini-batches (one ``Session.run``
per batch), evaluate every neuron on the 100 × 100 grid and the training and test points in one plan
run, then draw the output heatmap (PNG), the neuron thumbnails and links (SVG) and the loss chart,
and copy them into the widget. Two networks: the default (X1, X2 → 4 → 2 → 1) and the largest
(all 7 inputs → 6 × 8 → 1). Issue targets: median ≤ 40 ms and ≤ 100 ms per frame.

The grid run's matrix products are large enough for OpenBLAS to use several threads; on a busy
2-core machine those threads wait for each other and the grid run swings from 1 ms to 80 ms. So the
benchmark also measures a second process with ``OPENBLAS_NUM_THREADS=1`` (rows marked "1 BLAS thread").
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

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


def _measure(repeat: int) -> dict:
    """Median milliseconds per frame and per part of a frame, for each network, in this process."""
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
    return results


def run(repeat: int = 41, single_thread_blas: bool = True) -> dict:
    """``{network: {part: median ms}}``, plus the same with one BLAS thread (a subprocess) if asked."""
    results = _measure(repeat)
    if single_thread_blas:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        code = f"import json, benchmarks.playground as b; print(json.dumps(b._measure({repeat})))"
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        for name, ms in json.loads(out.stdout.strip().splitlines()[-1]).items():
            results[f"{name}, 1 BLAS thread"] = ms
    return results


def report(results: dict) -> str:
    rows = []
    for name, ms in results.items():
        target = TARGETS_MS[name.split(", 1 BLAS")[0]]
        frame = ms["frame (widget)"]
        rows.append([name, f"{frame:.1f}", f"{ms['train epoch']:.1f}", f"{ms['grid + data run']:.1f}",
                     f"{ms['draw pictures']:.1f}", f"<= {target:.0f}", "ok" if frame <= target else "MISSED"])
    return table(rows, ["network", "ms/frame", "train", "grid run", "draw", "target", ""])


if __name__ == "__main__":
    print(report(run()))
