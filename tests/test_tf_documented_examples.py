"""Examples from TensorFlow's and Keras's API documentation, run with ``import tinyflow as tf``; the
expected numbers are the ones those docs print."""
import numpy as np
import pytest

import tinyflow as tf


def close(got, expected, atol=1e-3):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, atol=atol)


def test_keras_losses():
    close(tf.keras.losses.BinaryCrossentropy(from_logits=True)([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]), 0.865)
    y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    close(tf.keras.losses.CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]], y_pred), 1.177)
    close(tf.keras.losses.SparseCategoricalCrossentropy()([1, 2], y_pred), 1.177)
    close(tf.keras.losses.MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]), 0.5)
    close(tf.keras.losses.MeanAbsoluteError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]), 0.5)
    close(tf.keras.losses.Huber()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]), 0.155)


def test_nn_cross_entropies_and_activations():
    close(tf.nn.softmax_cross_entropy_with_logits(labels=[[1.0, 0.0, 0.0], [0.0, 0.8, 0.2]],
                                                  logits=[[4.0, 2.0, 1.0], [0.0, 5.0, 1.0]]), [0.16984604, 0.82474494])
    close(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.5]),
                                                  logits=tf.constant([1.0, -1.0, 0.0, 1.0, -1.0, 0.0, 0.0])),
          [1.3132617, 0.3132617, 0.6931472, 0.3132617, 1.3132617, 0.6931472, 0.6931472])
    close(tf.nn.gelu([-3.0, -1.0, 0.0, 1.0, 3.0]), [-0.00404951, -0.15865529, 0.0, 0.8413447, 2.9959507])
    close(tf.nn.leaky_relu([-2.0, 0.0, 2.0]), [-0.4, 0.0, 2.0])
    close(tf.math.l2_normalize([3.0, 4.0]), [0.6, 0.8])
    close(tf.math.reduce_logsumexp(tf.constant([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])), np.log(6))


def test_keras_optimizers_first_steps():
    opt = tf.keras.optimizers.SGD(learning_rate=0.1)
    var = tf.Variable(1.0)
    opt.minimize(lambda: (var ** 2) / 2.0, [var])
    close(var.numpy(), 0.9)
    opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    var = tf.Variable(1.0)
    steps = [var.numpy()]
    for _ in range(2):
        opt.minimize(lambda: (var ** 2) / 2.0, [var])
        steps.append(var.numpy())
    close(-np.diff(steps), [0.1, 0.18])
    opt = tf.keras.optimizers.Adam(learning_rate=0.1)
    var1 = tf.Variable(10.0)
    opt.minimize(lambda: (var1 ** 2) / 2.0, [var1])
    close(var1.numpy(), 9.9)


def test_keras_metrics():
    m = tf.keras.metrics.Accuracy()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    close(m.result(), 0.75)
    m = tf.keras.metrics.BinaryAccuracy()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    close(m.result(), 0.75)
    m = tf.keras.metrics.SparseCategoricalAccuracy()
    m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    close(m.result(), 0.5)
    m = tf.keras.metrics.Mean()
    m.update_state([1, 3, 5, 7])
    close(m.result(), 4.0)


def test_tensor_ops():
    clipped, norm = tf.clip_by_global_norm([tf.constant([3.0, 4.0]), tf.constant([5.0, 12.0])], 1.0)
    close(norm, 13.928388)
    close(clipped[0], [0.21539, 0.28718])
    assert tf.math.cumsum([1, 2, 3, 4], exclusive=True, reverse=True).numpy().tolist() == [9, 7, 4, 0]
    assert tf.one_hot([0, 2, -1, 1], 3, 5.0, 0.0).numpy().tolist() == [[5, 0, 0], [0, 0, 5], [0, 0, 0], [0, 5, 0]]
    assert tf.where([True, False, False, True], [1, 2, 3, 4], [100, 200, 300, 400]).numpy().tolist() == [1, 200, 300, 4]
    assert tf.math.argmax([2, 20, 30, 3, 6]).numpy() == 2
    assert tf.math.top_k([1, 5, 3, 4], k=2).values.numpy().tolist() == [5, 4]
    assert tf.range(3, 18, 3).numpy().tolist() == [3, 6, 9, 12, 15]
    close(tf.range(1, 2.2, 0.5), [1.0, 1.5, 2.0])
    close(tf.linspace(10.0, 12.0, 3), [10.0, 11.0, 12.0])
    assert tf.tile([[1, 2, 3], [4, 5, 6]], [1, 2]).numpy().tolist() == [[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]
    assert [t.shape.as_list() for t in tf.split(tf.zeros([5, 30]), [4, 15, 11], 1)] == [[5, 4], [5, 15], [5, 11]]
    close(tf.math.reduce_std(tf.constant([[1.0, 2.0], [3.0, 4.0]])), 1.118034)
    mean, variance = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 4.0]]), axes=[0])
    close(mean, [2.0, 3.0])
    close(variance, [1.0, 1.0])
    layer = tf.keras.layers.LayerNormalization(axis=1)
    close(layer(tf.constant(np.arange(10).reshape(5, 2) * 10, dtype=tf.float32)), [[-1.0, 1.0]] * 5)


@pytest.mark.parametrize("x, expected", [([1, 2, 3], 6), ([[1.0, 1.0], [2.0, 2.0]], 6.0)])
def test_guide_tracing_example(x, expected, capsys):
    @tf.function
    def my_func(x):
        print("Tracing.")
        return tf.reduce_sum(x)

    assert my_func(tf.constant(x)).numpy() == expected
    assert my_func(tf.constant(x)).numpy() == expected
    assert capsys.readouterr().out == "Tracing.\n"
