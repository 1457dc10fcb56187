"""``Layer``: the base class of every Keras layer and model.

A layer stores its configuration in ``__init__``, creates its weights in ``build(input_shape)`` the
first time it is called (so the input size never has to be given twice), and computes in ``call``.
``__call__`` adds what every layer needs around ``call``: input conversion, lazy building, input-shape
checks, the ``training`` flag passed down to sublayers, and the functional API's symbolic calls.

Weights are ordered as in Keras — a layer's own trainable weights, its own non-trainable weights,
then each sublayer's, depth first — so ``get_weights``/``set_weights`` lists move between tinyflow
and Keras unchanged.

>>> import numpy as np
>>> from tinyflow import keras
>>> class Scale(keras.layers.Layer):
...     def build(self, input_shape):
...         self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")
...     def call(self, x):
...         return x * self.w
>>> layer = Scale()
>>> layer(np.ones((2, 3), np.float32)).shape, [w.shape for w in layer.get_weights()]
(TensorShape([2, 3]), [(3,)])
"""
from __future__ import annotations

import inspect

import numpy as np

from tinyflow.framework import context, dtypes
from tinyflow.keras import backend
from tinyflow.keras.layers.input_spec import assert_input_compatibility
from tinyflow.keras.layers.keras_tensor import (
    KerasTensor,
    Node,
    any_symbolic,
    flatten,
    map_structure,
    trace_output_spec,
)
from tinyflow.keras.layers.layer_utils import (
    auto_config,
    convert_input,
    shape_tuple,
    to_snake_case,
)
from tinyflow.module import Module
from tinyflow.variables import Variable

_training_stack: list = []  # the `training` value of the layer calls in progress, outermost first
_NOT_SUBLAYERS = frozenset({"_init_args", "_inbound_nodes", "_compile_state", "_name_scope_object"})
_SIGNATURES: dict = {}  # class -> (call takes `training`, its default)


