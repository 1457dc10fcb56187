"""A small layered ("Sugiyama") layout for drawing DAGs top to bottom, written out for reading.

Four steps, each a short function:

1. **Layers.** Longest path from the sources: a node sits one layer below its lowest
   predecessor. Sources that are not pinned to the top (constants, say) then sink to just
   above their first consumer, so they do not send long edges down the picture.
2. **Dummy nodes.** An edge that spans several layers is cut into one-layer pieces through
   invisible "dummy" nodes, so it can bend around boxes and take part in step 3.
3. **Order within layers.** Barycenter sweeps: sort each layer by the mean position of its
   neighbours in the layer above (down sweep) or below (up sweep); keep the order with the
   fewest edge crossings.
4. **x coordinates.** Pull each node towards the mean x of its neighbours, then restore the
   minimum spacing with the least total movement (isotonic regression, "pool adjacent violators").

NB: real tools (graphviz ``dot``) use network simplex for step 1 and Brandes-Köpf for step 4.
This version is simpler and good enough for the 3-100 op graphs of the course.

>>> from tinyflow.viz._layout import layered_layout
>>> lay = layered_layout(3, [(0, 2), (1, 2)])
>>> lay.layer, lay.x[2] == (lay.x[0] + lay.x[1]) / 2
([0, 0, 1], True)
"""
from __future__ import annotations

from dataclasses import dataclass

NODE_WIDTH = 1.0  # a real node is one unit wide
DUMMY_WIDTH = 0.15  # a bend point of a long edge
GAP = 0.25  # free space between two real neighbours in a layer
DUMMY_GAP = 0.1  # ... and next to a bend point


@dataclass
class Layout:
    """Where each node goes. ``routes[e]`` lists the bend points ``(x, layer)`` of edge ``e``."""

    layer: list[int]
    x: list[float]
    routes: list[list[tuple[float, int]]]
    n_layers: int


def layered_layout(n: int, edges: list[tuple[int, int]], pinned: set[int] | None = None,
                   sweeps: int = 8) -> Layout:
    """Lay out nodes ``0..n-1`` joined by ``edges`` (``(source, target)`` pairs of a DAG).

    Nodes in ``pinned`` that have no predecessors stay on layer 0 (the graph's inputs).
    """
    layer = _assign_layers(n, edges, pinned or set())
    n_layers = max(layer, default=-1) + 1
    # step 2: one node list per layer, plus one-layer segments between (real or dummy) nodes
    width = [NODE_WIDTH] * n
    node_layer = list(layer)
    chains: list[list[int]] = []  # per edge: its dummy nodes, top to bottom
    segments: list[tuple[int, int]] = []
    for u, v in edges:
        chain, prev = [], u
        for lay in range(layer[u] + 1, layer[v]):
            d = len(width)
            width.append(DUMMY_WIDTH)
            node_layer.append(lay)
            segments.append((prev, d))
            chain.append(d)
            prev = d
        segments.append((prev, v))
        chains.append(chain)
    up = [[] for _ in width]  # neighbours in the layer above
    down = [[] for _ in width]  # neighbours in the layer below
    for a, b in segments:
        down[a].append(b)
        up[b].append(a)
    # initial order: creation order; a dummy starts next to the source of its edge
    origin = list(range(n)) + [u for (u, _), chain in zip(edges, chains) for _ in chain]
    layers: list[list[int]] = [[] for _ in range(n_layers)]
    for node in sorted(range(len(width)), key=lambda i: (origin[i], i)):
        layers[node_layer[node]].append(node)
    layers = _order_layers(layers, up, down, sweeps)
    x = _assign_x(layers, up, down, width)
    for chain in chains:
        _straighten(chain, layers, node_layer, width, x)
    routes = [[(x[d], node_layer[d]) for d in chain] for chain in chains]
    return Layout(layer=layer, x=x[:n], routes=routes, n_layers=n_layers)


def _assign_layers(n: int, edges: list[tuple[int, int]], pinned: set[int]) -> list[int]:
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        succs[u].append(v)
        preds[v].append(u)
    # longest path, in topological order (Kahn's algorithm)
    waiting = [len(p) for p in preds]
    ready = [i for i in range(n) if waiting[i] == 0]
    layer = [0] * n
    seen = 0
    while ready:
        u = ready.pop(0)
        seen += 1
        for v in succs[u]:
            layer[v] = max(layer[v], layer[u] + 1)
            waiting[v] -= 1
            if waiting[v] == 0:
                ready.append(v)
    if seen != n:
        raise ValueError("layered_layout needs a graph without cycles; this one has a cycle.")
    for u in range(n):  # sink unpinned sources towards their first consumer
        if not preds[u] and succs[u] and u not in pinned:
            layer[u] = min(layer[v] for v in succs[u]) - 1
    return layer


