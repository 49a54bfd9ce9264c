"""`sfn executions`, `sfn history`, `sfn messages`: what past runs left in the store."""

from __future__ import annotations

import datetime
import json
import sys
from types import SimpleNamespace

import click

from ..safe_text import json_text, safe
from ..store_option import open_existing, store_option

# SQLite's INTEGER is 64-bit: a larger LIMIT cannot even be passed to it.
MAX_LIMIT = 2**63 - 1


def _limit(value: int | None, least: int = 1) -> int | None:
    # Checked here rather than by click.IntRange, whose help would print SQLite's bound in full.
    if value is not None and not least <= value <= MAX_LIMIT:
        raise click.BadParameter(f"must be a whole number of at least {least}" if value < least else
                                 f"at most {MAX_LIMIT} (SQLite's largest LIMIT)")
    return value


def _open(store_path: str | None, write: bool = False):
    # Reading only by default: a store that cannot be written is still opened (interrupted runs are not marked in it).
    return open_existing(store_path, write=write)


def _tsv(fields: list[str]) -> str:
    """One line of tab-separated fields; a tab, newline or backslash inside a field is escaped, other
    control characters (an escape sequence in a name or body) shown as `\\xNN`."""
    return "\t".join(safe(f.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))
                     for f in fields)


def _console():
    """A console that prints stored names and bodies as they are (no [markup] or :emoji: in them)."""
    from rich.console import Console

    return Console(markup=False, emoji=False)


@click.command()
@store_option()
@click.option("--limit", type=int, default=20, metavar="N", callback=lambda ctx, param, value: _limit(value),
              help="How many, most recent first (default 20).")
@click.option("--output", "output_format", type=click.Choice(["table", "json"]), default="table")
@click.option("--prune", is_flag=True,
              help="Remove executions instead of listing them (the default retention, or --keep / --older-than) "
                   "and give the space back to the file system.")
@click.option("--keep", type=int, metavar="N", callback=lambda ctx, param, value: _limit(value, 0),
              help="With --prune: keep only the N most recent executions.")
@click.option("--older-than", metavar="DURATION",
              help="With --prune: remove the executions that started more than DURATION ago (90d, 12h, 1w2d, 30m).")
def executions(store_path: str | None, limit: int, output_format: str, prune: bool, keep: int | None,
               older_than: str | None) -> None:
    """List past executions, most recent first; or prune them.

    \b
    Every `sfn run` keeps its execution, then applies the store's retention:
    executions that started more than 90 days ago are removed (AWS keeps a
    closed execution 90 days), and when the file grows past SFN_STORE_MAX_MB
    (default 100; 0: no size bound) the oldest go until the rest fill 80% of
    that, and the space is given back. Running executions, and the run just
    recorded, are never removed. `--prune` applies the same now (or --keep /
    --older-than, each a limit that holds) and rewrites the file to give all
    free space back.

    \b
    Examples:
      sfn executions --limit 5
      sfn executions --prune --keep 100
      sfn executions --prune --older-than 7d
    """
    if not prune and (keep is not None or older_than is not None):
        raise click.UsageError("--keep and --older-than go with --prune")
    if prune:
        _prune(store_path, output_format, keep, older_than)
        return
    rows = _open(store_path).executions(limit)
    if output_format == "json":
        click.echo(json_text(rows, indent=1))
        return
    if not sys.stdout.isatty():
        # Piped: one tab-separated line per run, whole names (for `sfn history NAME`).
        for row in rows:
            click.echo(_tsv([row["name"], row["machine"], row["status"], row["error"] or "", row["started_at"]]))
        return
    from rich.table import Table

    table = Table("Name", "Machine", "Status", "Error", "Started")
    table.columns[0].overflow = "fold"  # a name is what `sfn history` takes: never cut it
    for row in rows:
        table.add_row(*(safe(cell) for cell in (row["name"], row["machine"], row["status"], row["error"] or "",
                                                 row["started_at"])))
    _console().print(table)


def _prune(store_path: str | None, output_format: str, keep: int | None, older_than: str | None) -> None:
    """`sfn executions --prune`: what was removed and the file's size before and after."""
    from asl.store import Retention, parse_duration

    try:
        age = parse_duration(older_than) if older_than is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--older-than'") from None
    retention = Retention(keep=keep, max_age=age) if keep is not None or age is not None else Retention.default()
    store = _open(store_path, write=True)
    pruned = store.prune(retention)
    if output_format == "json":
        click.echo(json.dumps({"removed": pruned.removed, "bytes_before": pruned.file_bytes_before,
                               "bytes_after": pruned.file_bytes_after}))
        return
    plural = "" if pruned.removed == 1 else "s"
    click.echo(f"removed {pruned.removed} execution{plural}; {store.path} is {_megabytes(pruned.file_bytes_after)} "
               f"(was {_megabytes(pruned.file_bytes_before)})")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


