"""Weight regularizers: penalties on a weight's size, added to the training loss.

``Dense(64, kernel_regularizer="l2")`` adds ``0.01 * sum(kernel ** 2)`` to the loss ``fit`` minimizes;
the penalties of a model are in ``model.losses``.

>>> import tinyflow as tf
>>> from tinyflow.keras import regularizers
>>> float(regularizers.L2(0.5)(tf.constant([1.0, 2.0])))
2.5
"""
from __future__ import annotations

import tinyflow as tf


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar penalty``."""

    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class L1(Regularizer):
    """``l1 * sum(abs(x))``. Args: l1 (default 0.01)."""

    def __init__(self, l1: float = 0.01):
        self.l1 = float(l1)

    def __call__(self, x):
        return self.l1 * tf.reduce_sum(tf.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``. Args: l2 (default 0.01)."""

    def __init__(self, l2: float = 0.01):
        self.l2 = float(l2)

    def __call__(self, x):
        return self.l2 * tf.reduce_sum(tf.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(x ** 2)``. Args: l1, l2 (both default 0.0)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * tf.reduce_sum(tf.abs(x))
        if self.l2:
            penalty += self.l2 * tf.reduce_sum(tf.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier):
    """A regularizer from a name (``"l1"``, ``"l2"``, ``"l1_l2"``), a config dict or a callable."""
    if identifier is None or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, dict):
        return _BY_NAME[identifier["class_name"]].from_config(identifier.get("config", {}))
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}. "
                     f"Valid names are: {sorted(set(_BY_NAME) - {'L1', 'L2', 'L1L2'})}")


def serialize(regularizer):
    if regularizer is None:
        return None
    if isinstance(regularizer, Regularizer):
        return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    raise ValueError(f"Cannot serialize the regularizer {regularizer!r}: use keras.regularizers.L1/L2/L1L2.")
