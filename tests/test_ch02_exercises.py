"""Chapter 02 exercises: the solution notebook scores full marks, the generated student copy scores zero
without crashing, and typical wrong answers score below full marks with a hint that names the mistake.

The wrong answers are written here the way a learner might write them, independently of the buggy
versions in the spec, and are scored in-process with the spec's own comparison (no kernels), which is fast.
"""

import numpy as np
import pytest

import tinyflow as tf
from tests.exercise_helpers import assert_student_copy_fresh, grade_chapter
from tinyflow.grading.evaluate import evaluate
from tinyflow.grading.specs import get_exercise, load_chapter

NOTEBOOK = "02_graphs_and_sessions.ipynb"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    report = grade_chapter(tmp_path_factory, NOTEBOOK)
    return report["solutions"], report["exercises"]


def test_solution_notebook_scores_full_marks(graded):
    solution, _ = graded
    assert solution["total"] == solution["max"] == 10.0, solution["exercises"]
    assert solution["notes"] == []


def test_student_copy_scores_zero_without_crashing(graded):
    _, student = graded
    assert student["total"] == 0 and student["max"] == 10.0
    for result in student["exercises"]:
        assert result["message"].startswith(("not attempted yet", "`tensor_names` is not defined")), result


def test_student_copy_is_generated_from_the_solution():
    assert_student_copy_fresh(NOTEBOOK)


@pytest.mark.parametrize("ex", load_chapter(2), ids=lambda ex: ex.id)
def test_reference_scores_full_marks(ex):
    assert evaluate(ex, ex.run(ex.reference)).passed


# -- ex02_1: evaluators with typical bugs --------------------------------------------------------------
NUMPY = {"AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply, "RealDiv": np.divide, "Neg": np.negative,
         "Square": np.square, "Exp": np.exp, "Identity": lambda a: a, "Sigmoid": lambda a: 1 / (1 + np.exp(-a))}


def evaluator(transpose=True, keepdims=True, order=1, placeholders=True):
    def evaluate_graph(fetch, feed_dict):
        values = {}
        for op in fetch.graph.get_operations()[::order]:
            args = [values[t] for t in op.inputs]
            if op.type == "Const":
                out = op.get_attr("value")
            elif op.type == "Placeholder" and placeholders:
                out = feed_dict[op.outputs[0]]
            elif op.type == "MatMul":
                a, b = args
                if transpose and op.get_attr("transpose_a"):
                    a = a.T
                if transpose and op.get_attr("transpose_b"):
                    b = b.T
                out = a @ b
            elif op.type == "Sum":
                out = np.sum(args[0], axis=op.get_attr("axis"), keepdims=op.get_attr("keepdims") and keepdims)
            else:
                out = NUMPY[op.type](*args)
            values[op.outputs[0]] = out
        return values[fetch]

    return evaluate_graph


# -- ex02_2: pruning with typical bugs -----------------------------------------------------------------
def pruner(stop_at_fed=True, control=True, sort=True):
    def ops_needed(fetches, fed):
        cut = {id(t) for t in fed} if stop_at_fed else set()
        seen, found = set(), []
        stack = [t.op for t in fetches if id(t) not in cut]
        while stack:
            op = stack.pop()
            if op.name not in seen:
                seen.add(op.name)
                found.append(op.name)
                stack += [t.op for t in op.inputs if id(t) not in cut]
                if control:
                    stack += op.control_inputs
        if not sort:
            return found
        return [op.name for op in fetches[0].graph.get_operations() if op.name in seen]

    return ops_needed


def whole_graph(fetches, fed):
    return [op.name for op in fetches[0].graph.get_operations()]


# -- ex02_3: model builders with typical bugs ----------------------------------------------------------
def builder(batch=None, scope="logreg", activation=True, names=True):
    def build_model():
        kw = (lambda n: {"name": n}) if names else (lambda n: {})
        x = tf.compat.v1.placeholder(tf.float32, [batch, 3], **kw("x"))
        w = tf.compat.v1.placeholder(tf.float32, [3, 1], **kw("w"))
        b = tf.compat.v1.placeholder(tf.float32, [], **kw("b"))
        with tf.name_scope(scope):
            z = tf.matmul(x, w) + b
            p = tf.sigmoid(z) if activation else z
        return x, w, b, p

    return build_model


RIGHT_NAMES = ["add:0", "Add_1:0", "add_2:0", "block/mul:0", "block/inner/add:0", "block_1/mul:0"]

WRONG = [
    ("ex02_1", evaluator(transpose=False), "transpose_b"),
    ("ex02_1", evaluator(keepdims=False), "keepdims"),
    ("ex02_1", evaluator(placeholders=False), "op type 'Placeholder' has no entry"),
    ("ex02_1", evaluator(order=-1), "creation order is a topological order"),
    ("ex02_2", whole_graph, "you listed the whole graph"),
    ("ex02_2", pruner(stop_at_fed=False), "a fed tensor cuts the graph"),
    ("ex02_2", pruner(control=False), "control_inputs"),
    ("ex02_2", pruner(sort=False), "wrong order"),
    ("ex02_3", builder(batch=2), "use None for the batch dimension"),
    ("ex02_3", builder(scope=None), "tf.name_scope('logreg')"),
    ("ex02_3", builder(activation=False), "apply tf.sigmoid"),
    ("ex02_3", builder(names=False), "name the placeholders"),
    ("ex02_4", ["add:0", "Add:0", *RIGHT_NAMES[2:]], "unique case-insensitively"),
    ("ex02_4", [n.split(":")[0] for n in RIGHT_NAMES], "'<op name>:<output index>'"),
    ("ex02_4", [*RIGHT_NAMES[:5], "block/mul_1:0"], "'block_1'"),
    ("ex02_4", [*RIGHT_NAMES[:2], "add:0", *RIGHT_NAMES[3:]], "an explicit name=... is made unique too"),
]


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG, ids=[f"{w[0]}-{w[2][:25]}" for w in WRONG])
def test_wrong_answer_scores_below_full_with_a_hint(exercise_id, answer, hint):
    ex = get_exercise(exercise_id)
    result = evaluate(ex, ex.run(answer))
    assert result.points < result.max
    assert "Hint:" in result.message and hint in result.message, result.message
