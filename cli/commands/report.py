"""`sfn report EXECUTION`: one stored run as a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from asl.errors import SfnError


@click.command()
@click.argument("execution")
@click.option("-o", "--output", "output_file", metavar="FILE.html",
              help="Where to write the page (default: EXECUTION-NAME.html in the current folder).")
@click.option("--store", "store_path", metavar="PATH",
              help="The store (default: .sfn/sfn.db in the current folder, where `sfn run` keeps a definition's runs).")
def report(execution: str, output_file: str | None, store_path: str | None) -> None:
    """Write an HTML report of EXECUTION (its ARN, name, or a unique prefix of its name): summary, the
    graph coloured by the run, a timeline of every state, the events, each state's input and output.

    \b
    The page is one file that works offline: nothing is fetched.
    \b
    Examples:
      sfn report my-run -o my-run.html
      sfn report 3f2a --store samples/order/.sfn/sfn.db
    \b
    Exit codes: 0 written; 2 no store, no such execution, or a damaged store.
    """
    from asl.report.builder import build_report
    from .graph import fail, read_execution

    try:
        found, events = read_execution(Path(store_path) if store_path else Path(".sfn") / "sfn.db", execution)
        page = build_report(found, events)
    except SfnError as exc:
        fail(exc)
    target = Path(output_file) if output_file else Path(_safe(found["name"]) + ".html")
    target.write_text(page, encoding="utf-8")
    click.echo(f"wrote {target}", err=True)


def _safe(name: str) -> str:
    """An execution name as a file name (names may hold characters no file system takes)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120] or "execution"
