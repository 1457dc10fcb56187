"""The dataset steps that wrap another dataset: shuffle, batch, map, filter, repeat, take, skip ...

Each one is a small class whose ``_elements()`` generator pulls from ``self._input``.
Steps that only reorder or cut rows (shuffle, repeat, take, skip, prefetch) also pass
row numbers through ``_indices()``, so that ``batch`` can gather rows in one go.

>>> import tinyflow as tf
>>> ds = tf.data.Dataset.range(10).filter(lambda x: x % 3 == 0).map(lambda x: x * 10)
>>> [int(x) for x in ds]
[0, 30, 60, 90]
"""
from __future__ import annotations

import itertools

import numpy as np

from tinyflow import backend
from tinyflow.data import structure
from tinyflow.data.dataset import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, shuffled


class _PassThrough(Dataset):
    """A step whose elements have the structure of its input's."""

    def __init__(self, input_dataset: Dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"Expected a tf.data.Dataset, got {input_dataset!r}.")
        self._input = input_dataset
        self._source = input_dataset._source

    def _spec(self):
        return self._input._spec()

    def _first_element(self):
        return self._input._first_element()  # without starting a pass (which would advance a shuffle)

    def _cardinality(self) -> int:
        return self._input._cardinality()

    def _elements(self):
        return self._input._elements()

    def _indices(self):
        return self._input._indices()


class ShuffleDataset(_PassThrough):
    """A shuffle buffer over the input (see :func:`~tinyflow.data.dataset.shuffled`)."""

    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_dataset)
        buffer_size = int(buffer_size)
        if buffer_size <= 0:
            raise ValueError(f"`buffer_size` must be greater than zero. Received: buffer_size={buffer_size}")
        self._buffer_size = buffer_size
        self._seeds = _seeds(seed)
        self._reshuffle = bool(reshuffle_each_iteration)
        self._passes = 0  # a new random order per pass, when reshuffling

    def _rng(self) -> np.random.Generator:
        epoch = self._passes if self._reshuffle else 0
        self._passes += 1
        return np.random.default_rng([*self._seeds, epoch])

    def _indices(self):
        return shuffled(self._input._indices(), self._buffer_size, self._rng())

    def _elements(self):
        if self._source is not None:  # shuffle row numbers, so that element and batch passes agree
            row = self._source._row
            return (row(i) for i in self._indices())
        return shuffled(self._input._elements(), self._buffer_size, self._rng())


