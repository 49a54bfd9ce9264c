"""asl.prestart: the handler worker `sfn run` starts before it imports click, for the resources file its
arguments name or the one beside its definition; adopted by the run, or ended at exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from asl import prestart
from asl.resources import process

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "m.asl.json").write_text("{}", encoding="utf-8")
    (tmp_path / "input.json").write_text("{}", encoding="utf-8")
    (tmp_path / "resources.yaml").write_text("handlers:\n  f: h:f\n", encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    (other / "n.asl.json").write_text("{}", encoding="utf-8")
    (other / "n.resources.yaml").write_text("handlers:\n  g: h:g\n", encoding="utf-8")
    (other / "topics.yaml").write_text("topics:\n  t: {}\n", encoding="utf-8")
    return tmp_path


# (arguments after `run`, relative to the folder; the folder a worker starts for, or None)
CASES = [
    (["m.asl.json"], "."),
    (["m.asl.json", "--input-file", "input.json", "--output", "json"], "."),
    (["--output", "json", "m.asl.json"], "."),
    (["m.asl.json", "--resources", "other/n.resources.yaml"], "other"),
    (["m.asl.json", "--resources=other/n.resources.yaml"], "other"),
    (["other/n.asl.json"], "other"),
    (["m.asl.json", "--input-file", "other/n.asl.json"], None),      # two resources files: no guess
    (["m.asl.json", "--resources", "other/topics.yaml"], None),       # names no handler
    (["m.asl.json", "--resources", "missing.yaml"], None),
    (["missing.asl.json"], None),
    ([], None),
]


@pytest.mark.parametrize("args,expected", CASES, ids=[" ".join(a) or "none" for a, _ in CASES])
def test_the_worker_starts_for_the_resources_file_the_arguments_tell(folder, monkeypatch, args, expected):
    started = []
    monkeypatch.setattr(prestart, "start", lambda base_dir: started.append(base_dir) or "worker")
    monkeypatch.setattr(prestart, "_started", {})
    monkeypatch.chdir(folder)
    prestart.start_for_run(args)
    assert started == ([] if expected is None else [str((folder / expected).resolve())])
    if expected is not None:
        assert prestart.take((folder / expected).resolve()) == "worker"
        assert prestart.take((folder / expected).resolve()) is None   # taken once


def test_a_worker_that_cannot_start_leaves_the_run_to_start_its_own(folder, monkeypatch):
    def refuse(base_dir):
        raise OSError("no processes left")

    monkeypatch.setattr(prestart, "start", refuse)
    monkeypatch.setattr(prestart, "_started", {})
    prestart.start_for_run([str(folder / "m.asl.json")])
    assert prestart.take(folder.resolve()) is None


def test_the_run_adopts_the_early_worker_and_calls_through_it(folder, monkeypatch):
    (folder / "h.py").write_text("def f(event, context):\n    return {'got': event}\n", encoding="utf-8")
    monkeypatch.setattr(prestart, "_started", {})
    prestart.start_for_run([str(folder / "m.asl.json")])
    early = prestart._started[str(folder.resolve())].proc
    worker = process.prestart_for(folder / "resources.yaml")
    try:
        assert worker.proc is early and prestart._started == {}
        ident = worker.send({"op": "call", "target": "h:f", "event": {"a": 1}, "name": "f",
                             "arn": "arn:aws:lambda:us-east-1:123456789012:function:f", "timeout": 3.0,
                             "request_id": "r"})
        assert worker.wait(ident, 10) == {"id": ident, "result": {"got": {"a": 1}}}
    finally:
        process.POOL.discard(worker)
    assert early.poll() is not None   # discarded: ended


def test_an_early_worker_nobody_adopted_ends_at_exit(folder, monkeypatch):
    monkeypatch.setattr(prestart, "_started", {})
    prestart.start_for_run([str(folder / "m.asl.json")])
    early = prestart._started[str(folder.resolve())].proc
    prestart._end_unadopted()
    assert early.poll() is not None and prestart._started == {}


def test_sfn_run_starts_its_worker_before_importing_click(folder):
    (folder / "h.py").write_text("def f(event, context):\n    return event\n", encoding="utf-8")
    (folder / "m.asl.json").write_text(json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}}}))
    probe = ("import sys, json\nimport asl.prestart as prestart\nseen = []\nreal = prestart.start\n"
             "def spy(base_dir):\n    seen.append('click' in sys.modules)\n    return real(base_dir)\n"
             "prestart.start = spy\n"
             f"sys.argv = ['sfn', 'run', {str(folder / 'm.asl.json')!r}, '--input', '{{\"a\": 1}}', "
             "'--output', 'json', '--no-store']\n"
             "import cli.entry\nfrom cli.main import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(json.dumps(seen))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert json.loads(done.stdout)["output"] == {"a": 1}
    assert json.loads(done.stderr.strip().splitlines()[-1]) == [False]   # one worker, started before click


def test_a_worker_starts_and_answers_when_sfn_has_no_stdin_nor_stdout(folder):
    # The pipes then take numbers 0 and 1 in sfn; the worker must still get them as its own 0 and 1.
    (folder / "h.py").write_text("def f(event, context):\n    return {'got': event}\n", encoding="utf-8")
    probe = ("import os, sys\nos.close(0)\nos.close(1)\n"
             "from asl.resources import process\n"
             f"worker = process.Worker({str(folder)!r})\n"
             "ident = worker.send({'op': 'call', 'target': 'h:f', 'event': {'a': 1}, 'name': 'f', "
             "'arn': 'arn:aws:lambda:us-east-1:123456789012:function:f', 'timeout': 3.0, 'request_id': 'r'})\n"
             "sys.stderr.write(repr(worker.wait(ident, 10)))\n"
             "worker.kill()\n"
             "sys.stderr.write(' ended ' + repr(worker.proc.poll()))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stderr.endswith("{'id': 1, 'result': {'got': {'a': 1}}} ended -9"), done.stderr


def test_a_killed_process_is_reaped_and_its_signal_told():
    proc = prestart.Process([sys.executable, "-c", "import time; time.sleep(30)"], dict(os.environ))
    assert proc.poll() is None and proc.wait(0.05) is None   # still running: wait gives up
    proc.kill()
    assert proc.wait(10) == -9 and proc.poll() == -9
    proc.kill()  # ended already: nothing to do
    with pytest.raises(ChildProcessError):
        os.waitpid(proc.pid, 0)  # reaped: no zombie left
    proc.stdin.close()
    proc.stdout.close()
