"""Chapter 06 (Keras): four exercises on layers, models, training and callbacks.

- ex06_1 `MyDense(units, activation=None)`: a Dense-like Keras layer with `build`, `call` and `get_config`.
  Graded on lazy building, weight shapes, forward values for weights given with `set_weights`, and a
  `from_config(get_config())` round trip.
- ex06_2 `build_model()`: a compiled model for the 8x8 digits that reaches 95 % test accuracy when the grader
  trains it for 15 epochs (batch size 32, fixed seeds).
- ex06_3 `StopAtAccuracy(threshold, monitor="accuracy")`: a callback that stops `fit` once the monitored
  metric reaches the threshold.
- ex06_4 `two_input_model(image_dim, side_dim, units)`: a functional model with two inputs, one hidden branch,
  a concatenation and one output.

The probes run in the learner's kernel and import tinyflow themselves (see `tinyflow.grading.spec`).
"""

import numpy as np

import tinyflow as tf
from tinyflow import keras
from tinyflow.grading._runtime import Raised
from tinyflow.grading.compare import close, fmt
from tinyflow.grading.spec import Case, Exercise, Mistake


def _raised(got, type_name, text=""):
    return isinstance(got, Raised) and got.is_a(type_name) and text in got.message


# -- ex06_1: a custom layer ----------------------------------------------------------------------------
def probe_layer(cls, aspect, units, activation, x, kernel=None, bias=None):
    """Exercise the learner's layer class on one aspect; return plain data.

    aspect "lazy": (built before the first call, number of weights before, built after);
    "shapes": the weight shapes after a first call on `x`; "forward": the output on `x` after
    `set_weights([kernel, bias])`; "config": the same for a layer rebuilt with
    `cls.from_config(layer.get_config())`, plus whether the config is plain JSON.
    """
    import json

    x = np.asarray(x, dtype=np.float32)
    layer = cls(units, activation=activation)
    if aspect == "lazy":
        before = (bool(getattr(layer, "built", False)), len(layer.weights))
        layer(x)
        return before + (bool(layer.built),)
    layer(x)
    if aspect == "shapes":  # as text, e.g. ["(4, 3)", "(3,)"]: readable in messages
        return [str(tuple(int(d) for d in w.shape)) for w in layer.weights]
    weights = [np.asarray(kernel, dtype=np.float32), np.asarray(bias, dtype=np.float32)]
    if aspect == "forward":
        layer.set_weights(weights)
        return np.asarray(layer(x))
    config = layer.get_config()
    try:
        json.dumps(config)
        plain = True
    except (TypeError, ValueError):
        plain = False
    clone = cls.from_config(config)
    clone(x)
    clone.set_weights(weights)
    return {"json": plain, "units": config.get("units"), "output": np.asarray(clone(x))}


def _dense_class(kind="right"):
    """The reference layer, or a buggy variant a learner might write."""

    class MyDense(keras.layers.Layer):
        def __init__(self, units, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.activation = keras.activations.get(None if kind == "no_activation" else activation)
            if kind == "eager_weights":  # weights made in __init__, for a fixed input size
                self.kernel = self.add_weight(shape=(4, units), name="kernel")
                self.bias = self.add_weight(shape=(units,), initializer="zeros", name="bias")

        def build(self, input_shape):
            if kind == "eager_weights":
                return
            shape = (self.units, input_shape[-1]) if kind == "transposed" else (input_shape[-1], self.units)
            self.kernel = self.add_weight(shape=shape, initializer="glorot_uniform", name="kernel")
            if kind != "no_bias":
                self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

        def call(self, inputs):
            kernel = tf.transpose(self.kernel) if kind == "transposed" else self.kernel
            y = tf.matmul(inputs, kernel)
            if kind != "no_bias":
                y = y + self.bias
            return self.activation(y)

        def get_config(self):
            config = {**super().get_config(), "units": self.units,
                      "activation": keras.activations.serialize(self.activation)}
            if kind == "config_no_activation":
                del config["activation"]
            if kind == "config_function":
                config["activation"] = self.activation
            return config

    return MyDense


_X4 = np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 1.0, -1.0, 2.0]])
_K43 = np.array([[0.5, -1.0, 0.2], [0.1, 0.3, -0.4], [-0.6, 0.2, 0.9], [0.3, -0.2, 0.1]])
_B3 = np.array([0.1, -0.5, 0.2])
_X5 = np.array([[0.2, -0.1, 0.4, 1.0, -1.5], [1.0, 0.5, -0.5, 0.0, 2.0], [-1.0, 0.0, 0.3, 0.7, 0.1]])
_K52 = np.array([[0.3, -0.7], [0.8, 0.1], [-0.2, 0.5], [0.6, -0.4], [0.1, 0.9]])
_B2 = np.array([-0.3, 0.4])


