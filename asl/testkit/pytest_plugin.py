"""sfn's pytest plugin (entry point `pytest11`: installing sfn is enough).

    def test_declined(sfn):
        execution = sfn.run("order.asl.json", {"orderId": "42"},
                            mocks={"ChargeCard": {"Throw": {"Error": "Declined"}}})
        assert execution.status == "FAILED"
        assert execution.path == ["ValidateOrder", "ChargeCard", "RejectOrder"]

`--sfn-coverage` prints the path coverage of every definition the session ran;
`--sfn-coverage-fail-under=PCT` fails the session below that transition coverage;
`--sfn-coverage-json FILE` writes it for tools. The only module of `asl` that imports pytest;
the rest of asl is imported when a test first asks for the fixture.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

_RUNNER = pytest.StashKey[Any]()
_COVERAGE = pytest.StashKey[Any]()
_SHORTFALL = pytest.StashKey[str]()


def pytest_addoption(parser: Any) -> None:
    """The coverage options."""
    group = parser.getgroup("sfn", "sfn: AWS Step Functions state machines")
    group.addoption("--sfn-coverage", action="store_true", default=False,
                    help="print the path coverage of the state machines the tests ran")
    group.addoption("--sfn-coverage-fail-under", type=float, default=None, metavar="PCT",
                    help="fail the session when transition coverage is below PCT percent")
    group.addoption("--sfn-coverage-json", default=None, metavar="FILE",
                    help="write the coverage as JSON to FILE")


def _wants_coverage(config: Any) -> bool:
    return bool(config.getoption("sfn_coverage") or config.getoption("sfn_coverage_fail_under") is not None
                or config.getoption("sfn_coverage_json"))


def _runner(config: Any) -> Any:
    """The session's Runner (definitions built once per session; one Coverage for all tests)."""
    runner = config.stash.get(_RUNNER, None)
    if runner is None:
        from .coverage import Coverage
        from .runner import Runner

        coverage = Coverage() if _wants_coverage(config) else None
        runner = config.stash[_RUNNER] = Runner(coverage, root=config.rootpath)
        if coverage is not None:
            config.stash[_COVERAGE] = coverage
    return runner


@pytest.fixture
def sfn(request: Any) -> Any:
    """Runs state machines: `sfn.run(definition, input, mocks=..., ...)` and `sfn.test_state(...)`."""
    return _runner(request.config)


def pytest_assertrepr_compare(config: Any, op: str, left: Any, right: Any) -> list[str] | None:
    """A failed comparison of an execution's status shows the execution: error, cause, path, output."""
    from .execution import Status

    status = left if isinstance(left, Status) else right if isinstance(right, Status) else None
    if status is None or not hasattr(status, "execution"):
        return None
    return [f"{left!r} {op} {right!r}", *status.execution.describe().splitlines()]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """Write the JSON coverage, and fail the session below --sfn-coverage-fail-under."""
    config = session.config
    if not _wants_coverage(config):
        return
    coverage = _runner(config).coverage
    target = config.getoption("sfn_coverage_json")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump(coverage.as_json(), out, indent=1)
            out.write("\n")
    floor = config.getoption("sfn_coverage_fail_under")
    if floor is not None:
        total = coverage.total()
        if total.percent < floor:
            config.stash[_SHORTFALL] = (f"FAIL: sfn transition coverage {total.percent:.1f}% "
                                        f"({total.covered}/{total.total}) is below {floor:g}%")
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """The coverage table, per definition, with what was never covered."""
    if not _wants_coverage(config):
        return
    coverage = _runner(config).coverage
    if config.getoption("sfn_coverage") or config.getoption("sfn_coverage_fail_under") is not None:
        terminalreporter.write_sep("-", "sfn coverage")
        if coverage.models:
            terminalreporter.write_line(coverage.format())
        else:
            terminalreporter.write_line("no state machine ran")
    target = config.getoption("sfn_coverage_json")
    if target:
        terminalreporter.write_line(f"sfn coverage JSON written to {target}")
    shortfall = config.stash.get(_SHORTFALL, None)
    if shortfall:
        terminalreporter.write_line(shortfall, red=True, bold=True)
