"""A layered (Sugiyama-style) layout of a graph, scope by scope, with Map / Parallel as nested boxes.

Each scope is laid out on its own: cycles broken by a depth-first search (back edges are drawn
around the right-hand side), layers by longest path, long edges through dummy points, the order
in each layer by barycenter sweeps, x by averaging a left- and a right-packed placement pulled
towards the neighbours. A Parallel / Map state is a box holding its scopes' layouts side by side.
Sizes come from character counts, so the same graph always gets the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .marks import Marks, node_lines
from .model import END, START, Graph

CHAR_W = 7.0          # px per character at the 12 px font the SVG uses
LINE_H = 16
MAX_CHARS = 46        # longer box lines are cut
NODE_GAP = 28         # between neighbours in a layer
RANK_GAP = 46         # between layers (more when labels need room)
PAD = 14              # inside a container, around its scopes
GROUP_LABEL_H = 20
BACK_GAP = 16         # between back edges routed on the right
CATCH_WEIGHT = 0.2    # how much a Catch edge pulls its ends together, next to a transition's 1


@dataclass
class Box:
    """A rectangle: x, y of its top-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Layout:
    """Absolute boxes of nodes and scope frames; each edge's polyline and label position."""

    width: float = 0
    height: float = 0
    boxes: dict[str, Box] = field(default_factory=dict)
    frames: dict[str, Box] = field(default_factory=dict)       # scope id -> frame (not the root)
    routes: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    labels: dict[int, tuple[float, float]] = field(default_factory=dict)
    header: dict[str, int] = field(default_factory=dict)       # container id -> its header's line count


def box_lines(graph: Graph, node_id: str, marks: Marks) -> list[str]:
    """The lines a node's box shows (cut to MAX_CHARS)."""
    node = graph.nodes[node_id]
    if node.pseudo:
        return []
    return [line if len(line) <= MAX_CHARS else line[:MAX_CHARS - 1] + "…" for line in node_lines(node, marks)]


def edge_label(graph: Graph, index: int, marks: Marks) -> str:
    """What an edge's label says: its condition / errors, and how often the run took it."""
    edge = graph.edges[index]
    label = edge.label if edge.kind != "catch" else f"catch {edge.label}"
    if len(label) > MAX_CHARS:
        label = label[:MAX_CHARS - 1] + "…"
    count = marks.edge_counts.get(index)
    return (label + " " if label else "") + f"×{count}" if count else label


def layout(graph: Graph, marks: Marks | None = None) -> Layout:
    """Lay the whole graph out; the origin is the top-left corner."""
    return _Layouter(graph, marks or Marks()).run()


@dataclass
class _Local:
    """One scope laid out in its own coordinates."""

    w: float
    h: float
    pos: dict[str, tuple[float, float]]        # node id -> top-left
    routes: dict[int, list[tuple[float, float]]]
    labels: dict[int, tuple[float, float]]