def _layer_hints(case, got, expected):
    if _raised(got, "AttributeError", "object has no attribute '_") or _raised(got, "AttributeError", "'built'"):
        return ("the Layer base class was never set up: call super().__init__(**kwargs) first thing in "
                "__init__ (it also passes on name=, dtype= and trainable=).")
    if _raised(got, "TypeError", "'str' object is not callable") or \
            _raised(got, "TypeError", "'NoneType' object is not callable"):
        return ("self.activation must be a function: set it in __init__ with keras.activations.get(activation), "
                "which turns a name like 'relu' into the function and None into the identity.")
    if _raised(got, "TypeError", "unexpected keyword argument"):
        return ("__init__ must accept **kwargs and pass them to super().__init__(**kwargs): from_config calls "
                "MyDense(**config), and the config also holds name, trainable and dtype.")
    if _raised(got, "TypeError", "missing") and "units" in got.message:
        return ("get_config() must return every constructor argument (units and activation), merged with "
                "super().get_config(), so that MyDense.from_config(config) can rebuild the layer.")
    if _raised(got, "InvalidArgumentError", "Dimensions must be equal") or \
            _raised(got, "InvalidArgumentError", "size-incompatible"):
        return ("x has shape (batch, input_dim), so x @ kernel needs a kernel of shape (input_dim, units): "
                "take input_dim from input_shape[-1] in build().")
    if isinstance(got, tuple) and len(got) == 3 and got[1] > 0:
        return ("your layer has weights before it is ever called: create them in build(input_shape), which "
                "Keras calls on the first call, when the input size is known. __init__ only stores the settings.")
    if isinstance(got, dict) and got.get("json") is False:
        return ("the config must be plain JSON (that is what model.save writes): store the activation by name, "
                "keras.activations.serialize(self.activation), not the function object.")
    return None


EX06_1 = Exercise(
    id="ex06_1",
    name="MyDense",
    title="A Dense-like custom Keras layer",
    points=3,
    cases=[
        Case("lazy", 3, None, _X4, label="weights are created on the first call, not in __init__"),
        Case("shapes", 3, None, _X4, label="weight shapes for input (2, 4), units=3"),
        Case("shapes", 2, "relu", _X5, label="weight shapes for input (3, 5), units=2"),
        Case("forward", 3, None, _X4, _K43, _B3, label="output, no activation"),
        Case("forward", 2, "relu", _X5, _K52, _B2, label="output, activation='relu'"),
        Case("config", 3, "relu", _X4, _K43, _B3, label="MyDense.from_config(layer.get_config())"),
    ],
    reference=_dense_class(),
    probe=probe_layer,
    compare=close(rtol=1e-5, atol=1e-6),
    hints=[
        _layer_hints,
        Mistake(_dense_class("transposed"), "your kernel has shape (units, input_dim). Keras stores it as "
                "(input_dim, units), so that the output is x @ kernel + bias with no transpose and "
                "set_weights/get_weights lists move between models unchanged."),
        Mistake(_dense_class("no_bias"), "the layer has no bias: add a second weight of shape (units,) "
                "(initializer 'zeros') in build, and add it after the matmul: x @ kernel + bias."),
        Mistake(_dense_class("config_no_activation"), "get_config() forgets the activation, so "
                "from_config rebuilds a layer without it: add 'activation': "
                "keras.activations.serialize(self.activation)."),
        Mistake(_dense_class("no_activation"), "the activation is never applied: return "
                "self.activation(x @ kernel + bias), with self.activation = keras.activations.get(activation)."),
        Mistake(_dense_class("eager_weights"), "your layer has weights before it is ever called: create them in "
                "build(input_shape), which Keras calls on the first call, when the input size is known."),
    ],
)


