"""The trace of branches and iterations that ran at once (real and fast clocks): each event is drawn in
its own lane, found by its previousEventId, and a lane's header is said again when its lines resume
after another lane's, so every line sits under its own branch or iteration, nested lanes included."""

import datetime
import io
import json
import re
import time
from types import SimpleNamespace

from click.testing import CliRunner
from rich.console import Console

from asl.api import machine_from_definition, run_machine
from asl.errors import StatesError
from asl.resources.compose import Services
from cli.main import sfn
from cli.render import TraceRenderer

FN = "arn:aws:lambda:us-east-1:123456789012:function:Work"
T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)


def history(*rows, first=1):
    """Events numbered from `first`: each row is (previousEventId, type, milliseconds, details)."""
    return [SimpleNamespace(id=number, previous_id=previous, type=kind,
                            timestamp=T0 + datetime.timedelta(milliseconds=ms), details=details)
            for number, (previous, kind, ms, details) in enumerate(rows, start=first)]


def entered(name, data=None):
    return {"name": name, "input": {} if data is None else data}


def exited(name, data=None):
    return {"name": name, "output": {} if data is None else data}


def trace(events, definition=None, result=None, width=120):
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False, markup=False, emoji=False)
    machine = machine_from_definition(definition, validate=False) if definition else None
    renderer = TraceRenderer(console, machine=machine)
    for event in events:
        renderer.on_event(event)
    renderer.finish(result or SimpleNamespace(status="SUCCEEDED", output={}, error=None, cause=None))
    return out.getvalue().splitlines()


SCHEDULED = {"resource": FN, "resourceType": "lambda"}

# Branch 0 (A1 -> A2) waits longer on its first Task than branch 1 (B1 -> B2) takes in all: as
# asl/interp/lanes.py records it, B1 and B2 run while A1 waits.
PARALLEL = history(
    (0, "ExecutionStarted", 0, {}),                      # 1
    (0, "ParallelStateEntered", 0, entered("P")),        # 2
    (2, "ParallelStateStarted", 0, {}),                  # 3
    (3, "TaskStateEntered", 1, entered("A1")),           # 4
    (4, "LambdaFunctionScheduled", 1, SCHEDULED),        # 5
    (3, "TaskStateEntered", 2, entered("B1")),           # 6
    (6, "LambdaFunctionScheduled", 2, SCHEDULED),        # 7
    (7, "LambdaFunctionSucceeded", 100, {}),             # 8
    (8, "TaskStateExited", 100, exited("B1", 1)),        # 9
    (9, "TaskStateEntered", 100, entered("B2", 1)),      # 10
    (10, "LambdaFunctionScheduled", 100, SCHEDULED),     # 11
    (5, "LambdaFunctionSucceeded", 200, {}),             # 12
    (12, "TaskStateExited", 200, exited("A1", 0)),       # 13
    (13, "TaskStateEntered", 200, entered("A2", 0)),     # 14
    (14, "LambdaFunctionScheduled", 200, SCHEDULED),     # 15
    (11, "LambdaFunctionSucceeded", 220, {}),            # 16
    (16, "TaskStateExited", 220, exited("B2", 2)),       # 17
    (15, "LambdaFunctionSucceeded", 250, {}),            # 18
    (18, "TaskStateExited", 250, exited("A2", 3)),       # 19
    (17, "ParallelStateSucceeded", 250, {}),             # 20
    (17, "ParallelStateExited", 250, exited("P", [3, 2])),  # 21
    (21, "ExecutionSucceeded", 250, {}),                 # 22
)


