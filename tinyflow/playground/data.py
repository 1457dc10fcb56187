"""The Playground's data: a built-in data set split as the original splits it, or your own 2-D points.

Built-in data comes from :func:`tinyflow.datasets.load_playground` (the original's generators,
sample counts and shuffle-then-cut split). Your own data is a CSV file or an array with three
columns, ``x1, x2, label``: labels that are all -1/+1 (or 0/1, mapped to -1/+1) make a
classification problem, any other numbers a regression problem. The heatmap covers
[-6, 6]², as in the original, so scale your points to about that square.

Example:
    >>> import numpy as np
    >>> x = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [-1.0, -2.0]])
    >>> data = read_custom_data(np.column_stack([x, [0, 1, 1, 0]]))
    >>> data.problem, data.y.tolist()
    ('classification', [-1.0, 1.0, 1.0, -1.0])
"""
from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path

import numpy as np

from tinyflow.datasets.playground import load_playground, train_test_split


@dataclasses.dataclass
class CustomData:
    """Points ``x`` (n, 2), labels ``y`` (n,), the problem type they make, and where they came from."""

    x: np.ndarray
    y: np.ndarray
    problem: str
    source: str  # a file path, or "array"


@dataclasses.dataclass
class Split:
    """Training and test points, as the Playground trains and draws them."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def make_split(dataset: str, noise: int, train_ratio: int, seed: int, custom: CustomData | None = None) -> Split:
    """Generate (or take) the points and cut them into training and test sets.

    Example:
        >>> s = make_split("spiral", noise=0, train_ratio=50, seed=0)
        >>> s.x_train.shape, s.x_test.shape
        ((250, 2), (250, 2))
    """
    if custom is not None:
        (x_tr, y_tr), (x_te, y_te) = train_test_split(custom.x, custom.y, train_ratio, rng=seed)
    else:
        (x_tr, y_tr), (x_te, y_te) = load_playground(dataset, noise=noise, train_ratio=train_ratio, seed=seed)
    return Split(x_tr, y_tr, x_te, y_te)


def read_custom_data(source) -> CustomData:
    """Read your own 2-D data: a CSV path, an array ``(n, 3)`` or a pair ``(x (n, 2), y (n,))``.

    A CSV file has three numeric columns, ``x1, x2, label``, and may start with one header line.

    Raises:
        ValueError: with what was wrong and how to fix it (missing file, wrong number of columns,
            text where a number belongs, NaN or infinity, fewer than 4 points, a single class).

    Example:
        >>> read_custom_data(np.zeros((3, 2)))
        Traceback (most recent call last):
        ...
        ValueError: Playground data: expected 3 columns (x1, x2, label). Received: an array of shape (3, 2)
    """
    if isinstance(source, str | os.PathLike):
        x, y = _read_csv(Path(source))
        where = str(source)
    elif isinstance(source, tuple) and len(source) == 2:
        x, y = np.asarray(source[0], dtype=np.float64), np.asarray(source[1], dtype=np.float64).reshape(-1)
        if x.ndim != 2 or x.shape[1] != 2 or len(x) != len(y):
            raise ValueError("Playground data: a pair (x, y) needs x of shape (n, 2) and y of shape (n,). "
                             f"Received: x.shape={x.shape}, y.shape={y.shape}")
        where = "array"
    else:
        try:
            table = np.asarray(source, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise ValueError(f"Playground data: expected a CSV path or a numeric array. Received: {source!r:.80}"
                             ) from e
        if table.ndim != 2 or table.shape[1] != 3:
            raise ValueError("Playground data: expected 3 columns (x1, x2, label). "
                             f"Received: an array of shape {table.shape}")
        x, y, where = table[:, :2], table[:, 2], "array"
    return _checked(x, y, where)


def _read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not path.is_file():
        raise ValueError(f"Playground data: no file at {str(path)!r}. Give the path of a CSV file with columns "
                         "x1, x2, label.")
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, start=1):
            cells = [c.strip() for c in line.strip().split(",")]
            if cells == [""]:
                continue
            if len(cells) != 3:
                raise ValueError(f"Playground data: {path.name}, line {number}: expected 3 columns (x1, x2, label), "
                                 f"found {len(cells)}: {line.strip()!r:.80}")
            try:
                rows.append([float(c) for c in cells])
            except ValueError:
                if number == 1 and not rows:  # a header line
                    continue
                raise ValueError(f"Playground data: {path.name}, line {number}: could not read "
                                 f"{line.strip()!r:.80} as three numbers.") from None
    table = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return table[:, :2], table[:, 2]


def _checked(x: np.ndarray, y: np.ndarray, where: str) -> CustomData:
    if len(x) < 4:
        raise ValueError(f"Playground data ({where}): at least 4 points are needed (some to train, some to test). "
                         f"Received: {len(x)}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError(f"Playground data ({where}): every value must be a finite number; found NaN or infinity.")
    labels = set(np.unique(y).tolist())
    if labels <= {-1.0, 1.0} or labels <= {0.0, 1.0}:
        if len(labels) < 2:
            raise ValueError(f"Playground data ({where}): all labels are {labels.pop():g}; a classifier needs "
                             "two classes (-1 and +1, or 0 and 1).")
        y = np.where(y > 0, 1.0, -1.0)
        problem = "classification"
    else:
        problem = "regression"
    outside = np.abs(x).max()
    if outside > 6:
        warnings.warn(f"Playground data ({where}): points reach |x| = {outside:.3g}, but the heatmap shows "
                      "[-6, 6]²; scale the points to see all of them.", stacklevel=3)
    return CustomData(np.ascontiguousarray(x), np.ascontiguousarray(y), problem, where)
