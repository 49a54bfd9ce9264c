"""`sfn validate` in-process through click's CliRunner: formats, exit codes, templates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl.diagnostics import Diagnostic
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


# ------------------------------------------------------------------------ directories

TEMPLATE = json.dumps({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine",
                                           "Properties": {"Definition": json.loads(INVALID)}}}})


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_a_directory_is_searched_for_definitions(run, tmp_path):
    _tree(tmp_path / "machines", {
        "a.asl.json": VALID,                     # named: always checked
        "deep/b.asl.yaml": "StartAt: A\nStates:\n  A:\n    Type: Succeed\n",
        "deep/c.asl.yml": "StartAt: A\nStates:\n  A:\n    Type: Succeed\n",
        "plain.json": INVALID,                   # looks like a definition
        "stack/template.json": TEMPLATE,         # a template holding one
        "input.json": '{"StartAt": "not a machine"}',
        "package.json": '{"name": "x", "version": "1.0.0"}',
        "resources.yaml": "handlers:\n  F: handlers:f\n",
        "notes.txt": INVALID,
        ".hidden/x.asl.json": INVALID,
        "node_modules/pkg/x.asl.json": INVALID,
        "venv/pyvenv.cfg": "home = /usr/bin\n",
        "venv/lib/x.asl.json": INVALID,
        "__pycache__/x.asl.json": INVALID,
    })
    result = run("--format", "json", "machines")
    checked = {item["file"] for item in json.loads(result.output)}
    assert checked == {os.path.join("machines", "plain.json"), os.path.join("machines", "stack", "template.json")}
    assert result.exit_code == 1
    summary = run("machines").output
    assert "5 files checked: 2 invalid" in summary


def test_a_broken_file_that_looks_like_a_definition_is_reported(run, tmp_path):
    _tree(tmp_path / "d", {"broken.json": '{"StartAt": "A", "States": {', "data.json": "[1, 2"})
    result = run("d")
    assert result.exit_code == 1
    assert os.path.join("d", "broken.json") + ":1:29: ERROR INVALID_JSON_DESCRIPTION" in result.output
    assert "data.json" not in result.output


def test_a_directory_without_definitions_says_so(run, tmp_path):
    _tree(tmp_path / "empty", {"package.json": "{}"})
    result = run("empty")
    assert result.exit_code == 0
    assert "empty: no state machine definitions found" in result.output
    assert "0 files checked" in result.output


def test_large_data_files_are_not_read(run, tmp_path, monkeypatch):
    import asl.validate.discover as discover

    monkeypatch.setattr(discover, "MAX_OTHER_BYTES", 100)
    _tree(tmp_path / "d", {"big.json": INVALID + " " * 200, "big.asl.json": INVALID + " " * 200})
    result = run("--format", "json", "d")
    assert {item["file"] for item in json.loads(result.output)} == {os.path.join("d", "big.asl.json")}


def test_samples_directory_is_all_valid(run):
    result = run(str(Path(__file__).resolve().parents[2] / "samples"))
    assert result.exit_code == 0, result.output
    # The SAM sample's definition holds ${...} placeholders its template substitutes, and the
    # template names it by DefinitionUri: a warning each, by design (validated without the template's values).
    assert "12 files checked: all valid (0 errors, 2 warnings)" in result.output
    warned = [line for line in result.output.splitlines() if "WARNING" in line]
    assert all("samples/sam/" in line for line in warned) and len(warned) == 2


# ------------------------------------------------------------- source lines and carets

def test_on_a_terminal_the_source_line_is_shown_with_a_caret(run, monkeypatch):
    import cli.commands.validate as command

    monkeypatch.setattr(command, "_is_terminal", lambda: True)
    result = run("bad.asl.json", files={"bad.asl.json": INVALID})
    lines = result.output.splitlines()
    at = lines.index(next(line for line in lines if "MISSING_TRANSITION_TARGET" in line))
    assert lines[at + 1] == ' 4 |     "A": {"Type": "Pass", "Next": "Missing"}'
    assert lines[at + 2] == "   |                           ^"


def test_piped_output_stays_one_line_per_diagnostic(run):
    result = run("bad.asl.json", files={"bad.asl.json": INVALID})
    assert [line for line in result.output.splitlines() if "|" in line] == []


@pytest.mark.parametrize("line,column,shown,caret", [
    ('\t"Nxt": 1', 2, '    "Nxt": 1', "    ^"),                        # a tab is 4 columns
    ('"日本": 1, "Nxt": 1', 9, '"日本": 1, "Nxt": 1', "          ^"),     # wide characters take two
    ('"a\x9b2J": 1, "Nxt": 1', 12, '"a\\x9b2J": 1, "Nxt": 1', "              ^"),  # escaped, 4 wide
])
def test_caret_lines_up_under_the_place(line, column, shown, caret):
    from asl.source import Position
    from cli.commands.validate import _snippet

    d = Diagnostic("X", "m", "", "ERROR", Position(1, column))
    assert _snippet([line], d) == [f" 1 | {shown}", f"   | {caret}"]


def test_a_long_line_is_shown_around_the_place():
    from asl.source import Position
    from cli.commands.validate import SNIPPET_WIDTH, _snippet

    line = "x" * 1000 + "HERE" + "y" * 1000
    source, caret = _snippet([line], Diagnostic("X", "m", "", "ERROR", Position(1, 1001)))
    assert source.startswith(" 1 | ...x") and source.endswith("y...")
    assert len(source) < SNIPPET_WIDTH + 20
    assert source[caret.index("^"):].startswith("HERE")


# ------------------------------------------------------------------ control characters

NASTY = "\x1b]0;owned\x07\x1b[2J\x9b31m\nX"   # OSC (retitle), CSI (clear), a raw C1 CSI, a newline
NASTY_MACHINE = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, NASTY: {"Type": "Succeed"}}})


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_control_characters_from_the_definition_never_reach_the_terminal(run, monkeypatch, fmt):
    import cli.commands.validate as command

    monkeypatch.setattr(command, "_is_terminal", lambda: True)
    result = run("--format", fmt, "m.asl.json", files={"m.asl.json": NASTY_MACHINE})
    assert result.exit_code == 1
    assert "owned" in result.output            # the name is shown ...
    assert not [c for c in result.output if ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) <= 0x9f]
    if fmt == "json":
        assert NASTY in json.loads(result.output)[0]["message"]   # ... and JSON still round-trips


def test_control_characters_in_a_file_name_are_escaped(run, tmp_path):
    result = run("bad\x1b[2J.asl.json", files={"bad\x1b[2J.asl.json": INVALID})
    assert "bad\\x1b[2J.asl.json:4:27" in result.output
