"""Two versions of a definition as one graph: the new one, plus what the old one had and lost, marked."""

from __future__ import annotations

from .marks import ADDED, CHANGED, REMOVED, Marks
from .model import Edge, Graph, Scope


def diff_graphs(old: Graph, new: Graph) -> tuple[Graph, Marks]:
    """The merged graph, and marks: states and transitions added, removed, changed."""
    nodes = dict(new.nodes)
    scopes = {sid: s for sid, s in new.scopes.items()}
    marks = Marks(title=f"changes from {old.name} to {new.name}" if old.name != new.name else "changes")
    for node in new.states():
        before = old.nodes.get(node.id)
        if before is None:
            marks.status[node.id] = ADDED
        elif before.source != node.source or before.type != node.type:
            marks.status[node.id] = CHANGED
    # Removed states go back into their scope (a removed Map / Parallel brings its scopes along).
    for scope_id, scope in old.scopes.items():
        if scope_id not in scopes:
            scopes[scope_id] = scope
            nodes.update({n: old.nodes[n] for n in scope.nodes})
            continue
        gone = [n for n in scope.nodes if n not in nodes]
        if gone:
            current = scopes[scope_id]
            scopes[scope_id] = Scope(current.id, current.label, current.owner,
                                     current.nodes[:-1] + tuple(gone) + current.nodes[-1:])
            nodes.update({n: old.nodes[n] for n in gone})
    for node in old.states():
        if node.id not in new.nodes:
            marks.status[node.id] = REMOVED
    old_edges = set(old.edges)
    new_edges = set(new.edges)
    edges: list[Edge] = list(new.edges)
    for i, edge in enumerate(new.edges):
        if edge not in old_edges:
            marks.edge_status[i] = ADDED
    for edge in old.edges:
        if edge not in new_edges:
            marks.edge_status[len(edges)] = REMOVED
            edges.append(edge)
    # A new or removed state's Start / End circles are not changes of their own.
    return Graph(new.name, new.comment, nodes, tuple(edges), scopes, new.root), marks
