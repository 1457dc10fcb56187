"""``tf.data.Dataset``: an input pipeline built from small, chainable steps.

A dataset is a recipe. ``from_tensor_slices`` makes one element per row; ``shuffle``,
``batch``, ``map``, ``repeat`` and ``take`` each wrap the dataset before them. Nothing
runs until you iterate: then every step pulls elements from the step before it.
Elements leave the pipeline as eager tensors, keeping their tuples and dicts.

Each step is a small class (see ``sources.py`` and ``transforms.py``) with one
generator method, ``_elements()``, that yields elements as plain arrays.

>>> import numpy as np
>>> import tinyflow as tf
>>> ds = tf.data.Dataset.from_tensor_slices((np.arange(6.0), np.arange(6) % 2))
>>> for x, y in ds.shuffle(6, seed=1).batch(4, drop_remainder=True):
...     print(x.shape, y.dtype)
(4,) tf.int64
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

from tinyflow.data import structure
from tinyflow.framework import context

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


class Dataset:
    """Base class of every dataset. Subclasses implement ``_elements()`` and ``_cardinality()``.

    A subclass may also be *indexable*: its elements are rows ``i`` of a
    :class:`~tinyflow.data.sources.TensorSliceDataset` (``_source``), in the order given by
    ``_indices()``. ``batch`` then gathers whole batches with one fancy index per tensor,
    instead of stacking elements one by one.
    """

    _source = None  # the TensorSliceDataset whose rows this dataset yields, if indexable

    # -- what subclasses provide ------------------------------------------------------------------
    def _elements(self) -> Iterator:
        """One pass over the data: elements as nested arrays."""
        raise NotImplementedError

    def _indices(self) -> Iterator[int]:
        """One pass, as row numbers of ``self._source`` (only for indexable datasets)."""
        raise NotImplementedError

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY

    def _first_element(self):
        """An element as arrays, to describe the element structure (``element_spec``)."""
        for e in self._elements():
            return e
        raise ValueError(f"Cannot describe the elements of an empty dataset ({self!r}).")

    def _spec(self):
        return structure.map_structure(structure.spec_of, self._first_element())

    # -- iteration ------------------------------------------------------------------------------
    def __iter__(self) -> Iterator:
        graph = context.building_graph()
        if graph is not None and not getattr(graph, "_is_function", False):
            raise RuntimeError("`tf.data.Dataset` only supports Python-style iteration in eager mode or within "
                               "tf.function.")
        return _DatasetIterator(self)

    def as_numpy_iterator(self) -> Iterator:
        """Iterate with numpy values instead of tensors (numpy scalars for rank 0).

        >>> import tinyflow as tf
        >>> list(tf.data.Dataset.from_tensor_slices([1, 2]).as_numpy_iterator())
        [np.int32(1), np.int32(2)]
        """
        for element in self._elements():
            yield structure.map_structure(structure.to_numpy, element)

    @property
    def element_spec(self):
        """The structure of one element, as ``tf.TensorSpec`` leaves."""
        return self._spec()

    def cardinality(self):
        """The number of elements as an int64 scalar: -1 if infinite, -2 if unknown."""
        from tinyflow.framework.tensor import EagerTensor  # noqa: PLC0415

        return EagerTensor(np.asarray(self._cardinality(), dtype=np.int64))

    def __len__(self) -> int:
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self) -> bool:
        return True  # a dataset is never "empty" as a Python object (len() may be unknown)

    def __repr__(self) -> str:
        try:
            spec = self.element_spec
        except Exception:  # noqa: BLE001  (an empty dataset or a failing map function)
            spec = "?"
        return f"<_{type(self).__name__} element_spec={spec}>"

    # -- sources --------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name: str | None = None) -> Dataset:
        """One element per row (first dimension) of ``tensors``: a tensor, array, or a tuple /
        dict of them, all with the same number of rows.

        >>> import tinyflow as tf
        >>> [int(x) for x in tf.data.Dataset.from_tensor_slices([4, 5, 6])]
        [4, 5, 6]
        """
        return sources.TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name: str | None = None) -> Dataset:
        """A dataset with exactly one element, ``tensors``."""
        return sources.TensorDataset(tensors)

    @staticmethod
    def range(*args, dtype=None, name: str | None = None) -> Dataset:
        """``Dataset.range(stop)`` / ``range(start, stop[, step])``: int64 scalars, like Python's range."""
        return sources.RangeDataset(*args, dtype=dtype)

    @staticmethod
    def from_generator(generator: Callable, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name: str | None = None) -> Dataset:
        """Elements produced by calling ``generator()`` (again for every pass over the data)."""
        return sources.GeneratorDataset(generator, args or ())

    @staticmethod
    def zip(*datasets, name: str | None = None) -> Dataset:
        """Tuples of the i-th elements of several datasets (stops at the shortest)."""
        if len(datasets) == 1 and isinstance(datasets[0], tuple | list):
            datasets = tuple(datasets[0])
        return transforms.ZipDataset(datasets)

    # -- transformations ------------------------------------------------------------------------
    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration: bool = True,
                name: str | None = None) -> Dataset:
        """Randomly shuffle with a buffer of ``buffer_size`` elements.

        The buffer is filled with the first ``buffer_size`` elements; each output is a
        random pick from the buffer, whose place the next input element takes. A buffer
        at least as large as the dataset gives a uniform shuffle. With a ``seed`` the
        orders are reproducible; ``reshuffle_each_iteration`` gives each pass a new order.
        """
        return transforms.ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size: int, drop_remainder: bool = False, num_parallel_calls=None, deterministic=None,
              name: str | None = None) -> Dataset:
        """Stack ``batch_size`` consecutive elements into one (a new first dimension).
        The last batch may be smaller unless ``drop_remainder=True``."""
        return transforms.BatchDataset(self, batch_size, drop_remainder)

    def map(self, map_func: Callable, num_parallel_calls=None, deterministic=None,
            name: str | None = None) -> Dataset:
        """Apply ``map_func`` to every element (tuple elements are passed as separate arguments).

        NOTE: tinyflow calls ``map_func`` eagerly for each element; TensorFlow traces it once
        into a graph, so Python side effects there (``print``) happen only once.
        """
        return transforms.MapDataset(self, map_func)

    def filter(self, predicate: Callable, name: str | None = None) -> Dataset:
        """Keep the elements for which ``predicate`` returns True (a boolean scalar)."""
        return transforms.FilterDataset(self, predicate)

    def repeat(self, count: int | None = None, name: str | None = None) -> Dataset:
        """Pass over the data ``count`` times (forever when ``count`` is None or -1)."""
        return transforms.RepeatDataset(self, count)

    def take(self, count: int, name: str | None = None) -> Dataset:
        """The first ``count`` elements (all of them when ``count`` is -1)."""
        return transforms.TakeDataset(self, count)

    def skip(self, count: int, name: str | None = None) -> Dataset:
        """Everything after the first ``count`` elements."""
        return transforms.SkipDataset(self, count)

    def prefetch(self, buffer_size: int, name: str | None = None) -> Dataset:
        """Accepted for compatibility; tinyflow's pipeline is synchronous, so nothing changes."""
        return transforms.PrefetchDataset(self)

    def cache(self, filename: str = "", name: str | None = None) -> Dataset:
        """Remember the elements of the first complete pass and replay them afterwards (in memory)."""
        return transforms.CacheDataset(self)

    def enumerate(self, start: int = 0, name: str | None = None) -> Dataset:
        """Pairs ``(index, element)`` with an int64 index counting from ``start``."""
        return Dataset.zip((Dataset.range(start, np.iinfo(np.int64).max), self))

    def concatenate(self, dataset: Dataset, name: str | None = None) -> Dataset:
        """The elements of this dataset, then those of ``dataset``."""
        return transforms.ConcatenateDataset(self, dataset)


