"""``keras.optimizers.SGD``: gradient descent, optionally with (Nesterov) momentum.

    momentum = 0:   w = w - lr * g
    momentum > 0:   v = momentum * v - lr * g ;  w = w + v
    nesterov:       v = momentum * v - lr * g ;  w = w + momentum * v - lr * g

>>> import tinyflow as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
>>> for _ in range(2):
...     _ = opt.apply_gradients([(tf.constant(1.0), w)])
>>> round(float(w), 4)      # v1 = -0.1, v2 = 0.9·v1 - 0.1 = -0.19
0.71
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent.

    Args:
      learning_rate: float, schedule or callable (default 0.01).
      momentum: float in [0, 1] that accumulates past gradients (default 0.0: plain SGD).
      nesterov: use Nesterov momentum (default False).
      **kwargs: the base ``Optimizer`` arguments (``weight_decay``, ``clipnorm``, ``name`` ...).
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name: str = "SGD", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        if not isinstance(momentum, float | int) or isinstance(momentum, bool) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum") if self.momentum != 0 else []

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = tf.cast(learning_rate, variable.dtype)
        gradient = tf.cast(gradient, variable.dtype)
        if self.momentum == 0:
            variable._apply_gradient_descent(lr, gradient)  # variable -= lr · gradient, one fused op
            return
        m = self.momentums[self._get_variable_index(variable)]
        momentum = tf.cast(self.momentum, variable.dtype)
        m.assign(m * momentum - gradient * lr)
        if self.nesterov:
            variable.assign_add(m * momentum - gradient * lr)
        else:
            variable.assign_add(m)

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
