"""Whether the process recording an execution still runs: its lock, not its pid."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl.store import Store, owners
from cli.main import sfn

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "callback-approval"
SFN = [sys.executable, "-c", "from cli.main import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def env_for(folder):
    """The environment of an `sfn` run in `folder`, whose default store is `folder/.sfn/sfn.db`."""
    return {**ENV, "SFN_STORE": str(Path(folder) / ".sfn" / "sfn.db")}
# Holds a store's lock the way a run does, until its stdin closes.
HOLDER = "import sys; from asl.store import owners; print(owners.take(sys.argv[1]), flush=True); sys.stdin.read()"


def dead_pid():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def test_a_lock_is_alive_while_its_process_holds_it(tmp_path):
    store = tmp_path / "s.db"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(store)], env=ENV, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    name = holder.stdout.readline().strip()
    assert owners.alive(store, name) is True
    holder.kill()
    holder.wait()
    assert owners.alive(store, name) is False
    owners.forget(store, name)
    assert not (Path(owners.folder(store)) / name).exists()


def test_this_process_knows_its_own_locks(tmp_path):
    store = tmp_path / "s.db"
    name = owners.take(store)
    assert owners.alive(store, name) is True
    owners.release(store, name)
    assert owners.alive(store, name) is False and list(Path(owners.folder(store)).iterdir()) == []


@pytest.mark.parametrize("name", [None, 7, "", "../../etc/passwd", "x" * 32])
def test_what_is_not_a_lock_name_is_left_to_the_pid(tmp_path, name):
    assert owners.alive(tmp_path / "s.db", name) is None
    owners.forget(tmp_path / "s.db", name)  # touches nothing


def test_a_live_run_seen_from_another_pid_namespace_stays_running(tmp_path):
    """A run in a container sharing the folder: its pid means nothing here, or another process."""
    shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns(".sfn"))
    folder = tmp_path / "sample"
    run = subprocess.Popen(SFN + ["run", "approval.asl.json", "--input-file", "input-large.json", "--output",
                                  "json"], cwd=folder, env=env_for(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    store_file = folder / ".sfn" / "sfn.db"
    try:
        deadline = time.monotonic() + 30
        while not (store_file.is_file() and Store(store_file, write=False).task_tokens()):
            assert time.monotonic() < deadline and run.poll() is None, "no pending token within 30 s"
            time.sleep(0.05)
        token = Store(store_file).task_tokens()[0]["token"]
        with Store(store_file).db as db:
            db.execute("UPDATE executions SET pid = ?", (dead_pid(),))
        listed = CliRunner().invoke(sfn, ["executions", "--store", str(store_file)])
        assert listed.stdout.split("\t")[2] == "RUNNING"
        answer = subprocess.run(SFN + ["task", "success", token, "--output", '{"approved": true, "approvedBy": "ana"}'],
                                cwd=folder, env=env_for(folder), capture_output=True, text=True, timeout=30)
        assert answer.returncode == 0, answer.stderr
        out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    assert Store(store_file).executions()[0]["status"] == "SUCCEEDED"


def test_where_no_lock_can_be_had_the_pid_tells(tmp_path):
    store = tmp_path / "s.db"
    Path(owners.folder(store)).write_text("a file where the folder would be")
    assert owners.take(store) is None
    recorded = Store(store)
    recorded.start_execution("arn:x", "x", "m", None, {}, "2024-01-01T00:00:00+00:00")
    assert recorded.find_execution("x")["status"] == "RUNNING"  # this process, by its pid