def test_interleaved_parallel_branches_each_line_under_its_own_branch():
    assert trace(PARALLEL)[:-1] == [
        '   0.000s ▶ P Parallel  {}',
        '   0.001s ├─ branch 0',
        '   0.001s │  ▶ A1 Task  {}',
        f'   0.001s │    → lambda:{FN}',
        '   0.002s ├─ branch 1',
        '   0.002s │  ▶ B1 Task  {}',
        f'   0.002s │    → lambda:{FN}',
        '   0.100s │  ✔ B1 (0.098s)  1',
        '   0.100s │  ▶ B2 Task  1',
        f'   0.100s │    → lambda:{FN}',
        '   0.200s ├─ branch 0 (continued)',
        '   0.200s │  ✔ A1 (0.199s)  0',         # its visit was not dropped when branch 1 began
        '   0.200s │  ▶ A2 Task  0',
        f'   0.200s │    → lambda:{FN}',
        '   0.220s ├─ branch 1 (continued)',
        '   0.220s │  ✔ B2 (0.120s)  2',
        '   0.250s ├─ branch 0 (continued)',
        '   0.250s │  ✔ A2 (0.050s)  3',
        '   0.250s ✔ P (0.250s)  [3,2]',
        '',
        'SUCCEEDED  in 0.250s, 5 state transitions',
    ]


# Three iterations at once (MaxConcurrency 3); iteration 1 fails first, the Map fails, a Catch takes it.
MAP_FAILS = history(
    (0, "ExecutionStarted", 0, {}),                                  # 1
    (0, "MapStateEntered", 0, entered("M", data=[0, 1, 2])),          # 2
    (2, "MapStateStarted", 0, {"length": 3}),                        # 3
    (3, "MapIterationStarted", 1, {"name": "M", "index": 0}),        # 4
    (4, "TaskStateEntered", 1, entered("T", data=0)),                # 5
    (5, "LambdaFunctionScheduled", 1, SCHEDULED),                    # 6
    (3, "MapIterationStarted", 2, {"name": "M", "index": 1}),        # 7
    (7, "TaskStateEntered", 2, entered("T", data=1)),                # 8
    (8, "LambdaFunctionScheduled", 2, SCHEDULED),                    # 9
    (3, "MapIterationStarted", 3, {"name": "M", "index": 2}),        # 10
    (10, "TaskStateEntered", 3, entered("T", data=2)),               # 11
    (11, "LambdaFunctionScheduled", 3, SCHEDULED),                   # 12
    (9, "LambdaFunctionFailed", 50, {"error": "Boom", "cause": "item 1"}),  # 13
    (13, "MapIterationFailed", 50, {"name": "M", "index": 1}),       # 14
    (12, "MapIterationAborted", 50, {"name": "M", "index": 2}),      # 15
    (6, "MapIterationAborted", 50, {"name": "M", "index": 0}),       # 16
    (13, "MapStateFailed", 50, {}),                                  # 17
    (17, "MapStateExited", 50, exited("M", {"Error": "Boom"})),      # 18
    (18, "PassStateEntered", 50, entered("Handle", data={"Error": "Boom"})),  # 19
    (19, "PassStateExited", 50, exited("Handle", {"Error": "Boom"})),         # 20
    (20, "ExecutionSucceeded", 50, {}),                              # 21
)
MAP_DEFINITION = {"StartAt": "M", "States": {
    "M": {"Type": "Map", "MaxConcurrency": 3, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
          "End": True, "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN,
                                                                         "End": True}}}},
    "Handle": {"Type": "Pass", "End": True}}}


def test_interleaved_map_with_a_failing_iteration_says_the_error_in_that_iteration():
    assert trace(MAP_FAILS, MAP_DEFINITION)[:-1] == [
        '   0.000s ▶ M Map  [0,1,2]',
        '   0.001s ├─ iteration 0',
        '   0.001s │  ▶ T Task  0',
        f'   0.001s │    → lambda:{FN}',
        '   0.002s ├─ iteration 1',
        '   0.002s │  ▶ T Task  1',
        f'   0.002s │    → lambda:{FN}',
        '   0.003s ├─ iteration 2',
        '   0.003s │  ▶ T Task  2',
        f'   0.003s │    → lambda:{FN}',
        '   0.050s ├─ iteration 1 (continued)',
        '   0.050s │    ✖ Boom: item 1',
        '   0.050s │  ✖ iteration 1 failed: Boom',
        '   0.050s ├─ iteration 2 (continued)',
        '   0.050s │  ✖ iteration 2 aborted',
        '   0.050s ├─ iteration 0 (continued)',
        '   0.050s │  ✖ iteration 0 aborted',
        '   0.050s ✖ M (0.050s) Boom caught → Handle  {"Error":"Boom"}',
        '   0.050s ▶ Handle Pass  {"Error":"Boom"}',
        '   0.050s ✔ Handle (0.000s)  {"Error":"Boom"}',
        '',
        'SUCCEEDED  in 0.050s, 5 state transitions',
    ]


