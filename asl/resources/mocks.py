"""AWS Step Functions Local's mock configuration file (MockConfigFile.json), read as it is.

    {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<State>": "<ResponseId>"}}}},
     "MockedResponses": {"<ResponseId>": {"0": {"Return": ...}, "1-2": {"Throw": {"Error", "Cause"}}}}}

A test case answers the Task states it lists with the mocked Return or Throw of each attempt
(zero-based, per state, retries and re-entries included); the states it does not list run for
real. Any resource can be mocked, services sfn does not emulate too.
"""

from __future__ import annotations

import re
from dataclasses import field
from pathlib import Path
from typing import Any

from ..record import record
from ..aws import FUNCTION, Resource, start_execution_response, state_machine_arn
from ..errors import STATES_RUNTIME, Location, StatesError, UserInputError
from ..loader import Document, load_file
from ..source import pointer
from . import NotHandled, TaskCall

_ATTEMPTS = re.compile(r"^(\d+)(?:-(\d+))?$")


@record(frozen=True)
class MockOutcome:
    """What one attempt does: return `value`, or throw `error` / `cause`."""

    returns: bool
    value: Any = None
    error: str | None = None
    cause: str | None = None


@record
class MockedResponse:
    """One entry of MockedResponses: outcomes by inclusive attempt ranges."""

    name: str
    ranges: list[tuple[int, int, MockOutcome]] = field(default_factory=list)
    location: Location | None = None

    def for_attempt(self, attempt: int) -> MockOutcome | None:
        """The outcome of a zero-based attempt, or None when the file gives none."""
        for start, end, outcome in self.ranges:
            if start <= attempt <= end:
                return outcome
        return None

    @property
    def attempts(self) -> int:
        """How many attempts the response covers."""
        return max((end for _, end, _ in self.ranges), default=-1) + 1


@record
class MockConfig:
    """A parsed mock configuration file."""

    document: Document
    machines: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    responses: dict[str, MockedResponse] = field(default_factory=dict)

    def location(self, ptr: str) -> Location:
        """FILE:LINE:COLUMN of a part of the file."""
        pos = self.document.source_map.value(ptr)
        return Location(self.document.file, pos.line if pos else 0, pos.column if pos else 0)

    def machine_key(self, *candidates: str) -> str:
        """The first candidate the file has under StateMachines (UserInputError if none)."""
        for name in candidates:
            if name in self.machines:
                return name
        known = ", ".join(sorted(self.machines)) or "none"
        raise UserInputError(f"no state machine '{candidates[0]}' under StateMachines (known: {known}); "
                             f"name the definition file after it or pass --name", self.location("/StateMachines"))

    def test_case(self, machine: str | list[str], case: str) -> "MockProvider":
        """The provider answering one test case of one machine (UserInputError if either is unknown)."""
        names = [machine] if isinstance(machine, str) else list(machine)
        key = self.machine_key(*names)
        cases = self.machines[key]
        if case not in cases:
            known = ", ".join(sorted(cases)) or "none"
            raise UserInputError(f"state machine '{key}' has no test case '{case}' (known: {known})",
                                 self.location(pointer("StateMachines", key, "TestCases")))
        states = {state: self.responses[rid] for state, rid in cases[case].items()}
        where = self.location(pointer("StateMachines", key, "TestCases", case))
        return MockProvider(states, key, case, where)


