"""``keras.layers``: the building blocks of models, one layer per file.

>>> from tinyflow import keras
>>> sorted(n for n in dir(keras.layers) if n[0].isupper())[:4]
['Activation', 'Add', 'Average', 'BatchNormalization']
"""
from tinyflow.keras.layers.activation import Activation
from tinyflow.keras.layers.batch_normalization import BatchNormalization
from tinyflow.keras.layers.conv2d import Conv2D
from tinyflow.keras.layers.dense import Dense
from tinyflow.keras.layers.dropout import Dropout
from tinyflow.keras.layers.embedding import Embedding
from tinyflow.keras.layers.flatten import Flatten
from tinyflow.keras.layers.input_layer import Input, InputLayer
from tinyflow.keras.layers.input_spec import InputSpec
from tinyflow.keras.layers.keras_tensor import KerasTensor
from tinyflow.keras.layers.lambda_layer import Lambda
from tinyflow.keras.layers.layer import Layer
from tinyflow.keras.layers.layer_normalization import LayerNormalization
from tinyflow.keras.layers.max_pooling2d import MaxPooling2D
from tinyflow.keras.layers.merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    concatenate,
)
from tinyflow.keras.layers.relu import ReLU
from tinyflow.keras.layers.reshape import Reshape
from tinyflow.keras.layers.softmax import Softmax

Convolution2D, MaxPool2D = Conv2D, MaxPooling2D  # Keras's aliases

_BUILTIN = {c.__name__: c for c in (
    Activation, Add, Average, BatchNormalization, Concatenate, Conv2D, Dense, Dropout, Embedding, Flatten,
    InputLayer, Lambda, LayerNormalization, MaxPooling2D, Maximum, Minimum, Multiply, ReLU, Reshape, Softmax, Subtract)}


def serialize(layer) -> dict:
    """``{"class_name": "Dense", "config": {...}}`` — what ``deserialize`` turns back into a layer."""
    config = {"module": type(layer).__module__, "class_name": type(layer).__name__, "config": layer.get_config()}
    registered = getattr(type(layer), "_registered_name", None)
    if registered:
        config["registered_name"] = registered
    return config


def deserialize(config: dict, custom_objects: dict | None = None):
    """A new layer (or model) from ``serialize``'s dict; custom classes come from ``custom_objects``."""
    from tinyflow.keras.models.saving import get_registered_object  # noqa: PLC0415

    name = config["class_name"]
    cls = get_registered_object(config.get("registered_name", name), custom_objects) or \
        get_registered_object(name, custom_objects) or _BUILTIN.get(name) or _model_class(name)
    if cls is None:
        raise ValueError(f"Unknown layer: '{name}'. Please ensure you are using a `keras.utils.custom_object_scope` "
                         "and that this layer is included in the scope, or pass it in "
                         "`custom_objects={'" + name + "': " + name + "}`.")
    return cls.from_config(dict(config["config"]), custom_objects=custom_objects) \
        if _takes_custom_objects(cls) else cls.from_config(dict(config["config"]))


def _model_class(name):
    from tinyflow.keras import models  # noqa: PLC0415

    return {"Sequential": models.Sequential, "Functional": models.Functional, "Model": models.Model}.get(name)


def _takes_custom_objects(cls) -> bool:
    import inspect  # noqa: PLC0415

    return "custom_objects" in inspect.signature(cls.from_config).parameters