# Branch 0 waits on A1 while branch 1's Map runs two iterations at once; iteration 1 ends first.
NESTED = history(
    (0, "ExecutionStarted", 0, {}),                                   # 1
    (0, "ParallelStateEntered", 0, entered("P")),                     # 2
    (2, "ParallelStateStarted", 0, {}),                               # 3
    (3, "TaskStateEntered", 1, entered("A1")),                        # 4
    (4, "LambdaFunctionScheduled", 1, SCHEDULED),                     # 5
    (3, "MapStateEntered", 2, entered("M", data=[0, 1])),              # 6
    (6, "MapStateStarted", 2, {"length": 2}),                         # 7
    (7, "MapIterationStarted", 3, {"name": "M", "index": 0}),         # 8
    (8, "TaskStateEntered", 3, entered("T", data=0)),                 # 9
    (9, "LambdaFunctionScheduled", 3, SCHEDULED),                     # 10
    (7, "MapIterationStarted", 4, {"name": "M", "index": 1}),         # 11
    (11, "TaskStateEntered", 4, entered("T", data=1)),                # 12
    (12, "LambdaFunctionScheduled", 4, SCHEDULED),                    # 13
    (13, "LambdaFunctionSucceeded", 60, {}),                          # 14
    (14, "TaskStateExited", 60, exited("T", 1)),                      # 15
    (15, "MapIterationSucceeded", 60, {"name": "M", "index": 1}),     # 16
    (10, "LambdaFunctionSucceeded", 100, {}),                         # 17
    (17, "TaskStateExited", 100, exited("T", 0)),                     # 18
    (18, "MapIterationSucceeded", 100, {"name": "M", "index": 0}),    # 19
    (19, "MapStateSucceeded", 100, {}),                               # 20
    (19, "MapStateExited", 100, exited("M", [0, 1])),                 # 21
    (5, "LambdaFunctionSucceeded", 150, {}),                          # 22
    (22, "TaskStateExited", 150, exited("A1", "a")),                  # 23
    (23, "ParallelStateSucceeded", 150, {}),                          # 24
    (23, "ParallelStateExited", 150, exited("P", ["a", [0, 1]])),     # 25
    (25, "ExecutionSucceeded", 150, {}),                              # 26
)


def test_a_map_nested_in_a_parallel_branch_says_both_headers_again():
    assert trace(NESTED)[:-1] == [
        '   0.000s ▶ P Parallel  {}',
        '   0.001s ├─ branch 0',
        '   0.001s │  ▶ A1 Task  {}',
        f'   0.001s │    → lambda:{FN}',
        '   0.002s ├─ branch 1',
        '   0.002s │  ▶ M Map  [0,1]',
        '   0.003s │  ├─ iteration 0',
        '   0.003s │  │  ▶ T Task  0',
        f'   0.003s │  │    → lambda:{FN}',
        '   0.004s │  ├─ iteration 1',
        '   0.004s │  │  ▶ T Task  1',
        f'   0.004s │  │    → lambda:{FN}',
        '   0.060s │  │  ✔ T (0.056s)  1',
        '   0.100s │  ├─ iteration 0 (continued)',
        '   0.100s │  │  ✔ T (0.097s)  0',
        '   0.100s │  ✔ M (0.098s)  [0,1]',
        '   0.150s ├─ branch 0 (continued)',
        '   0.150s │  ✔ A1 (0.149s)  "a"',
        '   0.150s ✔ P (0.150s)  ["a",[0,1]]',
        '',
        'SUCCEEDED  in 0.150s, 5 state transitions',
    ]


