"""The pytest plugin, as a user's session sees it (pytester: an inner pytest run per test)."""

import json

import pytest

pytest_plugins = ["pytester"]

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"

# 4 transitions: Check -> Charge (Choices[0]), Check -> Skip (Default), Charge -> Done, Charge -> Declined (Catch[0]).
MACHINE = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.pay", "BooleanEquals": True, "Next": "Charge"}],
                  "Default": "Skip"},
        "Charge": {"Type": "Task", "Resource": LAMBDA + "charge", "ResultPath": "$.charge", "Next": "Done",
                   "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}],
                   "Catch": [{"ErrorEquals": ["Declined"], "Next": "Declined"}]},
        "Done": {"Type": "Succeed"},
        "Skip": {"Type": "Succeed"},
        "Declined": {"Type": "Fail", "Error": "PaymentDeclined", "Cause": "card declined"},
    },
}


@pytest.fixture
def project(pytester):
    """A user's project: machine.asl.json and a tests file (written by each test)."""
    pytester.makefile(".asl.json", machine=json.dumps(MACHINE))
    return pytester


def write_tests(pytester, body):
    pytester.makepyfile(test_user_machine="import pytest\n\n" + body)


HAPPY = '''
def test_happy(sfn):
    execution = sfn.run("machine.asl.json", {"pay": True}, mocks={"Charge": {"Return": {"id": "c1"}}})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"pay": True, "charge": {"id": "c1"}}
    assert execution.path == ["Check", "Charge", "Done"]
    assert execution.state_input("Charge") == {"pay": True}
    assert execution.state_output("Charge") == {"pay": True, "charge": {"id": "c1"}}
    assert execution.events[0]["type"] == "ExecutionStarted"
    assert execution.error is None and execution.cause is None
'''

DECLINED = '''
def test_declined_after_a_retry(sfn):
    execution = sfn.run("machine.asl.json", {"pay": True},
                        mocks={"Charge": {"0": {"Throw": {"Error": "Busy"}},
                                          "1": {"Throw": {"Error": "Declined", "Cause": "no"}}}})
    execution.assert_failed("PaymentDeclined", "card declined")
    assert execution.path == ["Check", "Charge", "Declined"]
'''

SKIP = '''
def test_skip_needs_no_mock(sfn):
    assert sfn.run("machine.asl.json", {"pay": False}).path == ["Check", "Skip"]
'''


def test_fixture_runs_with_python_mocks(project):
    write_tests(project, HAPPY + DECLINED + SKIP)
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_an_unmocked_task_fails_only_when_reached_naming_it(project):
    write_tests(project, '''
def test_unmocked(sfn):
    execution = sfn.run("machine.asl.json", {"pay": True})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "state 'Charge'" in execution.cause
''')
    project.runpytest().assert_outcomes(passed=1)


def test_a_failed_status_assertion_shows_error_cause_and_path(project):
    write_tests(project, '''
def test_wrong(sfn):
    execution = sfn.run("machine.asl.json", {"pay": True}, mocks={"Charge": {"Throw": {"Error": "Declined"}}})
    assert execution.status == "SUCCEEDED"
''')
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*assert 'FAILED' == 'SUCCEEDED'*",
        "*execution of machine.asl.json: FAILED",
        "*error: PaymentDeclined",
        "*cause: card declined",
        "*path:  Check -> Charge -> Declined",
    ])
    assert "ExecutionStarted" not in result.stdout.str()  # not a wall of events


def test_assert_succeeded_with_output_shows_a_diff(project):
    write_tests(project, '''
def test_output(sfn):
    execution = sfn.run("machine.asl.json", {"pay": True}, mocks={"Charge": {"Return": {"id": "c1"}}})
    execution.assert_succeeded({"pay": True, "charge": {"id": "c2"}})
''')
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the output differs*", "*path:  Check -> Charge -> Done",
                                 '*-    "id": "c2"', '*+    "id": "c1"'])


def test_coverage_table_over_the_session(project):
    write_tests(project, HAPPY + SKIP)
    result = project.runpytest("--sfn-coverage")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "*sfn coverage*",
        "machine.asl.json",
        "  states*4/5*80.0%",
        "  transitions*3/4*75.0%",
        "  retriers*0/1*0.0%",
        "  never covered:",
        "    state*Declined",
        "    transition*Charge -> Declined (Catch?0?)",   # fnmatch: [ ] would be a class
        "    retrier*Charge Retry?0? ?'Busy'?",
    ])


