"""Chapter 06 exercises: the solution notebook scores full marks, the generated student copy scores zero without
crashing, and typical wrong answers score below full marks with a hint that names the mistake.

The wrong answers are written here the way a learner might write them, independently of the buggy versions in
the spec, and scored in-process with the spec's own probes and comparison (no kernels).
"""

import nbformat
import numpy as np
import pytest

import tinyflow as tf
from tests.exercise_helpers import ROOT, assert_student_copy_fresh, grade_chapter
from tinyflow import keras
from tinyflow.grading._runtime import Raised
from tinyflow.grading.evaluate import evaluate
from tinyflow.grading.specs import get_exercise, load_chapter

NOTEBOOK = "06_keras.ipynb"
MAX_POINTS = sum(ex.points for ex in load_chapter(6))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    report = grade_chapter(tmp_path_factory, NOTEBOOK)
    return report["solutions"], report["exercises"]


def test_solution_notebook_scores_full_marks(graded):
    solution, _ = graded
    assert solution["total"] == solution["max"] == MAX_POINTS == 10, solution["exercises"]
    assert solution["notes"] == []


def test_student_copy_scores_zero_without_crashing(graded):
    _, student = graded
    assert student["total"] == 0 and student["max"] == MAX_POINTS
    for result in student["exercises"]:
        assert result["message"].startswith("not attempted yet"), result
    assert not any("crash" in note for note in student["notes"])


def test_student_copy_is_generated_from_the_solution():
    assert_student_copy_fresh(NOTEBOOK)


def test_every_exercise_is_checked_in_the_solution_notebook():
    source = "\n".join(c.source for c in nbformat.read(ROOT / "solutions" / NOTEBOOK, as_version=4).cells)
    for ex in load_chapter(6):
        assert f'check("{ex.id}", {ex.name})' in source
        assert f"def {ex.name}(" in source or f"class {ex.name}(" in source


@pytest.mark.parametrize("ex", load_chapter(6), ids=lambda ex: ex.id)
def test_reference_scores_full_marks(ex):
    assert evaluate(ex, ex.run(ex.reference)).passed


def _score(exercise_id, wrong):
    ex = get_exercise(exercise_id)
    result = evaluate(ex, ex.run(wrong))
    assert result.points < ex.points, result.message
    return result.message