@click.command()
@click.argument("execution")
@store_option()
@click.option("--output", "output_format", type=click.Choice(["trace", "json"]), default="trace",
              help='trace: as `sfn run` prints it; json: {"events": [...]} as GetExecutionHistory returns it.')
@click.option("--trace", "as_trace", is_flag=True, help="Print the trace, as `sfn run` does (the default).")
def history(execution: str, store_path: str | None, output_format: str, as_trace: bool = False) -> None:
    """Print the history of EXECUTION (its ARN, name, or a unique prefix of its name).

    \b
    The trace is the one `sfn run` prints: branches and iterations as a tree,
    caught errors with the state they went to, retries with their attempt and
    backoff, and the status, duration and state transitions at the end.

    \b
    Exit codes: 0 found; 2 no store, no such execution (or several a prefix matches), or a damaged store.
    """
    from asl.errors import UserInputError

    if as_trace and output_format == "json":
        raise click.UsageError("--trace prints the trace; --output json the events: give one")
    store = _open(store_path)
    found = store.find_execution(execution)
    if found is None:
        raise UserInputError(f"no execution '{execution}' in {store.path}")
    events = store.iter_events(found["arn"])  # streamed: a long history is never one list or string
    if output_format == "json":
        from asl.history import write_aws_json

        from ..safe_text import SafeWriter

        write_aws_json(events, SafeWriter(sys.stdout), ensure_ascii=False)
        return
    from ..render import TraceRenderer

    renderer = TraceRenderer(machine=_machine(found.get("definition")))
    for event in events:
        renderer.on_event(_as_event(event))
    renderer.finish(SimpleNamespace(status=found["status"], output=found["output"], error=found["error"],
                                    cause=found["cause"]))


def _as_event(event: dict) -> SimpleNamespace:
    """A GetExecutionHistory event back in the shape the trace renderer reads."""
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
    if details is not None:
        details = {k: _parsed(v) if k in ("input", "output") else v for k, v in details.items()}
    stamp = datetime.datetime.fromisoformat(event["timestamp"])
    return SimpleNamespace(id=event["id"], previous_id=event.get("previousEventId"), type=event["type"],
                           timestamp=stamp, details=details)


def _machine(definition: str | None):
    """The stored definition, built (the trace reads its Retry limits); None when it cannot be."""
    if not definition:
        return None
    from asl.api import machine_from_definition
    from asl.errors import SfnError

    try:
        return machine_from_definition(definition, validate=False)
    except (SfnError, TypeError, AttributeError, KeyError, ValueError, RecursionError):
        return None  # the trace still prints, without "of N" on retries


def _parsed(text):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


@click.command()
@click.argument("target", required=False)
@click.option("--execution", metavar="ID", help="Only messages sent by this execution (ARN, name or name prefix).")
@store_option()
@click.option("--output", "output_format", type=click.Choice(["table", "json"]), default="table")
def messages(target: str | None, execution: str | None, store_path: str | None, output_format: str) -> None:
    """List the messages SNS topics and SQS queues received (TARGET: one topic or queue name).

    \b
    Examples:
      sfn messages                       every message
      sfn messages order-events --output json
    """
    from asl.errors import UserInputError

    store = _open(store_path)
    arn = None
    if execution is not None:
        found = store.find_execution(execution)
        if found is None:
            raise UserInputError(f"no execution '{execution}' in {store.path}")
        arn = found["arn"]
    rows = store.messages(target, arn)
    if output_format == "json":
        click.echo(json_text(rows, indent=1))
        return
    if not sys.stdout.isatty():
        # Piped: one tab-separated line per message, nothing cut (as `sfn executions` prints).
        for row in rows:
            click.echo(_tsv([row["sent_at"], row["service"], row["target"], row["message_id"], row["body"],
                             row["state_name"] or ""]))
        return
    from rich.table import Table

    table = Table("Sent", "Service", "Target", "Message id", "Body", "State")
    for row in rows:
        body = row["body"] if len(row["body"]) <= 60 else row["body"][:57] + "..."
        table.add_row(*(safe(cell) for cell in (row["sent_at"], row["service"], row["target"], row["message_id"][:8],
                                                 body, row["state_name"] or "")))
    _console().print(table)
