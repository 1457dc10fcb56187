"""``Model``: a layer that can be trained, evaluated, summarized and saved.

There are three ways to make one, as in Keras:

* ``Sequential([layers...])`` — a stack of layers;
* functional, ``Model(inputs, outputs)`` — any graph of layer calls on ``keras.Input`` tensors
  (this returns a ``Functional`` model);
* subclassing — define layers in ``__init__`` and the forward pass in ``call``; layers stored as
  attributes (also in lists and dicts) are tracked automatically.

Training lives in ``training.py`` (``compile``/``fit``/``evaluate``/``predict``), the table in
``summary.py`` and file I/O in ``saving.py``; the methods here are their entry points.

>>> import numpy as np
>>> from tinyflow import keras
>>> keras.backend.clear_session()
>>> class TwoLayer(keras.Model):
...     def __init__(self):
...         super().__init__()
...         self.hidden = keras.layers.Dense(8, activation="relu")
...         self.out = keras.layers.Dense(1)
...     def call(self, x):
...         return self.out(self.hidden(x))
>>> model = TwoLayer()
>>> model(np.zeros((2, 3), np.float32)).shape, len(model.weights), [l.name for l in model.layers]
(TensorShape([2, 1]), 4, ['dense', 'dense_1'])
"""
from __future__ import annotations

import json

from tinyflow.keras.layers.keras_tensor import KerasTensor, trace_output_spec
from tinyflow.keras.layers.layer import Layer
from tinyflow.keras.models import saving, summary, training


class Model(Layer):
    """A trainable layer with ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``, ``save``.

    ``Model(inputs, outputs, name=None)`` builds a functional model; ``Model(name=...)`` from a
    subclass's ``__init__`` starts a subclassed one.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from tinyflow.keras.models.functional import Functional  # noqa: PLC0415

            return Layer.__new__(Functional, *args, **kwargs)  # Python then runs Functional.__init__
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if args:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected positional arguments {args}. A "
                            "functional model is made with keras.Model(inputs, outputs).")
        super().__init__(**{k: kwargs.pop(k) for k in ("name", "trainable", "dtype") if k in kwargs})
        if kwargs:
            raise TypeError(f"Model.__init__() got unexpected keyword arguments {sorted(kwargs)}.")
        self.stop_training = False
        self.history = None
        self._compile_state = None

    # -- layers --------------------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The model's direct sublayers, in order."""
        return self._direct_sublayers()

    @layers.setter
    def layers(self, value) -> None:
        raise AttributeError("`Model.layers` attribute is reserved and should not be used. Please use another name.")

    def get_layer(self, name: str | None = None, index: int | None = None):
        """A sublayer by ``name`` or by position ``index``."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def build(self, input_shape) -> None:
        """Create the weights of a subclassed model by running ``call`` once on a symbolic input."""
        if self.built:
            return
        shape = tuple(input_shape) if not isinstance(input_shape, list) else [tuple(s) for s in input_shape]
        inputs = [KerasTensor(s, self.compute_dtype) for s in shape] if isinstance(shape, list) \
            else KerasTensor(shape, self.compute_dtype)
        try:
            trace_output_spec(self.__call__, (inputs,), {})
        except Exception as e:
            raise ValueError(f"You called `build(input_shape)` on model '{self.name}', but running it on a "
                             f"symbolic input of shape {shape} failed ({type(e).__name__}: {e}). Call the model on "
                             "a batch of real data instead.") from e
        self._build_input_shape = shape
        self.built = True

    build._is_default = True  # a subclass's own build() is called on the first call instead

    # -- training (see training.py) -------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly: bool = False, steps_per_execution: int = 1, jit_compile="auto",
                auto_scale_loss: bool = True):
        """Configure training: optimizer, loss and metrics (resolved once, here)."""
        training.compile_model(self, optimizer, loss, loss_weights, metrics, weighted_metrics, run_eagerly)

    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose="auto", callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True, class_weight=None,
            sample_weight=None, initial_epoch: int = 0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq: int = 1):
        """Train for ``epochs`` passes over the data; returns a ``History``."""
        return training.fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
                            shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch,
                            validation_steps, validation_batch_size, validation_freq)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict: bool = False):
        """Loss and metrics on the data: a scalar, ``[loss, metric, ...]``, or a dict with ``return_dict``."""
        return training.evaluate(self, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x``, as numpy arrays (batched, concatenated)."""
        return training.predict(self, x, batch_size, verbose, steps, callbacks)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict: bool = False):
        """One gradient step on one batch; returns the (running) loss and metrics."""
        return training.train_on_batch(self, x, y, sample_weight, class_weight, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        return training.test_on_batch(self, x, y, sample_weight, return_dict)

    def predict_on_batch(self, x):
        return training.predict_on_batch(self, x)

    def train_step(self, data):
        """One training step on ``data = (x, y[, sample_weight])``; returns the logs. Override to customize."""
        return training.train_step(self, data)

    def test_step(self, data):
        return training.test_step(self, data)

    def predict_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return self(x, training=False)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss(es) plus the layers' regularization ``losses``."""
        return training.compute_loss(self, y, y_pred, sample_weight)

    @property
    def optimizer(self):
        return None if self._compile_state is None else self._compile_state.optimizer

    @property
    def loss(self):
        return None if self._compile_state is None else self._compile_state.loss_arg

    @property
    def compiled(self) -> bool:
        return self._compile_state is not None

    @property
    def metrics(self) -> list:
        """The loss tracker and the compiled metrics (once built by a first training/evaluation step)."""
        return [] if self._compile_state is None else self._compile_state.all_metrics()

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    @property
    def run_eagerly(self) -> bool:
        return bool(self._compile_state and self._compile_state.run_eagerly)

    # -- summary and saving -------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range=None) -> None:
        """Print a table of layers, output shapes and parameter counts."""
        summary.print_summary(self, line_length, positions, print_fn, show_trainable)

    def save(self, filepath, overwrite: bool = True, **kwargs) -> None:
        """Save config, weights and compile settings to a ``.keras`` file (see ``saving``)."""
        saving.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Save the weights to a ``.weights.npz`` file (see ``saving``)."""
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Load weights saved by ``save_weights`` (or from a ``.keras`` file); all-or-nothing."""
        saving.load_weights(self, filepath)

    def to_json(self, **kwargs) -> str:
        """The model's architecture as JSON (``keras.models.model_from_json`` rebuilds it)."""
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)

    def get_config(self) -> dict:
        return super().get_config()

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        if cls is Model and "input_layers" in config:  # a functional model's config
            from tinyflow.keras.models.functional import Functional  # noqa: PLC0415

            return Functional.from_config(config, custom_objects=custom_objects)
        return cls(**config)
