"""``Sequential``: a plain stack of layers, each feeding the next.

Give the input shape with ``keras.Input(shape=...)`` as the first entry and the model is built at
once (``summary()`` works before training); without it the model builds on its first call.

>>> from tinyflow import keras
>>> keras.backend.clear_session()
>>> model = keras.Sequential([keras.Input(shape=(8, 8)), keras.layers.Flatten(), keras.layers.Dense(10)])
>>> model.output_shape, [layer.name for layer in model.layers], model.count_params()
((None, 10), ['flatten', 'dense'], 650)
"""
from __future__ import annotations

from tinyflow.keras import backend
from tinyflow.keras.layers.input_layer import InputLayer
from tinyflow.keras.layers.keras_tensor import KerasTensor
from tinyflow.keras.layers.layer import Layer
from tinyflow.keras.models.functional import Functional
from tinyflow.keras.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    Args:
      layers: optional list of layers (the first may be ``keras.Input(...)``).
      trainable: default True. name: default ``"sequential"``, ``"sequential_1"`` ...
    """

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None):
        super().__init__(name=name or backend.unique_name("sequential"), trainable=trainable)
        self._layers: list = []
        self._functional = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (or a ``keras.Input``) on top of the stack."""
        if isinstance(layer, KerasTensor) and isinstance(getattr(layer._keras_history, "layer", None), InputLayer):
            layer = layer._keras_history.layer
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential model. Received: {layer} "
                             f"(of type {type(layer)})")
        if isinstance(layer, InputLayer) and self._layers and isinstance(self._layers[0], InputLayer):
            raise ValueError(f"Sequential model '{self.name}' has already been configured to use input shape "
                             f"{self._layers[0].batch_shape}. You cannot add a different Input layer to it.")
        if isinstance(layer, InputLayer) and self._layers:
            raise ValueError("An Input must be the first layer of a Sequential model.")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. Name "
                             f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                             "argument to pass a unique name.")
        self._layers.append(layer)
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild: bool = True):
        """Remove and return the top layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        self.built, self._functional = False, None
        first = self._layers[0] if self._layers else None
        if isinstance(first, InputLayer) and len(self._layers) > 1:
            self.build(first.batch_shape)
        elif first is not None and first._batch_input_shape is not None:
            self.build(first._batch_input_shape)

    @property
    def layers(self) -> list:
        """The layers, without the input layer."""
        return [layer for layer in self._layers if not isinstance(layer, InputLayer)]

    def _direct_sublayers(self) -> list:
        return list(self._layers)

    def build(self, input_shape=None) -> None:
        """Build every layer by running the stack on a symbolic input of ``input_shape`` (batch included)."""
        if not self._layers or (isinstance(self._layers[0], InputLayer) and len(self._layers) == 1):
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no layers. Call "
                             "`model.add(layer)`.")
        if not isinstance(self._layers[0], InputLayer):
            if input_shape is None:
                raise ValueError("You must provide an `input_shape` argument.")
            batch_shape = (None,) + tuple(input_shape)[1:]  # any batch size
            self._layers.insert(0, InputLayer(batch_shape=batch_shape, dtype=self._layers[0].dtype))
        inputs = self._layers[0].output_tensor
        x = inputs
        for layer in self._layers[1:]:
            x = layer(x)
        self._functional = Functional(inputs, x, name=self.name + "_graph")
        self._build_input_shape = inputs.shape
        self.built = True

    def call(self, inputs, training=None):
        if not self.built:
            shape = inputs.shape.dims if hasattr(inputs.shape, "dims") else tuple(inputs.shape)
            self.build((None,) + tuple(shape[1:]))
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def inputs(self) -> list:
        return self._functional.inputs if self._functional is not None else []

    @property
    def outputs(self) -> list:
        return self._functional.outputs if self._functional is not None else []

    @property
    def input_shape(self):
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")
        return self._functional.inputs[0].shape

    @property
    def output_shape(self):
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined outputs yet.")
        return self._functional.outputs[0].shape

    def get_config(self) -> dict:
        from tinyflow.keras import layers as layers_module  # noqa: PLC0415

        config = {"name": self.name, "trainable": self.trainable,
                  "layers": [layers_module.serialize(layer) for layer in self._layers]}
        if self._functional is not None:
            config["build_input_shape"] = list(self._layers[0].batch_shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from tinyflow.keras import layers as layers_module  # noqa: PLC0415

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(layers_module.deserialize(layer_config, custom_objects=custom_objects), rebuild=False)
        model._maybe_rebuild()
        if not model.built and config.get("build_input_shape") is not None:
            model.build(tuple(config["build_input_shape"]))
        return model
