"""``keras.optimizers.AdamW``: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

Before each Adam step every variable shrinks: ``w = w - w * weight_decay * lr``.

>>> import tinyflow as tf
>>> w = tf.Variable(1.0)
>>> opt = tf.keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
>>> _ = opt.apply_gradients([(tf.constant(0.0), w)])   # zero gradient: only the decay acts
>>> round(float(w), 5)                                # 1 - 1·0.5·0.1
0.95
"""
from __future__ import annotations

from tinyflow.keras.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with weight decay.

    Args:
      learning_rate: float, schedule or callable (default 0.001).
      weight_decay: decay per step, multiplied by the learning rate (default 0.004).
      beta_1, beta_2, epsilon, amsgrad: as in :class:`Adam`.
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name: str = "adamw", **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