class MockProvider:
    """Answers the Task states a test case lists; raises NotHandled for the others."""

    def __init__(self, states: dict[str, MockedResponse], machine: str = "", case: str = "",
                 location: Location | None = None) -> None:
        self.states = states
        self.machine = machine
        self.case = case
        self.location = location

    def can_handle(self, state_name: str, resource: Resource, parameters: Any) -> bool:
        """Whether the test case mocks this state."""
        return state_name in self.states

    def unknown_states(self, task_names: set[str]) -> list[str]:
        """States the test case lists that are not Task states of the definition."""
        return sorted(name for name in self.states if name not in task_names)

    def invoke(self, call: TaskCall) -> Any:
        """The mocked result of this attempt, or its mocked error."""
        response = self.states.get(call.state_name)
        if response is None:
            raise NotHandled()
        outcome = response.for_attempt(call.attempt)
        if outcome is None:
            # Step Functions Local fails the execution when an invocation has no mocked response.
            raise StatesError(STATES_RUNTIME,
                              f"The mocked response '{response.name}' of test case '{self.case}' has no "
                              f"entry for invocation {call.attempt} of state '{call.state_name}' "
                              f"(it covers {response.attempts})")
        sync = call.resource.api == "states:startExecution" and call.resource.job
        if not outcome.returns:
            error = StatesError(outcome.error, outcome.cause)
            if sync and not outcome.error.startswith(_START_REFUSED):
                # The job's failure: it was submitted first (TaskSubmitted, then TaskFailed, as AWS
                # records a real .sync failure).
                return _submitted_start(call, None, error)
            raise error
        result = mocked_result(call.resource, outcome.value)
        if sync:
            # AWS records StartExecution's response (TaskSubmitted) before the finished execution.
            return _submitted_start(call, result)
        return result


# Errors of the StartExecution call itself (sfn's nested executions name them so): nothing started.
_START_REFUSED = "StepFunctions."


def _submitted_start(call: TaskCall, result: Any, error: StatesError | None = None) -> Any:
    """The mocked execution as a `.sync` start: its ARN and the start time make StartExecution's
    response; the Task then ends with `result`, or fails with `error`."""
    from ..callbacks import Submitted

    arn = result.get("ExecutionArn") if isinstance(result, dict) else None
    if not isinstance(arn, str):  # a mock that leaves it out: the ARN the started execution would have
        params = call.parameters if isinstance(call.parameters, dict) else {}
        machine_arn = str(params.get("StateMachineArn", state_machine_arn("M")))
        arn = f"{machine_arn.replace(':stateMachine:', ':execution:', 1)}:{params.get('Name') or 'mocked'}"

    def finish() -> Any:
        if error is not None:
            raise error
        return result

    return Submitted(start_execution_response(arn, call.env.now()), finish)


def mocked_result(resource: Resource, value: Any) -> Any:
    """A mocked Return as the state's result: a plain Lambda ARN yields the Payload of the invoke response."""
    if resource.kind == FUNCTION:
        if isinstance(value, dict) and "Payload" in value:
            return value["Payload"]
    return value


def load_mock_config(path: str | Path) -> MockConfig:
    """Parse and check a mock configuration file; problems are `FILE:LINE:COLUMN: message`."""
    return parse_mock_config(load_file(path))


def parse_mock_config(document: Document) -> MockConfig:
    """Check a loaded mock configuration (a file's, or one built from Python values by asl.testing)."""
    config = MockConfig(document)
    data = document.data
    where = config.location
    if not isinstance(data, dict):
        raise UserInputError("a mock configuration must be a JSON object with StateMachines and "
                             "MockedResponses", where(""))
    for key in data:
        if key not in ("StateMachines", "MockedResponses"):
            raise UserInputError(f"unknown field '{key}' (expected StateMachines and MockedResponses)",
                                 where(pointer(key)))
    responses = _mapping(config, data.get("MockedResponses", {}), "/MockedResponses", "MockedResponses")
    for rid, raw in responses.items():
        config.responses[rid] = _response(config, rid, raw)
    machines = _mapping(config, data.get("StateMachines", {}), "/StateMachines", "StateMachines")
    for name, raw in machines.items():
        ptr = pointer("StateMachines", name)
        body = _mapping(config, raw, ptr, f"state machine '{name}'")
        for key in body:
            if key != "TestCases":
                raise UserInputError(f"unknown field '{key}' in state machine '{name}' (expected TestCases)",
                                     where(pointer("StateMachines", name, key)))
        cases = _mapping(config, body.get("TestCases", {}), ptr + "/TestCases", "TestCases")
        config.machines[name] = {}
        for case, states in cases.items():
            cptr = pointer("StateMachines", name, "TestCases", case)
            states = _mapping(config, states, cptr, f"test case '{case}'")
            for state, rid in states.items():
                if not isinstance(rid, str):
                    raise UserInputError(f"state '{state}' must name a mocked response (a string)",
                                         where(pointer("StateMachines", name, "TestCases", case, state)))
                if rid not in config.responses:
                    known = ", ".join(sorted(config.responses)) or "none"
                    raise UserInputError(f"state '{state}' names the mocked response '{rid}', which "
                                         f"MockedResponses does not define (known: {known})",
                                         where(pointer("StateMachines", name, "TestCases", case, state)))
            config.machines[name][case] = dict(states)
    return config