def test_a_branch_resumed_under_another_branchs_iteration_says_its_branch_again():
    """From a line two lanes deep to another branch, and back: every header on the way is said."""
    # A1 ends while iteration 1's Task still waits; then iteration 1's Task ends.
    events = NESTED[:13] + history(
        (5, "LambdaFunctionSucceeded", 50, {}),            # 14
        (14, "TaskStateExited", 50, exited("A1", "a")),    # 15
        (13, "LambdaFunctionSucceeded", 60, {}),           # 16
        (16, "TaskStateExited", 60, exited("T", 1)),       # 17
        first=14)
    lines = trace(events, result=SimpleNamespace(status="RUNNING", output=None, error=None, cause=None))
    assert lines[12:17] == [
        '   0.050s ├─ branch 0 (continued)',
        '   0.050s │  ✔ A1 (0.049s)  "a"',
        '   0.060s ├─ branch 1 (continued)',
        '   0.060s │  ├─ iteration 1 (continued)',
        '   0.060s │  │  ✔ T (0.056s)  1',
    ]


# Branch 0's Task fails and is retried (Retry: 2 more attempts) while branch 1's Task runs; then
# branch 1's Task fails and a Catch in that branch takes it.
RETRY_AND_CATCH = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": FN, "End": True,
                                      "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}]}}},
    {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": FN, "Next": "Ok",
                                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Fix"}]},
                                "Fix": {"Type": "Pass", "End": True}, "Ok": {"Type": "Pass", "End": True}}}]}}}
RETRIES = history(
    (0, "ExecutionStarted", 0, {}),                                   # 1
    (0, "ParallelStateEntered", 0, entered("P")),                     # 2
    (2, "ParallelStateStarted", 0, {}),                               # 3
    (3, "TaskStateEntered", 1, entered("A")),                         # 4
    (4, "LambdaFunctionScheduled", 1, SCHEDULED),                     # 5
    (3, "TaskStateEntered", 2, entered("B")),                         # 6
    (6, "LambdaFunctionScheduled", 2, SCHEDULED),                     # 7
    (5, "LambdaFunctionFailed", 10, {"error": "Busy", "cause": "later"}),   # 8
    (7, "LambdaFunctionFailed", 20, {"error": "Bad", "cause": "no"}),       # 9
    (9, "TaskStateExited", 20, exited("B", {"Error": "Bad"})),        # 10
    (10, "PassStateEntered", 20, entered("Fix", {"Error": "Bad"})),  # 11
    (8, "LambdaFunctionScheduled", 1010, SCHEDULED),                  # 12
    (11, "PassStateExited", 1010, exited("Fix", "fixed")),            # 13
    (12, "LambdaFunctionSucceeded", 1100, {}),                        # 14
    (14, "TaskStateExited", 1100, exited("A", "done")),               # 15
    (15, "ParallelStateSucceeded", 1100, {}),                         # 16
    (15, "ParallelStateExited", 1100, exited("P", ["done", "fixed"])),  # 17
)


def test_a_retry_and_a_catch_in_interleaved_branches_are_said_in_their_own_branch():
    assert trace(RETRIES, RETRY_AND_CATCH)[:-1] == [
        '   0.000s ▶ P Parallel  {}',
        '   0.001s ├─ branch 0',
        '   0.001s │  ▶ A Task  {}',
        f'   0.001s │    → lambda:{FN}',
        '   0.002s ├─ branch 1',
        '   0.002s │  ▶ B Task  {}',
        f'   0.002s │    → lambda:{FN}',
        '   0.010s ├─ branch 0 (continued)',
        '   0.010s │    ✖ Busy: later',
        '   0.020s ├─ branch 1 (continued)',
        '   0.020s │    ✖ Bad: no',
        '   0.020s │  ✖ B (0.018s) Bad caught → Fix  {"Error":"Bad"}',
        '   0.020s │  ▶ Fix Pass  {"Error":"Bad"}',
        '   1.010s ├─ branch 0 (continued)',
        '   1.010s │    ↻ attempt 2 of 3 in 1s',
        f'   1.010s │    → lambda:{FN}',
        '   1.010s ├─ branch 1 (continued)',
        '   1.010s │  ✔ Fix (0.990s)  "fixed"',
        '   1.100s ├─ branch 0 (continued)',
        '   1.100s │  ✔ A (1.099s)  "done"',
        '   1.100s ✔ P (1.100s)  ["done","fixed"]',
        '',
        'SUCCEEDED  in 1.100s, 5 state transitions',   # P, A, B, Fix and A's retry
    ]


