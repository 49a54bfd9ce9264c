"""Where `sfn run` waits: the default clock skips Waits and Retry intervals, the trace says each wake
time and how to skip it, and a callback Task shows its token and the command that answers it."""

import datetime
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import asl.interp.clock
from asl.store import Store, default_path
from cli.main import sfn

ROOT = Path(__file__).resolve().parents[2]
WAIT = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
# AWS's mock RetryPath example: a Task that fails three times, retried 2 s, 4 s and 8 s later.
RETRY = {"StartAt": "Call", "States": {"Call": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
    "Retry": [{"ErrorEquals": ["Lambda.ResourceNotReadyException"], "IntervalSeconds": 2, "BackoffRate": 2,
               "MaxAttempts": 3}], "End": True}}}
MOCKS = {"StateMachines": {"retry": {"TestCases": {"RetryPath": {"Call": "NotReadyThenOk"}}}},
         "MockedResponses": {"NotReadyThenOk": {
             "0-2": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
             "3": {"Return": {"StatusCode": 200, "Payload": {"ok": True}}}}}}
CALLBACK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/nobody",
                   "MessageBody": {"token.$": "$$.Task.Token"}},
    "TimeoutSeconds": 300, "End": True}}}


def cli(*args):
    return CliRunner().invoke(sfn, [str(a) for a in args], catch_exceptions=False, terminal_width=400)


def write(folder, name, value):
    path = folder / name
    path.write_text(json.dumps(value))
    return path


@pytest.fixture
def no_real_sleep(monkeypatch):
    """Any real sleep of the clock fails the test (the default must not sleep through waits)."""
    def fail(self, seconds):
        raise AssertionError(f"slept {seconds}s of real time")
    monkeypatch.setattr(asl.interp.clock.RealClock, "sleep", fail)


def events(path):
    return json.loads(path.read_text())["events"]


def stamp(event):
    return datetime.datetime.fromisoformat(event["timestamp"])


def test_the_default_clock_skips_waits_and_retry_intervals(tmp_path, no_real_sleep):
    machine = write(tmp_path, "wait.json", WAIT)
    result = cli("run", machine, "--output", "json", "--history-out", tmp_path / "h.json")
    assert json.loads(result.stdout)["status"] == "SUCCEEDED"
    entered, exited = (e for e in events(tmp_path / "h.json") if e["type"].startswith("WaitState"))
    assert stamp(exited) - stamp(entered) >= datetime.timedelta(seconds=3600)

    retry = write(tmp_path, "retry.json", RETRY)
    result = cli("run", retry, "--output", "json", "--history-out", tmp_path / "r.json",
                 "--mock-config", write(tmp_path, "mocks.json", MOCKS), "--test-case", "RetryPath")
    assert json.loads(result.stdout)["output"] == {"StatusCode": 200, "Payload": {"ok": True}}
    failed = [stamp(e) for e in events(tmp_path / "r.json") if e["type"] == "TaskFailed"]
    scheduled = [stamp(e) for e in events(tmp_path / "r.json") if e["type"] == "TaskScheduled"]
    gaps = [(s - f).total_seconds() for f, s in zip(failed, scheduled[1:])]
    assert [round(g) for g in gaps] == [2, 4, 8]


@pytest.mark.parametrize("clock,how", [("fast", "(skipped: --clock real waits)"),
                                       ("virtual", "(skipped: --clock real waits)"),
                                       ("real", "(--clock fast skips waits; Ctrl-C stops)")])
def test_the_trace_says_when_a_wait_ends_and_how_to_skip_it(tmp_path, monkeypatch, clock, how):
    monkeypatch.setattr(asl.interp.clock.RealClock, "sleep", lambda self, seconds: None)
    result = cli("run", write(tmp_path, "wait.json", WAIT), "--clock", clock, "--output", "trace",
                 "--history-out", tmp_path / "h.json")
    entered = next(e for e in events(tmp_path / "h.json") if e["type"] == "WaitStateEntered")
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "▶ Nap Wait" in line)
    head, wake = lines[at + 1].split(", until ")
    assert head.endswith("⏸ waits 3600s") and wake.endswith(f"Z {how}"), lines
    # The wake time is the wait's start (real time may have run on a little since the event) plus 3600 s.
    late = datetime.datetime.fromisoformat(wake.split()[0]) - stamp(entered) - datetime.timedelta(seconds=3600)
    assert -datetime.timedelta(milliseconds=1) <= late < datetime.timedelta(seconds=1)  # printed to the ms


