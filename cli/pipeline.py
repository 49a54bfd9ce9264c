"""Rich rendering of a TestState response as its data flow: input -> each stage -> output.

A consumer of the response `sfn test-state` prints as JSON: no logic beyond laying it out. Each
stage AWS reported is one line with its value collapsed to the terminal's width; the status,
the next state or the error and cause close the pipeline.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.text import Text

from .safe_text import safe, safe_lines

# inspectionData members in the order the state applies them, with the field each one reflects.
STAGES = (("input", "input"), ("afterInputPath", "InputPath"), ("afterItemsPath", "ItemsPath"),
          ("afterItemsPointer", "ItemsPointer"), ("afterItemSelector", "ItemSelector"),
          ("afterItemBatcher", "ItemBatcher"), ("afterParameters", "Parameters"), ("afterArguments", "Arguments"),
          ("result", "result"), ("afterResultSelector", "ResultSelector"), ("afterResultPath", "ResultPath"))
# The Map's settings as AWS evaluated them, shown beside the stages.
SETTINGS = (("maxConcurrency", "MaxConcurrency"), ("toleratedFailureCount", "ToleratedFailureCount"),
            ("toleratedFailurePercentage", "ToleratedFailurePercentage"))
_STATUS_STYLE = {"SUCCEEDED": "bold green", "FAILED": "bold red", "RETRIABLE": "bold yellow",
                 "CAUGHT_ERROR": "bold magenta"}
_LABEL = 16  # width of the stage-name column


def _collapsed(text: Any, width: int) -> str:
    """A JSON-text member as one compact line (cut before rich measures it: values can be megabytes)."""
    if not isinstance(text, str):
        return json.dumps(text)
    try:
        text = json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        pass
    return safe(text[:width + 1])


def render_pipeline(response: dict, console: Console) -> None:
    """Print a TestState response (or `{"error": {code, message}}`) as a pipeline of stages."""
    width = max(console.width, 40)
    if "status" not in response and isinstance(response.get("error"), dict):
        error = response["error"]
        console.print(Text.assemble(("✗ refused ", "bold red"), (safe(error.get("code")), "red")))
        console.print(Text(safe_lines(error.get("message"))), soft_wrap=True)
        return
    data = response.get("inspectionData") or {}
    rows = [(label, data[key]) for key, label in STAGES if key in data]
    if "output" in response:
        rows.append(("output", response["output"]))
    elif not rows:
        rows.append(("input", None))
    for i, (label, value) in enumerate(rows):
        line = Text("  " if i == 0 else "→ ", style="dim")
        line.append(f"{label:<{_LABEL}}", style="cyan" if label not in ("input", "output") else "bold cyan")
        line.append(_collapsed(value, width) if value is not None else "(not shown at INFO)", style="dim" if
                    value is None else "")
        line.truncate(width, overflow="ellipsis")
        console.print(line, no_wrap=True)
    settings = [f"{label} {data[key]}" for key, label in SETTINGS if key in data]
    if settings:
        console.print(Text("  " + " · ".join(settings), style="dim"), no_wrap=True)
    status = str(response.get("status"))
    line = Text.assemble(("● ", _STATUS_STYLE.get(status, "bold")), (status, _STATUS_STYLE.get(status, "bold")))
    if response.get("nextState") is not None:
        line.append("  next → ", style="dim")
        line.append(safe(response["nextState"]), style="cyan")
    console.print(line)
    if response.get("error") is not None:
        console.print(Text.assemble(("  error ", "dim"), (safe(response["error"]), "red")), soft_wrap=True)
    if response.get("cause") is not None:
        console.print(Text.assemble(("  cause ", "dim"), safe_lines(response["cause"])), soft_wrap=True)
    details = data.get("errorDetails")
    if details:
        shown = safe(", ".join(f"{k} {v}" for k, v in details.items()))
        console.print(Text("  " + shown, style="dim"), soft_wrap=True)
    if "variables" in data:
        line = Text("  variables ", style="dim")
        line.append(_collapsed(data["variables"], width))
        line.truncate(width, overflow="ellipsis")
        console.print(line, no_wrap=True)
