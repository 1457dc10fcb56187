"""``tf.data``: input pipelines. ``Dataset.from_tensor_slices((x, y)).shuffle(n).batch(32)``.

>>> import tinyflow as tf
>>> ds = tf.data.Dataset.from_tensor_slices(([1.0, 2.0, 3.0], [0, 1, 0])).batch(2)
>>> [x.shape.as_list() for x, _ in ds]
[[2], [1]]
"""
from tinyflow.data import experimental
from tinyflow.data.dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "experimental"]