def _mapping(config: MockConfig, value: Any, ptr: str, what: str) -> dict:
    if not isinstance(value, dict):
        raise UserInputError(f"{what} must be a JSON object", config.location(ptr))
    return value


def _response(config: MockConfig, rid: str, raw: Any) -> MockedResponse:
    """One mocked response: attempt keys "0" or "1-2", each with exactly one Return or Throw."""
    rptr = pointer("MockedResponses", rid)
    body = _mapping(config, raw, rptr, f"mocked response '{rid}'")
    if not body:
        raise UserInputError(f"mocked response '{rid}' has no attempts (\"0\": {{\"Return\": ...}})",
                             config.location(rptr))
    response = MockedResponse(rid, location=config.location(rptr))
    for key, entry in body.items():
        where = config.location(pointer("MockedResponses", rid, key))
        match = _ATTEMPTS.match(key)
        if match is None:
            raise UserInputError(f"'{key}' is not an attempt number (\"0\") or an inclusive range (\"1-2\")",
                                 where)
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) is not None else start
        if end < start:
            raise UserInputError(f"range '{key}' ends before it starts", where)
        response.ranges.append((start, end, _outcome(config, rid, key, entry)))
    # Attempts run in order, so the ranges must tile 0..n without gaps or overlaps.
    response.ranges.sort(key=lambda r: r[0])
    expected = 0
    for start, end, _ in response.ranges:
        if start != expected:
            problem = "overlaps an earlier range" if start < expected else f"leaves attempt {expected} without a response"
            raise UserInputError(f"mocked response '{rid}': attempt {start} {problem} "
                                 f"(keys must cover 0, 1, 2, ... in order)", response.location)
        expected = end + 1
    return response


def _outcome(config: MockConfig, rid: str, key: str, entry: Any) -> MockOutcome:
    ptr = pointer("MockedResponses", rid, key)
    entry = _mapping(config, entry, ptr, f"attempt '{key}' of '{rid}'")
    fields = set(entry)
    if fields not in ({"Return"}, {"Throw"}):
        raise UserInputError(f"attempt '{key}' of '{rid}' must have exactly one field, Return or Throw "
                             f"(found: {', '.join(sorted(fields)) or 'none'})", config.location(ptr))
    if "Return" in entry:
        return MockOutcome(True, entry["Return"])
    throw = _mapping(config, entry["Throw"], ptr + "/Throw", "Throw")
    for name in throw:
        if name not in ("Error", "Cause"):
            raise UserInputError(f"unknown field '{name}' in Throw (expected Error and Cause)",
                                 config.location(ptr + "/Throw/" + name))
    error, cause = throw.get("Error"), throw.get("Cause")
    if not isinstance(error, str) or not error:
        raise UserInputError("Throw needs an Error (a non-empty string)", config.location(ptr + "/Throw"))
    if cause is not None and not isinstance(cause, str):
        raise UserInputError("Throw's Cause must be a string", config.location(ptr + "/Throw/Cause"))
    return MockOutcome(False, error=error, cause=cause)
