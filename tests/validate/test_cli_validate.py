"""`sfn validate` in-process through click's CliRunner: formats, exit codes, templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import sfn

VALID = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}\n'
INVALID = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Next": "Missing"}\n  }\n}\n'


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, files: dict[str, str] | None = None):
        for name, text in (files or {}).items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        return CliRunner().invoke(sfn, ["validate", *args], catch_exceptions=False)
    return invoke


def test_valid_file_exits_0(run):
    result = run("ok.asl.json", files={"ok.asl.json": VALID})
    assert result.exit_code == 0
    assert "1 file checked: all valid" in result.output


def test_invalid_file_exits_1_with_file_line_column(run):
    result = run("bad.asl.json", files={"bad.asl.json": INVALID})
    assert result.exit_code == 1
    assert "bad.asl.json:4:27: ERROR MISSING_TRANSITION_TARGET" in result.output


def test_all_files_are_checked_and_any_error_exits_1(run):
    result = run("ok.asl.json", "bad.asl.json", files={"ok.asl.json": VALID, "bad.asl.json": INVALID})
    assert result.exit_code == 1
    assert "2 files checked: 1 invalid" in result.output


def test_malformed_json_is_invalid_not_a_crash(run):
    result = run("broken.json", files={"broken.json": '{"StartAt": "A",\n  "States": }'})
    assert result.exit_code == 1
    assert "broken.json:2:13: ERROR INVALID_JSON_DESCRIPTION" in result.output


def test_missing_file_exits_2(run):
    result = run("nope.json")
    assert result.exit_code == 2
    assert "nope.json: no such file" in result.output


def test_no_arguments_is_a_usage_error(run):
    assert run().exit_code == 2


def test_json_format(run):
    result = run("--format", "json", "bad.asl.json", files={"bad.asl.json": INVALID})
    items = json.loads(result.output)
    assert result.exit_code == 1
    target = [i for i in items if i["code"] == "MISSING_TRANSITION_TARGET"][0]
    assert target | {"message": None} == {"file": "bad.asl.json", "line": 4, "column": 27, "severity": "ERROR",
                                            "code": "MISSING_TRANSITION_TARGET", "pointer": "/States/A/Next",
                                            "message": None}


def test_github_format(run):
    result = run("--format", "github", "bad.asl.json", files={"bad.asl.json": INVALID})
    assert "::error file=bad.asl.json,line=4,col=27,title=MISSING_TRANSITION_TARGET::Missing 'Next'" in result.output


def test_quiet_prints_errors_only(run):
    warn = '{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${Fn}", "End": true}}}'
    result = run("--quiet", "w.asl.json", files={"w.asl.json": warn})
    assert result.exit_code == 0
    assert result.output == ""


def test_yaml_positions(run):
    text = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    ResultPath: nope\n    End: true\n"
    result = run("m.asl.yaml", files={"m.asl.yaml": text})
    assert result.exit_code == 1
    assert "m.asl.yaml:5:5: ERROR SCHEMA_VALIDATION_FAILED ResultPath" in result.output


def test_cloudformation_template_positions_in_the_template(run):
    template = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      Definition:
        StartAt: A
        States:
          A:
            Type: Pass
            Next: Nowhere
"""
    result = run("template.yaml", files={"template.yaml": template})
    assert result.exit_code == 1
    assert ("template.yaml:14:13: ERROR MISSING_TRANSITION_TARGET" in result.output), result.output
    assert "/Resources/Machine/Properties/Definition/States/A/Next" in run(
        "--format", "json", "template.yaml").output


def test_sam_definition_substitutions_are_applied(run):
    template = json.dumps({"Resources": {"M": {"Type": "AWS::Serverless::StateMachine", "Properties": {
        "DefinitionSubstitutions": {"Fn": "arn:aws:lambda:us-east-1:123456789012:function:f"},
        "Definition": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${Fn}", "End": True}}}}}}})
    result = run("t.json", files={"t.json": template})
    assert result.exit_code == 0
    assert "0 warnings" in result.output


def test_definition_string_is_validated(run):
    inner = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass"}}})
    template = json.dumps({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine",
                                               "Properties": {"DefinitionString": inner}}}})
    result = run("t.json", files={"t.json": template})
    assert result.exit_code == 1
    assert "(at /States/A in the definition string)" in result.output


def test_validate_does_not_import_the_interpreter_rich_or_jsonschema(tmp_path):
    # A fresh interpreter: what `sfn validate` imports, with nothing else loaded before it.
    (tmp_path / "ok.asl.json").write_text(VALID, encoding="utf-8")
    probe = ("import sys\nfrom click.testing import CliRunner\nfrom cli.main import sfn\n"
             f"r = CliRunner().invoke(sfn, ['validate', {str(tmp_path / 'ok.asl.json')!r}])\n"
             "print(r.exit_code, sorted(m for m in sys.modules if m.split('.')[0] in "
             "('rich', 'jsonschema') or m.startswith('asl.interp')))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "0 []"
