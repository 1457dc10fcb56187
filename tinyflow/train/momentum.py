"""``MomentumOptimizer``: gradient descent with a velocity (TF1's form of momentum).

    accum = momentum * accum + grad
    var  -= learning_rate * accum                                  (use_nesterov=False)
    var  -= learning_rate * grad + learning_rate * momentum * accum (use_nesterov=True)

Note the difference from ``keras.optimizers.SGD(momentum=...)``, whose velocity already
includes the learning rate (``v = momentum * v - lr * g``); the two agree while the
learning rate is constant.

>>> import tinyflow as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.compat.v1.train.MomentumOptimizer(0.1, momentum=0.9)
>>> for _ in range(2):
...     opt.apply_gradients([(tf.constant(1.0), w)])
>>> round(float(w), 4)   # 1 - 0.1·1 - 0.1·(0.9 + 1)
0.71
"""
from __future__ import annotations

from tinyflow.ops.base_ops import group
from tinyflow.train.optimizer import Optimizer


class MomentumOptimizer(Optimizer):
    """Momentum (optionally Nesterov's).

    Args:
      learning_rate: a float or scalar tensor.
      momentum: a float or scalar tensor, the decay of the accumulated gradient.
      use_locking: accepted for compatibility.
      name: prefix of the ops and slot variables (default ``"Momentum"``).
      use_nesterov: look ahead along the velocity (default False).
    """

    def __init__(self, learning_rate, momentum, use_locking: bool = False, name: str = "Momentum",
                 use_nesterov: bool = False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list: list) -> None:
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._tensor(self._learning_rate, "learning_rate")
        self._momentum_tensor = self._tensor(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "momentum")
        lr, mu = self._cast(self._learning_rate_tensor, var), self._cast(self._momentum_tensor, var)
        accum_t = accum * mu + grad
        accum_update = accum.assign(accum_t, read_value=False)
        if self._use_nesterov:
            var_update = var.assign_sub(grad * lr + accum_t * mu * lr, read_value=False)
        else:
            var_update = var.assign_sub(accum_t * lr, read_value=False)
        return group(accum_update, var_update)