def _order_layers(layers: list[list[int]], up: list[list[int]], down: list[list[int]],
                  sweeps: int) -> list[list[int]]:
    best, best_crossings = [list(lay) for lay in layers], _crossings(layers, down)
    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for i in indices:
            ref = layers[i - 1] if downward else layers[i + 1]
            pos = {node: k for k, node in enumerate(ref)}
            neighbours = up if downward else down

            def barycenter(item: tuple[int, int], neighbours=neighbours, pos=pos) -> float:
                k, node = item  # a node without neighbours there keeps its place
                nb = neighbours[node]
                return sum(pos[m] for m in nb) / len(nb) if nb else k

            layers[i] = [node for _, node in sorted(enumerate(layers[i]), key=barycenter)]
        crossings = _crossings(layers, down)
        if crossings < best_crossings:
            best, best_crossings = [list(lay) for lay in layers], crossings
    return best


def _crossings(layers: list[list[int]], down: list[list[int]]) -> int:
    """Edge crossings between adjacent layers: pairs of segments whose ends are in opposite order."""
    total = 0
    for upper, lower in zip(layers, layers[1:]):
        pos = {node: k for k, node in enumerate(lower)}
        ends = [(k, pos[v]) for k, u in enumerate(upper) for v in down[u]]
        total += sum(1 for i, (a1, b1) in enumerate(ends) for a2, b2 in ends[i + 1:]
                     if (a1 - a2) * (b1 - b2) < 0)
    return total


def _assign_x(layers: list[list[int]], up: list[list[int]], down: list[list[int]], width: list[float],
              rounds: int = 12) -> list[float]:
    x = [0.0] * len(width)
    for lay in layers:  # start packed and centred
        _place(lay, [0.0] * len(lay), width, x)
    for r in range(rounds):
        order = layers if r % 2 == 0 else layers[::-1]
        for lay in order:
            targets = []
            for node in lay:
                nb = up[node] if r % 2 == 0 else down[node]
                if r >= rounds - 2:  # finish with both sides, to balance
                    nb = up[node] + down[node]
                targets.append(sum(x[m] for m in nb) / len(nb) if nb else x[node])
            _place(lay, targets, width, x)
    left = min((x[i] - width[i] / 2 for i in range(len(width))), default=0.0)
    return [xi - left for xi in x]


def _place(lay: list[int], targets: list[float], width: list[float], x: list[float]) -> None:
    """Set ``x`` of the nodes in ``lay`` (kept in order, ``GAP`` apart) as close to ``targets`` as possible.

    With ``c_i`` the minimal offset of node ``i`` from the first, ``z_i = x_i - c_i`` must not
    decrease; the best such ``z`` is the isotonic regression of ``targets - c`` (pool adjacent violators).
    """
    offsets, c = [], 0.0
    for k, node in enumerate(lay):
        if k:
            c += _separation(lay[k - 1], node, width)
        offsets.append(c)
    blocks: list[list[float]] = []  # [sum, count] of pooled targets
    for t, c in zip(targets, offsets):
        blocks.append([t - c, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, m = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += m
    k = 0
    for s, m in blocks:
        for _ in range(int(m)):
            x[lay[k]] = s / m + offsets[k]
            k += 1


def _separation(a: int, b: int, width: list[float]) -> float:
    """Smallest distance between the centres of neighbours ``a`` and ``b``."""
    gap = GAP if width[a] == width[b] == NODE_WIDTH else DUMMY_GAP
    return (width[a] + width[b]) / 2 + gap


def _straighten(chain: list[int], layers: list[list[int]], node_layer: list[int], width: list[float],
                x: list[float]) -> None:
    """Move the bend points of one long edge onto a vertical line, where their neighbours leave room."""
    if len(chain) < 2:
        return
    lo, hi = float("-inf"), float("inf")
    for d in chain:
        lay = layers[node_layer[d]]
        k = lay.index(d)
        if k > 0:
            lo = max(lo, x[lay[k - 1]] + _separation(lay[k - 1], d, width))
        if k + 1 < len(lay):
            hi = min(hi, x[lay[k + 1]] - _separation(d, lay[k + 1], width))
    if lo <= hi:
        mean = sum(x[d] for d in chain) / len(chain)
        for d in chain:
            x[d] = min(max(mean, lo), hi)
