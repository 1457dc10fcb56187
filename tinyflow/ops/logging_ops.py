"""``tf.print``: print tensor values when the computation runs, not when it is traced.

Python's ``print`` inside a ``tf.function`` runs once, while tracing, and shows symbolic
tensors. ``tf.print`` is an op (**PrintV2**) with side effects: a function runs it on
every call, and it prints the values. Eagerly it prints at once.

Tensors are formatted as TensorFlow formats them: ``[1 2 3]``, nested brackets for
higher ranks, and with more than ``2 * summarize`` elements along an axis only the first
and last ``summarize`` are shown, around ``...``. TF prints to stderr by default, and so
does tinyflow (in a notebook stderr shows under the cell); pass ``output_stream=sys.stdout``
to print to stdout, or ``"file://path"`` to append to a file.

>>> import sys
>>> import tinyflow as tf
>>> tf.print(tf.range(10), output_stream=sys.stdout)
[0 1 2 ... 7 8 9]
>>> tf.print("x =", tf.constant([[1.5, 2.0], [3.0, 4.0]]), output_stream=sys.stdout)
x = [[1.5 2]
 [3 4]]
"""
from __future__ import annotations

import sys

import numpy as np  # host-side formatting only

from tinyflow import backend
from tinyflow.framework import context, dtypes
from tinyflow.framework.dispatch import apply_op, convert_to_tensor
from tinyflow.framework.registry import not_differentiable, register_op
from tinyflow.framework.tensor import Tensor
from tinyflow.framework.tensor_shape import TensorShape

__all__ = ["print"]

_STDERR, _STDOUT = sys.stderr, sys.stdout  # the streams at import time, as bound by the default argument


def print(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\n", name=None):  # noqa: A001  (TF's name)
    """Print ``inputs`` (tensors, Python values, or nested lists/tuples/dicts of them).

    Args:
      *inputs: what to print, separated by ``sep``.
      output_stream: ``sys.stderr`` (default, as TF), ``sys.stdout``, a ``"file://<path>"``
        string (appends), or any object with a ``write`` method.
      summarize: elements shown at each end of every axis (default 3; None also means 3, as in
        TF; -1 prints every element).
      sep, end: as in Python's ``print``.

    Returns None eagerly; in a graph, the PrintV2 operation (run it, or let a
    ``tf.function`` run it for you).
    """
    template, tensors = _template(inputs)
    stream = _stream_spec(output_stream)
    attrs = {"template": template, "output_stream": stream, "summarize": 3 if summarize is None else int(summarize),
             "sep": sep, "end": end}
    out = apply_op("PrintV2", tensors, attrs, name=name or "PrintV2")
    return None if context.building_graph() is None else out.op


def _template(inputs) -> tuple:
    """Replace every tensor in ``inputs`` by ("tensor", index); keep the rest as values."""
    tensors = []

    def walk(x):
        if isinstance(x, Tensor) or hasattr(x, "_as_tensor"):
            tensors.append(convert_to_tensor(x))
            return ("tensor", len(tensors) - 1)
        if isinstance(x, list | tuple):
            return (type(x), [walk(v) for v in x])
        if isinstance(x, dict):
            return (dict, [(k, walk(v)) for k, v in x.items()])
        return ("value", x)

    return [walk(x) for x in inputs], tensors


def _stream_spec(stream):
    if stream is _STDERR or stream is sys.stderr or stream is sys.__stderr__:
        return "stderr"
    if stream is _STDOUT or stream is sys.stdout or stream is sys.__stdout__:
        return "stdout"
    if isinstance(stream, str) and stream.startswith("file://"):
        return stream
    if hasattr(stream, "write"):
        return stream
    raise ValueError(f"Unsupported output stream, logging level, or file. {stream!r}. Supported streams are "
                     "sys.stdout, sys.stderr, or a file written as 'file://<filepath>'.")


def _print_kernel(xp, *arrays, template, output_stream, summarize, sep, end):
    values = [backend.to_numpy(a) for a in arrays]

    def render(part, top):
        kind, body = part
        if kind == "tensor":
            return format_tensor(values[body], summarize)
        if kind == "value":
            return str(body) if top else repr(body)
        if kind is dict:
            return "{" + ", ".join(f"{k!r}: {render(v, False)}" for k, v in body) + "}"
        items = ", ".join(render(v, False) for v in body)
        return f"({items},)" if kind is tuple and len(body) == 1 else \
            ("(" + items + ")" if issubclass(kind, tuple) else "[" + items + "]")

    text = sep.join(render(p, True) for p in template) + end
    if output_stream == "stderr":
        sys.stderr.write(text)
    elif output_stream == "stdout":
        sys.stdout.write(text)
    elif isinstance(output_stream, str):
        with open(output_stream[len("file://"):], "a") as f:
            f.write(text)
    else:
        output_stream.write(text)
    return xp.asarray(True)  # a dummy output: the op is run for its side effect


register_op("PrintV2", kernel=_print_kernel, side_effects=True,
            shape=lambda *inputs, **attrs: (TensorShape([]), dtypes.bool))
not_differentiable("PrintV2")


# -- formatting, as TF's Tensor::SummarizeValue(print_v2=True) ---------------------------------------
def format_tensor(array, summarize: int = 3) -> str:
    """``[1 2 3]`` style text for a numpy array; ``summarize`` elements at each end of each axis.

    >>> format_tensor(np.arange(8).reshape(2, 4), 1)
    '[[0 ... 3]\\n [4 ... 7]]'
    """
    a = np.asarray(array)
    if a.ndim == 0:
        return _scalar(a[()], a.dtype)
    edge = a.size if summarize < 0 else summarize
    return _dim(a, 0, a.ndim, edge)


def _dim(a, depth: int, rank: int, edge: int) -> str:
    """Axis ``depth`` of the full array (``a`` is the sub-array there)."""
    if depth == rank:
        return _scalar(a[()], a.dtype)
    n = a.shape[0]
    space = " " if depth == rank - 1 else "\n" * (rank - depth - 1) + " " * (depth + 1)
    shown = list(range(n)) if n <= 2 * edge else list(range(edge)) + [None] + list(range(n - edge, n))
    parts = ["..." if i is None else _dim(a[i], depth + 1, rank, edge) for i in shown]
    return "[" + space.join(parts) + "]"


def _scalar(v, dtype) -> str:
    if dtype == np.bool_:
        return "1" if v else "0"
    if dtype.kind == "f":
        if dtype == np.float64:
            return _shortest(float(v), 15, 17, float)
        return _shortest(float(v), 6, 9, np.float32)  # float16 prints as float, like TF
    return str(v)


def _shortest(v: float, digits: int, more: int, kind) -> str:
    """C's %.*g with FLT_DIG (or DBL_DIG) digits, or more when that does not round-trip (TF's FloatToBuffer)."""
    text = f"{v:.{digits}g}"
    if np.isfinite(v) and kind(text) != kind(v):
        text = f"{v:.{more}g}"
    return text
