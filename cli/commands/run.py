"""`sfn run`: execute a definition locally and print a trace or one JSON object."""

from __future__ import annotations

import json
import os
import sys

import click

from asl.errors import Location, SfnError, UserInputError
from .. import collector
from ..safe_text import json_text, safe
from ..store_option import store_option
from ..writable import check_writable


def _read_input(input_json: str | None, input_file: str | None):
    from asl.deepjson import finite_float
    from asl.interp.dataflow import PAYLOAD_LIMIT, json_size
    from asl.loader import INPUT_LIMIT, decode_text, parse_json_value, read_text, too_long

    if input_json is not None and input_file is not None:
        raise click.UsageError("give --input or --input-file, not both")
    # StartExecution's length limit is checked on the text before it is parsed (or read whole).
    if input_file == "-":
        data = sys.stdin.buffer.read(4 * INPUT_LIMIT + 1)
        if len(data) > 4 * INPUT_LIMIT:
            raise too_long("input", INPUT_LIMIT, Location("<stdin>"))
        text = decode_text(data, "<stdin>")
        name = "<stdin>"
    elif input_file is not None:
        name, text = input_file, read_text(input_file, INPUT_LIMIT, "input")
    elif input_json is not None:
        name, text = "--input", input_json
    else:
        return {}
    if len(text) > INPUT_LIMIT:
        raise too_long("input", INPUT_LIMIT, Location(name), len(text))
    floats = False

    def parse_float(number: str) -> float:
        nonlocal floats
        floats = True
        return finite_float(number)

    value = parse_json_value(text, name, parse_float=parse_float)
    size = json_size(value, floats=floats)
    if size > PAYLOAD_LIMIT:
        # StartExecution refuses it: an execution's input is at most 256 KiB, like any payload.
        raise UserInputError(f"the execution input is {size} bytes as JSON; AWS accepts at most "
                             f"{PAYLOAD_LIMIT} (256 KiB)", Location(name))
    return value


@click.command()
@click.argument("definition", type=click.Path(dir_okay=False))
@click.option("--input", "input_json", metavar="JSON", help="Execution input as JSON text.")
@click.option("--input-file", metavar="FILE|-", help="Read the execution input from a file (- for stdin).")
@click.option("--output", "output_format", type=click.Choice(["trace", "json"]), default=None,
              help="trace: the states as they run (default on a terminal); json: one JSON object.")
@click.option("--clock", type=click.Choice(["fast", "real", "virtual"]), default="fast", show_default=True,
              help="fast: Wait states and Retry intervals pass at once (the clock moves on by them), a callback "
                   "Task waits in real time for its answer; real: everything waits; virtual: nothing does, "
                   "a callback waits --callback-wait real seconds.")
@click.option("--history-out", metavar="FILE", help='Write the history as {"events": [...]} (GetExecutionHistory).')
@click.option("--name", metavar="NAME",
              help="State machine name (default: the file's stem, without `.asl`: order.asl.json -> order).")
@click.option("--execution-name", metavar="NAME", help="Execution name (default: a UUID).")
@click.option("--execution-type", type=click.Choice(["STANDARD", "EXPRESS"], case_sensitive=False),
              default="STANDARD", show_default=True,
              help="EXPRESS: `$$.Execution` as an Express workflow sees it (express ARN, no RedriveCount).")
@click.option("--resources", "resources_file", metavar="FILE",
              help="Resources file mapping Task resources to Python handlers "
                   "(default: resources.yaml beside the definition).")
@click.option("--no-validate", is_flag=True, help="Skip validation before running.")
@click.option("--mock-config", metavar="FILE",
              help="Step Functions Local mock configuration (MockConfigFile.json); needs --test-case.")
@click.option("--test-case", metavar="NAME",
              help="Test case of the mock configuration: its states answer with the mocked responses.")
