"""The trace: a tree of branches and iterations, caught errors with their target, retries with their
attempt and backoff, a closing summary; the same from a stored history; nothing it prints drives the
terminal, and no depth of data breaks it."""

import io
import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from rich.console import Console

from asl.api import machine_from_definition, run_machine
from cli.main import sfn
from cli.render import TraceRenderer

HANDLER = '''
calls = {"n": 0}
class Busy(Exception):
    pass
def flaky(event, context):
    calls["n"] += 1
    if calls["n"] == 1:
        raise Busy("try later")
    return {"ok": calls["n"]}
'''
# Retry, Parallel, Map and a Catch that takes a failed iteration's error.
SAMPLE = {"StartAt": "Fetch", "States": {
    "Fetch": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Flaky", "ResultPath": None,
              "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 3}], "Next": "Fan"},
    "Fan": {"Type": "Parallel", "Next": "Done", "ResultPath": None,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Compensate"}],
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "Result": 1, "End": True}}},
                {"StartAt": "Items", "States": {"Items": {
                    "Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
                        "StartAt": "Check", "States": {
                            "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2,
                                                                     "Next": "Two"}], "Default": "Fine"},
                            "Two": {"Type": "Fail", "Error": "TwoFound", "Cause": "no twos"},
                            "Fine": {"Type": "Pass", "End": True}}}}}}]},
    "Compensate": {"Type": "Pass", "End": True},
    "Done": {"Type": "Succeed"}}}
FN = "arn:aws:lambda:us-east-1:123456789012:function:Flaky"
EXPECTED = [
    '   0.000s ▶ Fetch Task  {"items":[1,2]}',
    f'   0.000s   → {FN}',
    '   0.000s   ✖ Busy: try later',
    '   2.000s   ↻ attempt 2 of 4 in 2s',
    f'   2.000s   → {FN}',
    '   2.000s ✔ Fetch (2.000s)  {"items":[1,2]}',
    '   2.000s ▶ Fan Parallel  {"items":[1,2]}',
    '   2.000s ├─ branch 0',
    '   2.000s │  ▶ Left Pass  {"items":[1,2]}',
    '   2.000s │  ✔ Left (0.000s)  1',
    '   2.000s ├─ branch 1',
    '   2.000s │  ▶ Items Map  {"items":[1,2]}',
    '   2.000s │  ├─ iteration 0',
    '   2.000s │  │  ▶ Check Choice  1',
    '   2.000s │  │  ✔ Check (0.000s)  1',
    '   2.000s │  │  ▶ Fine Pass  1',
    '   2.000s │  │  ✔ Fine (0.000s)  1',
    '   2.000s │  ├─ iteration 1',
    '   2.000s │  │  ▶ Check Choice  2',
    '   2.000s │  │  ✔ Check (0.000s)  2',
    '   2.000s │  │  ✖ Two Fail  2',
    '   2.000s │  │  ✖ iteration 1 failed: TwoFound',
    '   2.000s ✖ Fan (0.000s) TwoFound caught → Compensate  {"items":[1,2],"error":{"Error":"TwoFound","Cause":"no twos"}}',
    '   2.000s ▶ Compensate Pass  {"items":[1,2],"error":{"Error":"TwoFound","Cause":"no twos"}}',
    '   2.000s ✔ Compensate (0.000s)  {"items":[1,2],"error":{"Error":"TwoFound","Cause":"no twos"}}',
    '',
    'SUCCEEDED  in 2.000s, 10 state transitions',
]


def console(width=200):
    out = io.StringIO()
    return out, Console(file=out, width=width, color_system=None, highlight=False, markup=False, emoji=False)


def render(definition, input, width=60, **options):
    out, con = console(width)
    machine = machine_from_definition(definition, validate=False)
    renderer = TraceRenderer(con, machine=machine)
    result = run_machine(machine, input, listeners=[renderer.on_event], **options)
    renderer.finish(result)
    return out.getvalue().splitlines()


@pytest.fixture
def sample(tmp_path, monkeypatch):
    module = f"flaky_{tmp_path.name}"   # a fresh module (and call count) per test
    (tmp_path / f"{module}.py").write_text(HANDLER)
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  Flaky: {module}:flaky\n")
    (tmp_path / "m.json").write_text(json.dumps(SAMPLE))
    monkeypatch.setenv("SFN_STORE", str(tmp_path / "s.db"))
    monkeypatch.setenv("COLUMNS", "200")   # rich reads the width from it
    return tmp_path


def test_the_sample_trace_line_by_line(sample):
    lines = render(SAMPLE, {"items": [1, 2]}, width=200, resources=sample / "resources.yaml")
    assert lines[:len(EXPECTED)] == EXPECTED
    assert json.loads("\n".join(lines[len(EXPECTED):])) == {"items": [1, 2], "error": {
        "Error": "TwoFound", "Cause": "no twos"}}


