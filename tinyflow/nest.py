"""``tf.nest``: work with nested structures of lists, tuples, namedtuples and dicts.

Gradients, ``function`` arguments and control-flow loop variables all come as such
structures; these helpers flatten them to a list of leaves and pack leaves back.
Dicts are visited in sorted key order, as in TensorFlow.

>>> import tinyflow as tf
>>> tf.nest.flatten({"b": [1, 2], "a": 3})
[3, 1, 2]
>>> tf.nest.pack_sequence_as({"b": [0, 0], "a": 0}, [30, 10, 20])
{'b': [10, 20], 'a': 30}
"""
from __future__ import annotations

from collections.abc import Callable


def flatten(structure) -> list:
    """The leaves of ``structure`` in order (dicts by sorted key)."""
    if type(structure) is list and not any(isinstance(v, list | tuple | dict) for v in structure):
        return list(structure)  # already flat: the common case for gradients of a variable list
    if isinstance(structure, list | tuple):
        return [leaf for v in structure for leaf in flatten(v)]
    if isinstance(structure, dict):
        return [leaf for k in sorted(structure) for leaf in flatten(structure[k])]
    return [structure]


def pack_sequence_as(structure, flat_sequence: list):
    """``structure`` rebuilt with the leaves of ``flat_sequence`` (the inverse of ``flatten``)."""
    if type(structure) is list and not any(isinstance(v, list | tuple | dict) for v in structure):
        return list(flat_sequence)
    it = iter(flat_sequence)

    def pack(s):
        if isinstance(s, list | tuple):
            items = [pack(v) for v in s]
            return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
        if isinstance(s, dict):
            values = {k: pack(s[k]) for k in sorted(s)}
            return type(s)((k, values[k]) for k in s)
        return next(it)

    return pack(structure)


def map_structure(func: Callable, *structures):
    """Apply ``func`` leaf-wise over structures of the same shape."""
    if structures and not all(same_structure(structures[0], s) for s in structures[1:]):
        raise ValueError("The two structures don't have the same nested structure.")
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flats)])


def same_structure(a, b, check_types: bool = True) -> bool:
    """True when ``a`` and ``b`` nest the same way (namedtuples match tuples of the same length)."""
    seq_a, seq_b = isinstance(a, list | tuple), isinstance(b, list | tuple)
    if seq_a or seq_b:
        if not (seq_a and seq_b) or len(a) != len(b):
            return False
        if check_types and (type(a) is not type(b)) and not (hasattr(a, "_fields") or hasattr(b, "_fields")):
            return False
        return all(same_structure(x, y, check_types) for x, y in zip(a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and sorted(a) == sorted(b) and \
            all(same_structure(a[k], b[k], check_types) for k in a)
    return True


def assert_same_structure(nest1, nest2, check_types: bool = True) -> None:
    """Raise ValueError if the two structures differ."""
    if not same_structure(nest1, nest2, check_types):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                         f"{nest1!r}\n\nSecond structure: {nest2!r}")
