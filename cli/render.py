"""Rich renderables for the execution trace: a consumer of history events, no logic of its own."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.text import Text

_STYLE = {"SUCCEEDED": "bold green", "FAILED": "bold red", "TIMED_OUT": "bold yellow", "ABORTED": "bold yellow"}


def _cause_text(cause: Any) -> str:
    """A Lambda-shaped JSON cause shows as its message; other causes as they are."""
    if isinstance(cause, str) and cause.startswith("{"):
        try:
            parsed = json.loads(cause)
        except ValueError:
            return cause
        if isinstance(parsed, dict) and "errorMessage" in parsed:
            return str(parsed["errorMessage"])
    return "" if cause is None else str(cause)


def _short(value: Any, limit: int = 100) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TraceRenderer:
    """Prints each state as it is entered and exited, with elapsed time and collapsed data."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self.start = None
        self.entered: dict[str, Any] = {}
        self.depth = 0

    def on_event(self, event: Any) -> None:
        """Listener called by the interpreter for every history event."""
        if self.start is None:
            self.start = event.timestamp
        elapsed = (event.timestamp - self.start).total_seconds()
        kind = event.type
        details = event.details or {}
        stamp = f"[dim]{elapsed:8.3f}s[/dim] "
        indent = "  " * self.depth
        if kind.endswith("StateEntered"):
            self.entered[details.get("name")] = event.timestamp
            self.console.print(Text.from_markup(
                f"{stamp}{indent}[cyan]▶ {details.get('name')}[/cyan] [dim]{kind[:-12]}[/dim]  ")
                + Text(_short(details.get("input")), style="dim"))
        elif kind.endswith("StateExited"):
            began = self.entered.get(details.get("name"), event.timestamp)
            took = (event.timestamp - began).total_seconds()
            line = Text.from_markup(f"{stamp}{indent}[green]✔ {details.get('name')}[/green] [dim]({took:.3f}s)[/dim]  ")
            line.append(_short(details.get("output")))
            if details.get("assignedVariables"):
                line.append("  vars " + _short(details["assignedVariables"]), style="magenta")
            self.console.print(line)
        elif kind in ("MapIterationStarted", "ParallelStateStarted", "MapStateStarted"):
            self.depth += 1 if kind != "MapIterationStarted" else 0
        elif kind in ("MapStateSucceeded", "MapStateFailed", "ParallelStateSucceeded", "ParallelStateFailed"):
            self.depth = max(self.depth - 1, 0)
        elif kind.endswith("Failed") or kind.endswith("TimedOut"):
            if kind.startswith("Execution"):
                return
            error = details.get("error")
            self.console.print(Text.from_markup(f"{stamp}{indent}[red]✖ {kind}[/red] ") +
                               Text(f"{error}: {_cause_text(details.get('cause'))}"[:200], style="red"))
        elif kind in ("TaskScheduled", "LambdaFunctionScheduled"):
            target = details.get("resource")
            if details.get("resourceType"):
                target = f"{details['resourceType']}:{target}"
            self.console.print(Text.from_markup(f"{stamp}{indent}  [dim]→ {target}[/dim]"))

    def finish(self, result: Any) -> None:
        """Print the final status and output (or error and cause)."""
        style = _STYLE.get(result.status, "bold")
        self.console.print(Text(f"\n{result.status}", style=style))
        if result.status == "SUCCEEDED":
            self.console.print_json(json.dumps(result.output))
        elif result.error is not None or result.cause is not None:
            self.console.print(Text(f"{result.error}: {_cause_text(result.cause)}", style="red"))
