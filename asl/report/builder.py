"""`sfn report`: one stored execution as a self-contained HTML page (CSS, script and data inline).

The page's template, stylesheet and script are package data (templates/); the run goes in as
one JSON document the script reads: the execution's summary, the states of the graph, one
entry per visit of a state, and every event in a compact row form.
"""

from __future__ import annotations

import datetime
import json
from importlib import resources
from string import Template
from typing import Any
from xml.sax.saxutils import escape

from ..errors import UserInputError
from ..graph.marks import Marks
from ..graph.model import Graph, build_graph
from ..graph.overlay import run_marks
from ..graph.source import definition_from_text
from ..graph.svg import to_svg
from ..graph.visits import Run, details, read_run


def build_report(execution: dict, events: list[dict]) -> str:
    """The HTML page of a stored execution (its row from the store, and its GetExecutionHistory events)."""
    if not execution.get("definition"):
        raise UserInputError(f"the store holds no definition for execution '{execution.get('name')}'")
    _, definition = definition_from_text(execution["definition"], f"<definition of {execution.get('name')}>")
    graph = build_graph(definition, execution.get("machine") or "StateMachine")
    run = read_run(graph, events)
    marks = run_marks(graph, run, execution)
    data = report_data(graph, run, marks, execution)
    files = resources.files(__package__).joinpath("templates")
    page = Template(files.joinpath("report.html").read_text(encoding="utf-8"))
    title = f"{execution.get('machine')} · {execution.get('name')}"
    return page.substitute(
        title=escape(title),
        css=files.joinpath("report.css").read_text(encoding="utf-8"),
        js=files.joinpath("report.js").read_text(encoding="utf-8"),
        svg=to_svg(graph, marks, standalone=False),
        # Inside <script>, `</` could end the element: JSON allows `<\/` for it.
        data=json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/"),
    )


def report_data(graph: Graph, run: Run, marks: Marks, execution: dict) -> dict:
    """What the page's script reads: times are milliseconds after the execution started."""
    start = _ms(run.start or execution.get("started_at"))
    end = _ms(run.end or execution.get("stopped_at"))
    origin = start if start is not None else 0

    def at(stamp: Any) -> float | None:
        moment = _ms(stamp)
        return None if moment is None else round(moment - origin, 3)

    position = {e["id"]: i for i, e in enumerate(run.events) if type(e.get("id")) is int}
    states = {node.id: {"name": node.name, "type": node.type, "detail": node.detail, "retry": list(node.retry),
                        "status": marks.status.get(node.id, ""), "notes": marks.notes.get(node.id, []),
                        "source": node.source}
              for node in graph.states()}
    visits = [{
        "node": v.node, "name": v.name, "type": v.type, "parent": v.parent, "lane": v.lane,
        "entered": position.get(v.entered), "exited": position.get(v.exited), "t0": at(v.entered_at),
        "t1": at(v.exited_at), "status": v.outcome(),
        "attempts": [[at(a.start), at(a.end), a.error, a.cause] for a in v.attempts],
        "iterations": v.iterations,
    } for v in run.visits]
    rows = [[e.get("id"), e.get("previousEventId"), at(e.get("timestamp")), e.get("type"), owner, details(e)]
            for e, owner in zip(run.events, run.owner)]
    return {
        "execution": {
            "name": execution.get("name"), "arn": execution.get("arn"), "machine": execution.get("machine"),
            "status": execution.get("status") or run.status, "start": execution.get("started_at") or run.start,
            "end": execution.get("stopped_at") or run.end,
            "duration": None if start is None or end is None else round(end - start, 3),
            "error": execution.get("error") or run.error, "cause": execution.get("cause") or run.cause,
            # AWS counts a retry as a state transition (as the trace's summary does).
            "transitions": sum(1 + v.retries for v in run.visits),
            "failedVisit": run.failed_visit,
        },
        "states": states, "visits": visits, "events": rows,
    }


def _ms(stamp: Any) -> float | None:
    """An ISO timestamp as milliseconds since the epoch (None when it is not one)."""
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp() * 1000