def test_a_wait_note_and_the_attempt_it_names_are_the_lane_of_the_last_event():
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None, highlight=False, markup=False, emoji=False)
    renderer = TraceRenderer(console, machine=machine_from_definition(RETRY_AND_CATCH, validate=False))
    for event in RETRIES[:6]:
        renderer.on_event(event)
    renderer.on_event(RETRIES[6])    # branch 1 scheduled B's call: a line under branch 1
    renderer.on_event(RETRIES[7])    # branch 0's Task failed: its Retry waits next
    assert renderer.attempt_label() == "attempt 2 of 3"
    renderer.note("↻ attempt 2 of 3 in 1s, at T\nsecond line")
    assert out.getvalue().splitlines()[-4:] == [
        '   0.010s ├─ branch 0 (continued)',
        '   0.010s │    ✖ Busy: later',
        '   0.010s │    ↻ attempt 2 of 3 in 1s, at T',
        '          │  second line',
    ]
    renderer.on_event(RETRIES[8])    # branch 1's Task failed: no Retry of B's takes it
    assert renderer.attempt_label() == "attempt 2"
    for event in RETRIES[9:12]:      # ... and A's retry starts: the note said it, its own line does not
        renderer.on_event(event)
    lines = out.getvalue().splitlines()
    assert sum("↻ attempt 2 of 3" in line for line in lines) == 1
    assert lines[-2:] == ['   1.010s ├─ branch 0 (continued)', f'   1.010s │    → lambda:{FN}']


# -- real runs on the fast clock: Tasks that sleep make their lanes overlap ---------------------------

class Sleeper:
    """A provider that sleeps each call's "s" seconds and fails one that says "fail"."""

    def invoke(self, call):
        value = call.parameters
        time.sleep(value["s"])
        if value.get("fail"):
            raise StatesError("Boom", f"item {value['i']}")
        return value


def task(**fields):
    return {"Type": "Task", "Resource": FN, **({} if "Next" in fields else {"End": True}), **fields}


def lanes_of(lines):
    """Each state line with the headers it sits under, read off the guides as a reader of the tree would."""
    headers, found = [], []
    for line in lines:
        body = line[10:]
        depth = 0
        while body.startswith("│  "):
            body, depth = body[3:], depth + 1
        if body.startswith("├─ "):
            headers[depth:] = [body[3:].removesuffix(" (continued)")]
        elif body.strip():
            found.append((tuple(headers[:depth]), body.strip()))
    return found


def live(definition, input):
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None, highlight=False, markup=False, emoji=False)
    machine = machine_from_definition(definition, validate=False)
    renderer = TraceRenderer(console, machine=machine)
    result = run_machine(machine, input, clock="fast", resources=Services.of(Sleeper()),
                         listeners=[renderer.on_event])
    renderer.finish(result)
    return result, out.getvalue().splitlines()


