"""tinyflow.viz: graph drawing (one box per op, layers follow edges, colours by role) and the figure helpers."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.legend import Legend
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

import tinyflow as tf
from tinyflow import viz
from tinyflow.viz._layout import NODE_WIDTH, layered_layout

matplotlib.use("Agg")  # no windows: draw into memory


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _linear_model_graph():
    """x @ W + b, summed, and its gradients: every role appears (input, variable, constant, op, gradient)."""
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        w = tf.compat.v1.Variable(np.ones((3, 2), np.float32), name="W")
        b = tf.compat.v1.Variable(np.zeros(2, np.float32), name="b")
        y = tf.add(tf.matmul(x, w), b)
        loss = tf.reduce_sum(y)
        grads = tf.gradients(loss, [w, b])
    return g, x, loss, grads


def _boxes(ax) -> dict:
    """op name -> its drawn box (draw_graph sets each box's gid to the op's name)."""
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_gid()]
    assert len({b.get_gid() for b in boxes}) == len(boxes), "two boxes for one op"
    return {b.get_gid(): b for b in boxes}


def _centre(box) -> tuple:
    return box.get_x() + box.get_width() / 2, box.get_y() + box.get_height() / 2


def _expected_role(op) -> str:
    if op.name.startswith("gradients/"):
        return "gradient"
    return {"Placeholder": "input", "VarHandleOp": "variable", "ReadVariableOp": "variable",
            "AssignVariableOp": "variable", "Const": "constant"}.get(op.type, "op")


# -- draw_graph ----------------------------------------------------------------------------------------
def test_one_box_per_op_coloured_by_role():
    g, *_ = _linear_model_graph()
    ops = g.get_operations()
    ax = viz.draw_graph(g)
    boxes = _boxes(ax)
    assert sorted(boxes) == sorted(op.name for op in ops)
    roles = set()
    for op in ops:
        role = _expected_role(op)
        roles.add(role)
        assert boxes[op.name].get_facecolor() == to_rgba(viz.ROLE_STYLE[role][0]), (op.name, role)
    assert roles == {"input", "variable", "constant", "op", "gradient"}
    assert ax.get_title() == f"Computation graph ({len(ops)} ops)"
    assert not ax.axison
    legend_labels = {t.get_text() for leg in ax.findobj(Legend) for t in leg.get_texts()}
    assert {style[2] for style in viz.ROLE_STYLE.values()} <= legend_labels


def test_layers_follow_edges_and_boxes_do_not_overlap():
    g, x, *_ = _linear_model_graph()
    ax = viz.draw_graph(g)
    centre = {name: _centre(box) for name, box in _boxes(ax).items()}
    edges = 0
    for op in g.get_operations():
        for src in [t.op for t in op.inputs] + op.control_inputs:
            assert centre[src.name][1] > centre[op.name][1], f"{src.name} -> {op.name} does not go down"
            edges += 1
    assert edges > 20
    assert centre[x.op.name][1] == max(y for _, y in centre.values())  # inputs on the top layer
    rows: dict = {}
    for cx, cy in centre.values():
        rows.setdefault(round(cy, 6), []).append(cx)
    for xs in rows.values():
        xs.sort()
        assert all(b - a >= NODE_WIDTH for a, b in zip(xs, xs[1:]))
    assert len(rows) >= 8  # a deep graph is drawn in many layers, not one row


def test_arrows_are_labelled_with_shapes_unless_asked_not_to():
    g, *_ = _linear_model_graph()
    data_edges = {(t.op.name, op.name) for op in g.get_operations() for t in op.inputs}
    ax = viz.draw_graph(g)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(data_edges)
    texts = [t.get_text() for t in ax.texts]
    assert "(None, 3)" in texts and "(3, 2)" in texts and "(None, 2)" in texts
    quiet = [t.get_text() for t in viz.draw_graph(g, show_shapes=False).texts]
    assert "(None, 3)" not in quiet and "(3, 2)" not in quiet


def test_list_of_tensors_draws_only_their_ancestors():
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        y = tf.compat.v1.placeholder(tf.float32, [None, 3], name="y")
        doubled = tf.multiply(x, 2.0, name="doubled")
        tf.add(y, 1.0, name="unrelated")
        ax = viz.draw_graph([doubled])
    assert sorted(_boxes(ax)) == sorted(["x", "Const", "doubled"])
    assert ax.get_title() == "Computation graph (3 ops)"


def test_concrete_function_draws_its_graph():
    f = tf.function(lambda x: tf.reduce_sum(tf.square(x) * 2.0))
    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    ax = viz.draw_graph(cf, title="sum(2 x^2)")
    boxes = _boxes(ax)
    assert sorted(boxes) == sorted(op.name for op in cf.graph.get_operations())
    placeholder = cf.graph.get_operations()[0]
    assert boxes[placeholder.name].get_facecolor() == to_rgba(viz.ROLE_STYLE["input"][0])
    assert ax.get_title() == "sum(2 x^2)" and "(2,)" in [t.get_text() for t in ax.texts]
    with pytest.raises(TypeError, match="get_concrete_function"):
        viz.draw_graph(f)


def test_more_than_max_ops_draws_the_first_and_says_so():
    with tf.Graph().as_default() as g:
        t = tf.compat.v1.placeholder(tf.float32, [2], name="x")
        for _ in range(29):
            t = tf.exp(t)
    ax = viz.draw_graph(g, max_ops=10)
    assert sorted(_boxes(ax)) == sorted(op.name for op in g.get_operations()[:10])
    assert ax.get_title() == "Computation graph (first 10 of 30 ops)"
    assert viz.draw_graph(g, max_ops=10, title="Chain").get_title() == "Chain (first 10 of 30 ops)"


def test_highlight_and_control_dependencies():
    with tf.Graph().as_default() as g:
        x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
        total = tf.reduce_sum(x, name="total")
        with tf.control_dependencies([total]):
            scaled = tf.multiply(x, 3.0, name="scaled")
        out = tf.exp(scaled, name="out")
    n_control = sum(len(op.control_inputs) for op in g.get_operations())
    assert n_control == 2  # the Const and the Mul made inside the block
    ax = viz.draw_graph(g, highlight=[out])
    boxes = _boxes(ax)
    assert boxes["out"].get_facecolor() == to_rgba(viz.ROLE_STYLE["gradient"][0])
    assert boxes["scaled"].get_facecolor() == to_rgba(viz.ROLE_STYLE["op"][0])
    dashed = [p for p in ax.patches if isinstance(p, FancyArrowPatch) and p.get_linestyle() == "--"]
    assert len(dashed) == n_control
    legend_labels = {t.get_text() for leg in ax.findobj(Legend) for t in leg.get_texts()}
    assert {"control dependency", "gradient / highlighted"} <= legend_labels


def test_draw_graph_into_a_given_axes_and_eager_tensors_rejected():
    g, *_ = _linear_model_graph()
    fig, (left, right) = plt.subplots(1, 2)
    assert viz.draw_graph(g, ax=right) is right and len(_boxes(right)) == len(g.get_operations())
    assert not _boxes(left)
    with pytest.raises(TypeError, match="Eager tensors have no graph"):
        viz.draw_graph([tf.constant(1.0)])


def test_graph_summary_lists_every_op():
    g, *_ = _linear_model_graph()
    text = viz.graph_summary(g)
    lines = text.splitlines()
    assert lines[0] == f"Computation graph: {len(g.get_operations())} ops"
    assert lines[1].split() == ["name", "type", "inputs", "output", "shape"]
    assert len(lines) == len(g.get_operations()) + 2
    assert lines[2].split() == ["x", "Placeholder", "-", "(None,", "3)"]
    matmul = next(line for line in lines if line.startswith("MatMul "))
    assert matmul.split() == ["MatMul", "MatMul", "x,", "ReadVariableOp", "(None,", "2)"]
    with tf.Graph().as_default() as g2:
        a = tf.constant(1.0, name="a")
        with tf.control_dependencies([a]):
            tf.identity(a, name="b")
    assert viz.graph_summary(g2).splitlines()[-1].split() == ["b", "Identity", "a,", "^a", "()"]


def test_layout_removes_crossings_and_rejects_cycles():
    # 0 -> 3 and 1 -> 2: in creation order the two edges cross; the barycenter sweep uncrosses them
    lay = layered_layout(4, [(0, 3), (1, 2)])
    assert lay.layer == [0, 0, 1, 1]
    assert (lay.x[0] < lay.x[1]) == (lay.x[3] < lay.x[2])
    long_edge = layered_layout(4, [(0, 1), (1, 2), (2, 3), (0, 3)], pinned={0})
    assert [len(r) for r in long_edge.routes] == [0, 0, 0, 2]  # the long edge bends through layers 1, 2
    assert [lay for _, lay in long_edge.routes[3]] == [1, 2]
    with pytest.raises(ValueError, match="cycle"):
        layered_layout(2, [(0, 1), (1, 0)])


# -- curves, boundaries, attention -------------------------------------------------------------------
class _History:  # what keras' model.fit returns
    def __init__(self, logs):
        self.history = logs


def test_plot_history_one_axes_per_metric():
    logs = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.9],
            "val_accuracy": [0.4, 0.6, 0.7]}
    axes = viz.plot_history(_History(logs))
    assert [a.get_ylabel() for a in axes] == ["loss", "accuracy"]
    assert [a.get_title() for a in axes] == ["Training history: loss", "Training history: accuracy"]
    assert all(a.get_xlabel() == "epoch" for a in axes)
    train, val = axes[0].get_lines()
    assert list(train.get_xdata()) == [1, 2, 3] and list(val.get_ydata()) == [1.1, 0.6, 0.4]
    assert val.get_linestyle() == "--" and [t.get_text() for t in axes[0].get_legend().get_texts()] == [
        "train", "validation"]
    ax = viz.plot_history({"loss": [3.0, 2.0]}, title="Fit")[0]
    assert ax.get_title() == "Fit" and ax.get_ylabel() == "loss" and len(ax.get_lines()) == 1
    with pytest.raises(KeyError, match="Available"):
        viz.plot_history(logs, metrics=["mae"])
    with pytest.raises(ValueError, match="empty"):
        viz.plot_history({})


def test_plot_history_on_one_given_axes():
    _, ax = plt.subplots()
    axes = viz.plot_history({"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]}, ax=ax)
    assert axes == [ax, ax] and len(ax.get_lines()) == 2
    assert ax.get_ylabel() == "loss, accuracy" and ax.get_title() == "Training history"


def test_plot_curves_labels_and_log_scale():
    curves = {"lr=0.1": [1.0, 0.5, 0.2], "lr=1.0": ([0, 10, 20], [1.0, 3.0, 9.0])}
    ax = viz.plot_curves(curves, "step", "loss", "Learning rates", logy=True)
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("step", "loss", "Learning rates")
    assert ax.get_yscale() == "log"
    first, second = ax.get_lines()
    assert list(first.get_xdata()) == [0, 1, 2] and list(second.get_xdata()) == [0, 10, 20]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lr=0.1", "lr=1.0"]
    with pytest.raises(ValueError, match="shape"):
        viz.plot_curves({"bad": np.zeros((3, 3))}, "step", "loss", "t")


def test_decision_boundary_for_probabilities():
    x = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    y = np.array([0, 1, 0, 1])
    calls = []

    def predict(points):
        calls.append(points.shape)
        return 1 / (1 + np.exp(-4 * points[:, :1]))  # (m, 1): P(class 1) rises with x1

    ax = viz.plot_decision_boundary(predict, x, y, resolution=30, title="Logistic regression")
    assert calls == [(900, 2)]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("x1", "x2", "Logistic regression")
    mesh = ax.collections[0]
    left_to_right = np.asarray(mesh.get_array()).reshape(30, 30)[0]
    assert left_to_right[0] < 0.5 < left_to_right[-1]
    colourbar = ax.figure.axes[-1]
    assert colourbar.get_ylabel() == "P(class 1)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert ax.get_xlim() == pytest.approx((-1.2, 1.2))


def test_decision_boundary_for_class_scores_and_bad_output():
    x = np.random.default_rng(0).normal(size=(30, 2))
    y = np.arange(30) % 3
    ax = viz.plot_decision_boundary(lambda p: np.stack([p[:, 0], p[:, 1], -p[:, 0]], 1), x, y,
                                    extent=(-2, 2, -2, 2), resolution=20)
    winners = np.unique(np.asarray(ax.collections[0].get_array()))
    assert set(winners) <= {0, 1, 2} and len(winners) == 3
    assert ax.get_title() == "Decision boundary" and ax.get_xlim() == (-2, 2)
    with pytest.raises(ValueError, match="predict_fn returned shape"):
        viz.plot_decision_boundary(lambda p: np.zeros(7), x, y)


def test_plot_attention_heatmap_with_tokens():
    w = np.array([[0.9, 0.1, 0.0], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    ax = viz.plot_attention(tf.constant(w[None, None]), ["a", "b", "c"])
    assert np.allclose(ax.images[0].get_array(), w)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]  # self-attention: same tokens
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("key position", "query position",
                                                                  "Attention weights")
    assert len(ax.figure.axes) == 2  # the heatmap and its colourbar
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{v:.2f}" for v in w.ravel())
    cross = viz.plot_attention(np.full((2, 3), 1 / 3), ["k1", "k2", "k3"], ["q1", "q2"], title="Cross")
    assert [t.get_text() for t in cross.get_yticklabels()] == ["q1", "q2"] and cross.get_title() == "Cross"
    with pytest.raises(ValueError, match="x_tokens has 2 tokens"):
        viz.plot_attention(w, ["a", "b"])
    with pytest.raises(ValueError, match=r"weights\[0, h\]"):
        viz.plot_attention(np.zeros((2, 3, 3)))


def test_plot_images_and_confusion_matrix():
    fig = viz.plot_images(np.arange(3 * 64).reshape(3, 8, 8) / 192.0, ["zero", "one", "two"], "Digits", columns=2)
    assert fig._suptitle.get_text() == "Digits"
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == ["zero", "one", "two"]
    with pytest.raises(ValueError, match="one caption per image"):
        viz.plot_images(np.zeros((2, 8, 8)), ["a"], "x")
    counts = viz.confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 2, 1], num_classes=3)
    np.testing.assert_array_equal(counts, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
    ax = viz.plot_confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 2, 1], num_classes=3, title="CM")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("CM", "predicted", "true")
    np.testing.assert_array_equal(ax.images[0].get_array(), counts)
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1", "2"]
