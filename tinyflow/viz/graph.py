"""Draw a computation graph with matplotlib, and list it as text.

Each op becomes a rounded box (op type on top, short name below), coloured by its role;
data edges are arrows labelled with the tensor's static shape, control dependencies are
dashed. The layout is layered top to bottom, inputs first (see :mod:`tinyflow.viz._layout`).

>>> import tinyflow as tf
>>> from tinyflow.viz import draw_graph
>>> with tf.Graph().as_default() as g:
...     x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
...     y = tf.reduce_sum(x * 2.0)
>>> ax = draw_graph(g)
>>> ax.get_title()
'Computation graph (4 ops)'
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.path import Path

from tinyflow.framework.graph import Graph, Operation
from tinyflow.framework.tensor import SymbolicTensor
from tinyflow.viz._layout import NODE_WIDTH, layered_layout

# role -> (fill, border, legend text). Tests and notebooks can look colours up here.
ROLE_STYLE = {
    "input": ("#cfe2f3", "#3d85c6", "input (placeholder)"),
    "variable": ("#d9ead3", "#6aa84f", "variable"),
    "constant": ("#eeeeee", "#999999", "constant"),
    "op": ("#fff2cc", "#bf9000", "op"),
    "gradient": ("#f4cccc", "#cc0000", "gradient"),
}
_GRADIENT_SCOPE = re.compile(r"(^|/)gradients(_\d+)?/")
_LAYER_GAP = 0.5  # vertical distance between layers, in node widths
_BOX_HEIGHT = 0.26
_INCH_PER_UNIT = 1.25  # figure scale when draw_graph makes its own figure
_NAME_CHARS = 18


def draw_graph(target, *, ax: Axes | None = None, title: str | None = None, show_shapes: bool = True,
               highlight: Sequence | None = None, max_ops: int = 80) -> Axes:
    """Draw a computation graph: boxes for ops, arrows for tensors, top to bottom.

    Args:
        target: a ``tf.Graph``; a ``ConcreteFunction`` (its ``.graph`` is drawn); or a list of
            tensors, ops or variables (they and their ancestors are drawn).
        ax: the Axes to draw into (default: a new figure sized to the graph).
        title: the title (default ``"Computation graph (N ops)"``).
        show_shapes: label each data arrow with its tensor's static shape, e.g. ``(None, 3)``.
        highlight: ops or tensors to colour like gradient ops.
        max_ops: draw at most this many ops (the first, in creation order); the title says so.

    Returns the Axes. Colours: blue inputs, green variables, grey constants, yellow ops, red
    gradient ops (under a ``gradients/`` scope) and highlighted ops.

    >>> import tinyflow as tf
    >>> f = tf.function(lambda x: tf.reduce_sum(tf.square(x)))
    >>> ax = draw_graph(f.get_concrete_function(tf.TensorSpec([2], tf.float32)), title="x -> sum(x^2)")
    >>> ax.get_title()
    'x -> sum(x^2)'
    """
    if max_ops < 1:
        raise ValueError(f"draw_graph: max_ops must be at least 1. Received: max_ops={max_ops}")
    ops = _select_ops(target)
    total = len(ops)
    ops = ops[:max_ops]
    marked = {id(op) for op in _as_ops(highlight or [], "highlight")}
    roles = [_role(op, marked) for op in ops]
    index = {id(op): i for i, op in enumerate(ops)}
    data_edges, control_edges = _edges(ops, index)
    pinned = {i for i, role in enumerate(roles) if role == "input"}  # inputs stay on the top layer
    lay = layered_layout(len(ops), [(u, v) for u, v, _ in data_edges] + control_edges, pinned)

    handles = _legend_handles(roles, bool(marked), bool(control_edges))
    width = max(lay.x, default=0.0) + NODE_WIDTH / 2
    height = max(lay.n_layers - 1, 0) * _LAYER_GAP + _BOX_HEIGHT
    min_width = 6.0 / _INCH_PER_UNIT if ax is None else 0.0  # a new figure is at least 6 inches wide
    rows = _legend_rows(handles, max(width + 0.3, min_width))
    x_lim = (-0.15, width + 0.15)
    y_lim = (-height - 0.1, _BOX_HEIGHT / 2 + 0.12 + 0.2 * len(rows))
    if ax is None:
        fig_w, fig_h = (x_lim[1] - x_lim[0]) * _INCH_PER_UNIT, (y_lim[1] - y_lim[0]) * _INCH_PER_UNIT
        fig, ax = plt.subplots(figsize=(max(6.0, fig_w), fig_h + 0.5))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.45 / (fig_h + 0.5))
    font = _fit_limits(ax, x_lim, y_lim)
    ax.axis("off")

    def centre(i: int) -> tuple[float, float]:
        return lay.x[i], -lay.layer[i] * _LAYER_GAP

    n_data = len(data_edges)
    for (u, v, _), route in zip(data_edges, lay.routes[:n_data]):
        _draw_edge(ax, centre(u), centre(v), route, control=False, font=font)
    for (u, v), route in zip(control_edges, lay.routes[n_data:]):
        _draw_edge(ax, centre(u), centre(v), route, control=True, font=font)
    if show_shapes:
        _draw_shape_labels(ax, data_edges, centre, font)
    for i, (op, role) in enumerate(zip(ops, roles)):
        _draw_box(ax, op, role, centre(i), font)
    for k, row in enumerate(rows):  # one legend per row, centred above the graph
        legend = ax.legend(handles=row, loc="upper center", ncol=len(row), fontsize=font, frameon=False,
                           handlelength=1.5, columnspacing=1.0, borderaxespad=0.0, borderpad=0.0,
                           bbox_to_anchor=(width / 2, y_lim[1] - 0.2 * k), bbox_transform=ax.transData)
        if k < len(rows) - 1:
            ax.add_artist(legend)  # keep it when the next row's legend is added
    note = f"first {len(ops)} of {total} ops" if total > len(ops) else f"{total} ops"
    if title is None:
        title = f"Computation graph ({note})"
    elif total > len(ops):
        title = f"{title} ({note})"
    ax.set_title(title)
    return ax


def graph_summary(target) -> str:
    """A text listing of the graph, one op per line: name, type, inputs and output shapes.

    Control inputs are listed as ``^name``, as in TensorFlow's GraphDef.

    >>> import tinyflow as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    ...     y = tf.reduce_sum(x * 2.0)
    >>> print(graph_summary(g))
    Computation graph: 4 ops
    name    type          inputs     output shape
    x       Placeholder   -          (None, 3)
    Const   Const         -          ()
    mul     Mul           x, Const   (None, 3)
    Sum     Sum           mul        ()
    """
    ops = _select_ops(target)
    rows = [("name", "type", "inputs", "output shape")]
    for op in ops:
        inputs = [t.op.name if t.value_index == 0 else t.name for t in op.inputs]
        inputs += ["^" + c.name for c in op.control_inputs]
        shapes = ", ".join(_shape_text(t) for t in op.outputs)
        rows.append((op.name, op.type, ", ".join(inputs) or "-", shapes or "-"))
    widths = [max(len(row[k]) for row in rows) + 3 for k in range(3)]
    lines = [f"Computation graph: {len(ops)} ops"]
    lines += ["".join(cell.ljust(w) for cell, w in zip(row, widths)) + row[3] for row in rows]
    return "\n".join(lines)


# -- choosing what to draw ---------------------------------------------------------------------------
def _select_ops(target) -> list[Operation]:
    """The ops to draw, in creation order (which is a topological order)."""
    if isinstance(target, Graph):
        return target.get_operations()
    if hasattr(target, "get_concrete_function") and not isinstance(getattr(target, "graph", None), Graph):
        raise TypeError("draw_graph needs one traced graph, but a tf.function has one per input signature. "
                        "Pass f.get_concrete_function(tf.TensorSpec(shape, dtype)) instead. "
                        f"Received: {target!r}")
    if isinstance(getattr(target, "graph", None), Graph) and not _is_graph_element(target):
        return target.graph.get_operations()  # a ConcreteFunction
    items = list(target) if isinstance(target, (list, tuple)) else [target]
    ancestors: dict[int, Operation] = {}
    stack = _as_ops(items, "target")
    while stack:
        op = stack.pop()
        if id(op) not in ancestors:
            ancestors[id(op)] = op
            stack.extend(t.op for t in op.inputs)
            stack.extend(op.control_inputs)
    graphs = {id(op.graph) for op in ancestors.values()}
    if len(graphs) > 1:
        raise ValueError("draw_graph was given tensors from different graphs; draw one graph at a time.")
    return sorted(ancestors.values(), key=lambda op: op._id)


def _is_graph_element(obj) -> bool:
    return isinstance(obj, (Operation, SymbolicTensor)) or isinstance(getattr(obj, "op", None), Operation)


def _as_ops(items, what: str) -> list[Operation]:
    ops = []
    for item in items:
        op = item if isinstance(item, Operation) else getattr(item, "op", None)
        if not isinstance(op, Operation):
            raise TypeError(
                f"{what} must hold graph tensors, ops or variables, but got {item!r}. Eager tensors have no "
                "graph: build the graph inside `with tf.Graph().as_default():` or trace it with tf.function.")
        ops.append(op)
    return ops


def _edges(ops: list[Operation], index: dict[int, int]):
    """Data edges ``(src, dst, tensor)`` (a tensor used twice by one op is one edge) and control edges."""
    data: dict[tuple[int, int], tuple] = {}
    control = []
    for v, op in enumerate(ops):
        for t in op.inputs:
            u = index.get(id(t.op))
            if u is not None:
                data.setdefault((v, id(t)), (u, v, t))
        for c in op.control_inputs:
            if id(c) in index:
                control.append((index[id(c)], v))
    return list(data.values()), control


def _role(op: Operation, marked: set[int]) -> str:
    if id(op) in marked or _GRADIENT_SCOPE.search(op.name):
        return "gradient"
    if op.type.startswith("Placeholder"):
        return "input"
    if op.type in ("VarHandleOp", "VariableV2") or "Variable" in op.type:
        return "variable"
    if op.type == "Const":
        return "constant"
    return "op"


# -- drawing helpers -------------------------------------------------------------------------------
def _draw_box(ax: Axes, op: Operation, role: str, centre: tuple[float, float], font: float) -> None:
    """A rounded box (``gid`` = the op's name) with the op type in bold and its short name below."""
    fill, border, _ = ROLE_STYLE[role]
    cx, cy = centre
    box = FancyBboxPatch((cx - NODE_WIDTH / 2, cy - _BOX_HEIGHT / 2), NODE_WIDTH, _BOX_HEIGHT,
                         boxstyle="round,pad=0,rounding_size=0.06", facecolor=fill, edgecolor=border,
                         linewidth=1.0, zorder=2, gid=op.name)
    ax.add_patch(box)
    ax.text(cx, cy + _BOX_HEIGHT / 4.5, op.type[:_NAME_CHARS], ha="center", va="center", fontsize=font,
            fontweight="bold", zorder=3)
    ax.text(cx, cy - _BOX_HEIGHT / 4.5, _short(op.name), ha="center", va="center", fontsize=font, zorder=3)


def _draw_shape_labels(ax: Axes, data_edges, centre, font: float) -> None:
    """One label per tensor, on the stem where its arrows leave the producing box."""
    used: dict[int, dict[int, SymbolicTensor]] = {}
    for u, _, tensor in data_edges:
        used.setdefault(u, {})[tensor.value_index] = tensor
    for u, tensors in used.items():
        cx, cy = centre(u)
        label = "  ".join(_shape_label(t, len(tensors) > 1) for _, t in sorted(tensors.items()))
        ax.text(cx, cy - _BOX_HEIGHT / 2 - 0.07, label, ha="center", va="center", fontsize=0.85 * font,
                color="#333333", zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})


