"""The graph as terminal text: each state with its transitions, Map / Parallel scopes indented.

Lines are lists of (text, role) segments; the CLI colours roles (rich) or prints them plain.
Roles: title, name, type, detail, retry, edge, catch, count, frame, note, and a mark status.
"""

from __future__ import annotations

from .marks import SYMBOL, Marks
from .model import END, Edge, Graph, Node

Line = list[tuple[str, str]]


def text_lines(graph: Graph, marks: Marks | None = None) -> list[Line]:
    """The whole graph, one list of segments per line."""
    marks = marks or Marks()
    out_edges: dict[str, list[tuple[int, Edge]]] = {}
    for i, edge in enumerate(graph.edges):
        out_edges.setdefault(edge.src, []).append((i, edge))
    lines: list[Line] = [[(graph.name, "title")] + ([(" — " + graph.comment, "detail")] if graph.comment else [])]
    if marks.title:
        lines.append([(marks.title, "note")])
    _scope(graph, graph.root, "", marks, out_edges, lines)
    return lines


def plain(lines: list[Line]) -> str:
    """The lines as plain text."""
    return "\n".join("".join(text for text, _ in line).rstrip() for line in lines) + "\n"


def _scope(graph: Graph, scope_id: str, indent: str, marks: Marks, out_edges: dict, lines: list[Line]) -> None:
    scope = graph.scopes[scope_id]
    for node_id in scope.nodes:
        node = graph.nodes[node_id]
        if node.type == END:
            continue
        if node.pseudo:  # Start: where the scope begins
            for i, edge in out_edges.get(node_id, []):
                lines.append([(indent, "frame"), ("▶ start → ", "edge"), (graph.nodes[edge.dst].name, "name")]
                             + _count(marks, i))
            continue
        lines.append([(indent, "frame")] + _head(node, marks))
        for note in marks.notes.get(node_id, []):
            lines.append([(indent + "    ", "frame"), (note, "note")])
        for n, child in enumerate(graph.children(node_id)):
            lines.append([(indent + ("  ┌ " if n == 0 else "  ├ "), "frame"), (child.label, "type")])
            _scope(graph, child.id, indent + "  │ ", marks, out_edges, lines)
        if node.groups:
            lines.append([(indent + "  └", "frame")])
        for i, edge in out_edges.get(node_id, []):
            lines.append([(indent + "    ", "frame")] + _edge(graph, edge, marks, i))


def _head(node: Node, marks: Marks) -> list[tuple[str, str]]:
    status = marks.status.get(node.id)
    segments = [(SYMBOL[status] + " " if status else "■ ", status or "frame"), (node.name, status or "name"),
                ("  " + node.type, "type")]
    if node.detail:
        segments.append((" · " + node.detail, "detail"))
    for retry in node.retry:
        segments.append(("  ↻ retry " + retry, "retry"))
    return segments


def _edge(graph: Graph, edge: Edge, marks: Marks, index: int) -> list[tuple[str, str]]:
    status = marks.edge_status.get(index)
    prefix = (SYMBOL[status] + " ") if status else ""
    dst = graph.nodes[edge.dst]
    target = "end" if dst.type == END else dst.name
    if edge.kind == "catch":
        out = [(prefix + "⚠ catch ", status or "catch"), (edge.label, "detail"), (" → ", "catch"),
               (target, "name")]
    elif edge.kind in ("choice", "default"):
        out = [(prefix + "◆ ", status or "edge"), (edge.label, "detail"), (" → ", "edge"), (target, "name")]
    else:
        out = [(prefix + "→ ", status or "edge"), (target, "name")]
    return out + _count(marks, index)


def _count(marks: Marks, index: int) -> list[tuple[str, str]]:
    n = marks.edge_counts.get(index)
    return [(f"  ×{n}", "count")] if n else []
