"""`sfn graph`: formats, output files, templates, and one-line errors with exit 2."""

import json
import xml.etree.ElementTree as ET

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import sfn

ORDER = str(Path(__file__).resolve().parents[2] / "samples" / "order" / "order.asl.json")


def cli(*args):
    return CliRunner().invoke(sfn, [str(a) for a in args], catch_exceptions=False)


def test_text_is_the_default_and_lists_states_and_transitions():
    result = cli("graph", ORDER)
    assert result.exit_code == 0, result.output
    assert "■ ChargeCard  Task · λ ChargeCard  ↻ retry PaymentGatewayBusy ×3" in result.output
    assert "⚠ catch OutOfStock → RefundCharge" in result.output
    assert "  ┌ Branch 1" in result.output and "  ├ Branch 2" in result.output
    assert "\x1b[" not in result.output   # not a terminal: no colour codes


@pytest.mark.parametrize("fmt, start", [("mermaid", "flowchart TD"), ("dot", 'digraph "order"'),
                                        ("svg", "<?xml"), ("html", "<!DOCTYPE html>")])
def test_formats(fmt, start):
    result = cli("graph", ORDER, "--format", fmt)
    assert result.exit_code == 0 and result.output.startswith(start)


def test_output_file(tmp_path):
    out = tmp_path / "order.svg"
    result = cli("graph", ORDER, "--format", "svg", "-o", out)
    assert result.exit_code == 0 and result.output == ""
    ET.parse(out)


def test_template_needs_machine_when_it_holds_several(tmp_path):
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    template = {"Resources": {name: {"Type": "AWS::StepFunctions::StateMachine",
                                     "Properties": {"Definition": machine}} for name in ("One", "Two")}}
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    result = cli("graph", path)
    assert result.exit_code == 2
    assert result.stderr == f"{path}: the template has 2 state machines (One, Two): pick one with --machine NAME\n"
    result = cli("graph", path, "--machine", "Two")
    assert result.exit_code == 0 and result.output.startswith("Two\n")


@pytest.mark.parametrize("args, message", [
    ([], "give DEFINITION, or --diff OLD NEW"),
    ([ORDER, "--diff", ORDER, ORDER], "give DEFINITION, or --diff OLD NEW"),
    (["--diff", ORDER, ORDER, "--execution", "x"], "--execution colours one definition's graph"),
])
def test_usage_errors(args, message):
    result = cli("graph", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_invalid_definition_prints_its_diagnostics(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}')
    result = cli("graph", path)
    assert result.exit_code == 2
    assert f"{path}:1:" in result.stderr and "MISSING_TRANSITION_TARGET" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file(tmp_path):
    result = cli("graph", tmp_path / "none.json")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1


def test_a_terminal_gets_colours(monkeypatch):
    monkeypatch.setattr("cli.commands.graph._is_terminal", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = cli("graph", ORDER)
    assert result.exit_code == 0
    assert "\x1b[" in result.output and "ChargeCard" in result.output
