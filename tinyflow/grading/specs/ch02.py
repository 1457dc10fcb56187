"""Chapter 02 (graphs and sessions): four exercises about what a graph is and how it runs.

- ex02_1 `evaluate(fetch, feed_dict)`: a Session-free evaluator. Walk the graph's ops in creation
  (= topological) order and compute each with numpy, using a table from op type to numpy function.
- ex02_2 `ops_needed(fetches, fed)`: pruning. The names of the ops that must run to compute `fetches`
  when the tensors in `fed` are fed, in creation order.
- ex02_3 `build_model()`: build p = sigmoid(x @ w + b) from placeholders, inside the name scope
  "logreg", and return (x, w, b, p).
- ex02_4 `tensor_names`: a name-scope puzzle; the predicted names of six tensors.

The graphs are built inside the probes (Case arguments must be plain data), so each probe carries
its own small graph builders.
"""

import numpy as np

from tinyflow.grading._runtime import value
from tinyflow.grading.compare import close, equal
from tinyflow.grading.spec import Case, Exercise, Mistake


# -- ex02_1: a Session-free evaluator ------------------------------------------------------------------
def run_evaluator(evaluate, graph_name, feeds):
    """Build the named graph in a fresh tf.Graph, call `evaluate(fetch, feed_dict)`, return an array."""
    import tinyflow as tf

    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        w = tf.constant([[1.0, -1.0], [0.5, 2.0], [-2.0, 0.25]], name="w")
        b = tf.constant([0.5, -0.5], name="b")
        if graph_name == "affine":
            fetch = tf.matmul(x, w) + b
        elif graph_name == "logistic":
            fetch = tf.reduce_sum(tf.sigmoid(tf.matmul(x, w) + b), axis=1)
        elif graph_name == "reuse":
            a = x * x
            fetch = -(a + a - x / 2.0)
        elif graph_name == "transpose":
            v = tf.constant([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]], name="v")
            fetch = tf.matmul(x, v, transpose_b=True)
        elif graph_name == "squared_error":
            t = tf.compat.v1.placeholder(tf.float32, [None, 3], name="t")
            fetch = tf.reduce_sum(tf.square(x - t), axis=0, keepdims=True)
        elif graph_name == "exp":
            fetch = tf.exp(-x) * 2.0
        else:
            raise ValueError(f"unknown graph {graph_name!r}")
    feed_dict = {g.get_tensor_by_name(name + ":0"): np.asarray(value, np.float32) for name, value in feeds.items()}
    return np.asarray(evaluate(fetch, feed_dict))


def _evaluate_with_session(fetch, feed_dict):
    """The reference: let a real Session do it."""
    import tinyflow as tf

    with tf.compat.v1.Session(graph=fetch.graph) as sess:
        return sess.run(fetch, feed_dict)


_ELEMENTWISE = {
    "AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply, "RealDiv": np.divide, "Neg": np.negative,
    "Square": np.square, "Exp": np.exp, "Identity": lambda a: a, "Sigmoid": lambda a: 1 / (1 + np.exp(-a)),
}


def _make_evaluator(matmul, reduce_sum, reverse=False):
    """An evaluator with pluggable MatMul and Sum handling (the buggy versions differ only there)."""

    def evaluate(fetch, feed_dict):
        values = {}
        ops = fetch.graph.get_operations()
        for op in reversed(ops) if reverse else ops:
            inputs = [values[t] for t in op.inputs]
            if op.type == "Const":
                out = op.get_attr("value")
            elif op.type == "Placeholder":
                out = feed_dict[op.outputs[0]]
            elif op.type == "MatMul":
                out = matmul(op, *inputs)
            elif op.type == "Sum":
                out = reduce_sum(op, *inputs)
            else:
                out = _ELEMENTWISE[op.type](*inputs)
            values[op.outputs[0]] = out
        return values[fetch]

    return evaluate


def _matmul(op, a, b):
    if op.get_attr("transpose_a"):
        a = a.T
    if op.get_attr("transpose_b"):
        b = b.T
    return a @ b


def _sum(op, a):
    return np.sum(a, axis=op.get_attr("axis"), keepdims=op.get_attr("keepdims"))


