"""A real task end to end: a Keras MLP on the 8x8 digits reaches at least 95 % test accuracy."""
import numpy as np
import pytest

from tinyflow import keras
from tinyflow.datasets import load_digits


def test_digits_mlp_reaches_95_percent():
    (x_train, y_train), (x_test, y_test) = load_digits(normalize=True)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(8, 8)),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=30, validation_split=0.1, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f} (loss {loss:.3f})"
    assert history.history["val_accuracy"][-1] >= 0.9
    predicted = model.predict(x_test, verbose=0).argmax(axis=1)
    assert np.mean(predicted == y_test) == pytest.approx(accuracy)
