"""Rich renderables for the execution trace: a consumer of history events, no logic of its own."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

_STYLE = {"SUCCEEDED": "bold green", "FAILED": "bold red", "TIMED_OUT": "bold yellow", "ABORTED": "bold yellow"}
_OPENS = ("ParallelStateStarted", "MapStateStarted")
_HIGHLIGHT_LIMIT = 100_000  # characters of output the trace colours; longer output is printed plain
_CLOSES = ("MapStateSucceeded", "MapStateFailed", "ParallelStateSucceeded", "ParallelStateFailed")


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


def _compact(value: Any) -> str:
    from asl.deepjson import dumps  # any depth: a value 2,000 levels deep is still printed

    return dumps(value)


class TraceRenderer:
    """Prints each state as it is entered and exited, with elapsed time and collapsed data.

    Every line fits the terminal: data is cut with an ellipsis rather than wrapped.
    """

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self.start = None
        self.entered: dict[str, Any] = {}
        self.depth = 0
        self.elapsed = 0.0

    def _line(self, elapsed: float, head: str, data: str = "", data_style: str = "dim") -> None:
        width = max(self.console.width, 40)
        line = Text.from_markup(f"[dim]{elapsed:8.3f}s[/dim] {'  ' * self.depth}{head}")
        if data:
            line.append("  ")
            # Cut before handing it to rich: measuring megabytes of text only to drop them is slow.
            line.append(data[:width], style=data_style)
        line.truncate(width, overflow="ellipsis")
        self.console.print(line, no_wrap=True)

    def note(self, text: str) -> None:
        """A line (or lines) about the state running now, printed whole: a wake time, a token to answer."""
        first, *rest = text.split("\n")
        indent = " " * 10 + "  " * self.depth
        self.console.print(Text.from_markup(f"[dim]{self.elapsed:8.3f}s[/dim] {'  ' * self.depth}  ")
                           + Text(first, style="yellow"), soft_wrap=True)
        for line in rest:
            self.console.print(Text(indent + line), soft_wrap=True)

    def on_event(self, event: Any) -> None:
        """Listener called by the interpreter for every history event."""
        if self.start is None:
            self.start = event.timestamp
        elapsed = self.elapsed = (event.timestamp - self.start).total_seconds()
        kind = event.type
        details = event.details or {}
        if kind.endswith("StateEntered"):
            name = details.get("name")
            self.entered[name] = event.timestamp
            name = escape(str(name))  # a state name is the user's text, not markup
            self._line(elapsed, f"[cyan]▶ {name}[/cyan] [dim]{kind[:-12]}[/dim]", _compact(details.get("input")))
        elif kind.endswith("StateExited"):
            name = details.get("name")
            took = (event.timestamp - self.entered.get(name, event.timestamp)).total_seconds()
            name = escape(str(name))
            data = _compact(details.get("output"))
            if details.get("assignedVariables"):
                data = f"vars {_compact(details['assignedVariables'])}  {data}"
            self._line(elapsed, f"[green]✔ {name}[/green] [dim]({took:.3f}s)[/dim]", data, "default")
        elif kind in _OPENS:
            self.depth += 1
        elif kind in _CLOSES:
            self.depth = max(self.depth - 1, 0)
            if kind.endswith("Failed"):
                self._line(elapsed, f"[red]✖ {kind[:-6]} failed[/red]")
        elif kind == "ExecutionRedriven":
            self._line(elapsed, f"[yellow]↻ redriven[/yellow] [dim](redrive {details.get('redriveCount')})[/dim]")
        elif kind == "MapIterationStarted":
            self._line(elapsed, f"[dim]· item {details.get('index')}[/dim]")
        elif kind == "MapIterationFailed":
            self._line(elapsed, f"[red]✖ item {details.get('index')} failed[/red]")
        elif kind in ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"):
            target = details.get("resource")
            if details.get("resourceType"):
                target = f"{details['resourceType']}:{target}"
            self._line(elapsed, f"  [dim]→ {escape(str(target))}[/dim]")
        elif kind.endswith("Failed") or kind.endswith("TimedOut"):
            if not kind.startswith("Execution"):
                self._line(elapsed, f"[red]✖ {kind}[/red]",
                           f"{details.get('error')}: {_cause_text(details.get('cause'))}", "red")

    def finish(self, result: Any) -> None:
        """Print the final status and output (or error and cause)."""
        style = _STYLE.get(result.status, "bold")
        self.console.print(Text(f"\n{result.status}", style=style))
        if result.status == "SUCCEEDED":
            try:
                text = json.dumps(result.output, ensure_ascii=False, indent=2)
            except RecursionError:  # too deep to indent: printed compact, as it was stored
                text = _compact(result.output)
            if len(text) > _HIGHLIGHT_LIMIT or text.count("[") + text.count("{") > 400:  # rich would take minutes to colour megabytes
                self.console.file.write(text + "\n")
            else:
                self.console.print_json(text)
        elif result.error is not None or result.cause is not None:
            self.console.print(Text(f"{result.error}: {_cause_text(result.cause)}", style="red"))