@store_option("Where the run is recorded, for `sfn executions`, `sfn history`, `sfn task`")
@click.option("--no-store", is_flag=True, help="Keep nothing after the run.")
@click.option("--callback-wait", type=click.FloatRange(min=0, max=86400), default=2.0, show_default=True,
              metavar="SECONDS", callback=lambda ctx, param, value: _finite(value, "--callback-wait"),
              help="With --clock virtual: real seconds a .waitForTaskToken Task waits for an answer before its "
                   "HeartbeatSeconds / TimeoutSeconds run out on the simulated clock.")
@click.option("--state-machine", "state_machine", metavar="ID",
              help="A template's state machine to run, by logical id (needed when it has several).")
@click.option("--parameter", "parameters", metavar="KEY=VALUE", multiple=True,
              help="A template's DefinitionSubstitutions value, Fn::Sub variable or parameter (repeatable).")
@click.option("--parameters-file", metavar="FILE",
              help="--parameter values from a JSON / YAML mapping (or CloudFormation's ParameterKey list).")
@click.option("--s3-dir", metavar="DIR", envvar="SFN_S3_DIR", show_envvar=True,
              help="A folder standing in for Amazon S3 (DIR/<bucket>/<key> is s3://bucket/key): a Distributed "
                   "Map's ItemReader reads it and its ResultWriter writes there.")
def run(definition: str, input_json: str | None, input_file: str | None, output_format: str | None,
        clock: str, history_out: str | None, name: str | None, execution_name: str | None,
        execution_type: str,
        resources_file: str | None, no_validate: bool, mock_config: str | None = None,
        test_case: str | None = None, store_path: str | None = None, no_store: bool = False,
        callback_wait: float = 2.0, state_machine: str | None = None, parameters: tuple[str, ...] = (),
        parameters_file: str | None = None, s3_dir: str | None = None) -> None:
    """Run DEFINITION (JSON or YAML, or a state machine of a CloudFormation / SAM template).

    \b
    Exit codes: 0 SUCCEEDED; 1 FAILED, TIMED_OUT or ABORTED; 2 it could not start
    (usage error, unreadable or invalid definition, bad input JSON) or --history-out
    could not be written.

    \b
    Examples:
      sfn run samples/approval/approval.asl.json --input-file samples/approval/input.json
      sfn run machine.asl.yaml --input '{"n": 3}' --output json --clock virtual
      sfn run LambdaSQSIntegration.json --mock-config MockConfigFile.json --test-case HappyPath
      sfn run template.yaml --state-machine OrderFlow --parameter FnArn=arn:aws:lambda:...
    """
    if (mock_config is None) != (test_case is None):
        raise click.UsageError("--mock-config and --test-case go together")
    if execution_name is not None:
        from asl.store import check_execution_name

        check_execution_name(execution_name, "--execution-name")  # before anything runs
    if output_format is None:
        output_format = "trace" if sys.stdout.isatty() else "json"
    listeners = []
    renderer = None
    from asl.resources.config import find_resources

    resources = resources_file or find_resources(definition)
    # The handlers' worker starts first: its Python start-up runs on another core while sfn imports its
    # engine and reads the definition (a spare nobody takes ends below).
    spare = _prestart(resources)
    try:
        from asl.api import run_machine
        from asl.cloudformation import load_runnable, parse_parameters

        runnable = load_runnable(definition, validate=not no_validate, state_machine=state_machine,
                                 parameters=parse_parameters(parameters, parameters_file))
        if output_format == "trace":
            from ..render import TraceRenderer

            renderer = TraceRenderer(machine=runnable.machine)   # the machine: its Retry limits
            listeners.append(renderer.on_event)
        # The machine's name: --name, a template's name for it, else the file's stem without `.asl`.
        machine_name = name or runnable.name or os.path.splitext(os.path.basename(definition))[0].removesuffix(".asl")
        execution_input = _read_input(input_json, input_file)
        if history_out is not None:
            check_writable(history_out, "the history")
        store = None if no_store else _open_store(store_path)
        from asl.interp.clock import make_clock
        from ..waits import WaitNotes, WatchedClock

        notes = WaitNotes(clock, renderer.note if renderer else _say_on_stderr, _store_args(store, store_path),
                          callback_wait, stderr=renderer is None,
                          attempt=renderer.attempt_label if renderer else None)
        if renderer is not None or clock == "real":
            # Otherwise (JSON output, simulated waits) the notes say nothing of a Wait or a retry, and a
            # callback's note names its own state: a listener would only slow every event down.
            listeners.append(notes.on_event)
        result = run_machine(runnable.machine, execution_input, name=machine_name,
                             resources=resources,
                             mocks=(mock_config, test_case) if mock_config is not None else None,
                             store=store, clock=WatchedClock(make_clock(clock), notes.on_wait), listeners=listeners,
                             execution_name=execution_name, execution_type=execution_type.upper(),
                             callback_wait=callback_wait, on_callback=notes.on_callback,
                             source=runnable.document, definition_text=runnable.text if store else None,
                             s3_dir=s3_dir, options=_options(resources, mock_config, test_case, s3_dir),
                             # start-up ends as the interpreter starts: the execution's garbage is collected
                             on_start=lambda interpreter: collector.resume())
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        if not no_validate:
            raise  # with validation, this is sfn's bug: the top level reports it
        from asl.errors import UnvalidatedDefinitionError

        raise UnvalidatedDefinitionError(definition, exc) from None
    finally:
        if spare is not None:
            from asl.resources.process import POOL

            POOL.discard(spare)
    if result.store_error is not None:  # the result the user ran for is still printed, the exit code kept
        click.echo(safe(f"sfn: warning: {result.store_error}"), err=True)
    history_written = True
    if history_out is not None:
        try:
            from asl.history import write_aws_json

            with open(history_out, "w", encoding="utf-8") as out:  # streamed, event by event
                write_aws_json(result.history.iter_aws(), out)
        except OSError as exc:
            click.echo(f"sfn: {history_out or repr(history_out)}: cannot write history: {exc.strerror}", err=True)
            history_written = False
    if renderer is not None:
        renderer.finish(result)
    else:
        click.echo(json_text(result.as_dict()))
    if not history_written:
        sys.exit(2)
    sys.exit(0 if result.status == "SUCCEEDED" else 1)


