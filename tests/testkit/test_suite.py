"""asl.testkit.suite: reading a suite (errors at FILE:LINE:COLUMN), checking expectations, running cases."""

import json

import pytest

from asl.errors import UserInputError
from asl.testkit.coverage import Coverage
from asl.testkit.suite import Case, check, load_suite, run_suite

MACHINE = {
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
                   "ResultPath": "$.charge", "Next": "Done",
                   "Catch": [{"ErrorEquals": ["Declined"], "Next": "Refused"}]},
        "Done": {"Type": "Succeed"},
        "Refused": {"Type": "Fail", "Error": "PaymentDeclined"},
    },
}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "m.asl.json").write_text(json.dumps(MACHINE))
    return tmp_path


def write(folder, text):
    path = folder / "s.yaml"
    path.write_text(text)
    return path


GOOD = """definition: m.asl.json
mocks:
  Charge: {Return: {id: 1}}
cases:
  ok:
    input: {a: 1}
    expect: {status: SUCCEEDED, output: {a: 1, charge: {id: 1}}}
  declined:
    mocks: {Charge: {Throw: {Error: Declined}}}
    expect: {status: FAILED, error: PaymentDeclined, path: [Charge, Refused], not_entered: [Done]}
"""


def test_a_good_suite_runs_every_case_and_counts_coverage(folder):
    suite = load_suite(write(folder, GOOD))
    coverage = Coverage()
    results = run_suite(suite, coverage)
    assert [(r.case.name, r.passed) for r in results] == [("ok", True), ("declined", True)]
    assert coverage.total().percent == 100.0
    assert results[0].execution.output == {"a": 1, "charge": {"id": 1}}


# (suite text, line:column, message part): every malformed suite is one located error.
MALFORMED = [
    ("cases: {}\n", "", "needs a definition"),
    ("definition: nope.json\ncases: {}\n", "1:13", "no definition file"),
    ("definition: m.asl.json\n", "", "needs cases"),
    ("definition: m.asl.json\nextra: 1\ncases: {a: {expect: {status: SUCCEEDED}}}\n", "2:1", "unknown field 'extra'"),
    ("definition: m.asl.json\ncases:\n  a:\n    input: {}\n", "4:5", "case 'a' needs expect"),
    ("definition: m.asl.json\ncases:\n  a:\n    expect: {status: DONE}\n", "4:22", "status must be one of"),
    ("definition: m.asl.json\ncases:\n  a:\n    expect: {stauts: FAILED}\n", "4:14", "unknown field 'stauts'"),
    ("definition: m.asl.json\ncases:\n  a:\n    expect: {path: Charge}\n", "4:20", "list of state names"),
    ("definition: m.asl.json\ncases:\n  a:\n    test_case: T\n    expect: {status: FAILED}\n", "4:16",
     "mock_config"),
    ("definition: m.asl.json\nmocks:\n  Charge: {Retur: 1}\ncases: {a: {expect: {status: FAILED}}}\n", "3:3",
     "'Charge' must be {'Return': ...}"),
    ("definition: m.asl.json\nmocks:\n  Charge: {'0': {Return: 1, Throw: {}}}\ncases: {a: {expect: {status: FAILED}}}\n",
     "3:3", "must have exactly one field, Return or Throw"),
    ("definition: m.asl.json\ncases:\n  a:\n    input_file: none.json\n    expect: {status: FAILED}\n", "4:17",
     "no input file"),
    ("definition: m.asl.json\ncases: [a, b]\n", "2:8", "cases must be a mapping"),
    ("definition: m.asl.json\ncases:\n  a: {expect: {status: FAILED}}\n  a: {expect: {status: FAILED}}\n", "",
     "'a' appears more than once"),
]


@pytest.mark.parametrize("text, place, message", MALFORMED)
def test_a_malformed_suite_is_one_located_error(folder, text, place, message):
    path = write(folder, text)
    with pytest.raises(UserInputError) as caught:
        load_suite(path)
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{path}:{place}")


class FakeExecution:
    def __init__(self, status="SUCCEEDED", output=None, error=None, cause=None, path=()):
        self.status, self.output, self.error, self.cause, self.path = status, output, error, cause, list(path)


@pytest.mark.parametrize("expect, execution, problems", [
    ({"status": "SUCCEEDED"}, FakeExecution(), []),
    ({"status": "SUCCEEDED"}, FakeExecution("FAILED", error="E"), ["status: expected 'SUCCEEDED', got 'FAILED'"]),
    ({"error": "E", "cause": "c"}, FakeExecution("FAILED", error="E", cause="d"), ["cause: expected 'c', got 'd'"]),
    ({"output": {"a": 1}}, FakeExecution(output={"a": 1, "b": 2}), ["output differs"]),
    ({"output": {"a": 1}}, FakeExecution(output={"a": True}), ["output differs"]),
    ({"output": {"a": [1]}}, FakeExecution(output={"a": [1]}), []),
    ({"output_includes": {"a": {"x": 1}}}, FakeExecution(output={"a": {"x": 1, "y": 2}, "b": 3}), []),
    ({"output_includes": {"a": {"x": 2}}}, FakeExecution(output={"a": {"x": 1}}),
     ["output does not include the expected part:\n  $.a.x: expected 2, got 1"]),
    ({"output_includes": {"z": 1}}, FakeExecution(output={}), ["output does not include the expected part:\n  $.z: missing"]),
    ({"path": ["A", "B"]}, FakeExecution(path=["A", "C"]), ["path: expected A -> B\n      got      A -> C"]),
    ({"entered": ["A", "X"], "not_entered": ["C"]}, FakeExecution(path=["A", "C"]),
     ["never entered: X", "entered, but should not be: C"]),
])
def test_check_reports_each_unmet_expectation(expect, execution, problems):
    found = check(Case("c", expect=expect), execution)
    assert [p[:len(q)] for p, q in zip(found, problems)] == problems and len(found) == len(problems)


def test_a_case_that_cannot_run_is_an_error_not_a_crash(folder):
    (folder / "mocks.json").write_text(json.dumps({"StateMachines": {"m": {"TestCases": {"T": {}}}},
                                                   "MockedResponses": {}}))
    suite = load_suite(write(folder, "definition: m.asl.json\nmock_config: mocks.json\ncases:\n"
                                     "  a:\n    test_case: Missing\n    expect: {status: FAILED}\n"))
    (result,) = run_suite(suite)
    assert not result.passed and "has no test case 'Missing'" in result.error


def test_a_mock_config_test_case_answers_the_case(folder):
    (folder / "mocks.json").write_text(json.dumps({
        "StateMachines": {"m": {"TestCases": {"Refuse": {"Charge": "Declined"}}}},
        "MockedResponses": {"Declined": {"0": {"Throw": {"Error": "Declined"}}}}}))
    suite = load_suite(write(folder, "definition: m.asl.json\nmock_config: mocks.json\ncases:\n"
                                     "  a:\n    test_case: Refuse\n    expect: {status: FAILED, error: PaymentDeclined}\n"))
    assert [r.passed for r in run_suite(suite)] == [True]
