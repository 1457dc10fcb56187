"""``keras.optimizers.Adam``: momentum plus a per-weight step size from the running mean of g².

    t     = iterations + 1
    alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)       (bias correction folded into the step)
    m     = m + (g - m) * (1 - beta_1)
    v     = v + (g² - v) * (1 - beta_2)
    amsgrad: v_hat = max(v_hat, v), used in place of v
    w     = w - alpha * m / (sqrt(v) + epsilon)

>>> import tinyflow as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.Adam(learning_rate=0.1)
>>> _ = opt.apply_gradients([(tf.constant(5.0), w)])
>>> round(float(w), 5)      # the first step has size ≈ lr whatever the gradient
0.9
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.keras.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014).

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      beta_1: decay of the first moment ``m`` (default 0.9).
      beta_2: decay of the second moment ``v`` (default 0.999).
      epsilon: "epsilon hat", added to sqrt(v) (default 1e-7).
      amsgrad: use the running maximum of ``v`` (Reddi et al., 2018) (default False).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name: str = "adam", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat") if self.amsgrad else []

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = tf.cast(learning_rate, variable.dtype)
        gradient = tf.cast(gradient, variable.dtype)
        local_step = tf.cast(self.iterations + 1, variable.dtype)
        beta_1_power = tf.pow(tf.cast(self.beta_1, variable.dtype), local_step)
        beta_2_power = tf.pow(tf.cast(self.beta_2, variable.dtype), local_step)
        i = self._get_variable_index(variable)
        m, v = self._momentums[i], self._velocities[i]
        alpha = lr * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((tf.square(gradient) - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[i]
            v_hat.assign(tf.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub(m * alpha / (tf.sqrt(v) + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}
