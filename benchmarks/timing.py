"""Timing helpers shared by the benchmarks: best-of-N wall time, optional peers."""
from __future__ import annotations

import importlib
import time
from collections.abc import Callable


def best_time(fn: Callable[[], object], number: int, repeat: int = 7) -> float:
    """Seconds per call: the best of ``repeat`` runs of ``number`` calls (after one warm-up call)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def median_time(fn: Callable[[], object], repeat: int = 31) -> float:
    """Median seconds of single calls (for frame-like workloads with variance)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return samples[len(samples) // 2]


def optional(module: str):
    """Import a peer framework if installed, else None."""
    try:
        return importlib.import_module(module)
    except Exception:  # ImportError, or a broken install
        return None


def table(rows: list[list], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])