def _missing_kernel(case, got, expected):
    if getattr(got, "type_name", None) == "KeyError":
        for op_type in ("Const", "Placeholder", "MatMul", "Sum", *_ELEMENTWISE):
            if got.message.strip("'\"") == op_type:
                return (f"op type {op_type!r} has no entry in your table: handle it (Const: op.get_attr('value'); "
                        "Placeholder: look its output tensor up in feed_dict; MatMul and Sum: read their attrs).")
        return ("an op's input had no value yet when the op ran: visit the ops in the order "
                "graph.get_operations() gives (creation order is a topological order) and store every output.")
    return None


# -- ex02_2: which ops must run? -----------------------------------------------------------------------
def run_pruning(ops_needed, fetch_names, fed_names):
    """Build the pruning graph, call `ops_needed(fetches, fed)` with tensors, return a list of op names."""
    import tinyflow as tf

    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
        y = tf.compat.v1.placeholder(tf.float32, [None], name="y")
        w = tf.constant([[1.0], [2.0]], name="w")
        h = tf.matmul(x, w, name="h")
        pred = tf.reshape(h, [-1], name="pred")
        err = tf.subtract(pred, y, name="err")
        loss = tf.reduce_mean(tf.square(err, name="sq"), name="loss")
        big = tf.fill([300, 300], 0.5, name="big")
        tf.reduce_sum(tf.matmul(big, big, name="expensive"), name="expensive_sum")
        log = tf.identity(loss, name="log")
        with tf.control_dependencies([log]):
            tf.identity(pred, name="pred_logged")
    fetches = [g.get_tensor_by_name(n + ":0") for n in fetch_names]
    fed = [g.get_tensor_by_name(n + ":0") for n in fed_names]
    return list(ops_needed(fetches, fed))


def _ops_needed(fetches, fed):
    """Depth-first search from the fetches to their inputs, stopping at fed tensors."""
    fed_ids = {id(t) for t in fed}
    needed = {}
    stack = [t.op for t in fetches if id(t) not in fed_ids]
    while stack:
        op = stack.pop()
        if op.name in needed:
            continue
        needed[op.name] = op
        stack += [t.op for t in op.inputs if id(t) not in fed_ids]
        stack += list(op.control_inputs)
    order = {op.name: k for k, op in enumerate(fetches[0].graph.get_operations())}
    return sorted(needed, key=order.get)


def _prune_variant(stop_at_fed=True, run_fed_ops=False, control=True):
    def ops_needed(fetches, fed):
        fed_ids = {id(t) for t in fed} if stop_at_fed else set()
        needed = {}
        stack = [t.op for t in fetches if id(t) not in fed_ids or run_fed_ops]
        while stack:
            op = stack.pop()
            if op.name in needed:
                continue
            needed[op.name] = op
            for t in op.inputs:
                if id(t) not in fed_ids:
                    stack.append(t.op)
                elif run_fed_ops:
                    needed.setdefault(t.op.name, t.op)
            if control:
                stack += list(op.control_inputs)
        order = {op.name: k for k, op in enumerate(fetches[0].graph.get_operations())}
        return sorted(needed, key=order.get)

    return ops_needed


def _every_op(fetches, fed):
    return [op.name for op in fetches[0].graph.get_operations()]


def _wrong_order(case, got, expected):
    if isinstance(got, list) and sorted(map(str, got)) == sorted(expected) and got != expected:
        return ("you found the right ops in the wrong order: return them in creation order, the order of "
                "graph.get_operations() (for example, sort by each op's position in that list).")
    return None


def _missing_or_extra(case, got, expected):
    if not isinstance(got, list):
        return None
    extra = [n for n in got if n not in expected]
    missing = [n for n in expected if n not in got]
    if "expensive" in extra:
        return ("you listed 'expensive', which nothing in the fetch depends on: start from the fetches and "
                "follow op.inputs backwards, instead of listing the whole graph.")
    if missing == ["log"]:
        return "'pred_logged' has a control input ('log'): follow op.control_inputs as well as op.inputs."
    if extra:
        return f"{extra} need not run; follow inputs backwards from the fetches and stop at fed tensors."
    if missing:
        return f"{missing} must run too: follow every input of every needed op, and op.control_inputs."
    return None