def test_a_real_parallel_run_prints_every_exit_under_its_own_branch():
    result, lines = live({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A1", "States": {"A1": task(Parameters={"s": 0.2}, Next="A2"), "A2": task(Parameters={"s": 0.05})}},
        {"StartAt": "B1", "States": {"B1": task(Parameters={"s": 0.1}, Next="B2"),
                                     "B2": task(Parameters={"s": 0.05})}}]}}}, {})
    assert result.status == "SUCCEEDED"
    states = [(where, text) for where, text in lanes_of(lines) if text[0] in "▶✔"]
    for name, branch in (("A1", "branch 0"), ("A2", "branch 0"), ("B1", "branch 1"), ("B2", "branch 1")):
        assert [where for where, text in states if text.split()[1] == name] == [(branch,), (branch,)], lines
    assert any("(continued)" in line for line in lines)   # they did overlap
    assert any(line.startswith("SUCCEEDED  in") and line.endswith(", 5 state transitions") for line in lines)


def test_a_real_map_with_a_failing_iteration_says_its_error_in_that_iteration():
    items = [{"i": 0, "s": 0.2}, {"i": 1, "s": 0.05, "fail": True}, {"i": 2, "s": 0.1}]
    result, lines = live({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 3, "End": True,
                                                           "ItemProcessor": {"StartAt": "T", "States": {
                                                               "T": task()}}}}}, items)
    assert result.status == "FAILED" and result.error == "Boom"
    found = lanes_of(lines)
    for where, text in found:
        if text.startswith("▶ T"):
            assert where == (f"iteration {json.loads(text.split('  ', 1)[1])['i']}",)
    assert (("iteration 1",), "✖ Boom: item 1") in found
    assert (("iteration 1",), "✖ iteration 1 failed: Boom") in found
    assert {(where, text) for where, text in found if "aborted" in text} == {
        (("iteration 0",), "✖ iteration 0 aborted"), (("iteration 2",), "✖ iteration 2 aborted")}
    assert lines[-2:] == [next(line for line in lines if line.startswith("FAILED")), "Boom: item 1"]


NESTED_RUN = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "A1", "States": {"A1": task(Parameters={"i": "a", "s": 0.15})}},
    {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "MaxConcurrency": 2, "ItemProcessor": {
        "StartAt": "T", "States": {"T": task(Next="Ok"), "Ok": {"Type": "Pass", "End": True}}}}}}]}}}


def test_a_real_map_nested_in_a_parallel_branch_keeps_every_line_in_its_iteration():
    result, lines = live(NESTED_RUN, [{"i": 0, "s": 0.1}, {"i": 1, "s": 0.05}])
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    found = lanes_of(lines)
    iterations = [(where, text) for where, text in found if re.match(r"[▶✔] (T|Ok)\b", text)]
    assert len(iterations) == 8   # T and Ok entered and exited in each of 2 iterations
    for where, text in iterations:
        index = re.search(r'"i":(\d)', text).group(1)
        assert where == ("branch 1", f"iteration {index}"), lines
    assert [where for where, text in found if text.startswith(("▶ A1", "✔ A1"))] == [("branch 0",)] * 2
    assert [where for where, text in found if text.startswith(("▶ M", "✔ M"))] == [("branch 1",)] * 2
    assert any(line.endswith("├─ iteration 0 (continued)") for line in lines)


def test_sfn_history_traces_an_interleaved_run_as_sfn_run_did(tmp_path, monkeypatch):
    module = f"sleepy_{tmp_path.name}"
    (tmp_path / f"{module}.py").write_text(
        "import time\ndef work(event, context):\n    time.sleep(event['s'])\n    return event\n")
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  Work: {module}:work\n")
    (tmp_path / "m.json").write_text(json.dumps(NESTED_RUN))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("SFN_STORE", str(tmp_path / "s.db"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    run = runner.invoke(sfn, ["run", str(tmp_path / "m.json"), "--input", '[{"i":0,"s":0.1},{"i":1,"s":0.05}]',
                              "--resources", str(tmp_path / "resources.yaml"), "--clock", "fast",
                              "--output", "trace", "--execution-name", "e1"], terminal_width=200)
    assert run.exit_code == 0, run.output
    stored = runner.invoke(sfn, ["history", "e1", "--trace"], terminal_width=200)
    assert stored.exit_code == 0, stored.output
    assert "(continued)" in run.stdout
    assert stored.stdout.splitlines() == run.stdout.splitlines()
