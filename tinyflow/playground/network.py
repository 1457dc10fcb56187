"""The Playground's network as a tinyflow graph: forward pass, loss, ``tf.gradients`` and SGD updates.

One :class:`Network` is built per network *shape* (inputs, hidden sizes, activation, output
activation, regularisation, loss); the learning rate and the regularisation rate are placeholders,
so changing them never rebuilds. A training step is one ``Session.run`` per mini-batch:

* forward: ``h_k = act(h_{k-1} W_k + b_k)``; the output is ``tanh`` (classification) or linear
  (regression), one unit, as in ``nn.ts``;
* loss: the mean over the batch of ``½ (out − y)²`` (``nn.Errors.SQUARE``) or, as an option,
  the cross-entropy of ``p = (out + 1) / 2`` against ``(y + 1) / 2``;
* update (``nn.updateWeights``): the original sums per-example derivatives and divides by their
  count ``n``; so ``b -= lr · mean(dE/db)`` and ``W -= lr · (mean(dE/dW) + rr · R'(W) / n)``, with
  ``R'(w) = sign(w)`` (L1, +1 at 0) or ``w`` (L2). Biases are not regularised.

Initialisation is the original's: every weight ``U(-0.5, 0.5)``, drawn layer by layer, target neuron
by target neuron; every bias 0.1 (all zero with ``init_zero``).

Example:
    >>> import numpy as np
    >>> net = Network(2, [3], "tanh", "tanh")
    >>> net.initialize(np.random.default_rng(0))
    >>> x, y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([1.0, -1.0])
    >>> before = net.losses(x, y).mean()
    >>> net.train_epoch(x, y, batch_size=2, learning_rate=0.1, regularization_rate=0.0)  # points left over
    0
    >>> bool(net.losses(x, y).mean() < before)
    True
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import tinyflow as tf

ACTIVATION_FNS = {"relu": tf.nn.relu, "tanh": tf.tanh, "sigmoid": tf.sigmoid, "linear": tf.identity}


def _regularizer_derivative(kind: str, w):
    """``R'(w)`` of nn.ts: L1 ``w < 0 ? -1 : 1``, L2 ``w``."""
    if kind == "L1":
        return 1.0 - 2.0 * tf.cast(w < 0.0, tf.float64)
    return w


