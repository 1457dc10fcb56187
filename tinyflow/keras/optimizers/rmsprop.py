"""``keras.optimizers.RMSprop``: divide the gradient by a running root-mean-square of gradients.

    v = rho * v + (1 - rho) * g²
    centered:  a = rho * a + (1 - rho) * g ;  denominator = v - a² + epsilon
    otherwise: denominator = v + epsilon
    step = lr * g / sqrt(denominator)
    momentum > 0: m = momentum * m + step ;  w = w - m      (else w = w - step)

>>> import tinyflow as tf
>>> w = tf.Variable(10.0)
>>> opt = tf.keras.optimizers.RMSprop(learning_rate=0.1)
>>> opt.minimize(lambda: (w ** 2) / 2.0, [w])     # d(loss)/dw = w
>>> round(float(w), 6)
9.683772
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012).

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      rho: decay of the running average of g² (default 0.9).
      momentum: momentum of the update (default 0.0).
      epsilon: added inside the square root (default 1e-7).
      centered: normalize by the estimated variance instead of the raw second moment (default False).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name: str = "rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = self.add_optimizer_variables(var_list, "momentum") if self.momentum > 0 else []
        self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient") \
            if self.centered else []

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = tf.cast(learning_rate, variable.dtype)
        gradient = tf.cast(gradient, variable.dtype)
        i = self._get_variable_index(variable)
        velocity, rho = self._velocities[i], self.rho
        velocity.assign(rho * velocity + (1 - rho) * tf.square(gradient))
        if self.centered:
            average_grad = self._average_gradients[i]
            average_grad.assign(rho * average_grad + (1 - rho) * gradient)
            denominator = velocity - tf.square(average_grad) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = lr * gradient / tf.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[i]
            momentum.assign(self.momentum * momentum + increment)
            variable.assign_sub(momentum)
        else:
            variable.assign_sub(increment)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}