class _Layouter:
    def __init__(self, graph: Graph, marks: Marks) -> None:
        self.g = graph
        self.marks = marks
        self.size: dict[str, tuple[float, float]] = {}
        self.local: dict[str, _Local] = {}
        self.out = Layout()
        self.by_scope: dict[str, list[int]] = {}
        for i, edge in enumerate(graph.edges):
            self.by_scope.setdefault(graph.nodes[edge.src].scope, []).append(i)

    def run(self) -> Layout:
        root = self._scope(self.g.root)
        self._place(self.g.root, PAD, PAD)
        self.out.width, self.out.height = root.w + 2 * PAD, root.h + 2 * PAD
        return self.out

    # ------------------------------------------------------------ sizes, bottom-up

    def _node_size(self, node_id: str) -> tuple[float, float]:
        node = self.g.nodes[node_id]
        if node.type == START:
            return 22, 22
        if node.type == END:
            return 24, 24
        lines = box_lines(self.g, node_id, self.marks)
        w = max(110.0, max(len(line) for line in lines) * CHAR_W + 24)
        h = 10 + LINE_H * len(lines)
        if not node.groups:
            return w, h
        self.out.header[node_id] = len(lines)
        inner = [self._scope(s.id) for s in self.g.children(node_id)]
        frames_w = sum(s.w + 2 * PAD for s in inner) + PAD * (len(inner) - 1)
        frames_h = max(s.h + PAD + GROUP_LABEL_H for s in inner)
        return max(w, frames_w + 2 * PAD), h + frames_h + PAD

    def _scope(self, scope_id: str) -> _Local:
        scope = self.g.scopes[scope_id]
        for node_id in scope.nodes:
            self.size[node_id] = self._node_size(node_id)
        local = _scope_layout(self.g, scope.nodes, self.by_scope.get(scope_id, []), self.size,
                              lambda i: edge_label(self.g, i, self.marks))
        self.local[scope_id] = local
        return local

    # ------------------------------------------------------------ positions, top-down

    def _place(self, scope_id: str, ox: float, oy: float) -> None:
        local = self.local[scope_id]
        for node_id, (x, y) in local.pos.items():
            w, h = self.size[node_id]
            box = self.out.boxes[node_id] = Box(ox + x, oy + y, w, h)
            if self.g.nodes[node_id].groups:
                self._place_groups(node_id, box)
        for i, points in local.routes.items():
            self.out.routes[i] = [(ox + x, oy + y) for x, y in points]
        for i, (x, y) in local.labels.items():
            self.out.labels[i] = (ox + x, oy + y)

    def _place_groups(self, node_id: str, box: Box) -> None:
        scopes = self.g.children(node_id)
        widths = [self.local[s.id].w + 2 * PAD for s in scopes]
        total = sum(widths) + PAD * (len(scopes) - 1)
        x = box.x + (box.w - total) / 2
        y = box.y + 10 + LINE_H * self.out.header[node_id]
        for scope, w in zip(scopes, widths):
            local = self.local[scope.id]
            self.out.frames[scope.id] = Box(x, y, w, local.h + PAD + GROUP_LABEL_H)
            self._place(scope.id, x + PAD, y + GROUP_LABEL_H)
            x += w + PAD


def _scope_layout(g: Graph, nodes: tuple[str, ...], edge_ids: list[int], size: dict, label_of) -> _Local:
    index = {n: i for i, n in enumerate(nodes)}
    succ: dict[str, list[int]] = {n: [] for n in nodes}
    for i in edge_ids:
        succ[g.edges[i].src].append(i)
    back = _back_edges(g, nodes, succ)
    forward = [i for i in edge_ids if i not in back]
    layer = _layers(g, nodes, forward)
    # Dummy points for edges spanning several layers: ("~", edge index, k).
    layers: dict[int, list] = {}
    for n in nodes:
        layers.setdefault(layer[n], []).append(n)
    chains: dict[int, list] = {}
    for i in forward:
        e = g.edges[i]
        chain = [e.src]
        for k in range(layer[e.src] + 1, layer[e.dst]):
            dummy = ("~", i, k)
            layer[dummy] = k
            layers.setdefault(k, []).append(dummy)
            chain.append(dummy)
        chains[i] = chain + [e.dst]
    depth = max(layers) + 1
    rows = [layers.get(k, []) for k in range(depth)]
    up: dict = {}
    down: dict = {}
    weight: dict = {}   # Catch edges pull less: the main path stays straight
    for i, chain in chains.items():
        for a, b in zip(chain, chain[1:]):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
            weight[a, b] = weight[b, a] = CATCH_WEIGHT if g.edges[i].kind == "catch" else 1.0
    _order(rows, up, down, index)
    width = lambda n: size[n][0] if isinstance(n, str) else 14  # noqa: E731
    height = lambda n: size[n][1] if isinstance(n, str) else 0  # noqa: E731
    xs = _x_positions(rows, up, down, width, weight)
    # Layer heights; the gap below a layer grows with the labels leaving it.
    labelled = {}
    for i in forward:
        if label_of(i):
            src = g.edges[i].src
            labelled.setdefault(layer[src], {}).setdefault(src, []).append(i)
    row_h = [max((height(n) for n in row), default=0) for row in rows]
    ys, gaps, y = [], [], 0.0
    for k in range(len(rows)):
        ys.append(y)
        most = max((len(v) for v in labelled.get(k, {}).values()), default=0)
        gaps.append(RANK_GAP + max(0, most - 1) * 16 + (14 if most else 0))
        y += row_h[k] + gaps[-1]
    centre = {}
    pos = {}
    for k, row in enumerate(rows):
        for n in row:
            cx = xs[n]
            cy = ys[k] + row_h[k] / 2
            centre[n] = (cx, cy)
            if isinstance(n, str):
                pos[n] = (cx - width(n) / 2, cy - height(n) / 2)
    total_w = max((xs[n] + width(n) / 2 for row in rows for n in row), default=0)
    routes, labels = _routes(g, chains, back, centre, size, label_of, labelled, layer, ys, row_h, total_w)
    right = max([total_w] + [x for pts in routes.values() for x, _ in pts])
    return _Local(right, y - gaps[-1] if rows else 0, pos, routes, labels)


