"""Small data sets for the course: all offline, all numpy, all deterministic given a seed.

* ``playground``: the TensorFlow Playground's generators ("circle", "xor", "gauss",
  "spiral", "reg-plane", "reg-gauss"), its train/test split and ``load_playground``.
* ``features``: the Playground's seven input features (x1, x2, x1^2, ... sin(x2)).
* ``digits``: 1,797 8x8 handwritten digits (UCI, CC BY 4.0), ``load_digits``.
* ``text``: a 26 KB English corpus for a character-level GPT, ``load_text``, ``char_vocab``.
* ``sequences``: copy, reverse and sort tasks for attention models.

Example:
    >>> from tinyflow import datasets
    >>> (x_train, y_train), (x_test, y_test) = datasets.load_playground("xor", noise=25)
    >>> x_train.shape, sorted(set(y_train.tolist()))
    ((250, 2), [-1.0, 1.0])
"""

from .digits import load_digits
from .features import FEATURES, PLAYGROUND_FEATURE_KEYS, make_features
from .playground import (
    CLASSIFICATION_DATASETS,
    DATASETS,
    NUM_SAMPLES_CLASSIFY,
    NUM_SAMPLES_REGRESS,
    REGRESSION_DATASETS,
    classify_circle,
    classify_spiral,
    classify_two_gauss,
    classify_xor,
    load_playground,
    regress_gaussian,
    regress_plane,
    shuffle_indices,
    train_test_split,
)
from .sequences import copy_task, reverse_task, sort_task
from .text import char_vocab, decode, encode, load_text

__all__ = [
    "CLASSIFICATION_DATASETS",
    "DATASETS",
    "FEATURES",
    "NUM_SAMPLES_CLASSIFY",
    "NUM_SAMPLES_REGRESS",
    "PLAYGROUND_FEATURE_KEYS",
    "REGRESSION_DATASETS",
    "char_vocab",
    "classify_circle",
    "classify_spiral",
    "classify_two_gauss",
    "classify_xor",
    "copy_task",
    "decode",
    "encode",
    "load_digits",
    "load_playground",
    "load_text",
    "make_features",
    "regress_gaussian",
    "regress_plane",
    "reverse_task",
    "shuffle_indices",
    "sort_task",
    "train_test_split",
]
