"""The trace renderer: one line per state event, never wider than the terminal."""

import io

from rich.console import Console

from asl.api import machine_from_definition, run_machine
from cli.render import TraceRenderer


def render(definition, input, width=60):
    out = io.StringIO()
    renderer = TraceRenderer(Console(file=out, width=width, color_system=None, highlight=False))
    machine = machine_from_definition(definition, validate=False)
    result = run_machine(machine, input, listeners=[renderer.on_event])
    renderer.finish(result)
    return out.getvalue().splitlines()


MAP = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ToleratedFailureCount": 1, "ItemProcessor": {
    "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "F"}], "Default": "P"},
        "F": {"Type": "Fail", "Error": "Two", "Cause": "no twos"},
        "P": {"Type": "Pass", "End": True}}}}}}


def test_lines_fit_the_terminal():
    lines = render({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {"long": "x" * 500}, width=60)
    state_lines = [line for line in lines if "▶" in line or "✔" in line]
    assert state_lines and all(len(line) <= 60 for line in state_lines)
    assert state_lines[0].endswith("…")


def test_map_items_and_failures_are_shown_nested():
    lines = render(MAP, [1, 2], width=100)
    assert any(line.strip().endswith("· item 1") for line in lines)
    assert any("✖ item 1 failed" in line for line in lines)
    inner = next(line for line in lines if "▶ C" in line)
    outer = next(line for line in lines if "▶ M" in line)
    assert inner.index("▶") > outer.index("▶")
    assert "SUCCEEDED" in lines


def test_failure_shows_error_and_lambda_message():
    lines = render({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E",
                                                       "Cause": '{"errorMessage": "boom", "errorType": "E"}'}}}, {})
    assert lines[-1] == "E: boom"


def test_state_names_are_text_not_markup():
    lines = render({"StartAt": "[/x] [bold]A", "States": {"[/x] [bold]A": {"Type": "Pass", "End": True}}}, {}, width=80)
    assert any("▶ [/x] [bold]A" in line for line in lines)
    assert any("✔ [/x] [bold]A" in line for line in lines)


def test_a_large_output_is_printed_whole_and_plain():
    lines = render({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {"n": list(range(30_000))})
    start = lines.index("SUCCEEDED")
    import json

    assert json.loads("\n".join(lines[start + 1:])) == {"n": list(range(30_000))}


def test_a_value_thousands_of_levels_deep_is_traced(capsys):
    """json's recursion limit does not turn a deep output (JSONata builds them) into an internal error."""
    from types import SimpleNamespace

    from cli.render import TraceRenderer

    deep = {"a": None}
    for _ in range(3000):
        deep = {"a": deep}
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