class _DatasetIterator:
    """What ``iter(dataset)`` returns: ``next(it)`` (or ``it.get_next()``) gives the next element."""

    def __init__(self, dataset: Dataset):
        self._dataset = dataset
        self._it = dataset._elements()

    def __iter__(self):
        return self

    def __next__(self):
        element = next(self._it)
        if type(element) is tuple:  # the common (x, y) case without the general machinery
            return tuple(structure.to_tensor(e) if not structure.is_nested(e)
                         else structure.map_structure(structure.to_tensor, e) for e in element)
        return structure.map_structure(structure.to_tensor, element)

    def get_next(self):
        return next(self)

    @property
    def element_spec(self):
        return self._dataset.element_spec


def shuffled(items: Iterator, buffer_size: int, rng: np.random.Generator) -> Iterator:
    """TF's shuffle buffer: fill ``buffer_size`` items, then repeatedly emit a random one and
    put the next input item in its place. Used for elements and for row numbers alike."""
    it = iter(items)
    buffer = list(itertools.islice(it, buffer_size))
    draws, k = rng.random(256), 0  # uniform numbers drawn in blocks: one call per 256 items
    while buffer:
        if k == len(draws):
            draws, k = rng.random(256), 0
        pick = int(draws[k] * len(buffer))
        k += 1
        out = buffer[pick]
        nxt = next(it, _END)
        if nxt is _END:  # input exhausted: the buffer drains
            buffer[pick] = buffer[-1]
            buffer.pop()
        else:
            buffer[pick] = nxt
        yield out


_END = object()

from tinyflow.data import sources, transforms  # noqa: E402  (they subclass Dataset)