# -- ex06_2: a digits model -----------------------------------------------------------------------------
def train_digits(build_model, epochs, seed):
    """Build the learner's compiled model, train it on the digits, and report what the grader needs."""
    from tinyflow import keras
    from tinyflow.datasets import load_digits

    (x_train, y_train), (x_test, y_test) = load_digits(normalize=True)
    keras.utils.set_random_seed(seed)
    model = build_model()
    if not isinstance(model, keras.Model):
        raise TypeError(f"build_model() must return a keras Model, got {type(model).__name__}")
    if model.optimizer is None:
        raise ValueError("the model is not compiled: call model.compile(...) inside build_model()")
    if not model.built:
        model(x_train[:1])
    n_params = model.count_params()
    if n_params > 100_000:
        raise ValueError(f"the model has {n_params:,} parameters; keep it under 100,000 so it trains in seconds")
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
    scores = np.asarray(model.predict(x_test, verbose=0))
    if scores.ndim != 2:
        raise ValueError(f"the model's output has shape {scores.shape}; expected (batch, 10)")
    accuracy = float(np.mean(np.argmax(scores, axis=-1) == y_test))
    loss = model.loss
    return {
        "accuracy": round(accuracy, 4),
        "outputs": int(scores.shape[-1]),
        "probabilities": bool(np.all(scores >= 0) and np.allclose(scores.sum(axis=-1), 1.0, atol=1e-3)),
        "loss": loss if isinstance(loss, str) else type(loss).__name__,
        "from_logits": bool(getattr(loss, "from_logits", False)),
    }


