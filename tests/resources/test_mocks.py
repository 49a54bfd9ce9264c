"""MockConfigFile: parsing and checking, attempts and ranges, Return / Throw, and sfn run --mock-config."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl.api import machine_from_definition, run_machine
from asl.errors import UserInputError
from asl.aws import parse_resource
from asl.resources import TaskCall
from asl.resources.mocks import load_mock_config, mocked_result
from cli.main import sfn

AWS = Path(__file__).resolve().parent / "fixtures" / "aws_mock"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:Charge"


def write(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=1))
    return path


def mock_file(tmp_path, responses, cases=None, machine="M"):
    """A mock configuration whose test case "T" mocks state "S" with response "R"."""
    return write(tmp_path, "mocks.json", {
        "StateMachines": {machine: {"TestCases": cases or {"T": {"S": "R"}}}},
        "MockedResponses": {"R": responses}})


def task_machine(resource=LAMBDA_ARN, **extra):
    return machine_from_definition({"StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": resource, "End": True, **extra}}})


def run_case(tmp_path, responses, machine=None, input=None):
    return run_machine(machine or task_machine(), input or {}, name="M", clock="virtual",
                       mocks=(mock_file(tmp_path, responses), "T"))


# ------------------------------------------------------------------ AWS's documented example

def run_aws(case, tmp_path, extra=()):
    args = ["run", str(AWS / "LambdaSQSIntegration.json"), "--mock-config", str(AWS / "MockConfigFile.json"),
            "--test-case", case, "--output", "json", "--clock", "virtual",
            "--history-out", str(tmp_path / "h.json"), "--store", str(tmp_path / "sfn.db"), *extra]
    result = CliRunner().invoke(sfn, args)
    events = json.loads((tmp_path / "h.json").read_text())["events"] if (tmp_path / "h.json").exists() else []
    return result, events


def test_aws_example_happy_path(tmp_path):
    result, events = run_aws("HappyPath", tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output"] == {
        "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
        "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}
    succeeded = [e for e in events if e["type"] == "TaskSucceeded"]
    # lambda:invoke keeps the whole mocked response; the SQS state receives it as input.
    assert json.loads(succeeded[0]["taskSucceededEventDetails"]["output"])["Payload"]["body"] == "Hello from Lambda!"
    assert succeeded[1]["taskSucceededEventDetails"]["resourceType"] == "sqs"


def test_aws_example_retry_path_uses_each_attempt(tmp_path):
    result, events = run_aws("RetryPath", tmp_path)
    assert result.exit_code == 0, result.output
    failed = [json.loads(json.dumps(e["taskFailedEventDetails"])) for e in events if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failed] == ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException",
                                            "Lambda.TimeoutException"]
    assert [f["cause"] for f in failed][0] == "Lambda resource is not ready."
    assert sum(e["type"] == "TaskSucceeded" for e in events) == 2


def test_aws_example_hybrid_path_runs_the_unmocked_state_for_real(tmp_path):
    # SQSState is not mocked: it runs against the SQS stub, which knows only declared queues.
    result, _ = run_aws("HybridPath", tmp_path)
    assert result.exit_code == 1
    failed = json.loads(result.stdout)
    assert failed["error"] == "SQS.AmazonSQSException" and "queue does not exist" in failed["cause"]
    resources = write(tmp_path, "resources.yaml", "queues:\n  myQueue: {}\n")
    result, events = run_aws("HybridPath", tmp_path, ["--resources", str(resources)])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)["output"]
    assert set(output) == {"MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}


def test_aws_example_all_cases_parse():
    config = load_mock_config(AWS / "MockConfigFile.json")
    assert sorted(config.machines["LambdaSQSIntegration"]) == ["HappyPath", "HybridPath", "RetryPath"]
    retry = config.responses["MockedLambdaRetry"]
    assert [retry.for_attempt(n).error for n in range(3)] == [
        "Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"]
    assert retry.for_attempt(3).returns and retry.for_attempt(4) is None


# ------------------------------------------------------------------ attempts

ATTEMPTS = [
    # keys -> outcome per attempt 0..4 ("R" return, error name, None: no response)
    ({"0": "R"}, ["R", None, None, None, None]),
    ({"0-2": "E", "3": "R"}, ["E", "E", "E", "R", None]),
    ({"0": "E", "1-1": "R"}, ["E", "R", None, None, None]),
    ({"2-3": "R", "0-1": "E"}, ["E", "E", "R", "R", None]),
]


@pytest.mark.parametrize("keys,expected", ATTEMPTS)
def test_attempt_ranges(tmp_path, keys, expected):
    responses = {k: {"Return": 1} if v == "R" else {"Throw": {"Error": v, "Cause": "c"}} for k, v in keys.items()}
    response = load_mock_config(mock_file(tmp_path, responses)).responses["R"]
    got = []
    for n in range(5):
        outcome = response.for_attempt(n)
        got.append(None if outcome is None else "R" if outcome.returns else outcome.error)
    assert got == expected


def test_retries_consume_attempts_and_missing_attempt_fails_the_execution(tmp_path):
    machine = task_machine(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}])
    result = run_case(tmp_path, {"0-1": {"Throw": {"Error": "E", "Cause": "c"}}}, machine)
    assert result.status == "FAILED" and result.error == "States.Runtime"
    assert "invocation 2" in result.cause


def test_attempts_count_re_entries(tmp_path):
    # A loop enters S twice: the second entry is attempt 1.
    machine = machine_from_definition({"StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": LAMBDA_ARN, "ResultPath": "$.r", "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.r", "NumericEquals": 1, "Next": "S"}],
                  "Default": "Done"},
        "Done": {"Type": "Succeed"}}})
    result = run_case(tmp_path, {"0": {"Return": {"Payload": 1}}, "1": {"Return": {"Payload": 2}}}, machine)
    assert result.status == "SUCCEEDED" and result.output == {"r": 2}


# ------------------------------------------------------------------ Return and Throw

RESULTS = [
    # resource, mocked Return, state's result
    (LAMBDA_ARN, {"StatusCode": 200, "Payload": {"a": 1}}, {"a": 1}),
    (LAMBDA_ARN, {"StatusCode": 200, "Payload": "text"}, "text"),
    ("arn:aws:states:::lambda:invoke", {"StatusCode": 200, "Payload": {"a": 1}}, {"StatusCode": 200, "Payload": {"a": 1}}),
    ("arn:aws:states:::dynamodb:getItem", {"Item": {"id": {"S": "1"}}}, {"Item": {"id": {"S": "1"}}}),
    ("arn:aws:states:::ecs:runTask.sync", [1, 2], [1, 2]),
    ("arn:aws:states:::aws-sdk:glue:startJobRun", "plain", "plain"),
]


@pytest.mark.parametrize("resource,returned,result", RESULTS)
def test_mocked_result_shapes(resource, returned, result):
    assert mocked_result(parse_resource(resource), returned) == result


def test_throw_is_caught_with_error_and_cause(tmp_path):
    machine = machine_from_definition({"StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
              "Parameters": {"Bucket": "b", "Key": "k"},
              "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "C"}], "End": True},
        "C": {"Type": "Pass", "End": True}}})
    result = run_case(tmp_path, {"0": {"Throw": {"Error": "S3.NoSuchKeyException", "Cause": "gone"}}}, machine)
    assert result.output == {"Error": "S3.NoSuchKeyException", "Cause": "gone"}
    types = [e.type for e in result.history.events]
    assert "TaskFailed" in types


@pytest.mark.parametrize("resource,event", [(LAMBDA_ARN, "LambdaFunctionTimedOut"),
                                             ("arn:aws:states:::lambda:invoke", "TaskTimedOut")])
def test_throw_states_timeout_is_a_timeout(tmp_path, resource, event):
    machine = task_machine(resource, Parameters={"FunctionName": "f"}, TimeoutSeconds=1)
    result = run_case(tmp_path, {"0": {"Throw": {"Error": "States.Timeout", "Cause": ""}}}, machine)
    assert result.status == "FAILED" and result.error == "States.Timeout" and result.cause is None
    timed_out = [e for e in result.history.to_aws()["events"] if e["type"] == event]
    assert len(timed_out) == 1 and "cause" not in json.dumps(timed_out[0])


def test_wait_for_task_token_mock_answers_at_once(tmp_path):
    machine = task_machine("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                           Parameters={"QueueUrl": "q", "MessageBody": {"Token.$": "$$.Task.Token"}})
    result = run_case(tmp_path, {"0": {"Return": {"approved": True}}}, machine)
    assert result.status == "SUCCEEDED" and result.output == {"approved": True}
    scheduled = [e for e in result.history.to_aws()["events"] if e["type"] == "TaskScheduled"][0]
    assert len(json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["Token"]) > 10


def test_unlisted_states_are_not_handled(tmp_path):
    provider = load_mock_config(mock_file(tmp_path, {"0": {"Return": 1}})).test_case("M", "T")
    assert provider.can_handle("S", LAMBDA_ARN, None) and not provider.can_handle("Other", LAMBDA_ARN, None)
    from asl.resources import NotHandled
    with pytest.raises(NotHandled):
        provider.invoke(TaskCall("Other", LAMBDA_ARN, {}))


# ------------------------------------------------------------------ malformed files

MALFORMED = [
    ("[]", "must be a JSON object", 1),
    ('{"StateMachines": {}, "Mocked": {}}', "unknown field 'Mocked'", 1),
    ('{"StateMachines": [], "MockedResponses": {}}', "StateMachines must be a JSON object", 1),
    ('{"StateMachines": {"M": {"Tests": {}}}, "MockedResponses": {}}', "unknown field 'Tests'", 1),
    ('{"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}},\n "MockedResponses": {}}',
     "names the mocked response 'Nope'", 1),
    ('{"StateMachines": {},\n "MockedResponses": {"R": {"first": {"Return": 1}}}}', "'first' is not an attempt", 2),
    ('{"StateMachines": {},\n "MockedResponses": {"R": {"3-1": {"Return": 1}}}}', "ends before it starts", 2),
    ('{"StateMachines": {},\n "MockedResponses": {"R": {"0": {"Return": 1}, "2": {"Return": 1}}}}',
     "leaves attempt 1 without a response", 2),
    ('{"StateMachines": {},\n "MockedResponses": {"R": {"0-1": {"Return": 1}, "1": {"Return": 1}}}}',
     "overlaps", 2),
    ('{"StateMachines": {},\n "MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}',
     "exactly one field", 2),
    ('{"StateMachines": {},\n "MockedResponses": {"R": {"0": {}}}}', "exactly one field", 2),
    ('{"StateMachines": {},\n "MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}}', "needs an Error", 2),
    ('{"StateMachines": {},\n "MockedResponses": {"R": {"0": {"Throw": {"Error": "E", "Cause": 3}}}}}',
     "Cause must be a string", 2),
    ('{"StateMachines": {},\n "MockedResponses": {"R": {}}}', "has no attempts", 2),
    ('{"StateMachines": {,}}', "", 1),
]


@pytest.mark.parametrize("text,message,line", MALFORMED)
def test_malformed_files_name_file_and_line(tmp_path, text, message, line):
    path = write(tmp_path, "bad.json", text)
    with pytest.raises(UserInputError) as info:
        load_mock_config(path)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}")


def test_unknown_machine_and_test_case(tmp_path):
    config = load_mock_config(mock_file(tmp_path, {"0": {"Return": 1}}))
    with pytest.raises(UserInputError, match="no state machine 'X'.*known: M"):
        config.test_case("X", "T")
    with pytest.raises(UserInputError, match="no test case 'Nope' \\(known: T\\)"):
        config.test_case("M", "Nope")


# ------------------------------------------------------------------ CLI

def cli(*args):
    return CliRunner().invoke(sfn, ["run", *map(str, args), "--output", "json", "--clock", "virtual", "--no-store"])


def test_cli_machine_by_stem_and_by_name(tmp_path):
    definition = {"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True}}}
    mocks = mock_file(tmp_path, {"0": {"Return": {"Payload": "ok"}}}, machine="Orders")
    by_stem = cli(write(tmp_path, "Orders.asl.json", definition), "--mock-config", mocks, "--test-case", "T")
    assert by_stem.exit_code == 0 and json.loads(by_stem.stdout)["output"] == "ok"
    other = write(tmp_path, "flow.json", definition)
    assert cli(other, "--mock-config", mocks, "--test-case", "T", "--name", "Orders").exit_code == 0
    missing = cli(other, "--mock-config", mocks, "--test-case", "T")
    assert missing.exit_code == 2 and "no state machine 'flow'" in missing.output


@pytest.mark.parametrize("args,message", [
    (["--test-case", "T"], "--mock-config and --test-case go together"),
    (["--mock-config", "MOCKS"], "--mock-config and --test-case go together"),
    (["--mock-config", "MOCKS", "--test-case", "Nope"], "no test case 'Nope'"),
    (["--mock-config", "nowhere.json", "--test-case", "T"], "nowhere.json: no such file"),
])
def test_cli_usage_errors_exit_2(tmp_path, args, message):
    mocks = mock_file(tmp_path, {"0": {"Return": 1}})
    definition = write(tmp_path, "M.json", {"StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True}}})
    result = cli(definition, *[str(mocks) if a == "MOCKS" else a for a in args])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_cli_test_case_naming_a_missing_state(tmp_path):
    mocks = mock_file(tmp_path, {"0": {"Return": 1}}, cases={"T": {"Typo": "R"}})
    definition = write(tmp_path, "M.json", {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True}}})
    result = cli(definition, "--mock-config", mocks, "--test-case", "T")
    assert result.exit_code == 2 and "mocks 'Typo', which is not a Task state" in result.output
    assert result.output.startswith(f"{mocks}:")


@pytest.mark.parametrize("input,exit_code", [({"glue": False}, 0), ({"glue": True}, 1)], ids=["off-path", "reached"])
def test_cli_a_task_the_test_case_does_not_mock_fails_only_when_reached(tmp_path, input, exit_code):
    mocks = mock_file(tmp_path, {"0": {"Return": {"Payload": "ok"}}})
    definition = write(tmp_path, "M.json", {"StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": LAMBDA_ARN, "ResultPath": "$.r", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.glue", "BooleanEquals": True, "Next": "G"}],
              "Default": "Done"},
        "G": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "End": True},
        "Done": {"Type": "Succeed"}}})
    result = cli(definition, "--mock-config", mocks, "--test-case", "T", "--input", json.dumps(input))
    assert result.exit_code == exit_code, result.output
    body = json.loads(result.stdout)
    if exit_code:
        assert body["error"] == "States.Runtime"
        assert "state 'G'" in body["cause"] and "glue:startJobRun.sync" in body["cause"]
    else:
        assert body["output"] == {"glue": False, "r": "ok"}


def test_cli_without_a_test_case_every_task_needs_a_provider_before_the_run(tmp_path):
    definition = write(tmp_path, "M.json", {"StartAt": "G", "States": {
        "G": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "End": True}}})
    result = cli(definition)
    assert result.exit_code == 2
    assert "state 'G'" in result.output and "glue:startJobRun.sync" in result.output


# ------------------------------------------------------------------ the sample

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "mocked-order"


@pytest.mark.parametrize("case,status,payment", [("HappyPath", "SUCCEEDED", "ch_1001"),
                                                 ("ThrottledThenCharged", "SUCCEEDED", "ch_1002"),
                                                 ("PaymentDeclined", "FAILED", None)])
def test_mocked_order_sample(tmp_path, case, status, payment):
    result = CliRunner().invoke(sfn, [
        "run", str(SAMPLE / "order.asl.json"), "--input-file", str(SAMPLE / "input.json"),
        "--mock-config", str(SAMPLE / "MockConfigFile.json"), "--test-case", case,
        "--output", "json", "--clock", "virtual", "--store", str(tmp_path / "s.db")])
    answer = json.loads(result.stdout)
    assert answer["status"] == status
    if payment:
        assert answer["output"]["payment"] == {"chargeId": payment}
    messages = json.loads(CliRunner().invoke(sfn, ["messages", "--store", str(tmp_path / "s.db"),
                                                   "--output", "json"]).stdout)
    targets = [m["target"] for m in messages]
    assert targets == (["orders", "order-audit", "priority-orders", "shipments.fifo"] if payment
                       else ["orders", "order-audit"])


@pytest.mark.parametrize("resource", ["arn:aws:states:::states:startExecution.sync",
                                      "arn:aws:states:::states:startExecution.sync:2"])
def test_a_mocked_sync_start_records_the_start_response_first(tmp_path, resource):
    done = {"ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:run-1", "Status": "SUCCEEDED",
            "Output": "{\"ok\":true}"}
    machine = task_machine(resource, Parameters={"StateMachineArn": "arn:aws:states:us-east-1:123456789012:"
                                                                    "stateMachine:Child", "Name": "run-1"})
    result = run_case(tmp_path, {"0": {"Return": done}}, machine)
    assert (result.status, result.output) == ("SUCCEEDED", done)
    events = result.history.to_aws()["events"]
    assert [e["type"] for e in events[2:6]] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    submitted = json.loads(events[4]["taskSubmittedEventDetails"]["output"])  # JSON text, as AWS gives it
    assert submitted["ExecutionArn"] == done["ExecutionArn"]
    assert isinstance(submitted["StartDate"], int) and submitted["SdkHttpMetadata"]["HttpStatusCode"] == 200


def test_a_mocked_plain_start_has_no_submitted_event(tmp_path):
    machine = task_machine("arn:aws:states:::states:startExecution",
                           Parameters={"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:C"})
    result = run_case(tmp_path, {"0": {"Return": {"ExecutionArn": "x", "StartDate": 1}}}, machine)
    assert "TaskSubmitted" not in [e.type for e in result.history.events]


SYNC_THROWS = [
    ("job-failed", "States.TaskFailed", ["TaskSubmitted", "TaskFailed"]),
    ("job-timed-out", "States.Timeout", ["TaskSubmitted", "TaskTimedOut"]),
    ("start-refused", "StepFunctions.StateMachineDoesNotExistException", ["TaskFailed"]),
]


@pytest.mark.parametrize("error,ending", [c[1:] for c in SYNC_THROWS], ids=[c[0] for c in SYNC_THROWS])
def test_a_mocked_sync_start_that_throws_fails_after_its_submission(tmp_path, error, ending):
    # A real .sync failure is recorded as TaskSubmitted, then TaskFailed: the job ran and failed. Only
    # an error of the start call itself (StepFunctions.*) fails the Task before anything was submitted.
    machine = task_machine("arn:aws:states:::states:startExecution.sync",
                           Parameters={"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:C",
                                       "Name": "run-1"})
    result = run_case(tmp_path, {"0": {"Throw": {"Error": error, "Cause": "child failed"}}}, machine)
    assert (result.status, result.error) == ("FAILED", error)
    events = result.history.to_aws()["events"]
    assert [e["type"] for e in events[2:-1]] == ["TaskScheduled", "TaskStarted", *ending]
    if "TaskSubmitted" in ending:
        submitted = json.loads(events[4]["taskSubmittedEventDetails"]["output"])
        assert submitted["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:C:run-1"
