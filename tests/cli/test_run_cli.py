"""`sfn run` in-process: the JSON contract, exit codes, history file, one-line errors."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import sfn

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
FAIL = {"StartAt": "A", "States": {"A": {"Type": "Fail", "Error": "E", "Cause": "C"}}}


def invoke(*args, input=None):
    return CliRunner().invoke(sfn, [str(a) for a in args], input=input)


def write(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


def test_json_output_success(tmp_path):
    result = invoke("run", write(tmp_path, "m.json", PASS), "--output", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"status": "SUCCEEDED", "output": {"ok": True}, "error": None, "cause": None}


def test_json_output_failure_exits_1(tmp_path):
    result = invoke("run", write(tmp_path, "m.json", FAIL), "--output", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"status": "FAILED", "output": None, "error": "E", "cause": "C"}


def test_input_file_and_stdin(tmp_path):
    machine = write(tmp_path, "m.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    result = invoke("run", machine, "--input-file", write(tmp_path, "in.json", {"x": 1}), "--output", "json")
    assert json.loads(result.stdout)["output"] == {"x": 1}
    result = invoke("run", machine, "--input-file", "-", "--output", "json", input='{"y": 2}')
    assert json.loads(result.stdout)["output"] == {"y": 2}


def test_history_out(tmp_path):
    out = tmp_path / "h.json"
    invoke("run", write(tmp_path, "m.json", PASS), "--output", "json", "--history-out", out)
    events = json.loads(out.read_text())["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert all({"id", "previousEventId", "timestamp", "type"} <= set(e) for e in events)


def test_trace_output(tmp_path):
    result = invoke("run", write(tmp_path, "m.json", PASS), "--output", "trace")
    assert result.exit_code == 0
    assert "▶ A" in result.stdout and "✔ A" in result.stdout and "SUCCEEDED" in result.stdout


@pytest.mark.parametrize("files,args,message", [
    ({"m.json": '{"StartAt": "A",\n  "States": }'}, [], "m.json:2:13: invalid JSON"),
    ({"m.yaml": "StartAt: [\n"}, [], "m.yaml:2:1: invalid YAML"),
    ({}, [], "nope.json: no such file"),
    ({"m.json": json.dumps(PASS)}, ["--input", "{bad"], "--input:1:2: invalid JSON"),
    ({"m.json": json.dumps({"StartAt": "Z", "States": {"A": {"Type": "Pass", "End": True}}})}, [], "m.json:1:"),
])
def test_cannot_start_is_one_line_and_exit_2(tmp_path, files, args, message):
    for name, text in files.items():
        write(tmp_path, name, text)
    target = tmp_path / (next(iter(files)) if files else "nope.json")
    result = invoke("run", target, "--output", "json", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_usage_error_exit_2():
    assert invoke("run").exit_code == 2
    assert invoke("run", "x.json", "--clock", "sideways").exit_code == 2


@pytest.mark.parametrize("sample,input,status", [
    ("approval/approval.asl.json", "approval/input.json", "SUCCEEDED"),
    ("pricing/pricing.asl.yaml", "pricing/input.json", "SUCCEEDED"),
    ("order/order.asl.json", "order/input.json", "SUCCEEDED"),
    ("order/order.asl.json", "order/input-out-of-stock.json", "FAILED"),
    ("batch/batch.asl.json", "batch/input.json", "SUCCEEDED"),
    ("jsonata-cart/cart.asl.json", "jsonata-cart/input.json", "SUCCEEDED"),
])
def test_samples_run(sample, input, status):
    result = invoke("run", SAMPLES / sample, "--input-file", SAMPLES / input, "--output", "json", "--clock", "virtual",
                    "--no-store")
    assert json.loads(result.stdout)["status"] == status, result.output


@pytest.mark.parametrize("kind,marker,redrive", [("STANDARD", ":execution:", True), ("express", ":express:", False)])
def test_execution_type_shapes_the_context_object(tmp_path, kind, marker, redrive):
    machine = write(tmp_path, "m.json", {"StartAt": "A", "States": {"A": {
        "Type": "Pass", "Parameters": {"e.$": "$$.Execution"}, "End": True}}})
    result = invoke("run", machine, "--output", "json", "--no-store", "--execution-type", kind)
    execution = json.loads(result.stdout)["output"]["e"]
    assert marker in execution["Id"]
    assert ("RedriveCount" in execution) is redrive


def test_default_store_that_cannot_be_opened_only_warns(tmp_path, monkeypatch):
    machine = write(tmp_path, "m.json", PASS)
    monkeypatch.setenv("SFN_STORE", "/dev/null/nope/sfn.db")
    result = invoke("run", machine, "--output", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "SUCCEEDED"
    assert "running without a store" in result.stderr


def test_explicit_store_that_cannot_be_opened_is_an_error(tmp_path):
    result = invoke("run", write(tmp_path, "m.json", PASS), "--output", "json", "--store", "/dev/null/x.db")
    assert result.exit_code == 2 and "cannot open the store" in result.stderr


@pytest.mark.parametrize("file,args,expected", [
    ("order.asl.json", [], "order"),
    ("order.json", [], "order"),
    ("order.v2.asl.yaml", [], "order.v2"),
    ("order.asl.json", ["--name", "Checkout"], "Checkout"),
])
def test_machine_name(tmp_path, file, args, expected):
    machine = write(tmp_path, file, {"StartAt": "A", "States": {"A": {
        "Type": "Pass", "Parameters": {"n.$": "$$.StateMachine.Name"}, "End": True}}})
    result = invoke("run", machine, "--output", "json", "--no-store", *args)
    assert json.loads(result.stdout)["output"] == {"n": expected}


@pytest.mark.parametrize("field,value", [
    ("ItemReader", {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"},
                    "ReaderConfig": {"InputType": "JSON"}}),
    ("ResultWriter", {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}),
])
def test_s3_item_reader_and_result_writer_are_refused_before_the_run(tmp_path, field, value):
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    machine = write(tmp_path, "m.json", {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, field: value, "ItemProcessor": processor}}})
    result = invoke("run", machine, "--output", "json", "--no-store")
    assert result.exit_code == 2
    assert f"state 'M': {field} reads or writes Amazon S3" in result.stderr


def _reader_machine(tmp_path):
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return write(tmp_path, "m.json", {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": processor,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                       "Parameters": {"Bucket": "b", "Key": "k.json"}}}}})


def test_s3_dir_lets_an_item_reader_read_a_local_folder(tmp_path, monkeypatch):
    (tmp_path / "S3" / "b").mkdir(parents=True)
    (tmp_path / "S3" / "b" / "k.json").write_text("[1, 2]")
    machine = _reader_machine(tmp_path)
    result = invoke("run", machine, "--output", "json", "--no-store", "--s3-dir", str(tmp_path / "S3"))
    assert (result.exit_code, json.loads(result.stdout)["output"]) == (0, [1, 2])
    monkeypatch.setenv("SFN_S3_DIR", str(tmp_path / "S3"))
    result = invoke("run", machine, "--output", "json", "--no-store")
    assert (result.exit_code, json.loads(result.stdout)["output"]) == (0, [1, 2])


def test_a_bad_s3_dir_is_a_one_line_error_before_the_run(tmp_path):
    result = invoke("run", _reader_machine(tmp_path), "--output", "json", "--no-store",
                    "--s3-dir", str(tmp_path / "absent"))
    assert result.exit_code == 2
    assert "--s3-dir" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_callback_wait_must_be_a_finite_number_of_seconds(tmp_path, value):
    result = invoke("run", write(tmp_path, "m.json", PASS), "--no-store", "--callback-wait", value)
    assert result.exit_code == 2 and "--callback-wait" in result.output


@pytest.mark.parametrize("target", ["missing/h.json", ""])
def test_history_out_that_cannot_be_written_exits_2(tmp_path, target):
    result = invoke("run", write(tmp_path, "m.json", PASS), "--no-store", "--output", "json",
                    "--history-out", tmp_path / target if target else "")
    assert result.exit_code == 2 and result.stdout == ""  # refused before the run
    where = str(tmp_path / target) if target else "''"
    assert result.stderr.startswith(f"{where}: cannot write the history: ") and result.stderr.count("\n") == 1


def test_output_that_cannot_be_written_is_one_line(tmp_path):
    import subprocess
    import sys

    machine = write(tmp_path, "m.json", PASS)
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "cli.main", "run", str(machine), "--no-store", "--output", "json"],
                              stdout=full, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    assert done.returncode == 2
    assert done.stderr.strip() == "sfn: cannot write the output: No space left on device"


@pytest.mark.parametrize("definition", [
    {"StartAt": ["A"], "States": {"A": {"Type": "Pass", "End": True}}},                       # fails to build
    {"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [None], "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": "Wait", "End": True}}},                         # fails while running
    {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": "10", "End": True}}},
], ids=["list-start-at", "null-branch", "wait-without-time", "seconds-as-text"])
def test_no_validate_on_a_malformed_definition_is_one_line(tmp_path, definition):
    machine = write(tmp_path, "m.json", definition)
    result = invoke("run", machine, "--no-validate", "--no-store", "--output", "json", "--clock", "virtual")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{machine}: the definition is malformed (")
    assert f"sfn validate {machine}" in result.stderr


def test_an_input_over_256_kib_is_refused_as_start_execution_would(tmp_path):
    machine = write(tmp_path, "m.json", PASS)
    at_limit = write(tmp_path, "ok.json", json.dumps("x" * (262_144 - 2)))  # the quotes make 262144
    assert invoke("run", machine, "--no-store", "--output", "json", "--input-file", at_limit).exit_code == 0
    over = tmp_path / "big.json"
    json.dump("x" * (262_144 - 1), over.open("w"))
    result = invoke("run", machine, "--no-store", "--output", "json", "--input-file", over)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"{over}: ValidationException: 1 validation error detected: Value at 'input' "
                                     "failed to satisfy constraint: Member must have length less than or equal to "
                                     "262144 (it is 262145 characters)")


@pytest.mark.parametrize("how", ["--input-file", "stdin"])
def test_a_huge_input_is_refused_without_being_read_whole(tmp_path, how):
    machine = write(tmp_path, "m.json", PASS)
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # 200 MB (sparse): reading it all would show in time and memory
    if how == "stdin":
        with huge.open("rb") as stdin:
            result = invoke("run", machine, "--no-store", "--output", "json", "--input-file", "-", input=stdin)
    else:
        result = invoke("run", machine, "--no-store", "--output", "json", "--input-file", huge)
    assert result.exit_code == 2
    assert "ValidationException: 1 validation error detected: Value at 'input' failed to satisfy constraint: " \
           "Member must have length less than or equal to 262144" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_definition_over_1_mib_is_refused_as_create_state_machine_would(tmp_path):
    literal = "x" * 1_100_000  # a huge intrinsic literal
    big = write(tmp_path, "big.json", {"StartAt": "P", "States": {"P": {
        "Type": "Pass", "Parameters": {"v.$": f"States.Format('{literal}')"}, "End": True}}})
    for command in (["run", big, "--no-store"], ["validate", big]):
        result = invoke(*command)
        assert result.exit_code != 0
        assert "Value at 'definition' failed to satisfy constraint: Member must have length less than or equal " \
               "to 1048576" in result.stderr


def test_express_refuses_what_only_standard_runs(tmp_path):
    machine = write(tmp_path, "m.json", {"StartAt": "S", "States": {"S": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"}, "End": True}}})
    result = invoke("run", machine, "--execution-type", "EXPRESS", "--no-store", "--output", "json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{machine}:1:29: state 'S': an Express workflow cannot wait with "
                                    ".waitForTaskToken")


def test_a_task_nothing_answers_is_named_at_its_line_and_column(tmp_path):
    machine = write(tmp_path, "m.asl.json", '{"StartAt": "A",\n "States": {\n  "A": {"Type": "Task", '
                    '"Resource": "arn:aws:states:us-east-1:123456789012:activity:x", "End": true}}}')
    result = invoke("run", machine, "--output", "json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{machine}:3:3: state 'A': no handler, stub or mock for the resource")


def test_an_unwritable_history_out_fails_before_anything_runs(tmp_path):
    (tmp_path / "handlers.py").write_text("import pathlib\n\ndef touch(event, context):\n"
                                          "    pathlib.Path(event['marker']).write_text('ran')\n    return 1\n")
    (tmp_path / "resources.yaml").write_text("handlers:\n  Touch: handlers:touch\n")
    machine = write(tmp_path, "m.json", {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Touch", "End": True}}})
    marker = tmp_path / "marker"
    result = invoke("run", machine, "--input", json.dumps({"marker": str(marker)}), "--output", "json",
                    "--history-out", tmp_path / "nowhere" / "h.json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"{tmp_path / 'nowhere' / 'h.json'}: cannot write the history: No such file or directory\n"
    assert not marker.exists()
    ok = invoke("run", machine, "--input", json.dumps({"marker": str(marker)}), "--output", "json",
                "--history-out", tmp_path / "h.json")
    assert ok.exit_code == 0 and marker.read_text() == "ran" and json.loads((tmp_path / "h.json").read_text())


def test_the_mock_machine_looked_for_first_is_the_one_named(tmp_path):
    machine = write(tmp_path, "flow.asl.json", {"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
        "End": True}}})
    mocks = write(tmp_path, "mocks.json", {"StateMachines": {"other": {"TestCases": {"T": {"A": "R"}}}},
                                           "MockedResponses": {"R": {"0": {"Return": 1}}}})
    result = invoke("run", machine, "--mock-config", mocks, "--test-case", "T")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{mocks}:1:19: no state machine 'flow' under StateMachines (known: other)")


def test_the_run_command_measures_its_input_with_floats_and_without(tmp_path):
    machine = tmp_path / "m.asl.json"
    machine.write_text('{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}', encoding="utf-8")
    # 1e-7 is 5 bytes as json writes it (1e-07), 4 as orjson does: the limit is counted json's way
    over = '{"a": [' + ",".join(["1e-7"] * 50000) + "]}"
    under = '{"a": [' + ",".join(["1"] * 50000) + '], "b": "' + "é" * 9000 + '"}'
    for text, refused in ((over, True), (under, False)):
        (tmp_path / "in.json").write_text(text, encoding="utf-8")
        done = CliRunner().invoke(sfn, ["run", str(machine), "--input-file", str(tmp_path / "in.json"), "--output",
                                        "json", "--no-store"])
        assert (done.exit_code != 0 and "AWS accepts at most 262144" in done.output) == refused, done.output
