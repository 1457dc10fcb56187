"""``keras.optimizers.Adagrad``: per-weight step sizes that shrink with the sum of past g².

    accumulator = accumulator + g²          (starts at initial_accumulator_value)
    w           = w - lr * g / sqrt(accumulator + epsilon)

>>> import tinyflow as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.Adagrad(learning_rate=0.1)
>>> _ = opt.apply_gradients([(tf.constant(1.0), w)])
>>> round(float(w), 5)       # 1 - 0.1 · 1 / tf.sqrt(0.1 + 1)
0.90465
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011).

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      initial_accumulator_value: starting value of the accumulators, >= 0 (default 0.1).
      epsilon: added inside the square root (default 1e-7).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, name: str | None = None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(var_list, "accumulator",
                                                          initializer=float(self.initial_accumulator_value))

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = tf.cast(learning_rate, variable.dtype)
        gradient = tf.cast(gradient, variable.dtype)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        accumulator.assign_add(tf.square(gradient))
        variable.assign_sub(lr * gradient / tf.sqrt(accumulator + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
