"""``keras.metrics.Metric``: a running statistic kept in variables, updated batch by batch.

A metric has three methods: ``update_state(...)`` adds a batch (with ``assign_add`` on its
variables, so it works eagerly and inside ``tf.function``), ``result()`` computes the value
from the variables, ``reset_state()`` sets them back to zero (at the start of each epoch).
Calling the metric does ``update_state`` then returns ``result()``.

>>> import tinyflow as tf
>>> class Count(tf.keras.metrics.Metric):
...     def __init__(self, name="count", **kwargs):
...         super().__init__(name=name, **kwargs)
...         self.n = self.add_weight(name="n", initializer="zeros")
...     def update_state(self, values):
...         self.n.assign_add(tf.cast(tf.size(values), self.dtype))
...     def result(self):
...         return self.n.value()
>>> m = Count()
>>> m.update_state([1, 2, 3]); float(m([4, 5]))
5.0
"""
from __future__ import annotations

import numbers
import re

import tinyflow as tf
from tinyflow.keras import backend, initializers
from tinyflow.variables import Variable


class Metric:
    """Base class of metrics.

    Args:
      dtype: dtype of the state and the result (default ``keras.backend.floatx()``, float32).
      name: name of the metric (its key in ``fit``'s logs).
    """

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name or backend.unique_name(_snake_case(type(self).__name__))
        self._dtype = tf.as_dtype(dtype or backend.floatx())
        self._variables: list[Variable] = []

    @property
    def dtype(self) -> str:
        return self._dtype.name

    @property
    def variables(self) -> list:
        """The state variables, in creation order."""
        return self._variables[:]

    def add_variable(self, shape, initializer, dtype=None, aggregation: str = "sum",
                     name: str | None = None) -> Variable:
        """A non-trainable state variable (``initializer``: ``"zeros"``, a number, or an initializer)."""
        dtype = tf.as_dtype(dtype or self._dtype)
        shape = tuple(shape)
        init = initializers.Constant(initializer) if isinstance(initializer, numbers.Number) \
            else initializers.get(initializer)
        variable = Variable(lambda: init(shape, dtype=dtype), trainable=False, dtype=dtype,
                            name=name or "variable")
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name: str | None = None) -> Variable:
        """``add_variable`` with Keras's layer-style defaults (a scalar of zeros)."""
        return self.add_variable(shape, initializer if initializer is not None else "zeros", dtype=dtype,
                                 name=name)

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"Metric '{type(self).__name__}' must implement update_state().")

    def result(self):
        raise NotImplementedError(f"Metric '{type(self).__name__}' must implement result().")

    def reset_state(self) -> None:
        """Set every state variable back to zero."""
        for v in self._variables:
            v.assign(tf.zeros(v.shape.as_list(), dtype=v.dtype))

    reset_states = reset_state  # the TF 2.x spelling older tutorials use

    def __call__(self, *args, **kwargs):
        """Update with one batch, then return the result so far."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
