"""Training speed: a TF-Playground-sized MLP (2-8-8-1 tanh), epochs per second.

SGD lr 0.03, batch 10, 250 spiral points (25 steps per epoch), loss mean((out - y)²).
Modes: compat.v1 graph with ``minimize``, GradientTape inside ``tf.function``, eager, and
``model.fit``; baseline: the same network hand-written in numpy. Issue targets (as a fraction
of numpy's epochs/s): graph and function ≥ 0.5×, eager ≥ 0.15×, fit ≥ 0.3×.
"""
from __future__ import annotations

import numpy as np

import tinyflow as tf
from benchmarks.timing import best_time, optional, table
from tinyflow.datasets import classify_spiral

SIZES = [2, 8, 8, 1]
LR, BATCH, N = 0.03, 10, 250


def _data():
    x, y = classify_spiral(N, noise=0, rng=0)
    return x.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def _init():
    rng = np.random.default_rng(0)
    return [(rng.uniform(-0.5, 0.5, (a, b)).astype(np.float32), np.full(b, 0.1, np.float32))
            for a, b in zip(SIZES[:-1], SIZES[1:])]


def numpy_epoch(params, x, y):
    for s in range(0, N, BATCH):
        xb, yb = x[s:s + BATCH], y[s:s + BATCH]
        acts = [xb]
        for w, b in params:
            acts.append(np.tanh(acts[-1] @ w + b))
        g = 2.0 * (acts[-1] - yb) / yb.size  # d mean((out-y)^2) / d out
        for i in reversed(range(len(params))):
            w, b = params[i]
            g = g * (1.0 - acts[i + 1] ** 2)  # through tanh
            gw, gb = acts[i].T @ g, g.sum(axis=0)
            g = g @ w.T
            w -= LR * gw
            b -= LR * gb


def _forward(x, variables):
    h = x
    for i in range(0, len(variables), 2):
        h = tf.tanh(tf.matmul(h, variables[i]) + variables[i + 1])
    return h


def graph_epoch_fn(x, y):
    g = tf.Graph()
    with g.as_default():
        xp = tf.compat.v1.placeholder(tf.float32, [None, 2])
        yp = tf.compat.v1.placeholder(tf.float32, [None, 1])
        variables = [tf.compat.v1.Variable(a) for pair in _init() for a in pair]
        loss = tf.reduce_mean(tf.square(_forward(xp, variables) - yp))
        train = tf.compat.v1.train.GradientDescentOptimizer(LR).minimize(loss)
        init = tf.compat.v1.global_variables_initializer()
    sess = tf.compat.v1.Session(graph=g)
    sess.run(init)

    def epoch():
        for s in range(0, N, BATCH):
            sess.run(train, {xp: x[s:s + BATCH], yp: y[s:s + BATCH]})
    return epoch


def eager_step_fn():
    variables = [tf.Variable(a) for pair in _init() for a in pair]
    opt = tf.keras.optimizers.SGD(LR)

    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(_forward(xb, variables) - yb))
        opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return step


def batches(x, y):
    return [(tf.constant(x[s:s + BATCH]), tf.constant(y[s:s + BATCH])) for s in range(0, N, BATCH)]


def fit_epoch_fn(x, y):
    model = tf.keras.Sequential([tf.keras.Input(shape=(2,))] + [
        tf.keras.layers.Dense(n, activation="tanh") for n in SIZES[1:]])
    model.set_weights([a for pair in _init() for a in pair])
    model.compile(optimizer=tf.keras.optimizers.SGD(LR), loss="mse")
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)


def run(number: int = 20) -> dict:
    x, y = _data()
    eps = {}
    params = _init()
    eps["numpy"] = 1.0 / best_time(lambda: numpy_epoch(params, x, y), number)
    eps["tinyflow graph"] = 1.0 / best_time(graph_epoch_fn(x, y), number)
    data = batches(x, y)
    fstep = tf.function(eager_step_fn())
    eps["tinyflow function"] = 1.0 / best_time(lambda: [fstep(a, b) for a, b in data], number)
    estep = eager_step_fn()
    eps["tinyflow eager"] = 1.0 / best_time(lambda: [estep(a, b) for a, b in data], max(number // 4, 3))
    eps["tinyflow fit"] = 1.0 / best_time(fit_epoch_fn(x, y), number)
    torch = optional("torch")
    if torch is not None:
        eps["pytorch eager"] = 1.0 / best_time(_torch_epoch_fn(torch, x, y), max(number // 4, 3))
    return eps


def _torch_epoch_fn(torch, x, y):
    layers = []
    for w, b in _init():
        lin = torch.nn.Linear(*w.shape)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(w.T))
            lin.bias.copy_(torch.tensor(b))
        layers += [lin, torch.nn.Tanh()]
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    data = [(torch.tensor(x[s:s + BATCH]), torch.tensor(y[s:s + BATCH])) for s in range(0, N, BATCH)]

    def epoch():
        for xb, yb in data:
            opt.zero_grad()
            loss = ((net(xb) - yb) ** 2).mean()
            loss.backward()
            opt.step()
    return epoch


TARGETS = {"tinyflow graph": 0.5, "tinyflow function": 0.5, "tinyflow eager": 0.15, "tinyflow fit": 0.3}


def report(eps: dict) -> str:
    base = eps["numpy"]
    rows = []
    for name, v in eps.items():
        target = TARGETS.get(name)
        ratio = v / base
        verdict = "" if target is None else ("ok" if ratio >= target else "MISSED")
        rows.append([name, f"{v:.0f}", f"{ratio:.2f}x", f">= {target}x" if target else "", verdict])
    return table(rows, ["mode", "epochs/s", "vs numpy", "target", ""])


if __name__ == "__main__":
    print(report(run()))