# -- ex06_1: MyDense -------------------------------------------------------------------------------------
class KernelUnitsFirst(keras.layers.Layer):
    """Stores the kernel as (units, input_dim), PyTorch's nn.Linear convention, and transposes in call."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, keras.activations.get(activation)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(self.units, input_shape[-1]), name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, x):
        return self.activation(tf.matmul(x, self.w, transpose_b=True) + self.b)


class KernelUnitsFirstNoTranspose(KernelUnitsFirst):
    def call(self, x):
        return self.activation(tf.matmul(x, self.w) + self.b)


class NoBias(keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, x):
        return self.activation(tf.matmul(x, self.kernel))


class ForgetsActivation(keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, x):
        return tf.matmul(x, self.kernel) + self.bias


class StringActivation(ForgetsActivation):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(units, **kwargs)
        self.activation = activation

    def call(self, x):
        return self.activation(tf.matmul(x, self.kernel) + self.bias)


class NoSuperInit(ForgetsActivation):
    def __init__(self, units, activation=None, **kwargs):
        self.units, self.activation = units, keras.activations.get(activation)


class WeightsInInit(keras.layers.Layer):
    def __init__(self, units, activation=None, input_dim=4, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, keras.activations.get(activation)
        self.kernel = self.add_weight(shape=(input_dim, units), name="kernel")
        self.bias = self.add_weight(shape=(units,), initializer="zeros", name="bias")

    def call(self, x):
        return self.activation(tf.matmul(x, self.kernel) + self.bias)


class ConfigWithFunction(ForgetsActivation):
    def call(self, x):
        return self.activation(tf.matmul(x, self.kernel) + self.bias)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation}


class ConfigWithoutUnits(ConfigWithFunction):
    def get_config(self):
        return {"activation": keras.activations.serialize(self.activation)}


@pytest.mark.parametrize("wrong, hint", [
    (KernelUnitsFirst, "(units, input_dim)"),
    (KernelUnitsFirstNoTranspose, "kernel of shape (input_dim, units)"),
    (NoBias, "no bias"),
    (ForgetsActivation, "activation is never applied"),
    (StringActivation, "keras.activations.get(activation)"),
    (NoSuperInit, "super().__init__(**kwargs)"),
    (WeightsInInit, "create them in build(input_shape)"),
    (ConfigWithFunction, "plain JSON"),
    (ConfigWithoutUnits, "every constructor argument"),
], ids=lambda v: getattr(v, "__name__", "hint"))
def test_ex06_1_wrong_layers_get_a_hint(wrong, hint):
    message = _score("ex06_1", wrong)
    assert "Hint:" in message and hint in message, message


# -- ex06_2: build_model ---------------------------------------------------------------------------------------
def _mlp(output_activation=None, loss=None, compile=True, input_shape=(8, 8), flatten=True, optimizer=None):
    def build_model():
        layers = [keras.layers.Flatten()] if flatten else []
        model = keras.Sequential([keras.Input(shape=input_shape), *layers, keras.layers.Dense(32, activation="relu"),
                                  keras.layers.Dense(10, activation=output_activation)])
        if compile:
            model.compile(optimizer=optimizer or keras.optimizers.Adam(3e-3),
                          loss=loss or keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                          metrics=["accuracy"])
        return model

    return build_model


@pytest.mark.parametrize("wrong, hint", [
    (_mlp(compile=False), "must return a compiled model"),
    (_mlp(loss="sparse_categorical_crossentropy"), "outputs raw scores (logits)"),
    (_mlp(loss=keras.losses.CategoricalCrossentropy(from_logits=True)), "SparseCategoricalCrossentropy"),
    (_mlp(input_shape=(64,), flatten=False), "images of shape (8, 8)"),
    (_mlp(flatten=False), "Flatten"),
    (_mlp(optimizer=keras.optimizers.SGD(0.01)), "learns too slowly"),
], ids=["not compiled", "logits with a probability loss", "one-hot loss", "flat input", "no Flatten", "slow SGD"])
def test_ex06_2_wrong_models_get_a_hint(wrong, hint):
    message = _score("ex06_2", wrong)
    assert "Hint:" in message and hint in message, message


@pytest.mark.parametrize("report, hint", [
    ({"accuracy": 0.9, "outputs": 10, "probabilities": True, "loss": "SparseCategoricalCrossentropy",
      "from_logits": True}, "softmax is applied twice"),
    ({"accuracy": 0.1, "outputs": 1, "probabilities": False, "loss": "mse", "from_logits": False}, "needs 10"),
    ({"accuracy": 0.5, "outputs": 10, "probabilities": False, "loss": "mse", "from_logits": False},
     "not a classification loss"),
    (Raised("ValueError", ["Exception"], "the model has 150,010 parameters; keep it under 100,000"),
     "fewer or narrower layers"),
], ids=["double softmax", "one output", "mse", "too big"])
def test_ex06_2_hints_on_reported_results(report, hint):
    """The comparison and hints, fed the probe's plain results directly (no training)."""
    ex = get_exercise("ex06_2")
    result = evaluate(ex, [report, report])
    assert result.points == 0 and hint in result.message, result.message


