"""Where datasets start: slices of tensors, a single element, a range, a Python generator.

>>> import tinyflow as tf
>>> ds = tf.data.Dataset.from_tensor_slices({"x": [[1.0, 2.0], [3.0, 4.0]], "y": [0, 1]})
>>> ds.element_spec["x"]
TensorSpec(shape=(2,), dtype=tf.float32, name=None)
"""
from __future__ import annotations

import numpy as np

from tinyflow import backend
from tinyflow.data import structure
from tinyflow.data.dataset import Dataset


class TensorSliceDataset(Dataset):
    """Row ``i`` of every component is element ``i``. Indexable: ``batch`` gathers whole batches."""

    def __init__(self, tensors):
        leaves = [_copy(structure.to_array(t)) for t in structure.flatten(tensors)]
        for i, leaf in enumerate(leaves):
            if leaf.ndim == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1: component {i} of "
                                 f"from_tensor_slices is a scalar ({leaf!r}). Use from_tensors for one element.")
        n = leaves[0].shape[0]
        for i, leaf in enumerate(leaves[1:], start=1):
            if leaf.shape[0] != n:
                raise ValueError(
                    f"from_tensor_slices: all components must have the same size in dimension 0, but component 0 "
                    f"has shape {tuple(leaves[0].shape)} and component {i} has shape {tuple(leaf.shape)} "
                    f"({n} vs {leaf.shape[0]} rows). Check that features and labels have the same length.")
        self._template = tensors
        self._leaves = leaves
        self._n = int(n)
        self._source = self

    def _cardinality(self) -> int:
        return self._n

    def _indices(self):
        return iter(range(self._n))

    def _first_element(self):
        if not self._n:
            raise ValueError("Cannot describe the elements of an empty dataset.")
        return self._row(0)

    def _row(self, i: int):
        return structure.pack_as(self._template, [leaf[i] for leaf in self._leaves])

    def _rows(self, index_array):
        """Gather many rows at once: one fancy index per component."""
        return structure.pack_as(self._template, [leaf[index_array] for leaf in self._leaves])

    def _elements(self):
        if len(self._leaves) == 1 and not structure.is_nested(self._template):
            yield from self._leaves[0]  # rows of one array: no packing needed
            return
        for i in range(self._n):
            yield self._row(i)

    def _spec(self):
        return structure.pack_as(self._template, [structure.spec_of(leaf, rows=True) for leaf in self._leaves])


class TensorDataset(Dataset):
    """A single element."""

    def __init__(self, tensors):
        self._element = structure.map_structure(lambda t: _copy(structure.to_array(t)), tensors)

    def _cardinality(self) -> int:
        return 1

    def _elements(self):
        yield self._element


class RangeDataset(Dataset):
    """``range(start, stop, step)`` as int64 scalars."""

    def __init__(self, *args, dtype=None):
        if not 1 <= len(args) <= 3:
            raise TypeError(f"Dataset.range() takes 1 to 3 arguments (stop, or start, stop[, step]), got {args}")
        self._range = range(*[int(a) for a in args])
        from tinyflow.framework import dtypes  # noqa: PLC0415

        self._dtype = np.dtype(dtypes.as_dtype(dtype).as_numpy_dtype if dtype is not None else np.int64)

    def _cardinality(self) -> int:
        return len(self._range)

    def _elements(self):
        dtype = self._dtype
        for i in self._range:
            yield np.asarray(i, dtype=dtype)


class GeneratorDataset(Dataset):
    """Elements from a Python generator function, called afresh for every pass."""

    def __init__(self, generator, args: tuple):
        if not callable(generator):
            raise TypeError(f"`generator` must be a callable that returns an iterator (e.g. a generator "
                            f"function), got {generator!r}.")
        self._generator = generator
        self._args = tuple(args)

    def _elements(self):
        for element in self._generator(*self._args):
            yield structure.map_structure(structure.to_array, structure.normalize(element))


def _copy(array):
    """Own the data, as TF does: later changes to the caller's array don't reach the dataset."""
    return backend.array_module(array).array(array, copy=True)
