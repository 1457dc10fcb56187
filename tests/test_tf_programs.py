"""Short TensorFlow programs in the three styles, written the way TF's guides write them, running
unchanged with ``import tinyflow as tf`` — and the same computation giving identical numbers in
graph, eager and function mode."""
import collections

import numpy as np

import tinyflow as tf


def _data():
    rng = np.random.default_rng(42)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    true_w = np.array([[2.0], [-3.0], [0.5]], np.float32)
    y = x @ true_w + 1.0
    return x, y, true_w


def test_tf1_style_linear_regression_with_session():
    x_train, y_train, true_w = _data()
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3], name="x")
        y = tf.compat.v1.placeholder(tf.float32, shape=[None, 1], name="y")
        w = tf.compat.v1.Variable(tf.zeros([3, 1]), name="weights")
        b = tf.compat.v1.Variable(0.0, name="bias")
        y_pred = tf.matmul(x, w) + b
        loss = tf.reduce_mean(tf.square(y_pred - y))
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
        init = tf.compat.v1.global_variables_initializer()
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(init)
        for _ in range(200):
            _, loss_value = sess.run([train_op, loss], feed_dict={x: x_train, y: y_train})
        w_value, b_value = sess.run([w, b])
    assert loss_value < 1e-4
    np.testing.assert_allclose(w_value, true_w, atol=1e-2)
    assert abs(b_value - 1.0) < 1e-2


def test_tf2_eager_custom_training_loop():
    x_train, y_train, true_w = _data()

    class Linear(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.zeros([3, 1]))
            self.b = tf.Variable(0.0)

        def __call__(self, x):
            return tf.matmul(x, self.w) + self.b

    model = Linear()
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
    for _ in range(200):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x_train) - y_train))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
    np.testing.assert_allclose(model.w.numpy(), true_w, atol=1e-2)
    assert len(model.trainable_variables) == 2


def test_tf2_function_training_step():
    x_train, y_train, true_w = _data()
    w = tf.Variable(tf.zeros([3, 1]))
    b = tf.Variable(0.0)
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        grads = tape.gradient(loss, [w, b])
        optimizer.apply_gradients(zip(grads, [w, b]))
        return loss

    for _ in range(200):
        loss = train_step(tf.constant(x_train), tf.constant(y_train))
    assert float(loss) < 1e-4
    np.testing.assert_allclose(w.numpy(), true_w, atol=1e-2)
    assert train_step.experimental_get_tracing_count() == 1


def test_keras_quickstart_style():
    tf.random.set_seed(0)
    x_train, y_train, _ = _data()
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(8, activation="relu"),
        tf.keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x_train, y_train, epochs=5, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 5
    assert history.history["loss"][-1] < history.history["loss"][0]


def _mlp(x, w1, b1, w2, b2):
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    logits = tf.matmul(h, w2) + b2
    return tf.reduce_mean(tf.nn.softmax(logits) * tf.tanh(logits))


def _mlp_arrays():
    rng = np.random.default_rng(7)
    return [rng.normal(size=s).astype(np.float32) for s in [(5, 4), (4, 6), (6,), (6, 3), (3,)]]


def test_same_numbers_in_graph_eager_and_function():
    arrays = _mlp_arrays()

    def value_and_grads(*ts):
        with tf.GradientTape() as tape:
            for t in ts[1:]:
                tape.watch(t)
            y = _mlp(*ts)
        return [y] + tape.gradient(y, list(ts[1:]))

    eager = value_and_grads(*[tf.constant(a) for a in arrays])
    traced = tf.function(value_and_grads)(*[tf.constant(a) for a in arrays])
    g = tf.Graph()
    with g.as_default():
        phs = [tf.compat.v1.placeholder(tf.float32, a.shape) for a in arrays]
        y = _mlp(*phs)
        graph_out = [y] + tf.gradients(y, phs[1:])
    with tf.compat.v1.Session(graph=g) as sess:
        graph = sess.run(graph_out, dict(zip(phs, arrays)))
    for e, t, s in zip(eager, traced, graph):
        np.testing.assert_array_equal(np.asarray(e), np.asarray(t))
        np.testing.assert_array_equal(np.asarray(e), np.asarray(s))


def test_namedtuple_fetches_like_tf_guides():
    Out = collections.namedtuple("Out", ["total", "mean"])
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None])
        out = Out(total=tf.reduce_sum(x), mean=tf.reduce_mean(x))
    with tf.compat.v1.Session(graph=g) as sess:
        r = sess.run(out, {x: [1.0, 2.0, 3.0]})
    assert r == Out(6.0, 2.0)
