"""A run drawn over its graph: each state's outcome, the transitions taken and how often, the failure."""

from __future__ import annotations

import json

from ..errors import UserInputError
from .conditions import shorten
from .marks import FAILED, NOT_ENTERED, OUTCOME_RANK, Marks
from .model import Graph
from .visits import Run, read_run


def overlay(graph: Graph, events: list[dict], execution: dict | None = None) -> Marks:
    """Marks for `graph` from a run's GetExecutionHistory events (and its stored row, for the title).

    Raises UserInputError when the run entered a state the graph does not have there (another
    machine's run, or a definition changed since).
    """
    run = read_run(graph, events)
    check_matches(graph, run, (execution or {}).get("name"))
    return run_marks(graph, run, execution)


def check_matches(graph: Graph, run: Run, name: str | None = None) -> None:
    """UserInputError unless every state the run entered is a state of `graph`."""
    stray = next((v for v in run.visits if not v.node), None)
    if stray is not None:
        raise UserInputError(f"execution '{name or '?'}' entered a state '{stray.name}' that {graph.name} does not "
                             "have there: it ran another definition (or this one has changed since)")


def run_marks(graph: Graph, run: Run, execution: dict | None = None) -> Marks:
    """Marks from a run already read."""
    marks = Marks()
    by_node: dict[str, list] = {}
    for visit in run.visits:
        if visit.node:
            by_node.setdefault(visit.node, []).append(visit)
    for node in graph.states():
        visits = by_node.get(node.id, [])
        if not visits:
            marks.status[node.id] = NOT_ENTERED
            continue
        outcomes = [v.outcome() for v in visits]
        marks.status[node.id] = min(outcomes, key=OUTCOME_RANK.__getitem__)
        notes = marks.notes.setdefault(node.id, [])
        if len(visits) > 1:
            counts = {o: outcomes.count(o) for o in sorted(set(outcomes), key=OUTCOME_RANK.__getitem__)}
            notes.append(f"entered ×{len(visits)}: " + ", ".join(f"{n} {o}" for o, n in counts.items()))
        retries = sum(v.retries for v in visits)
        if retries:
            notes.append(f"retried ×{retries}")
        iterations: dict[str, int] = {}
        for v in visits:
            for outcome, n in v.iterations.items():
                iterations[outcome] = iterations.get(outcome, 0) + n
        if iterations:
            notes.append("iterations: " + ", ".join(f"{n} {o.lower()}" for o, n in sorted(iterations.items(),
                                                                                           key=_iteration_order)))
        failed = next((v for v in visits if v.outcome() == FAILED and v.failures), None)
        if failed is not None and failed.index != run.failed_visit:
            notes.append(_failure(*failed.failures[-1]))
        if not notes:
            del marks.notes[node.id]
    if run.failed_visit is not None and run.visits[run.failed_visit].node:
        marks.notes.setdefault(run.visits[run.failed_visit].node, []).append(_failure(run.error, run.cause))
    _edges(graph, run, marks)
    name = (execution or {}).get("name")
    status = (execution or {}).get("status") or run.status
    marks.title = f"execution {name}: {status}" if name else status
    return marks


def _iteration_order(item: tuple[str, int]) -> int:
    return ["Succeeded", "Failed", "Aborted"].index(item[0]) if item[0] in ("Succeeded", "Failed", "Aborted") else 3


def _failure(error: str | None, cause: str | None) -> str:
    try:  # a Lambda error's cause is JSON: its errorMessage says it
        cause = json.loads(cause)["errorMessage"] if cause else cause
    except (ValueError, TypeError, KeyError):
        pass
    return shorten(f"✖ {error or 'failed'}" + (f": {cause}" if cause else ""), 56)


def _edges(graph: Graph, run: Run, marks: Marks) -> None:
    """How often each transition was taken: into a state from the one before it (or the scope's start),
    and out of the last state of a lane to its scope's end."""
    index: dict[tuple[str, str], list[int]] = {}
    for i, edge in enumerate(graph.edges):
        index.setdefault((edge.src, edge.dst), []).append(i)

    def count(src: str, dst: str, catch: bool | None) -> None:
        found = index.get((src, dst), [])
        chosen = [i for i in found if catch is None or (graph.edges[i].kind == "catch") == catch] or found
        if chosen:
            marks.edge_counts[chosen[0]] = marks.edge_counts.get(chosen[0], 0) + 1

    followed: set[int] = set()
    for visit in run.visits:
        if not visit.node:
            continue
        scope = graph.nodes[visit.node].scope
        if visit.via is None:
            count(graph.scopes[scope].start, visit.node, None)
        elif run.visits[visit.via].node:
            followed.add(visit.via)
            count(run.visits[visit.via].node, visit.node, visit.caught_from)
    for visit in run.visits:
        if not visit.node or visit.index in followed:
            continue
        node = graph.nodes[visit.node]
        if (visit.exited is not None and not visit.caught) or node.type == "Fail":
            count(visit.node, graph.scopes[node.scope].end, False)
