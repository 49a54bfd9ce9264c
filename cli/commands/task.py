"""`sfn task success|failure|heartbeat TOKEN`: answer a waiting `.waitForTaskToken` Task from another terminal.

The answer goes into the store the running `sfn run` records into (by default the same per-user
store, from any folder); the run polls it and goes on.
"""

from __future__ import annotations

import json

import click

from asl.errors import SfnError
from ..safe_text import json_text, safe
from ..store_option import open_existing, store_option

STORE_OPTION = store_option("The store of the waiting run")


@click.group()
def task() -> None:
    """Answer Tasks waiting for a callback (.waitForTaskToken), as SendTaskSuccess / Failure / Heartbeat do.

    \b
    Exit codes: 0 answered; 1 the Task is not waiting (TaskDoesNotExist, or TaskTimedOut: it
    ended or was answered already); 2 bad usage, no store, a malformed token (InvalidToken) or
    output that is not JSON (InvalidOutput).

    \b
    Examples:
      sfn task list
      sfn task success TOKEN --output '{"approved": true}'
      sfn task failure TOKEN --error Rejected --cause "over budget"
      sfn task heartbeat TOKEN
    """


def _answer(send, token: str, store_path: str | None, **kwargs) -> None:
    """Send one answer; AWS's refusal (a TaskTokenError) reaches the CLI's one error report, exit 1 or 2."""
    store = open_existing(store_path, write=True)
    try:
        send(token, store=store, **kwargs)
    finally:
        store.close()


@task.command()
@click.argument("token")
@click.option("--output", "output_json", required=True, metavar="JSON", help="The Task's output, as JSON text.")
@STORE_OPTION
def success(token: str, output_json: str, store_path: str | None) -> None:
    """SendTaskSuccess: the Task waiting on TOKEN succeeds with --output."""
    from asl.callbacks import send_task_success
    from asl.errors import INVALID_OUTPUT, TaskTokenError

    from asl.loader import parse_json_value

    try:
        output = parse_json_value(output_json, "--output")
    except SfnError as exc:
        raise TaskTokenError(INVALID_OUTPUT, f"Invalid Output: '{exc}'") from None
    _answer(send_task_success, token, store_path, output=output)


@task.command()
@click.argument("token")
@click.option("--error", metavar="NAME", help="The error name (what Retry and Catch match).")
@click.option("--cause", metavar="TEXT", help="A description of the failure.")
@STORE_OPTION
def failure(token: str, error: str | None, cause: str | None, store_path: str | None) -> None:
    """SendTaskFailure: the Task waiting on TOKEN fails with --error and --cause."""
    from asl.callbacks import send_task_failure

    _answer(send_task_failure, token, store_path, error=error, cause=cause)


@task.command()
@click.argument("token")
@STORE_OPTION
def heartbeat(token: str, store_path: str | None) -> None:
    """SendTaskHeartbeat: the Task waiting on TOKEN is still being worked on (HeartbeatSeconds restarts)."""
    from asl.callbacks import send_task_heartbeat

    _answer(send_task_heartbeat, token, store_path)


@task.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Answered and closed tokens too, not only the waiting ones.")
@STORE_OPTION
@click.option("--output", "output_format", type=click.Choice(["table", "json"]), default="table")
def list_tokens(show_all: bool, store_path: str | None, output_format: str) -> None:
    """List the task tokens Tasks are waiting on (their execution and state)."""
    store = open_existing(store_path)
    try:
        rows = store.task_tokens(None if show_all else "PENDING")
    finally:
        store.close()
    if output_format == "json":
        click.echo(json_text([{k: r[k] for k in ("token", "execution_arn", "state_name", "status", "created_at")}
                              for r in rows], indent=1))
        return
    if not rows:
        click.echo("no Task is waiting for a callback" if not show_all else "no task tokens")
        return
    for row in rows:
        execution = (row["execution_arn"] or "").rsplit(":", 1)[-1]
        click.echo(safe(f"{row['token']}  {row['status']:<9} {row['state_name'] or ''}  ({execution})"))
