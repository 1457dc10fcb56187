"""``GradientDescentOptimizer``: ``var -= learning_rate * grad``.

>>> import tinyflow as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.compat.v1.train.GradientDescentOptimizer(0.1)
>>> opt.apply_gradients([(tf.constant(2.0), w)])
>>> print(w.numpy())
0.8
"""
from __future__ import annotations

from tinyflow.train.optimizer import Optimizer


class GradientDescentOptimizer(Optimizer):
    """Plain gradient descent.

    Args:
      learning_rate: a float, a scalar tensor, or (eager) a function returning one.
      use_locking: accepted for compatibility (updates never race here).
      name: prefix of the ops it creates (default ``"GradientDescent"``).
    """

    def __init__(self, learning_rate, use_locking: bool = False, name: str = "GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._tensor(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        lr = self._cast(self._learning_rate_tensor, var)
        return var._apply_gradient_descent(lr, grad)  # var -= lr·g, TF's ApplyGradientDescent
