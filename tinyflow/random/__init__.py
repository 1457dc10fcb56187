"""``tf.random``: seeds (``set_seed``), random tensors (``normal``, ``uniform``, ``truncated_normal``,
``categorical``, ``shuffle``), their ``stateless_*`` twins and ``Generator``.

>>> import tinyflow as tf
>>> tf.random.set_seed(0)
>>> tf.random.normal([2, 2]).shape
TensorShape([2, 2])
"""
from tinyflow.ops.random_ops import *
from tinyflow.ops.stateless_random_ops import *
