"""``keras.models``: ``Model``, ``Sequential``, and saving/loading whole models.

>>> from tinyflow import keras
>>> model = keras.models.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
>>> clone = keras.models.clone_model(model)
>>> clone.count_params() == model.count_params()
True
"""
from tinyflow.keras.models.functional import Functional
from tinyflow.keras.models.model import Model
from tinyflow.keras.models.saving import clone_model, load_model, model_from_json, save_model
from tinyflow.keras.models.sequential import Sequential