run.resumes_collector = True  # as the execution starts (on_start above), not before its start-up


def _prestart(resources):
    """A spare handler worker for this resources file (None without one: the worker's module is not even imported)."""
    if resources is None:
        return None
    from asl.resources.process import prestart_for

    return prestart_for(resources)


def _options(resources, mock_config: str | None, test_case: str | None, s3_dir: str | None) -> dict:
    """What `sfn redrive` needs to run the execution again the same way (absolute paths)."""
    def absolute(path):
        return os.path.realpath(path) if path is not None else None

    found = {"resources": absolute(resources), "mock_config": absolute(mock_config), "test_case": test_case,
             "s3_dir": absolute(s3_dir)}
    return {key: value for key, value in found.items() if value is not None}


def _finite(value: float, option: str) -> float:
    """FloatRange lets NaN through (every comparison with it is false)."""
    if value != value:
        raise click.BadParameter("nan is not a number of seconds", param_hint=option)
    return value


def _open_store(store_path: str | None):
    """The store asked for (an error if it cannot be opened), or the default one if it can be."""
    from asl.store import Store, default_file

    if store_path is not None:
        return Store(store_path)
    path = default_file()  # a link there is refused, not skipped
    try:
        return Store(path)
    except SfnError as exc:
        # A definition in a read-only folder still runs; only its recording is skipped.
        click.echo(f"sfn: warning: {exc}; running without a store (--no-store silences this)", err=True)
        return None


def _say_on_stderr(text: str) -> None:
    click.echo("\n".join(safe("sfn: " + line if i == 0 else line) for i, line in enumerate(text.split("\n"))),
               err=True)


def _store_args(store, store_path: str | None) -> list[str] | None:
    """What `sfn task success` needs to reach this run's store from another terminal (None: no store)."""
    if store is None:
        return None
    from asl.store import STORE_VARIABLE

    # The other terminal has the same default store, unless this one's came from an option or $SFN_STORE.
    return ["--store", store.file] if store_path or os.environ.get(STORE_VARIABLE) else []