def _back_edges(g: Graph, nodes: tuple[str, ...], succ: dict) -> set[int]:
    """Edges closing a cycle, found by an iterative depth-first search from Start, then any unvisited node."""
    back: set[int] = set()
    state: dict[str, int] = {}     # 1 on the stack, 2 done
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            node, it = stack[-1]
            for i in it:
                dst = g.edges[i].dst
                if dst not in succ:
                    continue
                if state.get(dst) == 1:
                    back.add(i)
                elif dst not in state:
                    state[dst] = 1
                    stack.append((dst, iter(succ[dst])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return back


def _layers(g: Graph, nodes: tuple[str, ...], forward: list[int]) -> dict:
    """Longest path from the sources; the scope's End alone on the last layer."""
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    outs: dict[str, list[str]] = {n: [] for n in nodes}
    for i in forward:
        e = g.edges[i]
        preds[e.dst].append(e.src)
        outs[e.src].append(e.dst)
    layer: dict = {}
    pending = {n: len(preds[n]) for n in nodes}
    ready = [n for n in nodes if pending[n] == 0]
    while ready:
        n = ready.pop(0)
        layer[n] = max((layer[p] + 1 for p in preds[n]), default=0 if g.nodes[n].type == START else 1)
        for m in outs[n]:
            pending[m] -= 1
            if pending[m] == 0:
                ready.append(m)
    end = nodes[-1]
    states = [layer[n] for n in nodes if n != end]
    layer[end] = max(states, default=0) + 1
    return layer


def _order(rows: list[list], up: dict, down: dict, index: dict) -> None:
    """Barycenter sweeps, down then up; ties keep the current order (deterministic)."""
    for row in rows:
        row.sort(key=lambda n: (0, index[n]) if isinstance(n, str) else (1, n[1], n[2]))
    for sweep in range(8):
        going_down = sweep % 2 == 0
        span = range(1, len(rows)) if going_down else range(len(rows) - 2, -1, -1)
        for k in span:
            ref = rows[k - 1] if going_down else rows[k + 1]
            where = {n: i for i, n in enumerate(ref)}
            links = up if going_down else down
            current = {n: i for i, n in enumerate(rows[k])}

            def bary(n):
                near = [where[m] for m in links.get(n, []) if m in where]
                return sum(near) / len(near) if near else current[n]
            rows[k].sort(key=lambda n: (bary(n), current[n]))


def _x_positions(rows: list[list], up: dict, down: dict, width, weight: dict) -> dict:
    """Centres: each layer pulled towards its neighbours' centres, keeping order and gaps."""
    xs: dict = {}
    for row in rows:
        x = 0.0
        for n in row:
            xs[n] = x + width(n) / 2
            x += width(n) + NODE_GAP
    widest = max((sum(width(n) for n in row) + NODE_GAP * (len(row) - 1) for row in rows), default=0)
    for row in rows:  # centre each layer on the widest
        used = sum(width(n) for n in row) + NODE_GAP * (len(row) - 1)
        for n in row:
            xs[n] += (widest - used) / 2
    for sweep in range(6):
        going_down = sweep % 2 == 0
        for row in (rows[1:] if going_down else rows[-2::-1]):
            links = up if going_down else down
            want = []
            for n in row:
                near = [(xs[m], weight[n, m]) for m in links.get(n, [])]
                total = sum(w for _, w in near)
                want.append(sum(x * w for x, w in near) / total if near else xs[n])
            _fit(row, want, width, xs)
    low = min((xs[n] - width(n) / 2 for row in rows for n in row), default=0)
    return {n: x - low for n, x in xs.items()}


def _fit(row: list, want: list[float], width, xs: dict) -> None:
    """Centres as near `want` as the order and NODE_GAP allow: the mean of a left and a right packing."""
    left, right = [], []
    edge = float("-inf")
    for n, w in zip(row, want):
        x = max(w, edge + width(n) / 2)
        left.append(x)
        edge = x + width(n) / 2 + NODE_GAP
    edge = float("inf")
    for n, w in zip(reversed(row), reversed(want)):
        x = min(w, edge - width(n) / 2)
        right.append(x)
        edge = x - width(n) / 2 - NODE_GAP
    right.reverse()
    for n, a, b in zip(row, left, right):
        xs[n] = (a + b) / 2
    # The mean of two valid packings keeps the gaps; nothing more to fix.


def _routes(g, chains, back, centre, size, label_of, labelled, layer, ys, row_h, total_w):
    routes: dict[int, list[tuple[float, float]]] = {}
    labels: dict[int, tuple[float, float]] = {}
    # Ports: a node's outgoing edges spread along its bottom, incoming along its top, by direction.
    outs: dict[str, list[int]] = {}
    ins: dict[str, list[int]] = {}
    for i, chain in chains.items():
        outs.setdefault(chain[0], []).append(i)
        ins.setdefault(chain[-1], []).append(i)
    port: dict[tuple[int, str], float] = {}
    for ports, side, toward in ((outs, "out", 1), (ins, "in", -2)):
        for n, ids in ports.items():
            ids.sort(key=lambda i: (centre[chains[i][toward]][0], i))
            w = size[n][0]
            spread = min(w * 0.6, 14 * (len(ids) - 1))
            for k, i in enumerate(ids):
                offset = -spread / 2 + (spread * k / (len(ids) - 1) if len(ids) > 1 else 0)
                port[(i, side)] = centre[n][0] + offset
    for i, chain in chains.items():
        src, dst = chain[0], chain[-1]
        points = [(port[(i, "out")], centre[src][1] + size[src][1] / 2)]
        points += [centre[d] for d in chain[1:-1]]
        points.append((port[(i, "in")], centre[dst][1] - size[dst][1] / 2))
        routes[i] = points
        if label_of(i):
            group = labelled[layer[src]][src]
            k = group.index(i)
            y = ys[layer[src]] + row_h[layer[src]] + 14 + 16 * k
            (x0, y0), (x1, y1) = points[0], points[1]
            t = (y - y0) / (y1 - y0) if y1 != y0 else 0.5
            labels[i] = (x0 + (x1 - x0) * min(max(t, 0), 1), y)
    # Back edges: out of the source's right side, up the right-hand margin, into the target's right side.
    lane = total_w + BACK_GAP
    for i in sorted(back, key=lambda i: (layer[g.edges[i].src] - layer[g.edges[i].dst], i)):
        e = g.edges[i]
        (sx, sy), (dx, dy) = centre[e.src], centre[e.dst]
        sr, dr = sx + size[e.src][0] / 2, dx + size[e.dst][0] / 2
        if e.src == e.dst:  # a state that goes back to itself: a loop on its right
            sy, dy = sy - 6, dy + 6
        routes[i] = [(sr, sy), (lane, sy), (lane, dy), (dr, dy)]
        if label_of(i):
            labels[i] = (lane, (sy + dy) / 2)
        lane += BACK_GAP
    return routes, labels