def test_sfn_run_and_sfn_history_print_the_same_trace(sample):
    runner = CliRunner()
    live = runner.invoke(sfn, ["run", str(sample / "m.json"), "--input", '{"items":[1,2]}', "--clock", "virtual",
                               "--output", "trace", "--execution-name", "e1"], terminal_width=200)
    stored = runner.invoke(sfn, ["history", "e1", "--trace"], terminal_width=200)
    assert stored.exit_code == 0, stored.output
    assert stored.stdout.splitlines()[:len(EXPECTED)] == EXPECTED
    # Live, the retry is said before its wait, with its wake time and how the wait is skipped.
    live_lines = live.stdout.splitlines()
    assert live_lines[3].startswith("   0.000s   ↻ attempt 2 of 4 in 2s, at ")
    assert live_lines[3].endswith("Z (skipped: --clock real waits)")
    assert live_lines[:3] + live_lines[4:len(EXPECTED)] == EXPECTED[:3] + EXPECTED[4:]
    assert runner.invoke(sfn, ["history", "e1", "--trace", "--output", "json"]).exit_code == 2


def test_a_caught_task_error_names_its_catcher_target_and_a_retry_its_limit():
    lines = render({"StartAt": "T", "States": {
        "T": {"Type": "Parallel", "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}],
              "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 1, "IntervalSeconds": 3}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Compensate"}], "Next": "Done"},
        "Compensate": {"Type": "Pass", "End": True}, "Done": {"Type": "Pass", "End": True}}}, {}, width=100)
    body = [line[10:] for line in lines]
    assert "  ↻ attempt 2 of 2 in 3s" in body
    caught = next(line for line in body if "caught" in line)
    assert caught.startswith("✖ T (3.000s) E caught → Compensate")
    assert body[body.index(caught) + 1].startswith("▶ Compensate Pass")
    assert not any(line.startswith("✔ T") for line in body)   # never a failure followed by a success
    assert "SUCCEEDED  in 3.000s, 5 state transitions" in lines   # T, F twice, Compensate; 1 retry


def test_failure_summary_has_status_duration_transitions_error_and_cause():
    lines = render({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 90, "Next": "F"},
        "F": {"Type": "Fail", "Error": "E", "Cause": '{"errorMessage": "boom", "errorType": "E"}'}}}, {})
    assert lines[-2:] == ["FAILED  in 90.000s, 2 state transitions", "E: boom"]


def test_lines_fit_the_terminal():
    lines = render({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {"long": "x" * 500}, width=60)
    state_lines = [line for line in lines if "▶" in line or "✔" in line]
    assert state_lines and all(len(line) <= 60 for line in state_lines)
    assert state_lines[0].endswith("…")


def test_state_names_are_text_not_markup():
    lines = render({"StartAt": "[/x] [bold]A", "States": {"[/x] [bold]A": {"Type": "Pass", "End": True}}}, {},
                   width=80)
    assert any("▶ [/x] [bold]A" in line for line in lines)
    assert any("✔ [/x] [bold]A" in line for line in lines)


CSI, OSC, C1 = "\x1b[2J", "\x1b]0;owned\x07", "\x9b31m"


def test_escape_sequences_in_names_errors_causes_and_data_are_shown_not_sent():
    name = f"A{CSI}{C1}"
    lines = render({"StartAt": name, "States": {
        name: {"Type": "Pass", "Next": "F"},
        "F": {"Type": "Fail", "Error": f"E{OSC}", "Cause": f"c{CSI}\rx"}}}, {"k": f"v{OSC}{C1}"}, width=300)
    text = "\n".join(lines)
    assert not any(c in text for c in "\x1b\x07\x9b\r")
    assert "▶ A\\x1b[2J\\x9b31m Pass" in text
    assert "E\\x1b]0;owned\\x07: c\\x1b[2J\\x0dx" in text


def test_escape_sequences_in_the_output_are_json_escapes():
    out, con = console()
    TraceRenderer(con).finish(SimpleNamespace(status="SUCCEEDED", output={"k": f"{C1}{CSI}\x7f"}, error=None,
                                              cause=None))
    text = out.getvalue()
    assert not any(c in text for c in "\x1b\x9b\x7f")
    assert json.loads(text[text.index("{"):]) == {"k": f"{C1}{CSI}\x7f"}


def test_a_value_thousands_of_levels_deep_is_traced(capsys):
    """Neither a state's input nor the output raises RecursionError, however deep."""
    deep = {"a": None}
    for _ in range(3000):
        deep = {"a": deep}
    lines = render({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, deep, width=80)
    assert lines[0].startswith('   0.000s ▶ A Pass  {"a":{"a":')
    TraceRenderer().finish(SimpleNamespace(status="SUCCEEDED", output=deep, error=None, cause=None))
    out = capsys.readouterr().out
    assert "SUCCEEDED" in out and out.count('"a"') == 3001


def test_an_activity_task_shows_its_activity():
    from asl.resources.compose import Services

    class Answer:
        def invoke(self, call):
            return {}

    arn = "arn:aws:states:us-east-1:123456789012:activity:work"
    out = io.StringIO()
    renderer = TraceRenderer(Console(file=out, width=120, color_system=None, highlight=False))
    machine = machine_from_definition({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": arn, "End": True}}})
    run_machine(machine, {}, listeners=[renderer.on_event], resources=Services.of(Answer()))
    assert any(line.strip().endswith(f"→ {arn}") for line in out.getvalue().splitlines())


def test_a_large_output_is_printed_whole_and_plain():
    lines = render({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {"n": list(range(30_000))})
    start = next(i for i, line in enumerate(lines) if line.startswith("SUCCEEDED"))
    assert json.loads("\n".join(lines[start + 1:])) == {"n": list(range(30_000))}
