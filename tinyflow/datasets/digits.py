"""8x8 handwritten digits: 1,797 images of the digits 0-9, pixel values 0-16.

This is the test set (``optdigits.tes``) of the UCI "Optical Recognition of
Handwritten Digits" data (E. Alpaydin and C. Kaynak, 1998, CC BY 4.0), the same
file scikit-learn ships as ``digits.csv.gz``: one row per image, 64 pixel
counts row by row, then the label. Each pixel counts the "on" pixels of a 4x4
block of a 32x32 bitmap, hence 0 to 16. See ``data/README.md`` for provenance.

It is small enough to ship with the course and to train on in seconds, yet a
real data set: a Keras-style ``load_digits`` reads it offline, with numpy only.

Example:
    >>> (x_train, y_train), (x_test, y_test) = load_digits()
    >>> x_train.shape, x_train.dtype, y_train.dtype, len(x_test)
    ((1437, 8, 8), dtype('float32'), dtype('int32'), 360)
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np

DIGITS_PATH = Path(__file__).parent / "data" / "digits.csv.gz"
NUM_IMAGES = 1797
NUM_CLASSES = 10


@functools.lru_cache(maxsize=1)
def _read_digits() -> tuple[np.ndarray, np.ndarray]:
    """Parse the shipped CSV once: images (1797, 8, 8) uint8 and labels (1797,) int32."""
    with gzip.open(DIGITS_PATH, "rt", encoding="ascii") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)  # (1797, 65)
    if table.shape != (NUM_IMAGES, 65):
        raise OSError(f"{DIGITS_PATH} looks damaged: expected a (1797, 65) table, read {table.shape}")
    images = table[:, :64].reshape(-1, 8, 8).astype(np.uint8)
    labels = table[:, 64].astype(np.int32)
    images.setflags(write=False)  # cached: hand out copies only
    labels.setflags(write=False)
    return images, labels


def load_digits(
    test_split: float = 0.2, seed: int = 0, normalize: bool = False, flatten: bool = False
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the 8x8 digits, shuffled and split like ``keras.datasets.*.load_data``.

    The images are shuffled with ``numpy.random.default_rng(seed)``; the first
    ``int(1797 * (1 - test_split))`` go to training and the rest to test (the
    cut Keras's ``boston_housing.load_data`` makes). Same seed, same split.

    Args:
        test_split: fraction held out for testing, in [0, 1). Default 0.2
            (1,437 train and 360 test images).
        seed: seed of the shuffle. Default 0.
        normalize: divide pixels by 16, so they lie in [0, 1]. Default False
            (pixel counts 0 to 16).
        flatten: return images as rows of 64 pixels instead of 8x8. Default False.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x float32 of shape (n, 8, 8)
        (or (n, 64) with ``flatten``), y int32 of shape (n,) with values 0-9.

    Example:
        >>> (x, y), _ = load_digits(test_split=0.0, normalize=True, flatten=True)
        >>> x.shape, float(x.max()), sorted(set(y.tolist())) == list(range(10))
        ((1797, 64), 1.0, True)
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split is a fraction in [0, 1). Received: test_split={test_split!r}")
    images, labels = _read_digits()
    order = np.random.default_rng(seed).permutation(NUM_IMAGES)
    x = images[order].astype(np.float32)  # (1797, 8, 8)
    y = labels[order].copy()  # (1797,)
    if normalize:
        x /= 16.0
    if flatten:
        x = x.reshape(NUM_IMAGES, 64)
    n_train = int(NUM_IMAGES * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
