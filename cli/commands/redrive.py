"""`sfn redrive`: continue a failed, timed-out or aborted execution of the store from where it stopped."""

from __future__ import annotations

import json
import sys

import click

from ..store_option import store_option


@click.command()
@click.argument("execution")
@click.option("--output", "output_format", type=click.Choice(["trace", "json"]), default=None,
              help="trace: the states as they run (default on a terminal); json: one JSON object.")
@click.option("--clock", type=click.Choice(["fast", "real", "virtual"]), default="fast", show_default=True,
              help="As `sfn run --clock`.")
@click.option("--resources", "resources_file", metavar="FILE",
              help="Resources file mapping Task resources to Python handlers (default: the one the run used).")
@click.option("--mock-config", metavar="FILE",
              help="Step Functions Local mock configuration (default: the one the run used); needs --test-case.")
@click.option("--test-case", metavar="NAME", help="Test case of the mock configuration.")
@click.option("--s3-dir", metavar="DIR", help="A folder standing in for Amazon S3 (default: the run's).")
@click.option("--callback-wait", type=click.FloatRange(min=0, max=86400), default=2.0, show_default=True,
              metavar="SECONDS", help="As `sfn run --callback-wait`.")
@store_option("The store the execution was recorded in")
def redrive(execution: str, output_format: str | None, clock: str, resources_file: str | None,
            mock_config: str | None, test_case: str | None, s3_dir: str | None, callback_wait: float,
            store_path: str | None = None) -> None:
    """Redrive EXECUTION (its name, a unique prefix of it, or its ARN), as AWS's RedriveExecution.

    \b
    The run goes on from the state that did not succeed, with the same definition and input;
    states that succeeded are not run again (in a Parallel or Map, only the branches and
    iterations that failed run again). Its history is appended to the execution's.
    Without options, the resources file, mock test case and S3 folder are the ones the run used.

    \b
    Exit codes: 0 SUCCEEDED; 1 FAILED, TIMED_OUT or ABORTED; 2 it could not be redriven
    (no such execution, or one AWS would not redrive: SUCCEEDED, RUNNING, ...).
    """
    from asl.api import redrive_execution

    from ..store_option import open_existing
    from ..waits import WaitNotes, WatchedClock
    from asl.interp.clock import make_clock

    if (mock_config is None) != (test_case is None):
        raise click.UsageError("--mock-config and --test-case go together")
    if output_format is None:
        output_format = "trace" if sys.stdout.isatty() else "json"
    store = open_existing(store_path, write=True)
    try:
        options = store.redrive_source(execution) or {}
        recorded = options.get("options") or {}
        if mock_config is None and "mock_config" in recorded:
            mock_config, test_case = recorded["mock_config"], recorded.get("test_case")
        listeners = []
        renderer = None
        if output_format == "trace":
            from ..render import TraceRenderer

            renderer = TraceRenderer()
            listeners.append(renderer.on_event)
        notes = WaitNotes(clock, renderer.note if renderer else _say_on_stderr,
                          ["--store", str(store.path)] if store_path else [], callback_wait, stderr=renderer is None)
        listeners.append(notes.on_event)
        result = redrive_execution(execution, store=store, resources=resources_file or recorded.get("resources"),
                                   mocks=(mock_config, test_case) if mock_config is not None else None,
                                   clock=WatchedClock(make_clock(clock), notes.on_wait), listeners=listeners,
                                   callback_wait=callback_wait, on_callback=notes.on_callback,
                                   s3_dir=s3_dir or recorded.get("s3_dir"))
    finally:
        store.close()
    if result.store_error is not None:
        click.echo(f"sfn: warning: {result.store_error}", err=True)
    if renderer is not None:
        renderer.finish(result)
    else:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    sys.exit(0 if result.status == "SUCCEEDED" else 1)


def _say_on_stderr(text: str) -> None:
    click.echo("sfn: " + text, err=True)
