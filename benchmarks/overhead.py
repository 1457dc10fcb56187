"""Per-op overhead: a chain of 200 small element-wise ops on shape (8,).

Modes: graph (compat.v1 Session.run), tf.function, eager; baseline: numpy calling the same
ufuncs directly. Issue targets: graph and function ≤ 2× numpy per op; eager ≤ 5× numpy.
"""
from __future__ import annotations

import numpy as np

import tinyflow as tf
from benchmarks.timing import best_time, optional, table

N_OPS = 200


def _chain(x, c, add, mul, sub):
    for _ in range(N_OPS // 4):
        x = add(x, c)
        x = mul(x, c)
        x = sub(x, c)
        x = mul(x, c)
    return x


def run(number: int = 300) -> dict:
    x0 = np.linspace(0.1, 1.0, 8).astype(np.float32)
    c0 = np.asarray(np.float32(0.5))
    results = {}
    results["numpy"] = best_time(lambda: _chain(x0, c0, np.add, np.multiply, np.subtract), number)

    g = tf.Graph()
    with g.as_default():
        p = tf.compat.v1.placeholder(tf.float32, [8])
        y = _chain(p, tf.constant(0.5), tf.add, tf.multiply, tf.subtract)
    sess = tf.compat.v1.Session(graph=g)
    results["tinyflow graph"] = best_time(lambda: sess.run(y, {p: x0}), number)

    xe, ce = tf.constant(x0), tf.constant(0.5)
    f = tf.function(lambda x: _chain(x, ce, tf.add, tf.multiply, tf.subtract))
    results["tinyflow function"] = best_time(lambda: f(xe), number)
    results["tinyflow eager"] = best_time(lambda: _chain(xe, ce, tf.add, tf.multiply, tf.subtract), number // 3)

    torch = optional("torch")
    if torch is not None:
        xt, ct = torch.tensor(x0), torch.tensor(0.5)
        results["pytorch eager"] = best_time(lambda: _chain(xt, ct, torch.add, torch.mul, torch.sub), number // 3)
    real_tf = optional("tensorflow")
    if real_tf is not None:
        xr, cr = real_tf.constant(x0), real_tf.constant(0.5)
        ff = real_tf.function(lambda x: _chain(x, cr, real_tf.add, real_tf.multiply, real_tf.subtract))
        results["tensorflow function"] = best_time(lambda: ff(xr), number // 3)
        results["tensorflow eager"] = best_time(
            lambda: _chain(xr, cr, real_tf.add, real_tf.multiply, real_tf.subtract), number // 10)
    return {k: v / N_OPS * 1e6 for k, v in results.items()}  # µs per op


TARGETS = {"tinyflow graph": 2.0, "tinyflow function": 2.0, "tinyflow eager": 5.0}


def report(us_per_op: dict) -> str:
    base = us_per_op["numpy"]
    rows = []
    for name, us in us_per_op.items():
        target = TARGETS.get(name)
        ratio = us / base
        verdict = "" if target is None else ("ok" if ratio <= target else "MISSED")
        rows.append([name, f"{us:.3f}", f"{ratio:.2f}x", f"<= {target}x" if target else "", verdict])
    return table(rows, ["mode", "us/op", "vs numpy", "target", ""])


if __name__ == "__main__":
    print(report(run()))
