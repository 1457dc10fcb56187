"""``keras.backend``: the little global state Keras keeps — layer-name counters and the float type.

Layer names are made unique with per-prefix counters (``dense``, ``dense_1``, ...).
``clear_session()`` resets them, as Keras does, so a notebook re-run names layers the same way.

>>> from tinyflow.keras import backend
>>> backend.clear_session()
>>> backend.unique_name("dense"), backend.unique_name("dense"), backend.floatx()
('dense', 'dense_1', 'float32')
"""
from __future__ import annotations

import collections

_UIDS: collections.defaultdict = collections.defaultdict(int)
_FLOATX = "float32"
_EPSILON = 1e-7


def get_uid(prefix: str = "") -> int:
    """1 on the first call for ``prefix``, then 2, 3 ... (Keras's ``backend.get_uid``)."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def unique_name(prefix: str) -> str:
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2`` ..."""
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def clear_session() -> None:
    """Forget the name counters (the next Dense is ``dense`` again)."""
    _UIDS.clear()


def floatx() -> str:
    """The default float type of layer weights and inputs: ``"float32"``."""
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value!r}. Expected 'float16', 'float32' or 'float64'.")
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor Keras adds to avoid dividing by zero: 1e-7."""
    return _EPSILON


def image_data_format() -> str:
    """Images are ``(batch, height, width, channels)``: ``"channels_last"``."""
    return "channels_last"


def is_keras_tensor(x) -> bool:
    """True for the symbolic tensors of the functional API (what ``keras.Input`` returns)."""
    from tinyflow.keras.layers.keras_tensor import KerasTensor  # noqa: PLC0415

    return isinstance(x, KerasTensor)
