"""A definition as a graph: states, transitions, and Map / Parallel scopes as nested groups.

Built from the validated definition's raw dict, once: the graph shows what the author wrote
(conditions as text, Retry and Catch as given), which the compiled model no longer holds.
Node ids are JSON-pointer-like paths (`/CheckStock/0/Warehouse`), unique even where sibling
Parallel branches reuse a state name; each scope has `#start` and `#end` pseudo-nodes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..source import escape_pointer_token
from .conditions import condition_text, jsonata_text, resource_text, retry_text, shorten

START, END = "Start", "End"   # the pseudo-nodes' types


@dataclass(frozen=True)
class Node:
    """One state (or a scope's Start / End)."""

    id: str
    name: str
    type: str
    scope: str                      # the id of the scope holding it
    detail: str = ""                # one short line: the resource, the wait, the error ...
    retry: tuple[str, ...] = ()     # each Retry entry as text (the badge)
    groups: tuple[str, ...] = ()    # Parallel branches / Map processor: scope ids
    terminal: bool = False          # End: true, Succeed or Fail
    source: str = ""                # the state's JSON without nested scopes (for diffs and details)

    @property
    def pseudo(self) -> bool:
        """Whether this is a scope's Start or End rather than a state."""
        return self.type in (START, END)


@dataclass(frozen=True)
class Edge:
    """A transition: kind is start, next, choice, default, catch or end."""

    src: str
    dst: str
    kind: str
    label: str = ""


@dataclass(frozen=True)
class Scope:
    """The machine, a Parallel branch or a Map's ItemProcessor."""

    id: str
    label: str
    owner: str | None               # the Parallel / Map node holding it (None for the machine)
    nodes: tuple[str, ...]          # Start, the states (reached first, in visiting order), End

    @property
    def start(self) -> str:
        return self.id + "#start"

    @property
    def end(self) -> str:
        return self.id + "#end"


@dataclass(frozen=True)
class Graph:
    """Every node, edge and scope of one definition."""

    name: str
    comment: str
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    scopes: dict[str, Scope]
    root: str = ""

    def children(self, node_id: str) -> list[Scope]:
        """The scopes nested in a Parallel / Map node."""
        return [self.scopes[g] for g in self.nodes[node_id].groups]

    def states(self) -> list[Node]:
        """Every state (no pseudo-nodes), scope by scope, outermost first."""
        return [n for n in self.nodes.values() if not n.pseudo]


def short_ids(graph: Graph) -> dict[str, str]:
    """`n0`, `n1` ... by node id: names safe in any output language."""
    return {node_id: f"n{i}" for i, node_id in enumerate(graph.nodes)}


def state_id(scope: str, name: str) -> str:
    """The id of state `name` in `scope`."""
    return scope + "/" + escape_pointer_token(name)


@dataclass
class _Builder:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    scopes: dict[str, Scope] = field(default_factory=dict)


def build_graph(definition: dict, name: str = "StateMachine") -> Graph:
    """The graph of a (validated) definition."""
    b = _Builder()
    _scope(b, definition, "", "", None)
    comment = definition.get("Comment") if isinstance(definition.get("Comment"), str) else ""
    return Graph(name, comment, b.nodes, tuple(b.edges), b.scopes)


def _scope(b: _Builder, machine: dict, scope_id: str, label: str, owner: str | None) -> None:
    states = machine.get("States") if isinstance(machine.get("States"), dict) else {}
    start_at = machine.get("StartAt")
    order = _visit_order(states, start_at)
    start, end = scope_id + "#start", scope_id + "#end"
    b.scopes[scope_id] = Scope(scope_id, label, owner,
                               (start, *(state_id(scope_id, n) for n in order), end))
    b.nodes[start] = Node(start, START, START, scope_id)
    b.nodes[end] = Node(end, END, END, scope_id)
    if start_at in states:
        b.edges.append(Edge(start, state_id(scope_id, start_at), "start"))
    for state_name in order:
        _state(b, scope_id, state_name, states[state_name])


def _state(b: _Builder, scope_id: str, name: str, raw: Any) -> None:
    raw = raw if isinstance(raw, dict) else {}
    node_id = state_id(scope_id, name)
    kind = str(raw.get("Type", "?"))
    nested = _nested(raw)
    groups = tuple(f"{node_id}/{i}" for i in range(len(nested)))
    terminal = raw.get("End") is True or kind in ("Succeed", "Fail")
    retry = tuple(retry_text(r) for r in raw["Retry"]) if isinstance(raw.get("Retry"), list) else ()
    b.nodes[node_id] = Node(node_id, name, kind, scope_id, _detail(kind, raw), retry, groups, terminal,
                            _source(raw))
    for group_id, (label, inner) in zip(groups, nested):
        _scope(b, inner, group_id, label, node_id)
    for edge in _edges(scope_id, node_id, kind, raw):
        b.edges.append(edge)


def _edges(scope_id: str, node_id: str, kind: str, raw: dict) -> list[Edge]:
    out = []
    target = lambda n: state_id(scope_id, n)  # noqa: E731
    if kind == "Choice":
        for rule in raw.get("Choices", []) or []:
            if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
                out.append(Edge(node_id, target(rule["Next"]), "choice", condition_text(rule)))
        if isinstance(raw.get("Default"), str):
            out.append(Edge(node_id, target(raw["Default"]), "default", "Default"))
    if isinstance(raw.get("Next"), str):
        out.append(Edge(node_id, target(raw["Next"]), "next"))
    if raw.get("End") is True or kind in ("Succeed", "Fail"):
        out.append(Edge(node_id, scope_id + "#end", "end"))
    for catcher in raw.get("Catch", []) or []:
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            errors = ", ".join(str(e) for e in catcher.get("ErrorEquals", []) or [])
            out.append(Edge(node_id, target(catcher["Next"]), "catch", shorten(errors)))
    return out


def _nested(raw: dict) -> list[tuple[str, dict]]:
    """A Parallel's branches, a Map's ItemProcessor (or the older Iterator)."""
    if raw.get("Type") == "Parallel" and isinstance(raw.get("Branches"), list):
        return [(f"Branch {i + 1}", b) for i, b in enumerate(raw["Branches"]) if isinstance(b, dict)]
    if raw.get("Type") == "Map":
        inner = raw.get("ItemProcessor", raw.get("Iterator"))
        if isinstance(inner, dict):
            mode = (inner.get("ProcessorConfig") or {}).get("Mode", "INLINE")
            return [("Distributed iterations" if mode == "DISTRIBUTED" else "Iterations", inner)]
    return []


def _visit_order(states: dict, start_at: Any) -> list[str]:
    """States reachable from StartAt first (depth first: Next and Choice targets before Catch targets,
    so the main path reads top to bottom), then the unreachable ones in definition order."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [start_at] if start_at in states else []
    while stack:
        name = stack.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        order.append(name)
        stack.extend(reversed(_targets(states[name] if isinstance(states[name], dict) else {})))
    order.extend(n for n in states if n not in seen)
    return order


def _targets(raw: dict) -> list[str]:
    names = [r.get("Next") for r in raw.get("Choices", []) or [] if isinstance(r, dict)]
    names += [raw.get("Default"), raw.get("Next")]
    names += [c.get("Next") for c in raw.get("Catch", []) or [] if isinstance(c, dict)]
    return [n for n in names if isinstance(n, str)]


def _detail(kind: str, raw: dict) -> str:
    if kind == "Task":
        text = resource_text(raw.get("Resource"))
        function = (raw.get("Parameters") or raw.get("Arguments") or {})
        if isinstance(function, dict) and text == "lambda:invoke" and isinstance(function.get("FunctionName"), str):
            text = "λ " + function["FunctionName"].split(":")[-1]
        return shorten(text, 40)
    if kind == "Wait":
        for key, shown in (("Seconds", "{}s"), ("SecondsPath", "{}"), ("Timestamp", "until {}"),
                           ("TimestampPath", "until {}")):
            if key in raw:
                return shorten(shown.format(jsonata_text(raw[key])), 40)
    if kind == "Fail":
        error = raw.get("Error", raw.get("ErrorPath"))
        return shorten(jsonata_text(error), 40) if error is not None else ""
    if kind == "Map":
        mode = ((raw.get("ItemProcessor") or {}).get("ProcessorConfig") or {}).get("Mode")
        items = raw.get("Items", raw.get("ItemsPath"))
        parts = [] if mode != "DISTRIBUTED" else ["distributed"]
        if items is not None:
            parts.append(f"items {shorten(jsonata_text(items), 30)}")
        return ", ".join(parts)
    return ""


def _source(raw: dict) -> str:
    """The state's JSON, its nested scopes left out (they have their own nodes)."""
    own = {k: v for k, v in raw.items() if k not in ("Branches", "ItemProcessor", "Iterator")}
    return json.dumps(own, sort_keys=True, ensure_ascii=False)