def _build_model():
    model = keras.Sequential([
        keras.Input(shape=(8, 8)),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def _reaches_95(got, expected):
    if not isinstance(got, dict) or "accuracy" not in got:
        return f"gave {fmt(got)}, expected a report with the test accuracy"
    if got["accuracy"] >= 0.95:
        return None
    return f"test accuracy {got['accuracy']:.1%} after 15 epochs; it must reach 95.0%"


def _digits_hints(case, got, expected):
    if _raised(got, "ValueError", "not compiled"):
        return ("build_model() must return a compiled model: call model.compile(optimizer=..., loss=..., "
                "metrics=['accuracy']) before returning it.")
    if _raised(got, "TypeError", "must return a keras Model"):
        return "return the model object itself (e.g. `return model`), built with keras.Sequential or keras.Model."
    if _raised(got, "ValueError", "parameters"):
        return "use fewer or narrower layers: one hidden Dense layer of 32-64 units is plenty for 8x8 images."
    if isinstance(got, Raised) and "mean_squared_error" in got.message:
        return ("mean squared error compares numbers, not classes: use "
                "keras.losses.SparseCategoricalCrossentropy(from_logits=True) with the integer labels 0-9.")
    if isinstance(got, Raised) and "same rank" in got.message:
        return ("the labels are integers of shape (batch,), but CategoricalCrossentropy expects one-hot rows of "
                "shape (batch, 10): use SparseCategoricalCrossentropy for integer labels.")
    if isinstance(got, Raised) and "output.shape=(None, 8," in got.message:
        return ("Dense acts on the last axis only, so a (batch, 8, 8) image gives (batch, 8, units): put "
                "keras.layers.Flatten() after the input to make rows of 64 pixels.")
    if isinstance(got, Raised) and ("incompatible" in got.message or "must be equal" in got.message):
        return ("the grader feeds images of shape (8, 8) with integer labels 0-9: start with keras.Input(shape=(8, 8)) "
                "and keras.layers.Flatten(), end with Dense(10), and use SparseCategoricalCrossentropy for integer "
                "labels (CategoricalCrossentropy expects one-hot rows).")
    if isinstance(got, Raised) and "shape" in got.message:
        return ("check the shapes: inputs are (batch, 8, 8), labels are integers of shape (batch,), and the model "
                "must output (batch, 10).")
    if not isinstance(got, dict):
        return None
    if got.get("outputs") != 10:
        return f"the last layer has {got.get('outputs')} units; it needs 10, one score per digit."
    if got.get("probabilities") and got.get("from_logits"):
        return ("your model ends with a softmax AND the loss has from_logits=True, so softmax is applied twice "
                "and the gradients shrink. Drop the softmax (output logits) or set from_logits=False.")
    loss = str(got.get("loss", "")).lower()
    if "crossentropy" in loss and not got.get("from_logits") and not got.get("probabilities"):
        return ("your last layer outputs raw scores (logits), but the loss expects probabilities: use "
                "SparseCategoricalCrossentropy(from_logits=True), or end the model with activation='softmax'.")
    if "crossentropy" not in loss:
        return (f"the loss {got.get('loss')!r} is not a classification loss: use "
                "keras.losses.SparseCategoricalCrossentropy(from_logits=True) with integer labels.")
    return ("the model learns too slowly for 15 epochs: try the Adam optimizer with learning_rate 1e-3 to 3e-3 and "
            "a hidden Dense layer of 32-64 relu units.")


EX06_2 = Exercise(
    id="ex06_2",
    name="build_model",
    title="A digits classifier that reaches 95 % test accuracy",
    points=3,
    cases=[Case(15, 0, label="seed 0: 15 epochs, batch size 32"),
           Case(15, 1, label="seed 1: 15 epochs, batch size 32")],
    reference=_build_model,
    probe=train_digits,
    compare=_reaches_95,
    hints=[_digits_hints],
    timeout=180,
)


# -- ex06_3: a callback ------------------------------------------------------------------------------------
def drive_callback(cls, threshold, values, monitor=None, key="accuracy"):
    """Run the learner's callback the way `fit` does, for epochs whose logs hold `key` = each of `values`
    (no `key` at all when key is None; a training "accuracy" 0.1 higher when key is another metric);
    return how many epochs ran before `model.stop_training` was set.
    With values == "fit", run a real `fit` of a small model instead and return the number of epochs."""
    from tinyflow import keras

    callback = cls(threshold) if monitor is None else cls(threshold, monitor=monitor)
    if values == "fit":
        rng = np.random.default_rng(0)
        x = rng.normal(size=(64, 2)).astype(np.float32)
        y = (x[:, 0] + x[:, 1] > 0).astype(np.int32)
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(2)])
        model.compile(optimizer=keras.optimizers.SGD(0.05),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        history = model.fit(x, y, epochs=40, batch_size=16, shuffle=False, verbose=0, callbacks=[callback])
        return len(history.history["loss"])
    model = keras.Sequential([keras.layers.Dense(1)])
    model.stop_training = False
    callback.set_model(model)
    callback.set_params({"epochs": len(values), "steps": 4, "verbose": 0})
    callback.on_train_begin({})
    epochs = 0
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch, {})
        for step in range(4):
            callback.on_train_batch_begin(step, {})
            callback.on_train_batch_end(step, {"loss": 1.0})
        logs = {"loss": round(1.0 - value, 4)}
        if key != "accuracy":  # validation metrics lag behind the training accuracy
            logs["accuracy"] = round(min(1.0, value + 0.1), 4)
        if key is not None:
            logs[key] = value
        callback.on_epoch_end(epoch, logs)
        epochs = epoch + 1
        if model.stop_training:
            break
    callback.on_train_end({})
    return epochs


