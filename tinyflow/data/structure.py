"""Dataset elements: a tensor, or a tuple / namedtuple / dict of elements (nested).

Inside a pipeline every leaf is a plain array (numpy, or cupy on the GPU); tensors
are made only when an element leaves the pipeline. A Python list counts as *one*
tensor, as in ``tf.data`` (``from_tensor_slices([1, 2, 3])`` has three scalar elements).

>>> from tinyflow.data import structure
>>> structure.flatten(({"a": 1, "b": 2}, 3))
[1, 2, 3]
>>> structure.pack_as(({"a": 0, "b": 0}, 0), [4, 5, 6])
({'a': 4, 'b': 5}, 6)
"""
from __future__ import annotations

import numpy as np

from tinyflow import backend
from tinyflow.framework import context, dtypes
from tinyflow.framework.dispatch import convert_to_tensor
from tinyflow.framework.tensor import EagerTensor, SymbolicTensor


def is_nested(x) -> bool:
    return isinstance(x, tuple | dict)


def flatten(element) -> list:
    """The leaves of ``element`` in a fixed order (dict keys sorted, like ``tf.nest``)."""
    if isinstance(element, tuple):
        return [leaf for item in element for leaf in flatten(item)]
    if isinstance(element, dict):
        return [leaf for key in sorted(element) for leaf in flatten(element[key])]
    return [element]


def pack_as(template, leaves: list):
    """Rebuild ``template``'s structure around ``leaves`` (inverse of :func:`flatten`)."""
    it = iter(leaves)
    return _pack(template, it)


def _pack(template, it):
    if isinstance(template, tuple):
        items = [_pack(t, it) for t in template]
        return type(template)(*items) if hasattr(template, "_fields") else tuple(items)
    if isinstance(template, dict):
        packed = {key: _pack(template[key], it) for key in sorted(template)}
        return {key: packed[key] for key in template}  # keep the user's key order
    return next(it)


def map_structure(fn, element):
    """Apply ``fn`` to every leaf, keeping the structure."""
    return pack_as(element, [fn(leaf) for leaf in flatten(element)])


def normalize(element):
    """Lists become tuples at the top of a structure returned by a user function (``map``)."""
    if isinstance(element, list):
        return tuple(element)
    return element


# -- leaves: arrays inside the pipeline, tensors outside -------------------------------------------
def to_array(value):
    """A pipeline leaf from a tensor, variable, numpy array or Python value (TF's dtype rules:
    Python floats become float32, ints int32; numpy arrays keep their dtype)."""
    if isinstance(value, EagerTensor):
        return value._value
    if isinstance(value, SymbolicTensor):
        raise TypeError(f"A dataset element must have a value, but {value!r} is a symbolic graph tensor. "
                        "Build datasets from eager tensors or numpy arrays.")
    with context.init_scope():
        return convert_to_tensor(value)._value


def to_tensor(array) -> EagerTensor:
    """Wrap a pipeline leaf as an eager tensor on the current device."""
    xp = backend.xp
    if type(array) is not xp.ndarray:  # numpy scalars (rows of a vector), or data on the other device
        array = xp.asarray(array)
    return EagerTensor(array)


def to_numpy(array):
    """A numpy copy of a leaf (a numpy scalar for rank 0, as ``as_numpy_iterator`` yields)."""
    v = np.array(backend.to_numpy(array))
    return v[()] if v.ndim == 0 else v


def spec_of(array, rows: bool = False):
    """The ``TensorSpec`` of a leaf (of one of its rows, with ``rows=True``)."""
    from tinyflow.function import TensorSpec  # noqa: PLC0415  (function imports the op modules)

    shape = list(array.shape)[1:] if rows else list(array.shape)
    return TensorSpec(shape, dtypes.from_numpy(np.dtype(array.dtype)))
