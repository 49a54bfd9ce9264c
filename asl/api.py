"""The library's front door, and the one composition root of an execution.

    from asl.api import load_machine, run_machine
    _, machine = load_machine("order.asl.json")
    result = run_machine(machine, {"orderId": "42"}, resources="resources.yaml", store=".sfn/sfn.db")

Every execution starts in `run_machine` (the CLI, the library, tests) and every child execution
a Task starts goes through `_Run.execute` too: one place builds the providers, checks what cannot
run, records executions in the store and runs the interpreter.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

from .definition import compile_document, load_machine
from .errors import Location, SfnError, UserInputError
from .loader import Document, load_text
from .model import StateMachine
from .runtime import CallbackOptions

if TYPE_CHECKING:  # annotations only: pathlib (with urllib.parse) is ~4 ms of a run's start
    from pathlib import Path

__all__ = ["compile_document", "load_machine", "machine_from_definition", "redrive_execution", "run_machine",
           "test_state"]


def machine_from_definition(definition: dict | str, validate: bool = True) -> StateMachine:
    """Build a machine from a dict or JSON/YAML text (for tests and embedding)."""
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return compile_document(load_text(text, "<definition>"), validate, text)


def run_machine(machine: StateMachine, input: Any = None, *, name: str = "StateMachine",
                resources: Any = None, mocks: tuple[str | Path, str] | Any = None, store: Any = None,
                clock: str | Any = "virtual", listeners: list[Callable] | None = None,
                execution_name: str | None = None, execution_type: str = "STANDARD",
                callback_wait: float = 2.0, source: str | Path | Document | None = None,
                definition_text: str | None = None, strict: bool = True,
                on_start: Callable[[Any], None] | None = None,
                on_callback: Callable[[str, str | None, Any], None] | None = None,
                s3_dir: str | Path | None = None, options: dict | None = None):
    """Run one execution to its end and return its ExecutionResult (history included).

    resources: a resources file (path), a parsed ResourcesConfig, or Services built from one (to keep
    the SNS / SQS message log across runs and read it afterwards: `services.messages`); mocks: (MockConfigFile, test case),
    or a asl.resources.mocks.MockProvider built by the caller;
    store: an asl.store.Store or a path to one (None: nothing recorded); clock: "virtual", "real" or
    a clock object; source: the definition's file (or its loaded Document, as load_machine returns
    it), named in errors and used to find the machine in the mock file. Problems found before the
    run raise UserInputError, at the state's line and column; nothing has run then.
    strict=False: a Task that nothing answers fails only if the run reaches it (States.Runtime naming
    it), as with a mock test case, so a test of one path needs providers for that path alone.
    on_start: called with the Interpreter before it runs and before the store records the run, so a
    caller can adjust `interpreter.info` (role, ARN parts) and keep a handle to `abort()` it.
    on_callback(token, state name, deadline): told when a `.waitForTaskToken` Task starts waiting for
    an answer (to show the token to whoever can answer it).
    s3_dir: a folder standing in for Amazon S3 (asl.s3local), read and written by a Distributed Map's
    ItemReader and ResultWriter; without it a definition that uses them is refused before the run.
    options: how the run was started (resources file, mocks, ...), recorded for `redrive_execution`'s caller.
    """
    run = _Run(name, resources, mocks, store, CallbackOptions(None, callback_wait, on_wait=on_callback), source,
               execution_type.upper() == "EXPRESS", strict, s3_dir)
    try:
        run.check(machine)
        return run.execute(machine, {} if input is None else input, name, execution_name, clock, listeners,
                           definition_text, on_start=on_start, options=options)
    finally:
        run.close()


def redrive_execution(execution: str, *, store: Any, resources: Any = None,
                      mocks: tuple[str | Path, str] | None = None, clock: str | Any = "virtual",
                      listeners: list[Callable] | None = None, callback_wait: float = 2.0, strict: bool = True,
                      on_start: Callable[[Any], None] | None = None,
                      on_callback: Callable[[str, str | None, Any], None] | None = None,
                      s3_dir: str | Path | None = None, machine: StateMachine | None = None):
    """Redrive a FAILED, TIMED_OUT or ABORTED execution recorded in `store` (ARN or name); its ExecutionResult.

    As AWS's RedriveExecution: the same definition, input and ARN; the history goes on (ExecutionRedriven,
    then the unsuccessful state entered again with its input); the steps that succeeded are not run again.
    ApiError ExecutionDoesNotExist / ExecutionNotRedrivable (DescribeExecution's reason) before anything
    runs. The other options are run_machine's; machine: the definition compiled already (else the
    stored one is).
    """
    from .errors import ApiError
    from .interp import redrive

    own = not hasattr(store, "start_execution")
    if own:
        from .store import Store

        store = Store(store)
    try:
        found = store.redrive_source(execution)
        if found is None:
            raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{execution}'",
                           Location(str(store.path)))
        reason = redrive.record_refusal(found)
        if reason is not None:
            raise ApiError("ExecutionNotRedrivable", reason, Location(str(store.path)))
        if machine is None:
            machine = machine_from_definition(found["definition"], validate=False)
        run = _Run(found["machine"], resources, mocks, store, CallbackOptions(None, callback_wait, on_wait=on_callback),
                   None, False, strict, s3_dir)
        try:
            run.check(machine)
            return run.redrive(machine, found, clock, listeners, on_start)
        finally:
            run.close()
    finally:
        if own:
            store.close()


def test_state(request: dict, *, resources: Any = None) -> dict:
    """AWS's TestState, offline: one request (wire member names) -> its response dict.

    A Task tested without a mock calls what `run_machine` would call with these resources. AWS's
    refusals raise asl.testing.test_state.TestStateRefusal (its code and message).
    """
    from .testing.test_state import test_state as answer

    run = _Run("StateMachine", resources, None, None, CallbackOptions(None, 2.0), None, True)
    try:
        run.services.ready()
        return answer(request, run.services.dispatcher)
    finally:
        run.close()


test_state.__test__ = False  # a library function, not a pytest test


class _Run:
    """What one `run_machine` call builds once and shares with the child executions its Tasks start."""

    def __init__(self, name: str, resources: Any, mocks: tuple[str | Path, str] | None, store: Any,
                 callbacks: Any, source: str | Path | Document | None, express: bool, strict: bool = True,
                 s3_dir: str | Path | None = None) -> None:
        from .resources.compose import Services, build_services
        from .resources.config import ResourcesConfig, load_resources

        document = source if isinstance(source, Document) else None
        source = document.file if document is not None else source
        self.where = Location(str(source) if source is not None else "<definition>")
        self.document = document
        self.express = express
        self.strict = strict
        if s3_dir is not None:
            from .s3local import S3Folder

            s3_dir = S3Folder(s3_dir)  # a bad folder is a one-line error before the run
        self.s3 = s3_dir
        if mocks is None or isinstance(mocks, tuple):
            self.mock_provider = _mock_provider(mocks, name, source) if mocks is not None else None
        else:  # a provider the caller built (asl.testing: mocks written in Python)
            self.mock_provider = mocks
        if isinstance(resources, Services):
            self.services = resources.with_mocks(self.mock_provider)
        else:
            config = resources if isinstance(resources, ResourcesConfig) else load_resources(resources)
            # The handlers' workers import them while the store opens; check() waits for them.
            self.services = build_services(config, self.mock_provider, wait=False)
        self.own_store = store is not None and not hasattr(store, "start_execution")
        if self.own_store:
            from .store import Store

            store = Store(store)
        self.store = store
        callbacks.store = store
        self.callbacks = callbacks

    def check(self, machine: StateMachine) -> None:
        """Refuse before the run what cannot run (one UserInputError)."""
        from .resources.compose import check_before_run, task_states

        self.services.ready()
        if self.mock_provider is not None:
            unknown = self.mock_provider.unknown_states({state.name for state in task_states(machine)})
            if unknown:
                raise _mock_error(self.mock_provider, unknown[0], self.where)
        check_before_run(machine, self.services, self.where,
                         every_task=self.strict and self.mock_provider is None, express=self.express,
                         locate=self._locate, s3=self.s3 is not None)

    def _locate(self, pointer: str) -> Location:
        """FILE:LINE:COLUMN of a part of the definition (its source map is built only now, for an error)."""
        from .resources.compose import text_locator

        if self.document is not None:
            position = self.document.source_map.key(pointer)
            return Location(self.document.file, position.line, position.column) if position else self.where
        if self.where.file == "<definition>":
            return self.where
        from .loader import read_text

        try:
            return text_locator(read_text(self.where.file), self.where.file)(pointer)
        except UserInputError:
            return self.where

    def execute(self, machine: StateMachine, input: Any, name: str, execution_name: str | None, clock: Any,
                listeners: list[Callable] | None, definition_text: str | None, depth: int = 0,
                arn_parts: tuple[str, str] | None = None, on_start: Callable[[Any], None] | None = None,
                options: dict | None = None):
        """Run one execution (top-level or child) to its end, recorded in the store when there is one."""
        from .interp.clock import make_clock
        from .interp.context import ExecutionInfo
        from .interp.machine import Interpreter
        from .runtime import RunEnvironment

        clock = make_clock(clock) if isinstance(clock, str) else clock
        info = ExecutionInfo(machine_name=name, express=self.express and depth == 0)
        if execution_name:
            info.name = execution_name
        if arn_parts is not None:
            info.region, info.account = arn_parts
        dispatcher = self.services.dispatcher if depth == 0 else self.services.for_child()
        env = RunEnvironment(dispatcher, self.store, self.callbacks, depth, self._start_child, self.s3)
        listeners = list(listeners or [])  # the history keeps this list: the recording joins it below
        interpreter = Interpreter(machine, clock=clock, info=info, env=env, listeners=listeners)
        if on_start is not None:
            on_start(interpreter)
        recording = None
        if self.store is not None:
            from .store import Recording

            recording = Recording(self.store, name, info.name, definition_text, input,
                                  self.services.messages if depth == 0 else None,
                                  arn=info.execution_arn, started=clock.now(), options=options)
            # Events reach the store as the run goes: a killed run keeps what it recorded.
            recording.follow(interpreter.history)
        result = interpreter.run(input)
        if recording is not None:
            try:
                recording.finish(result)
            except SfnError as exc:  # the run's result stands; its caller says the store missed it
                result.store_error = exc
        return result

    def redrive(self, machine: StateMachine, found: dict, clock: Any, listeners: list[Callable] | None,
                on_start: Callable[[Any], None] | None) -> Any:
        """Continue a recorded execution (Store.redrive_source's record) to its new end."""
        import datetime

        from .interp import redrive
        from .interp.clock import iso, make_clock
        from .interp.context import ExecutionInfo
        from .interp.machine import Interpreter
        from .runtime import RunEnvironment
        from .store import Recording

        clock = make_clock(clock) if isinstance(clock, str) else clock
        previous = found["history"]
        if getattr(clock, "virtual", False) and previous.last_time is not None:
            clock.advance_to(previous.last_time)  # simulated time goes on from the run's, never back
        started = datetime.datetime.fromisoformat(found["started_at"])
        info = ExecutionInfo(machine_name=found["machine"], name=found["name"], input=found["input"],
                             start_time=iso(started))
        info.region, info.account = found["arn"].split(":")[3:5]
        env = RunEnvironment(self.services.dispatcher, self.store, self.callbacks, 0, self._start_child, self.s3)
        listeners = list(listeners or [])
        interpreter = Interpreter(machine, clock=clock, info=info, env=env, listeners=listeners)
        if on_start is not None:
            on_start(interpreter)
        recording = Recording(self.store, found["machine"], found["name"], None, None, self.services.messages,
                              arn=found["arn"], redriven={**found, "redrive_date": clock.now().isoformat()})
        listeners.append(recording.on_event)
        result = redrive.redrive(interpreter, previous, found["redrive"], found.get("redrive_count", 0) + 1, started)
        try:
            recording.finish(result)
        except SfnError as exc:
            result.store_error = exc
        return result

    def _start_child(self, child: Any) -> Any:
        """RunEnvironment.start_child: a child execution, one level deeper, recorded like the parent."""
        spec = child.spec
        return self.execute(spec.machine, child.input, spec.name, child.name, child.clock, None, spec.text,
                            depth=child.depth, arn_parts=(spec.region, spec.account))

    def close(self) -> None:
        """Close a store this run opened itself."""
        if self.own_store:
            self.store.close()


def _mock_provider(mocks: tuple[str | Path, str], name: str, source: str | Path | None) -> Any:
    """The test case's provider; the machine is looked up by its name, then by the file's stem forms."""
    from pathlib import Path

    from .resources.mocks import load_mock_config

    path, case = mocks
    names = [name]
    if source is not None:
        stem = Path(source).name
        # Step Functions Local keys machines by name; a file "a.asl.json" may be "a.asl" or "a" there.
        names += [n for n in (Path(source).stem, stem.split(".")[0]) if n not in names]
    return load_mock_config(path).test_case(names, case)


def _mock_error(provider: Any, state: str, where: Location) -> Exception:
    from .errors import UserInputError

    return UserInputError(f"test case '{provider.case}' mocks '{state}', which is not a Task state of "
                          f"{where.file}", provider.location)