def _callback_class(kind="right"):
    class StopAtAccuracy(keras.callbacks.Callback):
        def __init__(self, threshold, monitor="accuracy"):
            super().__init__()
            self.threshold = threshold
            self.monitor = "accuracy" if kind == "ignore_monitor" else monitor

        def on_epoch_end(self, epoch, logs=None):
            if kind == "batch":
                return
            logs = logs or {}
            value = logs[self.monitor] if kind == "keyerror" else logs.get(self.monitor)
            if value is None:
                return
            reached = value > self.threshold if kind == "strict" else value >= self.threshold
            if reached:
                if kind == "self_flag":
                    self.stop_training = True
                else:
                    self.model.stop_training = True

        def on_train_batch_end(self, batch, logs=None):
            if kind == "batch":
                value = (logs or {}).get(self.monitor)
                if value is not None and value >= self.threshold:
                    self.model.stop_training = True

    return StopAtAccuracy


def _callback_hints(case, got, expected):
    if _raised(got, "KeyError"):
        return ("a log can lack the monitored key (e.g. 'val_accuracy' without validation data): read it with "
                "logs.get(self.monitor) and do nothing when it is None, as EarlyStopping does.")
    if _raised(got, "TypeError", "monitor"):
        return "accept the metric name as a keyword argument: def __init__(self, threshold, monitor='accuracy')."
    if _raised(got, "AttributeError", "params") or _raised(got, "AttributeError", "_model"):
        return "call super().__init__() first in __init__: the Callback base class sets up self.model and self.params."
    return None


EX06_3 = Exercise(
    id="ex06_3",
    name="StopAtAccuracy",
    title="A callback that stops training at a target accuracy",
    points=2,
    cases=[
        Case(0.9, [0.5, 0.8, 0.93, 0.95, 0.97], label="accuracy 0.5, 0.8, 0.93, ... with threshold 0.9"),
        Case(0.95, [0.6, 0.9, 0.95, 0.97, 0.98], label="reaching exactly 0.95 counts"),
        Case(0.99, [0.5, 0.7, 0.9, 0.95], label="never reached: run every epoch"),
        Case(0.8, [0.5, 0.7, 0.85, 0.9, 0.92], monitor="val_accuracy", key="val_accuracy",
             label="monitor='val_accuracy' (training accuracy is 0.1 higher)"),
        Case(0.8, [0.5, 0.85, 0.9], monitor="val_accuracy", key=None, label="monitored key missing from the logs"),
        Case(0.9, "fit", label="a real fit(..., callbacks=[StopAtAccuracy(0.9)])"),
    ],
    reference=_callback_class(),
    probe=drive_callback,
    compare=close(),
    hints=[
        _callback_hints,
        Mistake(_callback_class("self_flag"), "you set self.stop_training, an attribute of the callback that fit "
                "never reads: set self.model.stop_training = True (fit checks it after every epoch)."),
        Mistake(_callback_class("strict"), "reaching the threshold exactly should stop training too: compare with "
                ">=, not >."),
        Mistake(_callback_class("ignore_monitor"), "use the `monitor` argument (self.monitor) to pick the metric "
                "from logs, instead of always reading 'accuracy'."),
        Mistake(_callback_class("keyerror"), "a log can lack the monitored key: read it with logs.get(self.monitor) "
                "and do nothing when it is None."),
        Mistake(_callback_class("batch"), "check once per epoch, in on_epoch_end(epoch, logs): its logs hold the "
                "epoch's metrics. The batch hooks see running values for part of an epoch."),
    ],
)


