"""``tf.autograph.experimental``: opt a function out of conversion.

>>> import tinyflow as tf
>>> @tf.autograph.experimental.do_not_convert
... def f(x):
...     return x
>>> tf.autograph.convert(f) is f
True
"""
from __future__ import annotations

__all__ = ["do_not_convert"]


def do_not_convert(func=None):
    """Decorator: AutoGraph runs ``func`` as written (its Python control flow stays Python)."""
    if func is None:
        return do_not_convert
    func.__ag_do_not_convert__ = True
    return func