def test_ex06_2_accepts_probabilities_and_a_cnn():
    def cnn():
        model = keras.Sequential([keras.Input(shape=(8, 8)), keras.layers.Reshape((8, 8, 1)),
                                  keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
                                  keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
        return model

    ex = get_exercise("ex06_2")
    assert evaluate(ex, ex.run(cnn)).passed


# -- ex06_3: StopAtAccuracy ------------------------------------------------------------------------------------
class StopsOnCallbackItself(keras.callbacks.Callback):
    def __init__(self, threshold, monitor="accuracy"):
        super().__init__()
        self.threshold, self.monitor = threshold, monitor

    def on_epoch_end(self, epoch, logs=None):
        if logs.get(self.monitor, 0) >= self.threshold:
            self.stop_training = True


class StrictlyAbove(StopsOnCallbackItself):
    def on_epoch_end(self, epoch, logs=None):
        if logs.get(self.monitor, 0) > self.threshold:
            self.model.stop_training = True


class AlwaysAccuracy(StopsOnCallbackItself):
    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] >= self.threshold:
            self.model.stop_training = True


class IndexesLogs(StopsOnCallbackItself):
    def on_epoch_end(self, epoch, logs=None):
        if logs[self.monitor] >= self.threshold:
            self.model.stop_training = True


class NoMonitorArgument(keras.callbacks.Callback):
    def __init__(self, threshold):
        super().__init__()
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        if logs.get("accuracy", 0) >= self.threshold:
            self.model.stop_training = True


class ChecksEveryBatch(StopsOnCallbackItself):
    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is not None and float(value) >= self.threshold:
            self.model.stop_training = True


@pytest.mark.parametrize("wrong, hint", [
    (StopsOnCallbackItself, "self.model.stop_training"),
    (StrictlyAbove, "compare with >=, not >"),
    (AlwaysAccuracy, "use the `monitor` argument"),
    (IndexesLogs, "logs.get(self.monitor)"),
    (NoMonitorArgument, "keyword argument"),
    (ChecksEveryBatch, "on_epoch_end"),
], ids=lambda v: getattr(v, "__name__", "hint"))
def test_ex06_3_wrong_callbacks_get_a_hint(wrong, hint):
    message = _score("ex06_3", wrong)
    assert "Hint:" in message and hint in message, message


# -- ex06_4: two_input_model -----------------------------------------------------------------------------------
def side_first(image_dim, side_dim, units):
    image, side = keras.Input(shape=(image_dim,)), keras.Input(shape=(side_dim,))
    joined = keras.layers.concatenate([side, keras.layers.Dense(units, activation="relu")(image)])
    return keras.Model(inputs=[image, side], outputs=keras.layers.Dense(1)(joined))


def linear_branch(image_dim, side_dim, units):
    image, side = keras.Input(shape=(image_dim,)), keras.Input(shape=(side_dim,))
    joined = keras.layers.Concatenate()([keras.layers.Dense(units)(image), side])
    return keras.Model(inputs=[image, side], outputs=keras.layers.Dense(1)(joined))


def one_concatenated_input(image_dim, side_dim, units):
    both = keras.Input(shape=(image_dim + side_dim,))
    hidden = keras.layers.Dense(units, activation="relu")(both)
    return keras.Model(inputs=both, outputs=keras.layers.Dense(1)(hidden))


def both_through_hidden(image_dim, side_dim, units):
    image, side = keras.Input(shape=(image_dim,)), keras.Input(shape=(side_dim,))
    hidden = keras.layers.Dense(units, activation="relu")(keras.layers.Concatenate()([image, side]))
    return keras.Model(inputs=[image, side], outputs=keras.layers.Dense(1)(hidden))


@pytest.mark.parametrize("wrong, hint", [
    (side_first, "concatenation order is swapped"),
    (linear_branch, "activation='relu'"),
    (one_concatenated_input, "two inputs"),
    (both_through_hidden, "only the image goes through the hidden Dense layer"),
], ids=lambda v: getattr(v, "__name__", "hint"))
def test_ex06_4_wrong_models_get_a_hint(wrong, hint):
    message = _score("ex06_4", wrong)
    assert "Hint:" in message and hint in message, message


def test_ex06_4_weights_are_set_by_shape_so_layer_order_does_not_matter():
    """A correct model whose output layer is created before the hidden one still passes."""
    def output_layer_first(image_dim, side_dim, units):
        out_layer = keras.layers.Dense(1)
        image, side = keras.Input(shape=(image_dim,)), keras.Input(shape=(side_dim,))
        hidden = keras.layers.Dense(units, activation="relu")(image)
        return keras.Model(inputs=[image, side], outputs=out_layer(keras.layers.Concatenate()([hidden, side])))

    ex = get_exercise("ex06_4")
    assert evaluate(ex, ex.run(output_layer_first)).passed
    assert np.isfinite(ex.expected()[1]).all()
