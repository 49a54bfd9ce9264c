"""`sfn run` of a CloudFormation / SAM template: choose the machine, resolve its substitutions, follow its file."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl.api import run_machine
from asl.cloudformation import load_runnable, parse_parameters
from asl.errors import DefinitionError, UserInputError
from cli.main import sfn

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "sam"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:ChargeFunction"


def cli(*args):
    return CliRunner().invoke(sfn, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def sample(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "sam")
    return tmp_path / "sam"


def test_the_sample_runs_each_machine(sample):
    order = cli("run", sample / "template.yaml", "--state-machine", "OrderFlow", "--parameters-file",
                sample / "parameters.json", "--input-file", sample / "input.json", "--output", "json")
    assert json.loads(order.stdout)["output"] == {"orderId": "A-1001", "charged": 42, "stage": "dev"}
    greeter = cli("run", sample / "template.yaml", "--state-machine", "Greeter", "--output", "json")
    assert json.loads(greeter.stdout)["output"] == {"greeting": "hello from dev"}  # !Sub of the default
    prod = cli("run", sample / "template.yaml", "--state-machine", "Greeter", "--parameter", "Stage=prod",
               "--output", "json")
    assert json.loads(prod.stdout)["output"] == {"greeting": "hello from prod"}
    listed = cli("executions").stdout.splitlines()
    assert [line.split("\t")[1] for line in listed] == ["Greeter", "Greeter", "OrderFlow"]  # named by logical id


def test_a_parameter_overrides_the_file_and_the_cloudformation_list_form_is_read(sample):
    (sample / "list.json").write_text(json.dumps([{"ParameterKey": "ChargeFunctionArn", "ParameterValue": "x"},
                                                  {"ParameterKey": "Stage", "ParameterValue": "qa"}]))
    assert parse_parameters(["Stage=prod", "Empty="], str(sample / "list.json")) == {
        "ChargeFunctionArn": "x", "Stage": "prod", "Empty": ""}
    runnable = load_runnable(sample / "template.yaml", state_machine="OrderFlow",
                             parameters={"ChargeFunctionArn": ARN, "Stage": "qa"})
    assert runnable.machine.states["Done"].parameters is not None and '"stage": "qa"' in runnable.text


def test_definition_string_fn_sub_variables_are_the_templates_names(tmp_path):
    template = {"Parameters": {"Table": {"Type": "String", "Default": "orders"}}, "Resources": {"M": {
        "Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Fn::Sub": json.dumps({
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, "Result": {
                "table": "${Table}", "region": "${AWS::Region}", "fn": "${Fn.Arn}"}}}})}}}}}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    result = cli("run", path, "--parameter", "Fn.Arn=arn:fn", "--output", "json")
    assert json.loads(result.stdout)["output"] == {"table": "orders", "region": "us-east-1", "fn": "arn:fn"}


TEMPLATE = """\
Resources:
  A:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: One
        States:
          One: {Type: Task, Resource: "arn:aws:states:us-east-1:123456789012:activity:${Act}", End: true}
      DefinitionSubstitutions:
        Act: !ImportValue shared-activity
  B:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionS3Location: {Bucket: my-bucket, Key: flow.json}
  C:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: missing/flow.asl.json
  D:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: One
        States:
          One: {Type: Pass, Next: Nowhere}
"""


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    return path


@pytest.mark.parametrize("args,message", [
    ([], "1:1: the template has 4 state machines (A, B, C, D): pick one with --state-machine ID"),
    (["--state-machine", "Z"], "1:1: no state machine 'Z' in the template (its state machines: A, B, C, D)"),
    (["--state-machine", "A"], "10:9: 'Act' is !ImportValue shared-activity, which only a deployment knows: give its "
                               "value with --parameter Act=VALUE (or --parameters-file)"),
    (["--state-machine", "A", "--parameter", "Act=x", "--parameter", "Typo=1"],
     "9:7: --parameter Typo: neither a DefinitionSubstitutions key of this state machine nor a template parameter"),
    (["--state-machine", "B"], "14:7: the definition is in Amazon S3 (s3://my-bucket/flow.json), which sfn does not "
                               "read: name the local file instead"),
    (["--state-machine", "C"], "18:7: the definition file missing/flow.asl.json does not exist"),
], ids=["several", "unknown", "unresolved", "unknown-parameter", "s3", "missing-file"])
def test_errors_name_the_template_and_the_place(template, args, message):
    result = cli("run", template, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{template}:{message}"), result.stderr


def test_problems_of_an_inline_definition_are_placed_in_the_template(template):
    invalid = cli("run", template, "--state-machine", "D")
    assert invalid.exit_code == 2
    assert f"{template}:25:29: ERROR MISSING_TRANSITION_TARGET Missing 'Next' target" in invalid.stderr
    # A Task nothing answers is named at its line in the template, before the run.
    unanswered = cli("run", template, "--state-machine", "A", "--parameter", "Act=review")
    assert unanswered.exit_code == 2
    assert unanswered.stderr.startswith(f"{template}:8:11: state 'One': no handler, stub or mock for the resource "
                                        "'arn:aws:states:us-east-1:123456789012:activity:review'")


def test_problems_of_a_definition_file_are_placed_in_that_file(sample):
    (sample / "statemachine" / "order.asl.json").write_text(
        '{"StartAt": "Charge",\n "States": {\n  "Charge": {"Type": "Task", "Resource": "${ChargeFunctionArn}",'
        ' "Next": "Gone"}}}')
    result = cli("run", sample / "template.yaml", "--state-machine", "OrderFlow", "--parameter",
                 f"ChargeFunctionArn={ARN}")
    assert f"{sample / 'statemachine' / 'order.asl.json'}:3:66: ERROR MISSING_TRANSITION_TARGET" in result.stderr


def test_a_definition_is_not_a_template(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    with pytest.raises(UserInputError, match="--state-machine and --parameter apply to CloudFormation"):
        load_runnable(path, state_machine="X")
    assert load_runnable(path).name is None


def test_a_definition_string_is_placed_inside_the_string(tmp_path):
    text = json.dumps({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "DefinitionString": '{"StartAt": "P", "States": {"P": {"Type": "Task", "Resource": '
                            '"arn:aws:states:us-east-1:123456789012:activity:a", "End": true}}}'}}}}, indent=1)
    path = tmp_path / "t.json"
    path.write_text(text)
    runnable = load_runnable(path)
    with pytest.raises(UserInputError) as raised:
        run_machine(runnable.machine, {}, source=runnable.document)
    line = text.splitlines().index(next(l for l in text.splitlines() if "DefinitionString" in l)) + 1
    column = text.splitlines()[line - 1].index('\\"P\\": {') + 1
    assert str(raised.value).startswith(f"{path}:{line}:{column}: state 'P': no handler")


def test_parameters_must_be_key_value(tmp_path):
    with pytest.raises(UserInputError, match="give KEY=VALUE"):
        parse_parameters(["nokey"])
    bad = tmp_path / "p.json"
    bad.write_text("[1, 2]")
    with pytest.raises(UserInputError, match="a parameters file maps names to values"):
        parse_parameters([], str(bad))


def test_without_validation_a_machine_that_does_not_build_is_placed_in_the_template(template):
    with pytest.raises(DefinitionError) as raised:
        load_runnable(template, state_machine="D", validate=False)
    [diagnostic] = raised.value.diagnostics
    assert (diagnostic.position.line, "Nowhere" in diagnostic.message) == (25, True)