def _legend_handles(roles: list[str], highlighted: bool, control: bool) -> list:
    handles: list = [Patch(facecolor=fill, edgecolor=border,
                           label=text + (" / highlighted" if role == "gradient" and highlighted else ""))
                     for role, (fill, border, text) in ROLE_STYLE.items() if role in roles]
    if control:
        handles.append(Line2D([], [], color="#888888", linestyle="--", label="control dependency"))
    return handles


def _legend_rows(handles: list, width: float) -> list[list]:
    """Split the legend entries into rows that fit ``width`` (data units; 1 em is at most 1/12 unit)."""
    em = 1 / (0.66 * _NAME_CHARS)
    rows: list[list] = [[]]
    used = 0.0
    for h in handles:
        need = (0.6 * len(h.get_label()) + 3.5) * em
        if rows[-1] and used + need > width:
            rows.append([])
            used = 0.0
        rows[-1].append(h)
        used += need
    return rows if handles else []


def _fit_limits(ax: Axes, x_lim: tuple[float, float], y_lim: tuple[float, float]) -> float:
    """Show ``x_lim`` x ``y_lim`` at one scale on both axes (boxes keep their shape), centred.

    Returns the largest font size (at most 8 pt) at which the longest label fits in a box.
    """
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    ax_w, ax_h = box.width * fig_w, box.height * fig_h  # inches
    inches_per_unit = min(ax_w / (x_lim[1] - x_lim[0]), ax_h / (y_lim[1] - y_lim[0]))
    extra_x = ax_w / inches_per_unit - (x_lim[1] - x_lim[0])
    extra_y = ax_h / inches_per_unit - (y_lim[1] - y_lim[0])
    ax.set_xlim(x_lim[0] - extra_x / 2, x_lim[1] + extra_x / 2)
    ax.set_ylim(y_lim[0] - extra_y / 2, y_lim[1] + extra_y / 2)
    points_per_unit = 72 * inches_per_unit
    fit_width = NODE_WIDTH * points_per_unit / (0.66 * _NAME_CHARS)  # bold glyphs are ~0.66 em wide
    fit_height = _BOX_HEIGHT * points_per_unit / 2.6
    return max(3.0, min(8.0, fit_width, fit_height))


