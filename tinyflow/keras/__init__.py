"""``tf.keras``: layers, models, training loops, callbacks and saving, with Keras 3's names and defaults.

>>> import tinyflow as tf
>>> from tinyflow import keras
>>> model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="relu"),
...                           keras.layers.Dense(1)])
>>> model.compile(optimizer="adam", loss="mse")
>>> model.count_params()
19
"""
import importlib

from tinyflow.keras import activations, backend, callbacks, initializers, layers, models, regularizers, utils
from tinyflow.keras.layers import Input, KerasTensor, Layer
from tinyflow.keras.models import Model, Sequential, saving

_LAZY = ("optimizers", "losses", "metrics")  # written separately; imported on first use


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"tinyflow.keras.{name}")
    if name == "datasets":
        return importlib.import_module("tinyflow.datasets")
    raise AttributeError(f"module 'tinyflow.keras' has no attribute {name!r}")


__all__ = ["Input", "KerasTensor", "Layer", "Model", "Sequential", "activations", "backend", "callbacks",
           "initializers", "layers", "models", "regularizers", "saving", "utils", *_LAZY, "datasets"]
