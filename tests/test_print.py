"""tf.print: TensorFlow's tensor formatting, eager printing, and a side-effect op that prints on every
call of a tf.function (while Python's print runs only while tracing)."""
import sys

import numpy as np
import pytest

import tinyflow as tf
import tinyflow.ops.control_flow_ops  # noqa: F401
from tinyflow.ops import logging_ops
from tinyflow.ops.logging_ops import format_tensor
from tinyflow.session import Session

tf_print = logging_ops.print


@pytest.mark.parametrize("array, summarize, expected", [
    (np.array([1, 2, 3], np.int32), 3, "[1 2 3]"),
    (np.arange(10, dtype=np.int32), 3, "[0 1 2 ... 7 8 9]"),
    (np.arange(10, dtype=np.int32), -1, "[0 1 2 3 4 5 6 7 8 9]"),
    (np.arange(7, dtype=np.int32), 3, "[0 1 2 ... 4 5 6]"),  # more than 2 * 3: the middle one is elided
    (np.arange(6, dtype=np.int32), 3, "[0 1 2 3 4 5]"),
    (np.array([[1.5, 2.0], [3.0, 4.0]], np.float32), 3, "[[1.5 2]\n [3 4]]"),
    (np.arange(8, dtype=np.int64).reshape(2, 4), 1, "[[0 ... 3]\n [4 ... 7]]"),
    (np.arange(8, dtype=np.int32).reshape(2, 2, 2), 3, "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]"),
    (np.array(3.25, np.float32), 3, "3.25"),
    (np.array([True, False]), 3, "[1 0]"),
    (np.array([1 / 3], np.float32), 3, "[0.333333343]"),
    (np.array([0.1, 1 / 3], np.float64), 3, "[0.1 0.33333333333333331]"),
    (np.array([np.inf, -np.inf, np.nan], np.float32), 3, "[inf -inf nan]"),
    (np.zeros((0,), np.float32), 3, "[]"),
])
def test_format_like_tensorflow(array, summarize, expected):
    assert format_tensor(array, summarize) == expected


def test_eager_print_goes_to_stderr_by_default(capsys):
    tf_print("x:", tf.constant([1, 2, 3]))
    out = capsys.readouterr()
    assert (out.err, out.out) == ("x: [1 2 3]\n", "")


def test_sep_end_structures_and_stdout(capsys):
    tf_print("a", {"k": tf.constant([1.0, 2.5])}, [1, "s", tf.constant(3)], sep="|", end="!\n",
             output_stream=sys.stdout)
    assert capsys.readouterr().out == "a|{'k': [1 2.5]}|[1, 's', 3]!\n"


def test_print_to_a_file(tmp_path):
    path = tmp_path / "log.txt"
    tf_print("first", tf.constant(1), output_stream=f"file://{path}")
    tf_print("second", output_stream=f"file://{path}")
    assert path.read_text() == "first 1\nsecond\n"


def test_in_a_function_it_prints_on_every_call(capsys):
    @tf.function
    def step(x):
        print("tracing")
        tf_print("x =", x, output_stream=sys.stdout)
        return x + 1

    step(tf.constant(1))
    step(tf.constant(2))
    step(tf.constant(3))
    assert capsys.readouterr().out == "tracing\nx = 1\nx = 2\nx = 3\n"
    assert step.experimental_get_tracing_count() == 1


def test_print_inside_a_branch_prints_only_when_that_branch_runs(capsys):
    @tf.function
    def report(x):
        tf.cond(x > 0, lambda: tf_print("positive", output_stream=sys.stdout),
                lambda: tf_print("not positive", output_stream=sys.stdout))
        return x

    report(tf.constant(1.0))
    report(tf.constant(-1.0))
    assert capsys.readouterr().out == "positive\nnot positive\n"


def test_in_a_tf1_graph_it_is_an_op_to_run(capsys):
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [2])
        op = tf_print("fed:", x * 2, output_stream=sys.stdout)
    assert op.type == "PrintV2"
    assert capsys.readouterr().out == ""  # building the graph prints nothing
    with Session(graph=g) as sess:
        sess.run(op, {x: [1.0, 2.0]})
    assert capsys.readouterr().out == "fed: [2 4]\n"


def test_unsupported_stream_is_an_error():
    with pytest.raises(ValueError, match="Unsupported output stream"):
        tf_print("x", output_stream=42)
