"""The graph as a Mermaid flowchart: Parallel / Map states are subgraphs holding a subgraph per scope."""

from __future__ import annotations

from .marks import LEGEND, Marks, node_lines
from .model import END, START, Graph, short_ids

# (open, close) of each state type's shape.
_SHAPES = {"Choice": ("{", "}"), "Wait": ("{{", "}}"), "Pass": ("(", ")"), "Succeed": ("([", "])"),
           "Fail": ("([", "])"), START: ("((", "))"), END: ("(((", ")))")}
STYLES = {
    "succeeded": "fill:#e3f4e6,stroke:#2e7d32,color:#1b5e20",
    "retried": "fill:#fff6d6,stroke:#b88a00,color:#5c4500",
    "caught": "fill:#ffe9d6,stroke:#d9730d,color:#7a3a00",
    "failed": "fill:#fde2e1,stroke:#c62828,color:#8e0000,stroke-width:2px",
    "running": "fill:#e3ecfb,stroke:#1e63c4,color:#0d3a75",
    "not-entered": "fill:#f4f4f4,stroke:#bbbbbb,color:#888888,stroke-dasharray:4 3",
    "added": "fill:#e3f4e6,stroke:#2e7d32,stroke-width:2px",
    "removed": "fill:#fde2e1,stroke:#c62828,stroke-dasharray:5 3,color:#8e0000",
    "changed": "fill:#fff6d6,stroke:#b88a00,stroke-width:2px",
}


def escape(text: str) -> str:
    """Text for a quoted Mermaid label (entity codes for the characters Mermaid reads)."""
    return (text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            .replace("|", "#124;"))


def to_mermaid(graph: Graph, marks: Marks | None = None) -> str:
    """Mermaid `flowchart TD` source."""
    marks = marks or Marks()
    ids = short_ids(graph)
    out = ["flowchart TD"]
    if marks.title:
        out.append(f"  %% {marks.title}")
    _scope(graph, graph.root, ids, marks, out, "  ")
    taken, removed = [], []
    for i, edge in enumerate(graph.edges):
        label = edge.label if edge.kind != "catch" else f"catch {edge.label}"
        count = marks.edge_counts.get(i)
        if count:
            label = (label + " " if label else "") + f"×{count}"
        arrow = "-.->" if edge.kind == "catch" else "-->"
        text = f'|"{escape(label)}"|' if label else ""
        out.append(f"  {ids[edge.src]} {arrow}{text} {ids[edge.dst]}")
        if count:
            taken.append(i)
        if marks.edge_status.get(i) == "removed":
            removed.append(i)
    for status, style in STYLES.items():
        members = [ids[n] for n, s in marks.status.items() if s == status]
        if members:
            out.append(f"  classDef {status.replace('-', '_')} {style}")
            out.append(f"  class {','.join(members)} {status.replace('-', '_')}")
    if taken:
        out.append(f"  linkStyle {','.join(map(str, taken))} stroke-width:3px,stroke:#333")
    if removed:
        out.append(f"  linkStyle {','.join(map(str, removed))} stroke:#c62828,stroke-dasharray:4 3")
    if marks.used():
        out.append("  %% legend: " + ", ".join(f"{s} = {LEGEND[s]}" for s in marks.used()))
    return "\n".join(out) + "\n"


def _scope(graph: Graph, scope_id: str, ids: dict, marks: Marks, out: list[str], indent: str) -> None:
    for node_id in graph.scopes[scope_id].nodes:
        node = graph.nodes[node_id]
        if node.groups:
            title = " · ".join(node_lines(node, marks))
            out.append(f'{indent}subgraph {ids[node_id]}["{escape(title)}"]')
            out.append(f"{indent}  direction TB")
            for child in graph.children(node_id):
                out.append(f'{indent}  subgraph {ids[node_id]}_{child.id.rsplit("/", 1)[1]}["{escape(child.label)}"]')
                _scope(graph, child.id, ids, marks, out, indent + "    ")
                out.append(f"{indent}  end")
            out.append(f"{indent}end")
            continue
        left, right = _SHAPES.get(node.type, ("[", "]"))
        text = node.type if node.pseudo else "<br/>".join(escape(line) for line in node_lines(node, marks))
        out.append(f'{indent}{ids[node_id]}{left}"{text}"{right}')

