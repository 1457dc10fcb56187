"""``tf.data.experimental``: the constants and helpers older tutorials still use."""
from tinyflow.data.dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY  # noqa: F401


def cardinality(dataset):
    """``dataset.cardinality()``: -1 for infinite, -2 for unknown."""
    return dataset.cardinality()
