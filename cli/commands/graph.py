"""`sfn graph`: draw a definition (and a run over it, or the change between two versions)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from asl.errors import SfnError
from ..safe_text import safe, safe_lines

if TYPE_CHECKING:
    from asl.graph.marks import Marks
    from asl.graph.model import Graph

FORMATS = ("text", "mermaid", "dot", "svg", "html")
# Roles of asl.graph.text segments -> rich styles.
STYLES = {
    "title": "bold", "name": "bold", "type": "cyan", "detail": "dim", "retry": "yellow", "edge": "",
    "catch": "dark_orange", "count": "bold magenta", "frame": "dim", "note": "italic",
    "succeeded": "bold green", "retried": "bold yellow", "caught": "bold dark_orange", "failed": "bold red",
    "not-entered": "dim", "running": "bold blue", "added": "bold green", "removed": "bold red strike",
    "changed": "bold yellow",
}


def emit(fmt: str, graph: "Graph", marks: "Marks | None") -> str:
    """The graph in one output format, as text."""
    if fmt == "mermaid":
        from asl.graph.mermaid import to_mermaid
        return to_mermaid(graph, marks)
    if fmt == "dot":
        from asl.graph.dot import to_dot
        return to_dot(graph, marks)
    if fmt == "svg":
        from asl.graph.svg import to_svg
        return to_svg(graph, marks)
    if fmt == "html":
        from asl.graph.html import to_html
        return to_html(graph, marks)
    from asl.graph.text import plain, text_lines
    return plain(text_lines(graph, marks))


@click.command()
@click.argument("definition", required=False, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: in the terminal; mermaid / dot: source for those tools; svg: a drawing; "
                   "html: the drawing in a page.")
@click.option("-o", "--output", "output_file", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option("--machine", metavar="NAME",
              help="The state machine of a CloudFormation / SAM template holding several (its logical id).")
@click.option("--diff", nargs=2, metavar="OLD NEW", type=click.Path(dir_okay=False),
              help="One graph of NEW with the states added, removed and changed since OLD.")
@click.option("--execution", metavar="NAME|ARN",
              help="Colour the graph with a stored run: outcomes, transitions taken, the failure.")
@click.option("--store", "store_path", metavar="PATH",
              help="The store of runs (default: .sfn/sfn.db beside the definition, where `sfn run` keeps them).")
def graph(definition: str | None, fmt: str, output_file: str | None, machine: str | None,
          diff: tuple[str, str] | None, execution: str | None, store_path: str | None) -> None:
    """Draw DEFINITION (JSON, YAML, or a CloudFormation / SAM template): states, transitions, Retry,
    Catch, and Map / Parallel as nested groups.

    \b
    Examples:
      sfn graph order.asl.json
      sfn graph order.asl.json --format svg -o order.svg
      sfn graph order.asl.json --execution my-run --format html -o run.html
      sfn graph --diff old/order.asl.json order.asl.json --format mermaid
    \b
    Exit codes: 0 drawn; 2 usage error, unreadable or invalid definition, unknown execution.
    """
    if (definition is None) == (diff is None):
        raise click.UsageError("give DEFINITION, or --diff OLD NEW")
    if diff is not None and execution is not None:
        raise click.UsageError("--execution colours one definition's graph: it does not go with --diff")
    try:
        graph_, marks = _build(definition, machine, diff, execution, store_path)
    except SfnError as exc:
        fail(exc)
    if output_file is not None:
        Path(output_file).write_text(emit(fmt, graph_, marks), encoding="utf-8")
        return
    if fmt == "text" and _is_terminal():
        _print_rich(graph_, marks)
        return
    text = emit(fmt, graph_, marks)
    click.echo(safe_lines(text), nl=False)   # a state name's escape sequence is shown, never sent to the terminal


def _build(definition: str | None, machine: str | None, diff: tuple[str, str] | None, execution: str | None,
           store_path: str | None):
    from asl.graph.model import build_graph
    from asl.graph.source import load_definition

    if diff is not None:
        from asl.graph.diff import diff_graphs

        old_name, old_data = load_definition(diff[0], machine)
        new_name, new_data = load_definition(diff[1], machine)
        return diff_graphs(build_graph(old_data, old_name), build_graph(new_data, new_name))
    name, data = load_definition(definition, machine)
    graph_ = build_graph(data, name)
    if execution is None:
        return graph_, None
    from asl.graph.overlay import overlay
    from asl.store import default_path

    found, events = read_execution(store_path or default_path(), execution)
    return graph_, overlay(graph_, events, found)


def read_execution(store_path: str | Path, ref: str) -> tuple[dict, list[dict]]:
    """(execution row, GetExecutionHistory events) of a stored run; raises UserInputError."""
    from asl.errors import UserInputError
    from .stored import _open

    store = _open(str(store_path))
    found = store.find_execution(ref)
    if found is None:
        raise UserInputError(f"no execution '{ref}' in {store.path}")
    return found, store.events(found["arn"])


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _print_rich(graph_, marks) -> None:
    from rich.console import Console
    from rich.text import Text

    from asl.graph.text import text_lines

    console = Console(markup=False, emoji=False, highlight=False)
    for line in text_lines(graph_, marks):
        text = Text(no_wrap=False)
        for segment, role in line:
            text.append(safe(segment), style=STYLES.get(role, ""))
        console.print(text)


def fail(exc: SfnError) -> None:
    from asl.errors import DefinitionError

    if isinstance(exc, DefinitionError):
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(exc.file), err=True)
    else:
        click.echo(safe_lines(str(exc)), err=True)
    sys.exit(2)