class Layer(Module):
    """Base layer class.

    Args:
      trainable: whether the layer's weights are updated by training (default True).
      name: the layer's name; default: the class name in snake case made unique
        (``dense``, ``dense_1``, ...).
      dtype: dtype of the weights and of float inputs (default ``"float32"``).
      autocast: cast float inputs to ``dtype`` (default True).
      input_shape: optional, Sequential only: the shape of one sample, to build at once.
    """

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        obj._init_args = (args, kwargs)  # for the automatic get_config() of user subclasses
        return obj

    def __init__(self, *, trainable: bool = True, name: str | None = None, dtype=None, autocast: bool = True,
                 **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        if "input_dim" in kwargs:
            input_shape = (kwargs.pop("input_dim"),)
        batch_size = kwargs.pop("batch_size", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name} (of type {type(name)})")
        self._name = name or backend.unique_name(to_snake_case(type(self).__name__))
        self._name_scope_object = None
        self._trainable = bool(trainable)
        self._dtype = dtypes.as_dtype(dtype or backend.floatx()).name
        self.autocast = autocast
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._inbound_nodes: list = []
        self._own_trainable: list = []
        self._own_non_trainable: list = []
        self._regularized: list = []  # (regularizer, variable) pairs
        self._build_input_shape = None
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        self._batch_input_shape = None if batch_input_shape is None else tuple(batch_input_shape)
        if type(self) not in _SIGNATURES:
            params = inspect.signature(self.call).parameters
            has = "training" in params
            _SIGNATURES[type(self)] = (has, params["training"].default if has else None)
        self._call_has_training, default = _SIGNATURES[type(self)]
        self._training_default = None if default is inspect.Parameter.empty else default

    # -- to override ------------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights, given the input shape (a tuple, batch dimension included)."""
        self.built = True

    build._is_default = True

    def call(self, *args, **kwargs):
        """The layer's computation."""
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` method implemented.")

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape`` (found by tracing ``call`` once, unless overridden)."""
        spec = self.compute_output_spec(KerasTensor(input_shape, self.compute_dtype))
        return map_structure(lambda t: t.shape, spec)

    def compute_output_spec(self, *args, **kwargs):
        """Output KerasTensor(s) for KerasTensor inputs: from ``compute_output_shape`` when a layer
        defines it, else by tracing ``call`` once in a scratch graph."""
        if type(self).compute_output_shape is not Layer.compute_output_shape and isinstance(args[0], KerasTensor):
            return KerasTensor(self.compute_output_shape(args[0].shape), self.compute_dtype)
        return trace_output_spec(self.call, args, kwargs)

    # -- weights ----------------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable: bool = True, autocast: bool = True,
                   regularizer=None, constraint=None, aggregation: str = "none", name: str | None = None):
        """Create a weight variable of this layer (call it from ``build``).

        Args:
          shape: tuple of ints (default ``()``, a scalar).
          initializer: name, Initializer or callable ``(shape, dtype)``; default ``"glorot_uniform"`` for
            floats, ``"zeros"`` otherwise.
          dtype: default the layer's dtype. trainable: default True.
          regularizer: callable ``(variable) -> scalar`` added to the loss (e.g. ``keras.regularizers.L2``).
          name: the weight's name, e.g. ``"kernel"``.
        """
        from tinyflow.keras import initializers, regularizers  # noqa: PLC0415

        shape = tuple(int(d) for d in (shape if shape is not None else ()))
        dtype = dtypes.as_dtype(dtype or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        init = initializers.get(initializer)
        name = name or "variable"
        var = Variable(lambda: init(shape, dtype=dtype), trainable=trainable, name=f"{self.name}/{name}",
                       dtype=dtype, constraint=constraint)
        var.path = f"{self.name}/{name}"
        (self._own_trainable if trainable else self._own_non_trainable).append(var)
        if regularizer is not None:
            self._regularized.append((regularizers.get(regularizer), var))
        return var

    @property
    def weights(self) -> list:
        """All weights: own trainable, own non-trainable, then sublayers' (Keras's order)."""
        out, seen = [], set()
        for v in self._own_weights() + [w for layer in self._direct_sublayers() for w in layer.weights]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def trainable_weights(self) -> list:
        return [v for v in self.weights if v.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        return [v for v in self.weights if not v.trainable] if self.trainable else self.weights

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def losses(self) -> list:
        """Regularization penalties of this layer and its sublayers (recomputed at each access)."""
        out = [reg(v) for reg, v in self._regularized]
        for layer in self._direct_sublayers():
            out.extend(layer.losses)
        return out

    def get_weights(self) -> list:
        """The weights as numpy arrays, in ``weights`` order."""
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights) -> None:
        """Assign numpy arrays (in ``weights`` order). Everything is checked before anything is assigned."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of "
                             f"length {len(weights)}, but the layer was expecting {len(params)} weights.")
        arrays = []
        for v, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(v.shape.as_list()) != w.shape:
                raise ValueError(f"Layer {self.name} weight shape {tuple(v.shape.as_list())} is not compatible "
                                 f"with provided weight shape {w.shape}.")
            arrays.append(w.astype(v.dtype.as_numpy_dtype))
        for v, w in zip(params, arrays):
            v.assign(w)

    def count_params(self) -> int:
        """Number of scalars in all weights."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                             "built. You can build it manually via: `layer.build(input_shape)`.")
        return int(sum(np.prod(v.shape.as_list(), dtype=np.int64) for v in self.weights))

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freeze or unfreeze this layer and all its sublayers (call ``compile`` again afterwards)."""
        self._trainable = bool(value)
        for v in self._own_trainable:
            v.trainable = self._trainable
        for layer in self._direct_sublayers():
            layer.trainable = value

    # -- calling ----------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if not args and "inputs" in kwargs:
            args = (kwargs.pop("inputs"),)
        if any_symbolic((args, kwargs)):
            return self._symbolic_call(args, kwargs)
        args = (map_structure(self._convert_input, args[0]),) + args[1:]
        if not self.built:
            self._build_from_inputs(args[0])
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, flatten(args[0]), self.name)
        training = kwargs.get("training") if self._call_has_training else kwargs.pop("training", None)
        if training is None and _training_stack:
            training = _training_stack[-1]
        if self._call_has_training:
            kwargs["training"] = self._training_default if training is None else training
        _training_stack.append(training)
        try:
            g = context.building_graph()
            if g is None:
                return self.call(*args, **kwargs)
            with g.name_scope(self.name):
                return self.call(*args, **kwargs)
        finally:
            _training_stack.pop()

    def _symbolic_call(self, args: tuple, kwargs: dict):
        """A call on KerasTensors: find the output shapes and record a Node (nothing is computed)."""
        if not args:
            raise ValueError(f"Layer {self.name} was called without a positional input argument.")
        if not self.built:
            self._build_from_inputs(args[0])
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, flatten(args[0]), self.name)
        trace_kwargs = dict(kwargs)
        if self._call_has_training:
            if trace_kwargs.get("training") is None:
                trace_kwargs["training"] = self._training_default or False
        else:
            trace_kwargs.pop("training", None)
        outputs = self.compute_output_spec(*args, **trace_kwargs)
        for i, t in enumerate(flatten(outputs)):
            if isinstance(t, KerasTensor):
                t.name = self.name if i == 0 else f"{self.name}_{i}"
        Node(self, args, kwargs, outputs)
        return outputs

    def _convert_input(self, x):
        """numpy/Python values -> tensors; float inputs -> the layer's dtype (Keras's autocast)."""
        return convert_input(x, self._dtype, self.autocast)

    def _build_from_inputs(self, inputs) -> None:
        shapes = map_structure(shape_tuple, inputs)
        if getattr(type(self).build, "_is_default", False):
            pass  # nothing to create up front: sublayers build themselves when `call` runs them
        elif context.building_graph() is not None:
            with context.init_scope():  # build eagerly, even when first called inside a tf.function
                self.build(shapes)
        else:
            self.build(shapes)
        if self._build_input_shape is None:
            self._build_input_shape = shapes
        self.built = True

    def get_build_config(self) -> dict | None:
        if self._build_input_shape is None:
            return None
        return {"input_shape": self._build_input_shape}

    # -- sublayers ----------------------------------------------------------------------------------
    def _direct_sublayers(self) -> list:
        """Layers stored in attributes (also inside lists, tuples, dicts), in assignment order."""
        out, seen = [], {id(self)}
        for key, value in vars(self).items():
            if key in _NOT_SUBLAYERS:
                continue
            for leaf in flatten(value) if isinstance(value, list | tuple | dict) else (value,):
                if isinstance(leaf, Layer) and id(leaf) not in seen:
                    seen.add(id(leaf))
                    out.append(leaf)
        return out

    def _own_weights(self) -> list:
        tracked = {id(v) for v in self._own_trainable + self._own_non_trainable}
        extra = [leaf for key, value in vars(self).items() if key not in _NOT_SUBLAYERS
                 for leaf in (flatten(value) if isinstance(value, list | tuple | dict) else (value,))
                 if isinstance(leaf, Variable) and id(leaf) not in tracked]
        extra = list({id(v): v for v in extra}.values())
        return (self._own_trainable + [v for v in extra if v.trainable] + self._own_non_trainable
                + [v for v in extra if not v.trainable])

    # -- properties and config ----------------------------------------------------------------------
    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype

    @property
    def name_scope(self):
        from tinyflow.module import _ModuleNameScope  # noqa: PLC0415

        if self._name_scope_object is None:
            self._name_scope_object = _ModuleNameScope(self.name)
        return self._name_scope_object

    @property
    def input(self):
        """The input KerasTensor(s) of the first functional call."""
        return self._node_attribute("input_tensors", "input")

    @property
    def output(self):
        """The output KerasTensor(s) of the first functional call."""
        return self._node_attribute("output_tensors", "output")

    def _node_attribute(self, attr: str, what: str):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no defined {what}.")
        values = getattr(self._inbound_nodes[0], attr)
        return values[0] if len(values) == 1 else values

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-friendly dict (``from_config`` rebuilds the layer)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        owner = next(c for c in type(self).__mro__ if "get_config" in vars(c))
        if owner.__name__ in ("Layer", "Model") and not type(self).__module__.startswith("tinyflow.keras"):
            return auto_config(self, config)  # a user subclass that did not write get_config()
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
