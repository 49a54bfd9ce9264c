"""Test suites for teams that do not write Python: one YAML (or JSON) file, run by `sfn test`.

    definition: order.asl.json          # paths are relative to the suite file
    resources: resources.yaml           # optional; else the one beside the definition, as `sfn run`
    mock_config: MockConfigFile.json    # optional: cases may name one of its test cases
    mocks:                              # optional, every case: {State: {Return: ...}} or per attempt
      ValidateOrder: {Return: {valid: true}}
    cases:
      declined card:
        input: {orderId: "42"}          # or input_file: FILE
        test_case: PaymentDeclined      # a MockConfigFile test case (optional)
        mocks: {...}                    # this case's, over the suite's
        expect:
          status: FAILED
          error: PaymentDeclined
          cause: ...                    # exact
          output: {...}                 # exact
          output_includes: {...}        # a part of it: the members given, recursively
          path: [ValidateOrder, ChargeCard, Declined]
          entered: [ChargeCard]         # states that must be entered
          not_entered: [Ship]           # states that must not be

A malformed suite is one UserInputError at its FILE:LINE:COLUMN, before anything runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location, SfnError, UserInputError
from ..loader import Document, load_file
from ..source import pointer
from .coverage import Coverage
from .execution import Execution, output_diff, subset_mismatches
from .runner import Runner

_SUITE_KEYS = {"definition", "resources", "mock_config", "mocks", "cases", "execution_type", "name"}
_CASE_KEYS = {"input", "input_file", "test_case", "mocks", "expect"}
_EXPECT_KEYS = {"status", "error", "cause", "output", "output_includes", "path", "entered", "not_entered"}
_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass
class Case:
    """One case of a suite: its input, mocks and expectations."""

    name: str
    input: Any = None
    test_case: str | None = None
    mocks: dict | None = None
    expect: dict = field(default_factory=dict)


@dataclass
class Suite:
    """A parsed suite file."""

    file: str
    name: str
    definition: Path
    cases: list[Case]
    resources: Path | None = None
    mock_config: Path | None = None
    mocks: dict | None = None
    execution_type: str = "STANDARD"


@dataclass
class CaseResult:
    """How one case went: its failures (none: passed), the execution, how long it took."""

    suite: Suite
    case: Case
    failures: list[str]
    execution: Execution | None = None
    seconds: float = 0.0
    error: str | None = None           # the case could not run (a mock or test case sfn refused)

    @property
    def passed(self) -> bool:
        """No failure and no error."""
        return not self.failures and self.error is None


class _Reader:
    """Checks a loaded suite document, each problem at its place."""

    def __init__(self, document: Document) -> None:
        self.document = document

    def where(self, *tokens: str | int) -> Location:
        position = self.document.source_map.value(pointer(*tokens)) if tokens else None
        if position is None and tokens:
            position = self.document.source_map.key(pointer(*tokens))
        return Location(self.document.file, position.line, position.column) if position else \
            Location(self.document.file)

    def fail(self, message: str, *tokens: str | int) -> UserInputError:
        return UserInputError(message, self.where(*tokens))

    def mapping(self, value: Any, what: str, keys: set[str], *tokens: str | int) -> dict:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping", *tokens)
        for key in value:
            if key not in keys:
                raise UserInputError(f"unknown field '{key}' in {what} (expected: {', '.join(sorted(keys))})",
                                     self._key(*tokens, key))
        return value

    def _key(self, *tokens: str | int) -> Location:
        position = self.document.source_map.key(pointer(*tokens))
        return Location(self.document.file, position.line, position.column) if position else self.where(*tokens)

    def string(self, value: Any, what: str, *tokens: str | int) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(f"{what} must be a non-empty string", *tokens)
        return value

    def names(self, value: Any, what: str, *tokens: str | int) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{what} must be a list of state names", *tokens)
        return value


def load_suite(path: str | Path) -> Suite:
    """Read and check a suite file (paths in it resolved against its folder)."""
    document = load_file(path)
    reader = _Reader(document)
    if document.source_map.duplicate_keys():
        ptr = document.source_map.duplicate_keys()[0]
        raise UserInputError(f"'{ptr.rsplit('/', 1)[-1]}' appears more than once",
                             reader.where(*[t for t in ptr.split("/")[1:]]))
    data = reader.mapping(document.data, "a suite", _SUITE_KEYS)
    base = Path(path).parent
    if "definition" not in data:
        raise reader.fail("a suite needs a definition (the state machine file to test)")
    definition = base / reader.string(data["definition"], "definition", "definition")
    if not definition.is_file():
        raise reader.fail(f"no definition file {definition}", "definition")

    def optional_file(key: str) -> Path | None:
        if key not in data:
            return None
        found = base / reader.string(data[key], key, key)
        if not found.is_file():
            raise reader.fail(f"no {key} file {found}", key)
        return found

    execution_type = data.get("execution_type", "STANDARD")
    if execution_type not in ("STANDARD", "EXPRESS"):
        raise reader.fail("execution_type must be STANDARD or EXPRESS", "execution_type")
    suite = Suite(str(path), str(data.get("name") or Path(path).name), definition, [],
                  optional_file("resources"), optional_file("mock_config"),
                  _mocks(reader, data.get("mocks"), "mocks"), execution_type)
    cases = data.get("cases")
    if "cases" in data and not isinstance(cases, dict):
        raise reader.fail("cases must be a mapping of case name -> input and expect", "cases")
    if not cases:
        raise reader.fail("a suite needs cases (a mapping of case name -> input and expect)",
                          *(("cases",) if "cases" in data else ()))
    for name, raw in cases.items():
        suite.cases.append(_case(reader, base, str(name), raw, suite))
    return suite


def _mocks(reader: _Reader, value: Any, *tokens: str | int) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise reader.fail("mocks must map state names to {Return: ...}, {Throw: {Error, Cause}} or "
                          "attempts {'0': ..., '1-2': ...}", *tokens)
    from .runner import python_mocks

    try:
        python_mocks(value)  # checked now, at its place, rather than when a case runs
    except UserInputError as exc:
        raise reader.fail(exc.message, *tokens) from None
    return value


def _case(reader: _Reader, base: Path, name: str, raw: Any, suite: Suite) -> Case:
    at = ("cases", name)
    raw = reader.mapping(raw, f"case '{name}'", _CASE_KEYS, *at)
    case = Case(name, raw.get("input"), mocks=_mocks(reader, raw.get("mocks"), *at, "mocks"))
    if "input_file" in raw:
        if "input" in raw:
            raise reader.fail("give input or input_file, not both", *at, "input_file")
        found = base / reader.string(raw["input_file"], "input_file", *at, "input_file")
        if not found.is_file():
            raise reader.fail(f"no input file {found}", *at, "input_file")
        case.input = load_file(found).data
    if "test_case" in raw:
        case.test_case = reader.string(raw["test_case"], "test_case", *at, "test_case")
        if suite.mock_config is None:
            raise reader.fail("test_case names a test case of the suite's mock_config, which it has none of",
                              *at, "test_case")
    if "expect" not in raw:
        raise reader.fail(f"case '{name}' needs expect (status, output, error, path ...)", *at)
    expect = reader.mapping(raw["expect"], f"expect of case '{name}'", _EXPECT_KEYS, *at, "expect")
    if not expect:
        raise reader.fail("expect is empty: name at least a status", *at, "expect")
    if "status" in expect and expect["status"] not in _STATUSES:
        raise reader.fail(f"status must be one of {', '.join(_STATUSES)}", *at, "expect", "status")
    for key in ("error", "cause"):
        if key in expect and not isinstance(expect[key], str):
            raise reader.fail(f"{key} must be a string", *at, "expect", key)
    for key in ("path", "entered", "not_entered"):
        if key in expect:
            reader.names(expect[key], key, *at, "expect", key)
    case.expect = expect
    return case


def check(case: Case, execution: Execution) -> list[str]:
    """What the execution got wrong of the case's expectations (empty: the case passes)."""
    expect = case.expect
    problems = []
    for key in ("status", "error", "cause"):
        if key in expect and getattr(execution, key) != expect[key]:
            problems.append(f"{key}: expected {expect[key]!r}, got {getattr(execution, key)!r}")
    if "output" in expect:
        # Exact: each contains the other (JSON's equality, where true is not 1).
        if subset_mismatches(expect["output"], execution.output) or \
                subset_mismatches(execution.output, expect["output"]):
            problems.append("output differs:\n" + output_diff(expect["output"], execution.output))
    if "output_includes" in expect:
        mismatches = subset_mismatches(expect["output_includes"], execution.output)
        if mismatches:
            problems.append("output does not include the expected part:\n" + "\n".join("  " + m for m in mismatches))
    path = execution.path
    if "path" in expect and path != expect["path"]:
        problems.append(f"path: expected {' -> '.join(expect['path'])}\n      got      {' -> '.join(path)}")
    missing = [s for s in expect.get("entered", ()) if s not in path]
    if missing:
        problems.append(f"never entered: {', '.join(missing)}")
    unwanted = [s for s in expect.get("not_entered", ()) if s in path]
    if unwanted:
        problems.append(f"entered, but should not be: {', '.join(unwanted)}")
    return problems


def run_suite(suite: Suite, coverage: Coverage | None = None, runner: Runner | None = None) -> list[CaseResult]:
    """Run every case of a suite, in order; coverage (if given) counts every execution."""
    runner = runner or Runner(coverage)
    results = []
    for case in suite.cases:
        started = time.perf_counter()
        mocks = {**(suite.mocks or {}), **(case.mocks or {})} or None
        try:
            execution = runner.run(suite.definition, case.input, mocks=mocks,
                                   mock_config=suite.mock_config if case.test_case else None,
                                   test_case=case.test_case, resources=suite.resources,
                                   execution_type=suite.execution_type)
        except SfnError as exc:
            results.append(CaseResult(suite, case, [], None, time.perf_counter() - started, str(exc)))
            continue
        results.append(CaseResult(suite, case, check(case, execution), execution, time.perf_counter() - started))
    return results
