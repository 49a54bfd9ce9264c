"""The graph in Graphviz DOT: Parallel / Map states are clusters, entered and left through a header node."""

from __future__ import annotations

from .marks import Marks, node_lines
from .model import END, START, Graph, short_ids

_SHAPES = {"Choice": "diamond", "Wait": "hexagon", START: "circle", END: "doublecircle"}
# (fill, border, text) by mark status.
COLOURS = {
    "succeeded": ("#e3f4e6", "#2e7d32", "#1b5e20"), "retried": ("#fff6d6", "#b88a00", "#5c4500"),
    "caught": ("#ffe9d6", "#d9730d", "#7a3a00"), "failed": ("#fde2e1", "#c62828", "#8e0000"),
    "running": ("#e3ecfb", "#1e63c4", "#0d3a75"), "not-entered": ("#f4f4f4", "#bbbbbb", "#888888"),
    "added": ("#e3f4e6", "#2e7d32", "#1b5e20"), "removed": ("#fde2e1", "#c62828", "#8e0000"),
    "changed": ("#fff6d6", "#b88a00", "#5c4500"),
}


def quote(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Graph, marks: Marks | None = None) -> str:
    """`digraph` source (compound, so edges can end at a cluster's border)."""
    marks = marks or Marks()
    ids = short_ids(graph)
    out = [f"digraph {quote(graph.name)} {{", "  compound=true;", "  rankdir=TB;",
           '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=10];']
    if marks.title:
        out.append(f"  label={quote(marks.title)}; labelloc=t;")
    _scope(graph, graph.root, ids, marks, out, "  ")
    for i, edge in enumerate(graph.edges):
        attrs = []
        label = edge.label if edge.kind != "catch" else f"catch {edge.label}"
        count = marks.edge_counts.get(i)
        if count:
            label = (label + " " if label else "") + f"×{count}"
            attrs.append("penwidth=2.5")
        if label:
            attrs.append(f"label={quote(label)}")
        if edge.kind == "catch":
            attrs.append('style=dashed, color="#d9730d"')
        if marks.edge_status.get(i) in COLOURS:
            attrs.append(f'color="{COLOURS[marks.edge_status[i]][1]}"')
        if graph.nodes[edge.src].groups:
            attrs.append(f"ltail=cluster_{ids[edge.src]}")
        if graph.nodes[edge.dst].groups:
            attrs.append(f"lhead=cluster_{ids[edge.dst]}")
        out.append(f"  {ids[edge.src]} -> {ids[edge.dst]}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def _scope(graph: Graph, scope_id: str, ids: dict, marks: Marks, out: list[str], indent: str) -> None:
    for node_id in graph.scopes[scope_id].nodes:
        node = graph.nodes[node_id]
        attrs = [f"label={quote(node.type if node.pseudo else chr(10).join(node_lines(node, marks)))}"]
        if node.type in _SHAPES:
            attrs.append(f"shape={_SHAPES[node.type]}")
        status = marks.status.get(node_id)
        if status in COLOURS:
            fill, border, text = COLOURS[status]
            attrs.append(f'fillcolor="{fill}", color="{border}", fontcolor="{text}"')
            if status in ("not-entered", "removed"):
                attrs.append('style="rounded,filled,dashed"')
        if not node.groups:
            out.append(f"{indent}{ids[node_id]} [{', '.join(attrs)}];")
            continue
        # The header node stands for the state: transitions in and out attach to the cluster's border.
        out.append(f"{indent}subgraph cluster_{ids[node_id]} {{")
        out.append(f'{indent}  style="rounded"; color="#888888";')
        out.append(f"{indent}  {ids[node_id]} [{', '.join(attrs)}];")
        for child in graph.children(node_id):
            out.append(f"{indent}  subgraph cluster_{ids[node_id]}_{child.id.rsplit('/', 1)[1]} {{")
            out.append(f'{indent}    label={quote(child.label)}; style="dashed"; color="#aaaaaa";')
            _scope(graph, child.id, ids, marks, out, indent + "    ")
            out.append(f"{indent}  }}")
            out.append(f"{indent}  {ids[node_id]} -> {ids[child.start]} [style=dotted, arrowhead=none];")
        out.append(f"{indent}}}")
