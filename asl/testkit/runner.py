"""What the pytest fixture and `sfn test` share: definitions loaded once, mocks written in Python,
runs through `asl.api.run_machine` with coverage recorded, and TestState with Python values.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserInputError
from ..loader import Document, load_text
from ..model import StateMachine
from .coverage import Coverage
from .execution import Execution


@dataclass
class Loaded:
    """A definition parsed and built once: its machine, document, label (for coverage) and name."""

    machine: StateMachine
    document: Document
    label: str
    name: str | None
    path: Path | None = None


class Runner:
    """Runs definitions (files or dicts) for tests; every run's coverage goes into `coverage`."""

    def __init__(self, coverage: Coverage | None = None, root: str | Path | None = None) -> None:
        self.coverage = coverage
        self.root = Path(root) if root is not None else None
        self._loaded: dict[Any, Loaded] = {}

    def load(self, definition: Any) -> Loaded:
        """A definition file (JSON, YAML, a CloudFormation / SAM template) or a dict / Loaded, built once."""
        if isinstance(definition, Loaded):
            return definition
        if isinstance(definition, dict):
            text = json.dumps(definition, sort_keys=True)
            found = self._loaded.get(text)
            if found is None:
                from ..definition import compile_document

                digest = hashlib.sha1(text.encode()).hexdigest()[:8]
                label = f"<definition {digest}>"
                document = load_text(text, label)
                found = self._loaded[text] = Loaded(compile_document(document, True, text), document, label, None)
            return found
        if not isinstance(definition, (str, Path)):
            raise UserInputError(f"a definition is a file path or a dict, not {type(definition).__name__}")
        path = Path(definition).resolve()
        try:
            key = (str(path), path.stat().st_mtime_ns)
        except OSError as exc:
            raise UserInputError(f"{definition}: cannot read the definition: {exc.strerror}") from None
        found = self._loaded.get(key)
        if found is None:
            from ..cloudformation import load_runnable

            runnable = load_runnable(path)
            name = runnable.name or path.name.split(".")[0]
            found = self._loaded[key] = Loaded(runnable.machine, runnable.document, self._label(path), name, path)
        return found

    def _label(self, path: Path) -> str:
        root = self.root or Path.cwd()
        try:
            return os.path.relpath(path, root) if path.is_relative_to(root) else str(path)
        except ValueError:
            return str(path)

    def run(self, definition: Any, input: Any = None, *, mocks: dict | None = None,
            mock_config: str | Path | None = None, test_case: str | None = None, resources: Any = None,
            clock: Any = "virtual", execution_type: str = "STANDARD", name: str | None = None) -> Execution:
        """Run a definition once and return the Execution; a Task that nothing answers fails only when reached."""
        from ..api import run_machine

        loaded = self.load(definition)
        if (mock_config is None) != (test_case is None):
            raise UserInputError("mock_config and test_case go together")
        provider = self._provider(loaded, mocks, mock_config, test_case, name)
        if resources is None and loaded.path is not None:
            from ..resources.config import find_resources

            resources = find_resources(loaded.path)  # as `sfn run` finds it
        recorder = self.coverage.recorder(loaded.machine, loaded.label) if self.coverage is not None else None
        result = run_machine(loaded.machine, input, name=name or loaded.name or "StateMachine",
                             resources=resources, mocks=provider, clock=clock,
                             execution_type=execution_type, source=loaded.document, strict=False,
                             on_start=recorder.attach if recorder is not None else None)
        return Execution(result, loaded.label)

    def _provider(self, loaded: Loaded, mocks: dict | None, mock_config: Any, test_case: str | None,
                  name: str | None) -> Any:
        """One MockProvider for a MockConfigFile test case and Python mocks (these win per state)."""
        from ..resources.compose import task_states
        from ..resources.mocks import MockProvider, load_mock_config

        if mocks is None and mock_config is None:
            return None
        states: dict = {}
        machine, case, where = "", "mocks", None
        if mock_config is not None:
            config = load_mock_config(mock_config)
            names = [n for n in (name, loaded.name) if n]
            if len(config.machines) == 1:  # a definition without a name of its own may use the only one
                names.append(next(iter(config.machines)))
            case_provider = config.test_case(names or ["StateMachine"], test_case)
            states.update(case_provider.states)
            machine, case, where = case_provider.machine, case_provider.case, case_provider.location
        if mocks is not None:
            python = python_mocks(mocks)
            tasks = sorted(state.name for state in task_states(loaded.machine))
            unknown = sorted(set(python) - set(tasks))
            if unknown:
                raise UserInputError(f"mocks name '{unknown[0]}', which is not a Task state of {loaded.label} "
                                     f"(Task states: {', '.join(tasks) or 'none'})")
            states.update(python)
        return MockProvider(states, machine, case, where)

    def test_state(self, definition: Any, input: Any = None, *, resources: Any = None, **request: Any) -> dict:
        """AWS's TestState with Python values: the response dict, its JSON text members parsed."""
        from ..api import test_state
        from ..testing.test_state import _TEXT_MEMBERS

        if isinstance(definition, Path) or (isinstance(definition, str) and not definition.lstrip().startswith("{")
                                            and os.path.isfile(definition)):
            from ..loader import read_text

            definition = load_text(read_text(definition), str(definition)).data
        request["definition"] = definition if isinstance(definition, str) else json.dumps(definition)
        if input is not None:
            request["input"] = input if isinstance(input, str) else json.dumps(input)
        for member in ("variables", "context"):
            if member in request and not isinstance(request[member], str):
                request[member] = json.dumps(request[member])
        mock = request.get("mock")
        if isinstance(mock, dict) and "result" in mock and not isinstance(mock["result"], str):
            request["mock"] = {**mock, "result": json.dumps(mock["result"])}
        response = test_state(request, resources=resources)
        if isinstance(response.get("output"), str):
            response["output"] = _parsed(response["output"])
        data = response.get("inspectionData")
        if isinstance(data, dict):
            response["inspectionData"] = {k: _parsed(v) if k in _TEXT_MEMBERS and isinstance(v, str) else v
                                          for k, v in data.items()}
        return response

    test_state.__test__ = False  # not a pytest test


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def python_mocks(mocks: Any) -> dict:
    """`{"State": {"Return": v}}` (every invocation) or per attempt `{"State": {"0": {"Throw": {...}},
    "1-2": {"Return": v}}}` -> MockedResponse per state, checked as a MockConfigFile's are."""
    from ..resources.mocks import parse_mock_config

    if not isinstance(mocks, dict):
        raise UserInputError("mocks: a dict of state name -> {'Return': ...}, {'Throw': {...}} or attempts "
                             "{'0': ..., '1': ...}")
    every = []
    responses = {}
    for state, spec in mocks.items():
        if isinstance(spec, dict) and len(spec) == 1 and next(iter(spec)) in ("Return", "Throw"):
            every.append(state)
            spec = {"0": spec}
        elif isinstance(spec, dict):
            spec = {str(k): v for k, v in spec.items()}
            if spec and not any(k[:1].isdigit() for k in spec):
                raise UserInputError(f"mocks: '{state}' must be {{'Return': ...}}, {{'Throw': {{'Error': ..., "
                                     f"'Cause': ...}}}} or attempts {{'0': ..., '1-2': ...}} "
                                     f"(found: {', '.join(spec)})")
        responses[str(state)] = spec
    try:
        text = json.dumps({"MockedResponses": responses})
    except (TypeError, ValueError) as exc:
        raise UserInputError(f"mocks: not JSON values: {exc}") from None
    try:
        config = parse_mock_config(load_text(text, "mocks"))
    except UserInputError as exc:
        raise UserInputError(f"mocks: {exc.message}") from None
    for state in every:  # one answer for every invocation (retries, re-entries, Map iterations)
        response = config.responses[state]
        response.ranges = [(0, sys.maxsize, response.ranges[0][2])]
    return config.responses