def _draw_edge(ax: Axes, start, end, route, control: bool, font: float) -> None:
    """A smooth arrow from the bottom of the ``start`` box through the bend points to the top of ``end``."""
    points = [(start[0], start[1] - _BOX_HEIGHT / 2)]
    points += [(x, -lay * _LAYER_GAP) for x, lay in route]
    points.append((end[0], end[1] + _BOX_HEIGHT / 2))
    verts, codes = [points[0]], [Path.MOVETO]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        k = (y0 - y1) / 2  # vertical tangents at both ends: an S-curve
        verts += [(x0, y0 - k), (x1, y1 + k), (x1, y1)]
        codes += [Path.CURVE4] * 3
    color = "#888888" if control else "#555555"
    arrow = FancyArrowPatch(path=Path(verts, codes), arrowstyle="-|>", mutation_scale=1.3 * font + 3,
                            color=color, linewidth=0.9, linestyle="--" if control else "-", zorder=1)
    ax.add_patch(arrow)


def _shape_text(t: SymbolicTensor) -> str:
    return "<unknown>" if t.shape.rank is None else str(t.shape)


def _shape_label(t: SymbolicTensor, with_index: bool) -> str:
    text = "?" if t.shape.rank is None else str(t.shape)
    return f":{t.value_index} {text}" if with_index else text


def _short(name: str) -> str:
    """``name`` if short, else its last scope component (``…/SumToShapeOf_3``)."""
    if len(name) <= _NAME_CHARS:
        return name
    last = "…/" + name.rsplit("/", 1)[-1]
    return last if len(last) <= _NAME_CHARS else last[:_NAME_CHARS - 1] + "…"