class Network:
    """A fully connected Playground network: ``n_inputs`` → ``hidden`` → 1, in its own tinyflow graph.

    Args:
        n_inputs: number of input features (0 to 7).
        hidden: hidden layer sizes, e.g. ``[4, 2]``.
        activation: hidden activation, one of ``ACTIVATION_FNS``.
        output_activation: "tanh" (classification) or "linear" (regression).
        regularization: "none", "L1" or "L2".
        loss: "square" (½(out − y)²) or "cross_entropy".
    """

    def __init__(self, n_inputs: int, hidden: Sequence[int], activation: str, output_activation: str,
                 regularization: str = "none", loss: str = "square"):
        self.key = (n_inputs, tuple(hidden), activation, output_activation, regularization, loss)
        self.sizes = [n_inputs, *hidden, 1]
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.x = tf.compat.v1.placeholder(tf.float64, [None, n_inputs], name="x")  # (n, inputs)
            self.y = tf.compat.v1.placeholder(tf.float64, [None], name="y")  # (n,)
            self.learning_rate = tf.compat.v1.placeholder(tf.float64, [], name="learning_rate")
            self.regularization_rate = tf.compat.v1.placeholder(tf.float64, [], name="regularization_rate")
            self.weights, self.biases, self.layers = [], [], []
            reads, h, z = [], self.x, None
            for k, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
                w_var = tf.compat.v1.Variable(np.zeros((n_in, n_out)), name=f"W{k}")
                b_var = tf.compat.v1.Variable(np.zeros(n_out), name=f"b{k}")
                w, b = w_var.value(), b_var.value()  # read once: forward, gradient and update share them
                z = tf.matmul(h, w) + b  # (n, n_out)
                last = k == len(self.sizes) - 1
                h = ACTIVATION_FNS[output_activation if last else activation](z)
                self.weights.append(w_var)
                self.biases.append(b_var)
                self.layers.append(h)
                reads += [w, b]
            self.output = tf.reshape(h, [-1])  # (n,)
            if loss == "cross_entropy":  # p = (tanh(z) + 1) / 2 = sigmoid(2z)
                self.per_example_loss = tf.nn.sigmoid_cross_entropy_with_logits(
                    labels=(self.y + 1.0) / 2.0, logits=2.0 * tf.reshape(z, [-1]))
            else:
                self.per_example_loss = 0.5 * tf.square(self.output - self.y)  # nn.Errors.SQUARE
            mean_loss = tf.reduce_mean(self.per_example_loss)
            grads = tf.gradients(mean_loss, reads)  # the batch mean of the per-example derivatives
            n = tf.cast(tf.shape(self.x)[0], tf.float64)
            updates = []
            for k in range(len(self.weights)):
                w, b, grad_w, grad_b = reads[2 * k], reads[2 * k + 1], grads[2 * k], grads[2 * k + 1]
                step_w = grad_w
                if regularization != "none":
                    step_w = grad_w + self.regularization_rate * _regularizer_derivative(regularization, w) / n
                updates.append(self.weights[k].assign_sub(self.learning_rate * step_w, read_value=False))
                updates.append(self.biases[k].assign_sub(self.learning_rate * grad_b, read_value=False))
            self.train_op = tf.group(*updates, name="train")
            self._reads = reads
        self.session = tf.compat.v1.Session(graph=self.graph)
        self._step = self.session.make_callable(
            self.train_op, [self.x, self.y, self.learning_rate, self.regularization_rate])

    def initialize(self, rng: np.random.Generator, init_zero: bool = False) -> None:
        """Set the original's initial values: weights ``U(-0.5, 0.5)``, biases 0.1 (or all zero)."""
        for w_var, b_var in zip(self.weights, self.biases):
            n_in, n_out = w_var.shape.as_list()
            w = rng.random((n_out, n_in)).T - 0.5  # nn.ts: Math.random() - 0.5, per target neuron
            w_var.load(np.zeros_like(w) if init_zero else w, self.session)
            b_var.load(np.full(n_out, 0.0 if init_zero else 0.1), self.session)

    def train_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int, learning_rate: float,
                    regularization_rate: float, carry: int = 0) -> int:
        """One pass over ``(x, y)`` in order, one update (one Session.run) per ``batch_size`` points.

        The original updates when ``(i + 1) % batchSize == 0``, so the points after the last full
        batch stay in its accumulators and join the next epoch's first batch, all at the same
        weights. ``carry`` says how many of the last points do that; the new carry is returned.
        """
        lr, rr = np.float64(learning_rate), np.float64(regularization_rate)
        n = len(x)
        if carry:  # a first batch of batch_size + carry points: last epoch's leftovers, then this epoch's first
            first = batch_size
            self._step(np.concatenate([x[n - carry:], x[:first]]), np.concatenate([y[n - carry:], y[:first]]), lr, rr)
            x, y = x[first:], y[first:]
        for start in range(0, len(x) - batch_size + 1, batch_size):
            self._step(x[start:start + batch_size], y[start:start + batch_size], lr, rr)
        return len(x) % batch_size

    def get_weights(self) -> list[np.ndarray]:
        """``[W1, b1, W2, b2, ...]`` as numpy arrays."""
        return self.session.run(self._reads)

    def set_weights(self, values: Sequence[np.ndarray]) -> None:
        for var, value in zip([v for pair in zip(self.weights, self.biases) for v in pair], values):
            var.load(np.asarray(value, dtype=np.float64).reshape(var.shape.as_list()), self.session)

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray]]:
        """One run: every layer's activations ``[(m, units), ...]``, the per-example loss (m,) and the weights."""
        layers, losses, weights = self.session.run([self.layers, self.per_example_loss, self._reads],
                                                   {self.x: x, self.y: y})
        return layers, losses, weights

    def losses(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The per-example loss of points ``x`` (m, inputs) against labels ``y`` (m,)."""
        return self.session.run(self.per_example_loss, {self.x: x, self.y: y})

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The network's output (m,) for inputs ``x`` (m, inputs)."""
        return self.session.run(self.output, {self.x: x})