class BatchDataset(Dataset):
    """``batch_size`` consecutive elements stacked along a new first dimension."""

    def __init__(self, input_dataset, batch_size, drop_remainder):
        batch_size = int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"`batch_size` must be greater than zero. Received: batch_size={batch_size}")
        self._input = input_dataset
        self._batch_size = batch_size
        self._drop = bool(drop_remainder)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._batch_size if self._drop else -(-n // self._batch_size)

    def _spec(self):
        from tinyflow.function import TensorSpec  # noqa: PLC0415

        dim = self._batch_size if self._drop else None
        return structure.map_structure(lambda s: TensorSpec([dim] + s.shape.as_list(), s.dtype),
                                       self._input._spec())

    def _elements(self):
        b, source = self._batch_size, self._input._source
        if source is self._input:  # plain slices: batches are views of the data
            for start in range(0, source._n, b):
                if self._drop and start + b > source._n:
                    return
                yield source._rows(slice(start, start + b))
        elif source is not None:  # reordered rows: gather each batch with one fancy index
            indices = self._input._indices()
            while True:
                idx = np.fromiter(itertools.islice(indices, b), dtype=np.intp)
                if len(idx) == 0 or (self._drop and len(idx) < b):
                    return
                yield source._rows(idx)
        else:
            it = self._input._elements()
            while True:
                chunk = list(itertools.islice(it, b))
                if not chunk or (self._drop and len(chunk) < b):
                    return
                yield _stack(chunk)


def _stack(elements: list):
    """One batch from a list of elements: stack each component."""
    flat = [structure.flatten(e) for e in elements]
    columns = []
    for c in range(len(flat[0])):
        column = [f[c] for f in flat]
        first = column[0].shape
        for k, a in enumerate(column):
            if a.shape != first:
                raise ValueError(
                    f"Cannot batch tensors with different shapes in component {c}. First element had shape "
                    f"{list(first)} and element {k} had shape {list(a.shape)}. Pad them to one shape first, or "
                    "batch with batch_size=1.")
        columns.append(backend.array_module(column[0]).stack(column))
    return structure.pack_as(elements[0], columns)


class MapDataset(Dataset):
    """``map_func`` applied to every element."""

    def __init__(self, input_dataset, map_func):
        if not callable(map_func):
            raise TypeError(f"`map_func` must be callable, got {map_func!r}.")
        self._input = input_dataset
        self._fn = map_func

    def _cardinality(self) -> int:
        return self._input._cardinality()

    def _first_element(self):
        return _call(self._fn, self._input._first_element(), "map")

    def _elements(self):
        for element in self._input._elements():
            yield _call(self._fn, element, "map")


def _call(fn, element, what: str):
    """Call a user function on an element given as tensors; tuples are unpacked into arguments."""
    args = structure.map_structure(structure.to_tensor, element)
    out = fn(*args) if type(args) is tuple else fn(args)
    if out is None:
        raise TypeError(f"The function passed to `{what}` returned None; it must return the new element "
                        "(a tensor, or a tuple / dict of tensors).")
    return structure.map_structure(structure.to_array, structure.normalize(out))


class FilterDataset(Dataset):
    """The elements for which ``predicate`` is True."""

    def __init__(self, input_dataset, predicate):
        if not callable(predicate):
            raise TypeError(f"`predicate` must be callable, got {predicate!r}.")
        self._input = input_dataset
        self._predicate = predicate

    def _spec(self):
        return self._input._spec()

    def _first_element(self):
        return self._input._first_element()

    def _elements(self):
        for element in self._input._elements():
            keep = _call(self._predicate, element, "filter")
            if keep.shape != () or keep.dtype != np.bool_:
                raise ValueError(f"`predicate` return type must be convertible to a scalar boolean tensor. "
                                 f"Was a {keep.dtype} tensor of shape {keep.shape}.")
            if bool(keep):
                yield element


class RepeatDataset(_PassThrough):
    """The input ``count`` times over (forever when ``count`` is None or -1)."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = -1 if count is None else int(count)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count == 0 or n == 0:
            return 0
        if self._count < 0:
            return INFINITE_CARDINALITY if n != UNKNOWN_CARDINALITY else UNKNOWN_CARDINALITY
        return n * self._count if n >= 0 else n

    def _repeat(self, one_pass):
        passes = itertools.count() if self._count < 0 else range(self._count)
        for _ in passes:
            empty = True
            for item in one_pass():
                empty = False
                yield item
            if empty:  # repeating an empty dataset forever would never yield
                return

    def _elements(self):
        return self._repeat(self._input._elements)

    def _indices(self):
        return self._repeat(self._input._indices)


class TakeDataset(_PassThrough):
    """The first ``count`` elements."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = int(count)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count < 0:
            return n
        if n == INFINITE_CARDINALITY:
            return self._count
        return min(n, self._count) if n >= 0 else n

    def _cut(self, it):
        return it if self._count < 0 else itertools.islice(it, self._count)

    def _elements(self):
        return self._cut(self._input._elements())

    def _indices(self):
        return self._cut(self._input._indices())


class SkipDataset(TakeDataset):
    """All but the first ``count`` elements."""

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n < 0:
            return n
        return 0 if self._count < 0 else max(n - self._count, 0)

    def _cut(self, it):
        if self._count < 0:
            return iter(())
        return itertools.islice(it, self._count, None)


class PrefetchDataset(_PassThrough):
    """Elements unchanged (tinyflow runs the pipeline synchronously)."""


class CacheDataset(_PassThrough):
    """Replays the elements of the first complete pass."""

    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        self._source = None
        self._cache: list | None = None

    def _elements(self):
        if self._cache is not None:
            yield from self._cache
            return
        seen = []
        for element in self._input._elements():
            seen.append(element)
            yield element
        self._cache = seen


class ZipDataset(Dataset):
    """Tuples of the i-th elements of several datasets."""

    def __init__(self, datasets: tuple):
        for d in datasets:
            if not isinstance(d, Dataset):
                raise TypeError(f"Dataset.zip expects datasets, got {d!r}.")
        self._inputs = datasets

    def _cardinality(self) -> int:
        ns = [d._cardinality() for d in self._inputs]
        finite = [n for n in ns if n >= 0]
        if finite:
            return min(finite)
        return UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in ns else INFINITE_CARDINALITY

    def _spec(self):
        return tuple(d._spec() for d in self._inputs)

    def _first_element(self):
        return tuple(d._first_element() for d in self._inputs)

    def _elements(self):
        return zip(*[d._elements() for d in self._inputs])


class ConcatenateDataset(Dataset):
    """The elements of one dataset followed by those of another."""

    def __init__(self, first: Dataset, second: Dataset):
        self._inputs = (first, second)

    def _cardinality(self) -> int:
        a, b = (d._cardinality() for d in self._inputs)
        if INFINITE_CARDINALITY in (a, b):
            return INFINITE_CARDINALITY
        return a + b if a >= 0 and b >= 0 else UNKNOWN_CARDINALITY

    def _spec(self):
        return self._inputs[0]._spec()

    def _first_element(self):
        return self._inputs[0]._first_element()

    def _elements(self):
        return itertools.chain(self._inputs[0]._elements(), self._inputs[1]._elements())


def _seeds(seed) -> tuple:
    """The shuffle's seeds by TF's rules: the op ``seed`` and the global seed (``tf.random.set_seed``);
    fresh random ones when neither is set."""
    from tinyflow.ops.random_ops import get_seed  # noqa: PLC0415

    seed1, seed2 = get_seed(seed)
    if seed1 is None:
        return (int(np.random.SeedSequence().entropy % (2**63)),)
    return (seed1, seed2)
