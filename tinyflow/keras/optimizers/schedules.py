"""``keras.optimizers.schedules``: learning rates that change with the optimizer's step count.

A schedule is a function of the step: ``lr = schedule(optimizer.iterations)``. Pass one as
``learning_rate`` and the optimizer calls it at every update (inside ``tf.function`` too,
since it is written with tinyflow ops).

>>> import tinyflow as tf
>>> s = tf.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> round(float(s(20)), 6)     # 0.1 · 0.5^(20/10)
0.025
"""
from __future__ import annotations

import math

import tinyflow as tf


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``.

    >>> import tinyflow as tf
    >>> class InverseStep(tf.keras.optimizers.schedules.LearningRateSchedule):
    ...     def __call__(self, step):
    ...         return 0.1 / (tf.cast(step, tf.float32) + 1.0)
    >>> round(float(InverseStep()(4)), 6)
    0.02
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
                                  "in order to be serializable.")

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``: the rate drops
    every ``decay_steps`` steps instead of continuously.

    Args:
      initial_learning_rate: the rate at step 0.
      decay_steps: a positive int, the steps for one factor of ``decay_rate``.
      decay_rate: the factor per ``decay_steps``.
      staircase: decay in discrete jumps (default False).
      name: name scope of the ops (default ``"ExponentialDecay"``).
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase: bool = False,
                 name: str = "ExponentialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate, self.staircase, self.name = decay_steps, decay_rate, staircase, name

    def __call__(self, step):
        with tf.name_scope(self.name):
            initial = tf.convert_to_tensor(self.initial_learning_rate)
            p = tf.cast(step, initial.dtype) / tf.cast(self.decay_steps, initial.dtype)
            if self.staircase:
                p = tf.floor(p)
            return initial * tf.pow(tf.cast(self.decay_rate, initial.dtype), p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial rate to ``alpha`` times it over ``decay_steps``, then constant:

        step    = min(step, decay_steps)
        decayed = (1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha
        lr      = initial_learning_rate * decayed

    With ``warmup_target``, the rate first rises linearly from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps``, then decays from ``warmup_target``.

    Args:
      initial_learning_rate: the rate at step 0.
      decay_steps: steps of the decay phase.
      alpha: the final rate as a fraction of the decay's starting rate (default 0.0).
      name: name scope (default ``"CosineDecay"``).
      warmup_target: rate reached at the end of the warmup (default None: no warmup).
      warmup_steps: length of the warmup (default 0).
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha: float = 0.0, name: str = "CosineDecay",
                 warmup_target=None, warmup_steps: int = 0):
        if decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")
        self.initial_learning_rate, self.decay_steps, self.alpha = initial_learning_rate, decay_steps, alpha
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def _decay(self, step, decay_steps, decay_from):
        cosine = 0.5 * (1.0 + tf.cos(math.pi * (step / decay_steps)))
        return decay_from * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        with tf.name_scope(self.name):
            initial = tf.convert_to_tensor(self.initial_learning_rate)
            dtype = initial.dtype
            decay_steps = tf.cast(self.decay_steps, dtype)
            step = tf.cast(step, dtype)
            if self.warmup_target is None:
                return self._decay(tf.minimum(step, decay_steps), decay_steps, initial)
            target, warmup_steps = tf.cast(self.warmup_target, dtype), tf.cast(self.warmup_steps, dtype)
            step = tf.minimum(step, decay_steps + warmup_steps)
            # linear warmup (max(., 1) keeps the unused branch finite when warmup_steps is 0)
            warm = (target - initial) * (step / tf.maximum(warmup_steps, 1.0)) + initial
            decayed = self._decay(step - warmup_steps, decay_steps, target)
            return tf.where(tf.less(step, warmup_steps), warm, decayed)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while ``step <= boundaries[1]``,
    ..., ``values[-1]`` after the last boundary.

    Args:
      boundaries: increasing step numbers where the rate changes.
      values: one more rate than there are boundaries.
      name: name scope (default ``"PiecewiseConstant"``).
    """

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                             f"{len(values)}.")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        with tf.name_scope(self.name):
            step = tf.convert_to_tensor(step)
            bounds = [tf.cast(b, step.dtype) for b in self.boundaries]
            values = [tf.convert_to_tensor(v) for v in self.values]
            dtype = values[0].dtype
            # Σ value_i · 1[step in interval i]: one indicator per interval, exactly one of them is 1
            result = tf.cast(tf.less_equal(step, bounds[0]), dtype) * values[0]
            result += tf.cast(tf.greater(step, bounds[-1]), dtype) * values[-1]
            for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
                inside = tf.logical_and(tf.greater(step, low), tf.less_equal(step, high))
                result += tf.cast(inside, dtype) * value
            return result

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


ALL_SCHEDULES = {cls.__name__: cls for cls in (ExponentialDecay, CosineDecay, PiecewiseConstantDecay)}


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{"class_name": ..., "config": ...}`` for a built-in schedule."""
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects=None) -> LearningRateSchedule:
    """The schedule described by ``serialize``'s dictionary."""
    classes = dict(ALL_SCHEDULES, **(custom_objects or {}))
    name = config.get("class_name")
    if name not in classes:
        raise ValueError(f"Unknown learning rate schedule: {name!r}. Known: {sorted(classes)}.")
    return classes[name].from_config(config["config"])