@pytest.mark.parametrize("floor, outcome", [(75, 0), (75.1, 1)])
def test_fail_under_fails_the_session_below_the_floor(project, floor, outcome):
    write_tests(project, HAPPY + SKIP)
    result = project.runpytest(f"--sfn-coverage-fail-under={floor}")
    result.assert_outcomes(passed=2)
    assert result.ret == outcome
    if outcome:
        result.stdout.fnmatch_lines([f"FAIL: sfn transition coverage 75.0% (3/4) is below {floor:g}%"])


def test_full_coverage_json(project):
    write_tests(project, HAPPY + DECLINED + SKIP)
    result = project.runpytest("--sfn-coverage-json=cov.json", "--sfn-coverage-fail-under=100")
    assert result.ret == 0
    data = json.loads((project.path / "cov.json").read_text())
    (definition,) = data["definitions"]
    assert definition["definition"] == "machine.asl.json"
    assert definition["transitions"] == {"covered": 4, "total": 4, "percent": 100.0}
    assert definition["retriers"]["covered"] == 1 and definition["uncovered"] == []


def test_without_options_nothing_is_printed_or_recorded(project):
    write_tests(project, HAPPY + '''
def test_no_coverage(sfn):
    assert sfn.coverage is None
''')
    result = project.runpytest()
    result.assert_outcomes(passed=2)
    assert "sfn coverage" not in result.stdout.str()


def test_mock_config_and_test_case_with_python_mocks_on_top(project):
    project.makefile(".json", MockConfigFile=json.dumps({
        "StateMachines": {"machine": {"TestCases": {"Busy": {"Charge": "BusyTwice"}}}},
        "MockedResponses": {"BusyTwice": {"0-1": {"Throw": {"Error": "Busy"}}, "2": {"Return": {"id": 3}}}}}))
    write_tests(project, '''
def test_case(sfn):
    execution = sfn.run("machine.asl.json", {"pay": True}, mock_config="MockConfigFile.json", test_case="Busy")
    assert execution.output["charge"] == {"id": 3}
    assert len([e for e in execution.events if e["type"].endswith("Scheduled")]) == 3

def test_python_mock_wins(sfn):
    execution = sfn.run("machine.asl.json", {"pay": True}, mock_config="MockConfigFile.json", test_case="Busy",
                        mocks={"Charge": {"Return": {"id": 9}}})
    assert execution.output["charge"] == {"id": 9}

def test_unknown_mock_is_refused(sfn):
    from asl.errors import UserInputError
    with pytest.raises(UserInputError, match="mocks name 'Nope', which is not a Task state"):
        sfn.run("machine.asl.json", {}, mocks={"Nope": {"Return": 1}})
''')
    project.runpytest().assert_outcomes(passed=3)


def test_resources_clock_and_execution_type(project):
    project.makepyfile(handlers="def charge(event, context):\n    return {'id': 'real'}\n")
    project.makefile(".yaml", resources="handlers:\n  charge: handlers:charge\n")
    write_tests(project, '''
def test_resources_beside_the_definition(sfn):
    assert sfn.run("machine.asl.json", {"pay": True}).output["charge"] == {"id": "real"}

def test_express(sfn):
    execution = sfn.run("machine.asl.json", {"pay": False}, execution_type="EXPRESS", clock="real")
    assert execution.status == "SUCCEEDED"
''')
    project.syspathinsert()
    project.runpytest().assert_outcomes(passed=2)


def test_test_state_with_python_values(project):
    write_tests(project, '''
def test_one_state(sfn):
    response = sfn.test_state({"Type": "Pass", "InputPath": "$.a", "Result": {"x": 1}, "ResultPath": "$.r",
                               "End": True}, {"a": {"b": 2}}, inspectionLevel="DEBUG")
    assert response["status"] == "SUCCEEDED"
    assert response["output"] == {"a": {"b": 2}, "r": {"x": 1}}  # ResultPath places into the raw input
    assert response["inspectionData"]["result"] == {"x": 1}
    assert response["inspectionData"]["input"] == {"a": {"b": 2}}

def test_a_task_with_a_mock(sfn):
    response = sfn.test_state({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                               "Arguments": {"FunctionName": "f"}, "QueryLanguage": "JSONata"},
                              "{}", mock={"result": {"Payload": 5}})
    assert response["output"] == {"Payload": 5}
''')
    project.runpytest().assert_outcomes(passed=2)
