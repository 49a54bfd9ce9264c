"""The one place a run's Task providers are assembled, in the order they are asked, and checked before the run.

Order: a mock test case (it answers the states it lists, whatever their resource), the local
handlers, the SNS, SQS and S3 stubs, HTTP Tasks (allowed endpoints only), nested executions, then the SDK's SendTask* actions. A new
service stub is one module beside sns.py / sqs.py, one section in config.py and one line here.

The providers' modules (stubs, HTTP, handlers' workers) load when a Task first needs them: a
machine without Tasks, or one the run never reaches, pays nothing for them.
"""

from __future__ import annotations

import threading
from dataclasses import field
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..record import record
from ..aws import ACTIVITY
from ..errors import Location, UserInputError
from ..model.states import MapState, ParallelState, StateMachine, TaskState
from . import Dispatcher
from .config import ResourcesConfig
from .messages import MessageLog

if TYPE_CHECKING:
    from .mocks import MockProvider


@record
class Services:
    """What a run's Tasks reach: the dispatcher, and the message log the stubs write to."""

    dispatcher: Dispatcher
    messages: MessageLog
    config: ResourcesConfig
    pending: list = field(default_factory=list)   # handler imports build_services(wait=False) left going

    def ready(self) -> None:
        """Wait for the handlers' imports still going (a UserInputError at the first handler that fails)."""
        pending, self.pending = self.pending, []
        failure = None
        for collect in pending:
            try:
                collect()   # each one's workers go back to the pool, whatever the others did
            except Exception as exc:
                failure = failure or exc
        if failure is not None:
            raise failure

    @classmethod
    def of(cls, *providers: Any) -> "Services":
        """Services answering with these providers only (each has `invoke(call)`, optionally `can_handle`)."""
        return cls(Dispatcher(list(providers)), MessageLog(), ResourcesConfig())

    def with_mocks(self, mocks: MockProvider | None) -> "Services":
        """The same providers with a mock test case asked first (or these services, without one)."""
        if mocks is None:
            return self
        return Services(Dispatcher([mocks, *self.for_child().providers]), self.messages, self.config)

    def for_child(self) -> Dispatcher:
        """A child execution's providers: the same, but a mock test case names the parent's states only."""
        from .mocks import MockProvider

        return self.dispatcher.without(MockProvider)


class LazyDispatcher(Dispatcher):
    """A Dispatcher whose providers are built one by one, when a call first reaches each (once, whatever the thread).

    A Task the local handlers answer never builds (nor imports) the stubs asked after them.
    """

    def __init__(self, factories: list[Callable[[], Any]]) -> None:
        self._lock = threading.Lock()
        super().__init__()               # whatever else a Dispatcher holds (its empty `providers` set below)
        self._factories = list(factories)

    @property
    def providers(self) -> list[Any]:
        """The providers, in the order they are asked (all of them built)."""
        for _ in self.each():
            pass
        return self._built

    @providers.setter
    def providers(self, value: list[Any]) -> None:
        self._built, self._factories = list(value), []

    def each(self) -> Iterator[Any]:
        """The providers in order, each built when first reached."""
        index = 0
        while True:
            if index == len(self._built):
                with self._lock:   # a Map's threads may ask at once: they must share one set of stubs
                    if index == len(self._built):
                        if index >= len(self._factories):
                            return
                        self._built.append(self._factories[index]())
            yield self._built[index]
            index += 1


def build_services(config: ResourcesConfig, mocks: MockProvider | None = None, wait: bool = True) -> Services:
    """Import the configured handlers (a bad one fails now, naming its place); each provider is built when asked.

    wait=False: their workers import them while the caller goes on; Services.ready() waits for them."""
    messages = MessageLog()
    specs = config.subscriber_specs()
    built: dict[str, Any] = {}

    def local(which: int) -> Any:
        # The Tasks' handlers, and the subscribers' and consumers' (keys never clash with Tasks').
        if "local" not in built:
            from .local import LocalHandlers

            built["local"] = LocalHandlers(config.handlers, config.base_dir), LocalHandlers({}, config.base_dir)
        return built["local"][which]

    pending = []
    if config.handlers or specs:
        pending = [local(0).load(), local(1).load(specs)]

    def sqs() -> Any:
        if "sqs" not in built:
            from .sqs import SqsStub

            built["sqs"] = SqsStub(config.queues, messages, local(1))
        return built["sqs"]

    def sns() -> Any:
        from .sns import SnsStub

        return SnsStub(config.topics, sqs(), messages, local(1))

    def s3() -> Any:
        from .s3 import S3Stub

        return S3Stub()

    def http() -> Any:
        from .http import HttpProvider

        return HttpProvider(config.http)

    def nested() -> Any:
        from .nested import NestedExecutions

        return NestedExecutions(config.machines)

    def task_tokens() -> Any:
        from .nested import TaskTokenApi

        return TaskTokenApi()

    factories = [lambda: local(0), sns, sqs, s3, http, nested, task_tokens]
    services = Services(LazyDispatcher(([lambda: mocks] if mocks is not None else []) + factories), messages, config,
                        pending)
    if wait:
        services.ready()
    return services


