"""A sample of the execution conformance corpus through the endpoint gives what `run_machine` gives:
same status, output, error, cause and events (timestamps aside)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from asl.api import machine_from_definition, run_machine
from serve_helpers import ROLE, wait_done

SHARED = Path(os.environ.get("SFN_SHARED", Path(__file__).resolve().parents[3] / "shared"))
CASES = sorted((SHARED / "conformance" / "cases").glob("*.json"))
SAMPLE = CASES[::16]   # about 30 cases spread over every suite


def _case(path: Path) -> dict:
    return json.loads(path.read_text())


def _without_times(events: list[dict]) -> list[dict]:
    return [{k: v for k, v in event.items() if k != "timestamp"} for event in events]


@pytest.mark.skipif(not CASES, reason="the shared conformance corpus is not beside the project")
def test_sample_of_the_corpus_runs_as_run_machine_runs_it(sfn):
    compared = 0
    for index, path in enumerate(SAMPLE):
        case = _case(path)
        if case.get("placeholders"):  # run-dependent values (UUIDs, times) differ between any two runs
            continue
        definition = json.dumps(case["definition"])
        name = f"corpus{index}"
        try:
            arn = sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)["stateMachineArn"]
        except sfn.exceptions.InvalidDefinition:
            continue
        execution = sfn.start_execution(stateMachineArn=arn, name="run", input=json.dumps(case["input"]))
        served = wait_done(sfn, execution["executionArn"])
        events = sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]

        result = run_machine(machine_from_definition(definition), case["input"], name=name, execution_name="run",
                             clock="virtual", strict=False, on_start=lambda i: setattr(i.info, "role", ROLE))
        expected = result.history.to_aws()["events"]
        assert served["status"] == result.status, path.name
        if result.status == "SUCCEEDED":
            assert json.loads(served["output"]) == result.output, path.name
        else:
            assert (served.get("error"), served.get("cause")) == (result.error, result.cause), path.name
        assert _without_times(events) == _without_times(expected), path.name
        compared += 1
    assert compared >= len(SAMPLE) // 2
