"""Turn what ``fit``/``evaluate``/``predict`` receive into batches: numpy arrays, tensors, or a Dataset.

Arrays (and tensors, converted to numpy once) are cut into batches of ``batch_size`` (default 32);
float arrays become float32 once, up front, as Keras does. With ``shuffle`` the rows are permuted
once per epoch and the batches are then plain slices. A ``tinyflow.data.Dataset`` is already batched:
its elements ``x``, ``(x, y)`` or ``(x, y, sample_weight)`` are used as they come.

Each batch is a tuple ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` — the ``data`` that
``Model.train_step`` receives.

>>> import numpy as np
>>> from tinyflow.keras.models.data_adapter import DataAdapter
>>> data = DataAdapter(np.zeros((5, 2)), np.arange(5), batch_size=2)
>>> data.num_batches, [b[0].shape for b in data.batches()]
(3, [(2, 2), (2, 2), (1, 2)])
"""
from __future__ import annotations

import math

import numpy as np

from tinyflow.keras.layers.keras_tensor import flatten, map_structure


class DataAdapter:
    """Batches of ``(x, y, sample_weight)`` from arrays or a Dataset.

    Args:
      x, y, sample_weight: arrays (or lists/dicts of arrays for several inputs/outputs), or a Dataset as x.
      batch_size: rows per batch for arrays (default 32). steps: batches per pass (default: all).
      shuffle: permute the rows every pass (arrays only). class_weight: ``{class: weight}`` -> sample weights.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle: bool = False,
                 class_weight=None):
        self.shuffle = shuffle
        self._dataset = x if is_dataset(x) else None
        if self._dataset is not None:
            if y is not None:
                raise ValueError("When providing `x` as a dataset, `y` should not be passed. Instead, the targets "
                                 "should be included as part of the dataset `x` (elements (x, y)).")
            if batch_size is not None:
                raise ValueError("Do not specify `batch_size` when `x` is a dataset: it is batched already. "
                                 "Use dataset.batch(n) to change the batch size.")
            if sample_weight is not None:
                raise ValueError("When providing `x` as a dataset, put the sample weights in its elements "
                                 "(x, y, sample_weight) instead of passing `sample_weight`.")
            n = _cardinality(self._dataset)
            self.num_batches = steps if steps is not None else n
            self.num_samples = None
            return
        if x is None:
            raise ValueError("Missing data: pass `x` (arrays or a tinyflow.data.Dataset).")
        self.x = map_structure(to_array, _nested_numbers_to_array(x))
        self.y = None if y is None else map_structure(to_array, _nested_numbers_to_array(y))
        self.sample_weight = None if sample_weight is None else to_array(sample_weight)
        if class_weight is not None:
            if self.y is None or isinstance(self.y, list | dict):
                raise ValueError("`class_weight` needs a single array of targets `y`.")
            self.sample_weight = _class_weights_to_sample_weights(self.y, class_weight, self.sample_weight)
        self.num_samples = _check_cardinality(self.x, self.y, self.sample_weight)
        self.batch_size = 32 if batch_size is None else int(batch_size)
        if self.batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size}")
        self.num_batches = math.ceil(self.num_samples / self.batch_size)
        if steps is not None:
            self.num_batches = min(int(steps), self.num_batches)
        self._single = isinstance(self.x, np.ndarray) and isinstance(self.y, np.ndarray | type(None))

    def batches(self, rng: np.random.Generator | None = None):
        """One pass over the data: yields ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` tuples."""
        if self._dataset is not None:
            for i, element in enumerate(self._dataset):
                if self.num_batches is not None and i >= self.num_batches:
                    return
                yield element if isinstance(element, tuple) else (element,)
            return
        x, y, sw = self.x, self.y, self.sample_weight
        if self.shuffle and self.num_samples > 1:
            order = (rng or np.random.default_rng()).permutation(self.num_samples)
            x, y, sw = (None if a is None else map_structure(lambda v: v[order], a) for a in (x, y, sw))
        bs = self.batch_size
        for i in range(self.num_batches):
            s = slice(i * bs, (i + 1) * bs)
            if self._single:  # the common case: one x array and one y array
                yield (x[s],) if y is None else ((x[s], y[s]) if sw is None else (x[s], y[s], sw[s]))
                continue
            xb = map_structure(lambda v, s=s: v[s], x)
            if y is None:
                yield (xb,)
            else:
                yb = map_structure(lambda v, s=s: v[s], y)
                yield (xb, yb) if sw is None else (xb, yb, sw[s])

    def first_batch(self):
        return next(iter(self.batches()))


def is_dataset(x) -> bool:
    from tinyflow.data import Dataset  # noqa: PLC0415

    return isinstance(x, Dataset)


def to_array(value):
    """numpy array of a tensor, list or array; float64 -> float32 (Keras's floatx)."""
    if value is None:
        return None
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    array = np.asarray(value)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    if array.dtype == object:
        raise ValueError(f"Could not convert the data to a numeric array (got dtype=object). Received: {value!r}")
    return array


def _nested_numbers_to_array(x):
    """A plain (nested) list of numbers is one array, not a list of inputs: ``[[1.0, 2.0]]`` -> shape (1, 2)."""
    if isinstance(x, list | tuple) and all(isinstance(v, int | float | bool | np.number) for v in flatten(x)):
        return np.asarray(x)
    return x


def _check_cardinality(x, y, sw) -> int:
    sizes = {name: [a.shape[0] if a.ndim else 1 for a in flatten(v)]
             for name, v in (("x", x), ("y", y), ("sample_weight", sw)) if v is not None}
    distinct = {n for ns in sizes.values() for n in ns}
    if len(distinct) != 1:
        details = " ".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. "
                         f"{details}")
    return distinct.pop()


def _cardinality(dataset):
    try:
        n = int(np.asarray(dataset.cardinality()))
    except Exception:  # noqa: BLE001  (a dataset without a known length)
        return None
    return n if n >= 0 else None


def _class_weights_to_sample_weights(y: np.ndarray, class_weight: dict, sample_weight):
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0].astype(np.int64)
    missing = set(np.unique(labels).tolist()) - set(class_weight)
    if missing:
        raise ValueError(f"`class_weight` must contain all classes in the data. The classes {sorted(missing)} exist "
                         f"in the data but not in `class_weight`.")
    weights = np.array([class_weight[int(c)] for c in labels], dtype=np.float32)
    return weights if sample_weight is None else weights * sample_weight


def train_validation_split(arrays: tuple, validation_split: float) -> tuple:
    """Keras's split: the last ``validation_split`` of the rows (before any shuffling) is for validation."""
    first = next(a for a in flatten(arrays) if a is not None)
    n = int(first.shape[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                         f"validation and training set as specified by `validation_split={validation_split}`. "
                         "Either provide more data, or a different value for the `validation_split` argument.")
    train = map_structure(lambda a: None if a is None else a[:split_at], arrays)
    val = map_structure(lambda a: None if a is None else a[split_at:], arrays)
    return train, val