class Problem(str):
    """Why a state cannot run, and the state's JSON pointer (to name its line and column)."""

    pointer: str

    def __new__(cls, message: str, state: Any) -> "Problem":
        problem = super().__new__(cls, message)
        problem.pointer = state.pointer
        return problem


def check_before_run(machine: StateMachine, services: Services, where: Location, every_task: bool = True,
                     express: bool = False, locate: Callable[[str], Location] | None = None,
                     s3: bool = False) -> None:
    """Refuse what cannot run, before it starts: one UserInputError naming the first problem.

    every_task=False (a mock test case, or a test of one path): a Task no provider answers may be
    off the path the run takes; only reaching it fails the run (States.Runtime, naming the state).
    locate(pointer): FILE:LINE:COLUMN of a state in the definition (else the error names `where`).
    s3: a local folder stands in for S3 (ItemReader / ResultWriter can run).
    """
    problems = [] if s3 else unsupported_fields(machine) + s3_tasks(machine, services.dispatcher)
    if express:
        problems = express_problems(machine) + problems
    if every_task:
        problems += missing_providers(machine, services.dispatcher)
    if problems:
        raise UserInputError(problems[0], locate(problems[0].pointer) if locate else where)
    # A machine the definition may start must be able to run too (its Tasks without the mocks).
    specs = {id(s): s for s in services.config.machines.values()}.values()
    children = services.for_child() if specs else None
    for spec in specs:
        problems = missing_providers(spec.machine, children)
        if problems:
            raise UserInputError(problems[0], text_locator(spec.text, str(spec.path))(problems[0].pointer))


def text_locator(text: str, file: str) -> Callable[[str], Location]:
    """FILE:LINE:COLUMN of a JSON pointer in a definition's text, read only when asked (an error's path)."""
    def locate(ptr: str) -> Location:
        from ..loader import load_text

        try:
            position = load_text(text, file).source_map.key(ptr)
        except UserInputError:
            position = None
        return Location(file, position.line, position.column) if position else Location(file)
    return locate


def all_states(machine: StateMachine) -> Iterator[Any]:
    """Every state, in branches and item processors too."""
    for state in machine.states.values():
        yield state
        if isinstance(state, ParallelState):
            for branch in state.branches:
                yield from all_states(branch)
        elif isinstance(state, MapState) and state.processor is not None:
            yield from all_states(state.processor)


def task_states(machine: StateMachine) -> Iterator[TaskState]:
    """Every Task state, in branches and item processors too."""
    return (state for state in all_states(machine) if isinstance(state, TaskState))


def unsupported_fields(machine: StateMachine) -> list[Problem]:
    """Fields sfn cannot run faithfully: said before the run rather than run differently."""
    problems = []
    for state in all_states(machine):
        if isinstance(state, MapState):
            writer = state.result_writer
            exported = writer if writer is not None and writer.resource is not None else None
            for field, value in (("ItemReader", state.item_reader), ("ResultWriter", exported)):
                if value is not None:
                    problems.append(Problem(f"state '{state.name}': {field} reads or writes Amazon S3, which sfn "
                                            f"reaches only through a local folder: give one with --s3-dir DIR "
                                            f"(SFN_S3_DIR), or the items in the input (ItemsPath / Items)", state))
    return problems


def s3_tasks(machine: StateMachine, dispatcher: Dispatcher) -> list[Problem]:
    """Task states only the S3 stub answers: without a local folder they cannot run."""
    problems = []
    for state in task_states(machine):
        provider = dispatcher.answering(state.name, state.resource, getattr(state.parameters, "root", None))
        if getattr(provider, "needs_s3_folder", False):
            problems.append(Problem(f"state '{state.name}': {state.resource} reaches Amazon S3, which sfn "
                                    f"stands in for with a local folder: give one with --s3-dir DIR "
                                    f"(SFN_S3_DIR), or mock the state (--mock-config)", state))
    return problems


def missing_providers(machine: StateMachine, dispatcher: Dispatcher) -> list[Problem]:
    """One message per Task state no provider can answer."""
    problems = []
    for state in task_states(machine):
        raw = getattr(state.parameters, "root", None)
        problem = dispatcher.missing(state.name, state.resource, raw)
        if problem:
            problems.append(Problem(problem, state))
    return problems


def express_problems(machine: StateMachine) -> list[Problem]:
    """What an Express workflow cannot run: only request-response integrations, no Distributed Map.

    The guide's comparison of workflow types: Express supports neither the job-run (`.sync`) nor the
    callback (`.waitForTaskToken`) pattern, nor activities or Distributed Map.
    """
    problems = []
    for state in all_states(machine):
        if isinstance(state, TaskState):
            resource = state.resource
            if resource.job or resource.callback:
                pattern = ".sync" if resource.job else ".waitForTaskToken"
                problems.append(Problem(f"state '{state.name}': an Express workflow cannot wait with {pattern} "
                                        f"({resource.arn}); only Standard workflows can", state))
            elif resource.kind == ACTIVITY:
                problems.append(Problem(f"state '{state.name}': an Express workflow cannot run activities "
                                        f"({resource.arn})", state))
        elif isinstance(state, MapState) and state.mode == "DISTRIBUTED":
            problems.append(Problem(f"state '{state.name}': an Express workflow cannot run a Distributed Map",
                                    state))
    return problems
