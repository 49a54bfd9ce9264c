"""`sfn task success|failure|heartbeat|list`, and a second process answering a waiting `sfn run`."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl.callbacks import new_token
from asl.store import Store, default_path
from cli.main import sfn

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "callback-approval"


def cli(*args):
    return CliRunner().invoke(sfn, list(args), catch_exceptions=False)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "sfn.db"
    Store(path).close()
    return str(path)


def test_task_errors_and_exit_codes(store_path, tmp_path):
    unknown = cli("task", "success", new_token(), "--output", "{}", "--store", store_path)
    assert unknown.exit_code == 1 and "TaskDoesNotExist" in unknown.output
    invalid = cli("task", "failure", "nope", "--error", "E", "--store", store_path)
    assert invalid.exit_code == 2 and "InvalidToken: Invalid Token: 'Invalid token'" in invalid.output
    bad_json = cli("task", "success", new_token(), "--output", "{nope", "--store", store_path)
    assert bad_json.exit_code == 2 and "InvalidOutput" in bad_json.output
    no_store = cli("task", "heartbeat", new_token(), "--store", str(tmp_path / "none.db"))
    assert no_store.exit_code == 2 and "no store here" in no_store.output
    missing_output = cli("task", "success", new_token(), "--store", store_path)
    assert missing_output.exit_code == 2
    for output in ("NaN", '"\\ud800"', "[" * 100_000):  # not JSON, or no UTF-8 form
        refused = cli("task", "success", new_token(), "--output", output, "--store", store_path)
        assert refused.exit_code == 2 and "InvalidOutput" in refused.output


def test_task_list_reads_a_read_only_store(store_path, monkeypatch):
    import sqlite3
    from pathlib import Path

    connect = sqlite3.connect
    # File modes do not stop root: open the database read-only the way SQLite itself would.
    monkeypatch.setattr(sqlite3, "connect", lambda db, *a, **k: connect(
        Path(db).resolve().as_uri() + "?mode=ro", *a, uri=True, **{k2: v for k2, v in k.items() if k2 != "uri"}))
    listed = cli("task", "list", "--store", store_path)
    assert listed.exit_code == 0, listed.output
    answered = cli("task", "success", new_token(), "--output", "{}", "--store", store_path)
    assert answered.exit_code == 2 and "cannot write the store" in answered.output


def test_task_answers_a_pending_token_once(store_path):
    token = new_token()
    Store(store_path).add_task_token(token, None, "Approve")
    listed = cli("task", "list", "--store", store_path)
    assert token in listed.output and "Approve" in listed.output
    assert cli("task", "heartbeat", token, "--store", store_path).exit_code == 0
    assert cli("task", "failure", token, "--error", "No", "--cause", "why", "--store", store_path).exit_code == 0
    row = Store(store_path).task_token(token)
    assert (row["status"], row["error"], row["cause"], row["heartbeats"]) == ("FAILED", "No", "why", 1)
    again = cli("task", "success", token, "--output", "{}", "--store", store_path)
    assert again.exit_code == 1 and "TaskTimedOut: Task Timed Out: 'Provided task does not exist anymore'" in again.output
    assert "no Task is waiting" in cli("task", "list", "--store", store_path).output
    as_json = json.loads(cli("task", "list", "--all", "--output", "json", "--store", store_path).output)
    assert as_json[0]["status"] == "FAILED"


def test_run_without_store_says_who_can_answer(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns(".sfn"))
    result = CliRunner().invoke(sfn, ["run", str(tmp_path / "sample" / "approval.asl.json"), "--input",
                                      '{"orderId": "X", "total": 500}', "--clock", "virtual", "--callback-wait",
                                      "0", "--no-store", "--output", "json"])
    assert result.exit_code == 1  # the Catch sends the timed-out approval to a Fail state
    assert "only the run's own handlers can answer" in result.output


def test_sample_small_order_is_approved_by_the_consumer(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns(".sfn"))
    result = cli("run", str(tmp_path / "sample" / "approval.asl.json"), "--input-file",
                 str(tmp_path / "sample" / "input-small.json"), "--clock", "virtual", "--output", "json")
    assert result.exit_code == 0
    output = json.loads(result.output.splitlines()[-1])["output"]
    assert output["fulfilment"]["shipment"] == {"orderId": "A-1001", "approvedBy": "auto-approve",
                                                 "carrier": "local-post"}


def _start_waiting_run(folder):
    """`sfn run` of the large order (real clock) in its own process, and its pending token."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    run = subprocess.Popen(SFN + ["run", "approval.asl.json", "--input-file", "input-large.json", "--output", "json"],
                           cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store_file = default_path()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if store_file.is_file():
            rows = Store(store_file).task_tokens()
            if rows:
                return run, env, rows[0]["token"]
        if run.poll() is not None:
            pytest.fail(str(run.communicate()))
        time.sleep(0.05)
    run.kill()
    pytest.fail("no pending token within 30 s")


SFN = [sys.executable, "-c", "from cli.main import main; main()"]


def test_ctrl_c_while_waiting_aborts_and_closes_the_token(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns(".sfn"))
    folder = tmp_path / "sample"
    run, env, token = _start_waiting_run(folder)
    try:
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert json.loads(out)["status"] == "ABORTED" and run.returncode == 1
    late = subprocess.run(SFN + ["task", "success", token, "--output", "{}"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=30)
    assert late.returncode == 1 and "TaskTimedOut" in late.stderr


def test_second_process_answers_a_waiting_run(tmp_path):
    """`sfn run` waits on the real clock; `sfn task success` from another process answers it."""
    shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns(".sfn"))
    folder = tmp_path / "sample"
    run, env, token = _start_waiting_run(folder)
    try:
        answer = subprocess.run(SFN + ["task", "success", token, "--output", '{"approved": true, "approvedBy": "ana"}'],
                                cwd=folder, env=env, capture_output=True, text=True, timeout=30)
        assert answer.returncode == 0, answer.stderr
        out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    result = json.loads(out)
    assert result["output"]["approval"] == {"approved": True, "approvedBy": "ana"}
    assert result["output"]["fulfilment"]["shipment"]["approvedBy"] == "ana"
    late = subprocess.run(SFN + ["task", "success", token, "--output", "{}"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=30)
    assert late.returncode == 1 and "TaskTimedOut" in late.stderr
