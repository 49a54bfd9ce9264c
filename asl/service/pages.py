"""`sfn serve`'s pages for people: the executions at `GET /`, one execution's report at
`GET /executions/<url-quoted ARN>` (the page `sfn report` writes), both refreshed while a run goes on.

Everything shown comes from the store and is HTML-escaped here (the report escapes its own).
"""

from __future__ import annotations

import datetime
from html import escape
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ..errors import SfnError

REFRESH_SECONDS = 2   # how often a page of a running execution reloads itself
LISTED = 200          # executions on the list, most recent first
_REFRESH = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">'
_STYLE = """body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
th,td{text-align:left;padding:.3em .8em;border-bottom:1px solid #ddd}th{background:#f4f4f4}
.SUCCEEDED{color:#1a7f37}.FAILED,.TIMED_OUT{color:#cf222e}.ABORTED{color:#9a6700}.RUNNING{color:#0969da}"""


def execution_path(arn: str) -> str:
    """The page of one execution (its ARN quoted whole, `:` and `/` included)."""
    return "/executions/" + quote(arn, safe="")


def page(service: Any, path: str) -> tuple[int, str] | None:
    """(HTTP status, HTML) of the page at `path`; None when no page lives there."""
    route = urlsplit(path).path
    try:
        if route == "/":
            return 200, list_page(service)
        if route.startswith("/executions/"):
            return execution_page(service, unquote(route[len("/executions/"):]))
    except SfnError as exc:   # a damaged store: said on the page, not as a dropped connection
        return 500, _document("sfn · error", f"<h1>Error</h1><p>{escape(str(exc))}</p>")
    return None


def list_page(service: Any) -> str:
    """Every execution the store holds (the most recent LISTED), each linking to its report."""
    rows = service.db.executions(LISTED)
    running = any(row.get("status") == "RUNNING" for row in rows)
    body = ["<h1>Executions</h1>"]
    if not rows:
        body.append("<p>No executions yet.</p>")
    else:
        body.append("<table><thead><tr><th>Name</th><th>State machine</th><th>Status</th><th>Started</th>"
                    "<th>Duration</th></tr></thead><tbody>")
        for row in rows:
            status = str(row.get("status") or "")
            body.append(
                f'<tr><td><a href="{escape(execution_path(str(row["arn"])))}">{escape(str(row.get("name")))}</a></td>'
                f'<td>{escape(str(row.get("machine") or ""))}</td><td class="{escape(status)}">{escape(status)}</td>'
                f'<td>{escape(str(row.get("started_at") or ""))}</td>'
                f'<td>{escape(_duration(row.get("started_at"), row.get("stopped_at")))}</td></tr>')
        body.append("</tbody></table>")
    return _document("sfn · executions", "\n".join(body), refresh=running)


def execution_page(service: Any, arn: str) -> tuple[int, str]:
    """The report of one execution, reloading itself while it runs; 404 for an ARN the store does not hold."""
    from ..report.builder import build_report

    try:
        found = service.db.find_execution(arn) if arn else None
    except SfnError:    # a name prefix several executions share: not an ARN
        found = None
    if found is None or found.get("arn") != arn:
        return 404, _document("sfn · not found", f"<h1>Not found</h1><p>No execution {escape(arn)}.</p>"
                              '<p><a href="/">All executions</a></p>')
    try:
        report = build_report(found, _events(service, arn))
    except SfnError as exc:
        return 500, _document("sfn · no report", f"<h1>No report</h1><p>{escape(str(exc))}</p>"
                              '<p><a href="/">All executions</a></p>')
    if found.get("status") == "RUNNING":
        report = report.replace("<head>", "<head>\n" + _REFRESH, 1)
    return 200, report


def _events(service: Any, arn: str) -> list[dict]:
    """A running execution's events so far, else the stored history (GetExecutionHistory's shape, ISO times)."""
    from .executions import _live_events

    handle = service.runner.handle(arn)
    if handle is not None and handle.interpreter is not None:
        return _live_events(handle.interpreter.history)
    return service.db.events(arn)


def _duration(start: Any, stop: Any) -> str:
    try:
        begun = datetime.datetime.fromisoformat(str(start))
        ended = datetime.datetime.fromisoformat(str(stop)) if stop else None
    except ValueError:
        return ""
    if ended is None:
        return ""
    return f"{(ended - begun).total_seconds():.3f}s"


def _document(title: str, body: str, refresh: bool = False) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">{_REFRESH if refresh else ""}'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n")