# -- ex02_3: build a graph from a formula ---------------------------------------------------------------
def run_model(build_model, x_value, w_value, b_value):
    """Call `build_model()` in a fresh graph, run p with the feeds; report the value and the names."""
    import tinyflow as tf

    g = tf.Graph()
    with g.as_default():
        x, w, b, p = build_model()
    with tf.compat.v1.Session(graph=p.graph) as sess:
        value = sess.run(p, {x: x_value, w: w_value, b: b_value})
    return {"p": np.asarray(value), "p_name": p.name, "x": (x.name, x.shape.as_list()),
            "w": (w.name, w.shape.as_list()), "b": (b.name, b.shape.as_list())}


def _model(scope=True, batch=None, activation=True, sub=False):
    def build_model():
        import contextlib

        import tinyflow as tf

        x = tf.compat.v1.placeholder(tf.float32, [batch, 3], name="x")
        w = tf.compat.v1.placeholder(tf.float32, [3, 1], name="w")
        b = tf.compat.v1.placeholder(tf.float32, [], name="b")
        with tf.name_scope("logreg") if scope else contextlib.nullcontext():
            z = tf.matmul(x, w) - b if sub else tf.matmul(x, w) + b
            p = tf.sigmoid(z) if activation else z
        return x, w, b, p

    return build_model


def _fixed_batch(case, got, expected):
    if getattr(got, "type_name", None) == "ValueError" and "Cannot feed value of shape" in got.message:
        return ("a placeholder with a fixed batch size accepts only that many rows: use None for the batch "
                "dimension, shape=[None, 3].")
    return None


def _names(case, got, expected):
    if not isinstance(got, dict) or set(got) != set(expected):
        return None
    for key in ("x", "w", "b"):
        if got[key][0] != expected[key][0]:
            return (f"name the placeholders with name=: expected tensor {key} to be named {expected[key][0]!r}, "
                    f"got {got[key][0]!r}.")
        got_shape, want = list(got[key][1]), list(expected[key][1])
        if got_shape != want and None in want and len(got_shape) == len(want):
            return (f"placeholder {key} has shape {got_shape}: use None for the batch dimension, shape={want}, so "
                    "that batches of any size can be fed.")
        if got_shape != want:
            return f"placeholder {key} should have shape {want}, got {got_shape}."
    if got["p_name"] != expected["p_name"] and not got["p_name"].startswith("logreg/"):
        return f"create the ops inside `with tf.name_scope('logreg'):` so p is named {expected['p_name']!r}."
    return None


# -- ex02_4: name-scope puzzle --------------------------------------------------------------------------
_NAMES = ["add:0", "Add_1:0", "add_2:0", "block/mul:0", "block/inner/add:0", "block_1/mul:0"]
_WHY = [
    "`a + a` creates an op named 'add'; its first output is the tensor 'add:0'.",
    "names are unique case-insensitively, as in TensorFlow: tf.add names its op 'Add', which clashes with "
    "'add', so it becomes 'Add_1'.",
    "an explicit name=... is made unique too: 'add' and 'add_1' (= 'Add_1') are taken, so it becomes 'add_2'.",
    "inside tf.name_scope('block') names get the prefix 'block/'; `a * b` is a 'mul' op.",
    "nested scopes stack up: 'block/inner/', and the name 'add' is unique inside that scope.",
    "opening a scope called 'block' a second time creates a new scope, 'block_1' (the old one is not "
    "re-entered).",
]


def _name_hint(case, got, expected):
    if not isinstance(got, list | tuple) or len(got) != len(expected):
        return f"give a list of {len(expected)} tensor names (strings), one per tensor b, c, d, e, f, h."
    for k, (g, e) in enumerate(zip(got, expected)):
        if g != e:
            if isinstance(g, str) and ":" not in g:
                return f"item {k}: a tensor name is '<op name>:<output index>', e.g. {e!r}, not the op name {g!r}."
            return f"item {k} ({'bcdefh'[k]}): {_WHY[k]}"
    return None


