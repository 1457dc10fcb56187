"""``AdamOptimizer``: TF1's Adam, with the bias correction folded into the step size.

    t       = t + 1                        (beta1_power = beta1^t, beta2_power = beta2^t)
    lr_t    = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t)
    m       = m + (1 - beta1) * (g - m)
    v       = v + (1 - beta2) * (g² - v)
    var    -= lr_t * m / (sqrt(v) + epsilon)

``epsilon`` is the paper's "epsilon hat" (added after the bias correction), default 1e-8.

>>> import tinyflow as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.compat.v1.train.AdamOptimizer(0.1)
>>> opt.apply_gradients([(tf.constant(3.0), w)])
>>> round(float(w), 4)   # the first Adam step moves by about lr, whatever the gradient's size
0.9
"""
from __future__ import annotations

import tinyflow as tf
from tinyflow.framework.graph import control_dependencies
from tinyflow.ops.base_ops import group
from tinyflow.train.optimizer import Optimizer


class AdamOptimizer(Optimizer):
    """Adam (Kingma & Ba, 2015), as ``tf.compat.v1.train.AdamOptimizer``.

    Args:
      learning_rate: step size (default 0.001).
      beta1: decay of the first-moment estimate ``m`` (default 0.9).
      beta2: decay of the second-moment estimate ``v`` (default 0.999).
      epsilon: added to ``sqrt(v)`` (default 1e-8).
      use_locking: accepted for compatibility.
      name: prefix of the ops; slots are ``<var>/Adam`` (m) and ``<var>/Adam_1`` (v) (default ``"Adam"``).
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08, use_locking: bool = False,
                 name: str = "Adam"):
        super().__init__(use_locking, name)
        self._lr, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon

    def _create_slots(self, var_list: list) -> None:
        graph = min(var_list, key=lambda v: v.name).graph  # one pair of powers per graph (None: eager)
        self._beta_powers = (self._non_slot_variable(self._beta1, "beta1_power", graph),
                             self._non_slot_variable(self._beta2, "beta2_power", graph))
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _get_beta_accumulators(self) -> tuple:
        """``(beta1_power, beta2_power)``: beta1^t and beta2^t, shared by all variables."""
        return self._beta_powers

    def _prepare(self) -> None:
        self._lr_t = self._tensor(self._lr, "learning_rate")
        self._beta1_t = self._tensor(self._beta1, "beta1")
        self._beta2_t = self._tensor(self._beta2, "beta2")
        self._epsilon_t = self._tensor(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        beta1_power, beta2_power = (self._cast(p, var) for p in self._get_beta_accumulators())
        lr, beta1, beta2, eps = (self._cast(t, var) for t in (self._lr_t, self._beta1_t, self._beta2_t,
                                                               self._epsilon_t))
        lr_t = lr * tf.sqrt(1.0 - beta2_power) / (1.0 - beta1_power)  # bias correction folded into the step
        m_t = m + (grad - m) * (1.0 - beta1)
        v_t = v + (tf.square(grad) - v) * (1.0 - beta2)
        m_update = m.assign(m_t, read_value=False)
        v_update = v.assign(v_t, read_value=False)
        var_update = var.assign_sub(lr_t * m_t / (tf.sqrt(v_t) + eps), read_value=False)
        return group(m_update, v_update, var_update)

    def _finish(self, update_ops: list, name_scope: str | None):
        beta1_power, beta2_power = self._get_beta_accumulators()
        with control_dependencies(update_ops):  # the powers advance after every variable used them
            update_beta1 = beta1_power.assign(beta1_power * self._beta1_t, read_value=False)
            update_beta2 = beta2_power.assign(beta2_power * self._beta2_t, read_value=False)
        return group(*update_ops, update_beta1, update_beta2, name=name_scope)