# -- ex06_4: a functional model with two inputs ---------------------------------------------------------------
def probe_two_inputs(fn, aspect, image_dim, side_dim, units, x_image=None, x_side=None):
    """Build the learner's model; "structure": (number of inputs, input shapes, output shape, sorted weight
    shapes); "forward": the output for fixed inputs after setting every weight from its shape alone
    (so the order in which layers were created does not matter)."""
    model = fn(image_dim, side_dim, units)
    if aspect == "structure":
        inputs = [tuple(t.shape) for t in model.inputs]
        output = model.outputs[0].shape if len(model.outputs) == 1 else [t.shape for t in model.outputs]
        shapes = sorted((tuple(int(d) for d in w.shape) for w in model.weights), key=lambda s: (len(s), s))
        return {"inputs": len(inputs), "input_shapes": [str(s) for s in inputs],
                "output_shape": str(tuple(output)), "weight_shapes": [str(s) for s in shapes]}
    weights = []
    for w in model.weights:
        shape = tuple(int(d) for d in w.shape)
        n = int(np.prod(shape))
        values = np.sin(np.arange(n) * 1.7 + 0.3 * n + len(shape)) * 0.8
        weights.append(values.reshape(shape).astype(np.float32))
    model.set_weights(weights)
    out = model.predict([np.asarray(x_image, np.float32), np.asarray(x_side, np.float32)], verbose=0)
    return np.asarray(out)


def _two_input_model(kind="right"):
    def two_input_model(image_dim, side_dim, units):
        image = keras.Input(shape=(image_dim,), name="image")
        side = keras.Input(shape=(side_dim,), name="side")
        h = keras.layers.Dense(units, activation=None if kind == "no_relu" else "relu")(image)
        if kind == "flat":
            both = keras.layers.Concatenate()([image, side])
            h = keras.layers.Dense(units, activation="relu")(both)
            out = keras.layers.Dense(1)(h)
            return keras.Model(inputs=[image, side], outputs=out)
        parts = [side, h] if kind == "swapped" else [h, side]
        out = keras.layers.Dense(1)(keras.layers.Concatenate()(parts))
        return keras.Model(inputs=[image, side], outputs=out)

    return two_input_model


_RNG = np.random.default_rng(6)
_IMG = np.round(_RNG.uniform(0, 1, size=(3, 6)), 3)
_SIDE = np.round(_RNG.normal(size=(3, 3)), 3)
_IMG2 = np.round(_RNG.uniform(0, 1, size=(2, 10)), 3)
_SIDE2 = np.round(_RNG.normal(size=(2, 2)), 3)


def _two_input_hints(case, got, expected):
    if isinstance(got, dict) and got.get("inputs") != 2:
        return ("the model needs two inputs: make two keras.Input(...) tensors and pass both, "
                "keras.Model(inputs=[image, side], outputs=...).")
    if isinstance(got, Raised) and "Concatenate" in got.message:
        return "Concatenate joins the last axis: call it on a list, keras.layers.Concatenate()([h, side])."
    return None


EX06_4 = Exercise(
    id="ex06_4",
    name="two_input_model",
    title="A functional model with two inputs",
    points=2,
    cases=[
        Case("structure", 6, 3, 4, label="structure for image_dim=6, side_dim=3, units=4"),
        Case("forward", 6, 3, 4, _IMG, _SIDE, label="outputs for image_dim=6, side_dim=3, units=4"),
        Case("forward", 10, 2, 5, _IMG2, _SIDE2, label="outputs for image_dim=10, side_dim=2, units=5"),
    ],
    reference=_two_input_model(),
    probe=probe_two_inputs,
    compare=close(rtol=1e-5, atol=1e-6),
    hints=[
        _two_input_hints,
        Mistake(_two_input_model("swapped"), "the concatenation order is swapped: join [hidden, side] (the image "
                "branch first), so the output kernel's first `units` rows read the hidden features."),
        Mistake(_two_input_model("no_relu"), "the hidden layer needs activation='relu'; without it the image branch "
                "is linear."),
        Mistake(_two_input_model("flat"), "only the image goes through the hidden Dense layer; the side features "
                "join afterwards: Concatenate()([Dense(units, 'relu')(image), side]), then Dense(1)."),
    ],
)

EXERCISES = [EX06_1, EX06_2, EX06_3, EX06_4]