EXERCISES = [
    Exercise(
        id="ex02_1",
        name="evaluate",
        title="A Session-free evaluator: walk the ops in order, compute each with numpy",
        points=3,
        probe=run_evaluator,
        cases=[
            Case("affine", {"x": [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]}, label="x @ w + b"),
            Case("reuse", {"x": [[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]]}, label="a = x * x; -(a + a - x / 2)"),
            Case("exp", {"x": [[0.0, 1.0, -1.0]]}, label="exp(-x) * 2"),
            Case("logistic", {"x": [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]},
                 label="reduce_sum(sigmoid(x @ w + b), axis=1)"),
            Case("transpose", {"x": [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]}, label="matmul(x, v, transpose_b=True)"),
            Case("squared_error", {"x": [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]], "t": [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]},
                 label="reduce_sum(square(x - t), axis=0, keepdims=True)"),
        ],
        reference=_evaluate_with_session,
        compare=close(rtol=1e-5, atol=1e-6),
        hints=[
            Mistake(_make_evaluator(lambda op, a, b: a @ b, _sum),
                    "MatMul has attributes: read op.get_attr('transpose_a') and op.get_attr('transpose_b') and "
                    "transpose the operand when it is True."),
            Mistake(_make_evaluator(_matmul, lambda op, a: np.sum(a)),
                    "Sum has attributes: pass axis=op.get_attr('axis') and keepdims=op.get_attr('keepdims') to "
                    "np.sum; without them you add up every element."),
            Mistake(_make_evaluator(_matmul, lambda op, a: np.sum(a, axis=op.get_attr("axis"))),
                    "you dropped keepdims: pass keepdims=op.get_attr('keepdims') to np.sum, or the summed axis "
                    "disappears from the shape."),
            _missing_kernel,
        ],
    ),
    Exercise(
        id="ex02_2",
        name="ops_needed",
        title="Pruning: the ops a fetch needs",
        points=3,
        probe=run_pruning,
        cases=[
            Case(["loss"], ["x", "y"], label="fetch loss, feed x and y"),
            Case(["pred"], ["x"], label="fetch pred, feed x"),
            Case(["expensive_sum"], [], label="fetch expensive_sum, feed nothing"),
            Case(["loss"], ["pred", "y"], label="fetch loss, feed the intermediate pred and y"),
            Case(["pred_logged"], ["x", "y"], label="fetch pred_logged (has a control input), feed x and y"),
            Case(["err", "h"], ["x", "y"], label="fetch err and h, feed x and y"),
        ],
        reference=_ops_needed,
        compare=equal(),
        hints=[
            Mistake(_every_op, "you listed the whole graph: only the ops a fetch depends on run. Start from the "
                    "fetches and follow op.inputs backwards."),
            Mistake(_prune_variant(stop_at_fed=False),
                    "a fed tensor cuts the graph: its value comes from the feed, so neither its op nor anything "
                    "behind it runs. Stop following inputs at fed tensors."),
            Mistake(_prune_variant(run_fed_ops=True),
                    "a fed tensor's value comes from feed_dict, so the op that would produce it (a placeholder, "
                    "or an intermediate op like 'pred') does not run: leave it out."),
            Mistake(_prune_variant(control=False),
                    "follow op.control_inputs too: an op runs only after its control inputs, so they are needed."),
            _wrong_order,
            _missing_or_extra,
        ],
    ),
    Exercise(
        id="ex02_3",
        name="build_model",
        title="Build p = sigmoid(x @ w + b) from placeholders, in a name scope",
        points=2,
        probe=run_model,
        cases=[
            Case(np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]], np.float32),
                 np.array([[0.5], [-0.25], [0.3]], np.float32), 0.2, label="a batch of 2"),
            Case(np.arange(15, dtype=np.float32).reshape(5, 3) / 10, np.array([[1.0], [0.5], [-1.0]], np.float32),
                 -0.5, label="a batch of 5"),
        ],
        reference=_model(),
        compare=close(rtol=1e-5, atol=1e-6),
        hints=[
            _fixed_batch,
            Mistake(_model(activation=False), "you returned the logits x @ w + b: apply tf.sigmoid to get p."),
            Mistake(_model(sub=True), "the formula is x @ w + b (add the bias, do not subtract it)."),
            Mistake(_model(scope=False), "create the ops inside `with tf.name_scope('logreg'):`, so that p is "
                    "named 'logreg/Sigmoid:0' (the placeholders may stay outside)."),
            _names,
        ],
    ),
    Exercise(
        id="ex02_4",
        name="tensor_names",
        title="Name-scope puzzle: predict six tensor names",
        points=2,
        probe=value,
        cases=[Case()],
        reference=_NAMES,
        compare=equal(),
        hints=[_name_hint],
    ),
]