def test_the_trace_says_when_a_retry_comes(tmp_path):
    result = cli("run", write(tmp_path, "retry.json", RETRY), "--output", "trace",
                 "--mock-config", write(tmp_path, "mocks.json", MOCKS), "--test-case", "RetryPath")
    notes = [line.split("↻ ")[1] for line in result.stdout.splitlines() if "↻" in line]
    assert [n.split(",")[0] for n in notes] == ["attempt 2 of 4 in 2s", "attempt 3 of 4 in 4s", "attempt 4 of 4 in 8s"]
    # Said once each: before the wait, not again when the attempt starts.
    assert len(notes) == 3 and all(n.endswith("(skipped: --clock real waits)") for n in notes)


def test_json_output_says_real_waits_on_stderr_only(tmp_path, monkeypatch):
    monkeypatch.setattr(asl.interp.clock.RealClock, "sleep", lambda self, seconds: None)
    machine = write(tmp_path, "wait.json", WAIT)
    real = cli("run", machine, "--clock", "real", "--output", "json")
    assert json.loads(real.stdout)["status"] == "SUCCEEDED"
    assert real.stderr.startswith("sfn: ⏸ state 'Nap' waits 3600s, until ")
    assert cli("run", machine, "--output", "json").stderr == ""  # skipped waits are not news


@pytest.fixture
def callback(tmp_path):
    (tmp_path / "resources.yaml").write_text("queues:\n  nobody: {}\n")
    return write(tmp_path, "cb.json", CALLBACK)


def test_the_trace_shows_the_token_and_the_commands_that_answer_it(callback):
    result = cli("run", callback, "--clock", "virtual", "--callback-wait", "0", "--output", "trace")
    [row] = Store(default_path()).task_tokens(None)
    token, store = row["token"], shlex.quote(str(default_path()))  # $SFN_STORE is set: named in the command
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "⏳" in line)
    assert lines[at].endswith("⏳ waits for an answer to its task token for 0 real seconds (--callback-wait), "
                              "then it times out on the simulated clock; answer from another terminal:")
    assert lines[at + 1].strip() == f"sfn task success {token} --output '{{}}' --store {store}"
    assert lines[at + 2].strip() == f"sfn task failure {token} --error ERROR --cause CAUSE --store {store}"
    # The give-up says why, under AWS's error name.
    assert "✖ States.Timeout: No answer to the task token within" in result.stdout
    assert " ".join(result.stdout.split()).endswith(
        "FAILED in 300.000s, 1 state transition States.Timeout: No answer to the task token within the 0 real seconds a virtual-clock run waits "
        "for one (--callback-wait; callback_wait= in run_machine), so the Task's TimeoutSeconds (300 s) ran out "
        "on the simulated clock. Wait longer with --callback-wait, or run on --clock fast, where a callback "
        "waits in real time.")


def test_without_a_store_the_trace_says_who_can_answer(callback):
    result = cli("run", callback, "--clock", "virtual", "--callback-wait", "0", "--no-store")
    assert "waits for an answer to its task token for 0 real seconds (--callback-wait), then it times out " \
           "on the simulated clock; with --no-store only the run's own handlers can answer it" in result.stderr


def test_the_printed_command_answers_the_waiting_run(callback):
    """A second terminal: the run (default clock, JSON output) waits; the command it printed answers it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen([sys.executable, "-c", "from cli.main import main; main()", "run", str(callback),
                            "--output", "json"], cwd=callback.parent, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or "sfn task success" not in lines[-1]:
            line = run.stderr.readline()
            assert line, f"the run ended without printing the command: {lines}"
            lines.append(line)
        command = shlex.split(lines[-1].strip().replace("'{}'", """'{"approved": true}'"""))
        assert command[0] == "sfn"
        assert cli(*command[1:]).exit_code == 0
        out, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert json.loads(out) == {"status": "SUCCEEDED", "output": {"approved": True}, "error": None, "cause": None}
    assert lines[0].startswith("sfn: ⏳ state 'Ask' waits for an answer to its task token, until it times out at ")


def test_a_watched_lane_clock_tells_the_waits_its_lane_counted():
    from cli.waits import WatchedClock

    noted = []
    watched = WatchedClock(asl.interp.clock.RealClock(), lambda seconds, until: noted.append(seconds))
    assert watched.waited is None  # the execution's own clock counts no waits: it sleeps them
    lane = watched.fork(watched.now())
    assert lane.waited == 0
    lane.sleep(30)
    assert (lane.waited, noted) == (30, [30])
