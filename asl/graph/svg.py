"""The graph as a standalone SVG drawing, laid out in-process (asl.graph.layout).

Every state is a `<g class="node ..." data-node="ID">` (the report finds states by it), every
transition a `<path class="edge ..." data-edge="N">`; the colours live in one `<style>`.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .layout import LINE_H, Layout, box_lines, edge_label, layout
from .marks import LEGEND, SYMBOL, Marks
from .model import END, Graph

FONT = "12px -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
LEGEND_H = 26

STYLE = """
.sfn-graph text { font: %(font)s; fill: #1f2328; }
.sfn-graph .node > rect { fill: #ffffff; stroke: #8c959f; stroke-width: 1.2; }
.sfn-graph .node .name { font-weight: 600; }
.sfn-graph .node .sub { fill: #57606a; }
.sfn-graph .node .retry { fill: #8a6100; }
.sfn-graph .node .note { fill: #57606a; font-style: italic; }
.sfn-graph .Choice > rect { fill: #f6f0ff; }
.sfn-graph .Succeed > rect { stroke: #2e7d32; }
.sfn-graph .Fail > rect { stroke: #c62828; }
.sfn-graph .container > rect { fill: #fafbfc; stroke: #6e7781; }
.sfn-graph .frame { fill: none; stroke: #afb8c1; stroke-dasharray: 4 3; }
.sfn-graph .frame-label { fill: #57606a; font-size: 11px; }
.sfn-graph .pseudo circle { fill: #57606a; stroke: none; }
.sfn-graph .pseudo.End circle.ring { fill: #ffffff; stroke: #57606a; stroke-width: 2; }
.sfn-graph .edge { fill: none; stroke: #8c959f; stroke-width: 1.3; }
.sfn-graph .edge.catch { stroke: #d9730d; stroke-dasharray: 5 3; }
.sfn-graph .edge.taken { stroke: #24292f; stroke-width: 2.6; }
.sfn-graph .edge.catch.taken { stroke: #d9730d; }
.sfn-graph .edge.added { stroke: #2e7d32; stroke-width: 2.2; }
.sfn-graph .edge.removed { stroke: #c62828; stroke-dasharray: 4 3; }
.sfn-graph .elabel rect { fill: #ffffff; opacity: 0.92; }
.sfn-graph .elabel text { font-size: 11px; fill: #57606a; }
.sfn-graph .elabel.taken text { fill: #24292f; font-weight: 600; }
.sfn-graph .succeeded > rect { fill: #e3f4e6; stroke: #2e7d32; }
.sfn-graph .retried > rect { fill: #fff6d6; stroke: #b88a00; }
.sfn-graph .caught > rect { fill: #ffe9d6; stroke: #d9730d; }
.sfn-graph .failed > rect { fill: #fde2e1; stroke: #c62828; stroke-width: 2.4; }
.sfn-graph .running > rect { fill: #e3ecfb; stroke: #1e63c4; }
.sfn-graph .not-entered > rect { fill: #f6f8fa; stroke: #d0d7de; stroke-dasharray: 4 3; }
.sfn-graph .not-entered text { fill: #8c959f; }
.sfn-graph .added > rect { fill: #e3f4e6; stroke: #2e7d32; stroke-width: 2.4; }
.sfn-graph .removed > rect { fill: #fde2e1; stroke: #c62828; stroke-dasharray: 5 3; }
.sfn-graph .removed .name { text-decoration: line-through; }
.sfn-graph .changed > rect { fill: #fff6d6; stroke: #b88a00; stroke-width: 2.4; }
.sfn-graph .selected > rect { stroke: #0969da; stroke-width: 3; }
.sfn-graph .node[data-node] { cursor: pointer; }
""" % {"font": FONT}


def to_svg(graph: Graph, marks: Marks | None = None, standalone: bool = True) -> str:
    """An SVG document (`standalone=False`: the `<svg>` element alone, to inline in HTML)."""
    marks = marks or Marks()
    lay = layout(graph, marks)
    legend = marks.used()
    width = max(lay.width, 360.0)
    stops, rows = _legend_stops(legend, marks.title, width)
    top = LEGEND_H * rows if legend or marks.title else 0
    height = lay.height + top
    out = []
    if standalone:
        out.append('<?xml version="1.0" encoding="UTF-8"?>')
    out.append(f'<svg xmlns="http://www.w3.org/2000/svg" class="sfn-graph" width="{width:.0f}" '
               f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
               f'aria-label="{escape(graph.name, _ATTR)}">')
    out.append(f"<title>{escape(graph.name)}</title>")
    out.append(f"<style>{STYLE}</style>")
    out.append('<defs><marker id="sfn-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerUnits="userSpaceOnUse" '
               'markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/>'
               '</marker></defs>')
    if top:
        out.append(_legend(legend, marks.title, stops))
    out.append(f'<g transform="translate(0,{top})">')
    _scope(graph, graph.root, lay, marks, out)
    for i in range(len(graph.edges)):
        _edge(graph, i, lay, marks, out)
    for i in range(len(graph.edges)):
        _label(graph, i, lay, marks, out)
    out.append("</g></svg>")
    return "\n".join(out) + "\n"


_ATTR = {'"': "&quot;"}


def _scope(graph: Graph, scope_id: str, lay: Layout, marks: Marks, out: list[str]) -> None:
    for node_id in graph.scopes[scope_id].nodes:
        node = graph.nodes[node_id]
        box = lay.boxes[node_id]
        if node.pseudo:
            r = box.w / 2
            ring = f'<circle class="ring" cx="{box.cx:.1f}" cy="{box.cy:.1f}" r="{r:.1f}"/>' if node.type == END else ""
            inner = r - 5 if node.type == END else r
            out.append(f'<g class="pseudo {node.type}"><title>{node.type}</title>{ring}'
                       f'<circle cx="{box.cx:.1f}" cy="{box.cy:.1f}" r="{inner:.1f}"/></g>')
            continue
        status = marks.status.get(node_id, "")
        classes = " ".join(c for c in ("node", node.type, "container" if node.groups else "", status) if c)
        lines = box_lines(graph, node_id, marks)
        tip = [node.name, node.type] + list(node.retry) + marks.notes.get(node_id, [])
        if status:
            tip.append(f"{SYMBOL[status]} {LEGEND[status]}")
        out.append(f'<g class="{classes}" data-node="{escape(node_id, _ATTR)}">'
                   f"<title>{escape(chr(10).join(tip))}</title>")
        out.append(f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
                   f'rx="{4 if node.groups else 8}"/>')
        for k, line in enumerate(lines):
            cls = "name" if k == 0 else "sub" if k == 1 else "retry" if line.startswith("↻") else "note"
            text = (SYMBOL[status] + " " + line) if k == 0 and status else line
            x = box.x + 12 if node.groups else box.cx
            anchor = "start" if node.groups else "middle"
            out.append(f'<text class="{cls}" x="{x:.1f}" y="{box.y + 18 + k * LINE_H:.1f}" '
                       f'text-anchor="{anchor}">{escape(text)}</text>')
        out.append("</g>")
        for child in graph.children(node_id):
            frame = lay.frames[child.id]
            out.append(f'<rect class="frame" x="{frame.x:.1f}" y="{frame.y:.1f}" width="{frame.w:.1f}" '
                       f'height="{frame.h:.1f}" rx="6"/>')
            out.append(f'<text class="frame-label" x="{frame.x + 8:.1f}" y="{frame.y + 14:.1f}">'
                       f"{escape(child.label)}</text>")
            _scope(graph, child.id, lay, marks, out)


def _edge(graph: Graph, i: int, lay: Layout, marks: Marks, out: list[str]) -> None:
    edge = graph.edges[i]
    points = lay.routes.get(i)
    if not points:
        return
    classes = ["edge", edge.kind]
    if marks.edge_counts.get(i):
        classes.append("taken")
    if i in marks.edge_status:
        classes.append(marks.edge_status[i])
    d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    out.append(f'<path class="{" ".join(classes)}" data-edge="{i}" d="{d}" marker-end="url(#sfn-arrow)"/>')


def _label(graph: Graph, i: int, lay: Layout, marks: Marks, out: list[str]) -> None:
    text = edge_label(graph, i, marks)
    if not text or i not in lay.labels:
        return
    x, y = lay.labels[i]
    w = len(text) * 6.4 + 8
    taken = " taken" if marks.edge_counts.get(i) else ""
    out.append(f'<g class="elabel{taken}"><rect x="{x - w / 2:.1f}" y="{y - 8:.1f}" width="{w:.1f}" height="15" '
               f'rx="3"/><text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle">{escape(text)}</text></g>')


def _legend_stops(statuses: list[str], title: str, width: float) -> tuple[list[tuple[float, float]], int]:
    """Where each status's swatch goes (rows wrap at `width`), and how many rows the legend takes."""
    x, y = 10.0 + (len(title) * 7.0 + 18 if title else 0), 0.0
    stops = []
    for status in statuses:
        step = 19 + len(LEGEND[status]) * 6.6 + 16
        if x + step > width and x > 10:
            x, y = 10.0, y + LEGEND_H
        stops.append((x, y))
        x += step
    return stops, int(y // LEGEND_H) + 1


def _legend(statuses: list[str], title: str, stops: list[tuple[float, float]]) -> str:
    parts = ['<g class="legend">']
    if title:
        parts.append(f'<text x="10" y="17" font-weight="600">{escape(title)}</text>')
    for status, (x, y) in zip(statuses, stops):
        parts.append(f'<g class="node {status}"><rect x="{x:.1f}" y="{y + 6:.1f}" width="14" height="14" rx="3"/></g>')
        parts.append(f'<text x="{x + 19:.1f}" y="{y + 17:.1f}">{escape(LEGEND[status])}</text>')
    parts.append("</g>")
    return "".join(parts)
