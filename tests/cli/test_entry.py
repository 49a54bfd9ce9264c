"""The console script's end: the exit code, the output and the exit handlers, without Python's teardown."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script(tmp_path: Path, before: str, *args: str) -> subprocess.CompletedProcess:
    """Run `before`, then the console script's main with `args`; whatever follows main never runs."""
    probe = f"import sys\n{before}\nsys.argv = ['sfn', *{list(args)!r}]\nfrom cli.entry import main\nmain()\n" \
            "print('after main')\n"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)


def _machine(tmp_path: Path, state: dict) -> str:
    path = tmp_path / "m.asl.json"
    path.write_text(json.dumps({"StartAt": "S", "States": {"S": state}}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("state, code, status", [
    ({"Type": "Pass", "Result": {"k": "v" * 100_000}, "End": True}, 0, "SUCCEEDED"),
    ({"Type": "Fail", "Error": "E", "Cause": "c"}, 1, "FAILED"),
])
def test_the_command_s_exit_code_and_its_whole_output(tmp_path, state, code, status):
    done = _script(tmp_path, "", "run", _machine(tmp_path, state), "--output", "json", "--no-store")
    assert done.returncode == code
    assert json.loads(done.stdout)["status"] == status   # all of it, flushed before the end
    assert "after main" not in done.stdout


def test_a_usage_error_still_exits_2_with_its_message(tmp_path):
    done = _script(tmp_path, "", "run", str(tmp_path / "missing.asl.json"))
    assert done.returncode == 2 and "missing.asl.json" in done.stderr


def test_exit_handlers_run(tmp_path):
    before = "import atexit\natexit.register(lambda: print('handler ran', flush=True))"
    done = _script(tmp_path, before, "--version")
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "handler ran"


def test_a_thread_the_usual_exit_waits_for_is_waited_for(tmp_path):
    before = ("import threading, time\n"
              "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done', flush=True))).start()")
    done = _script(tmp_path, before, "--version")
    assert done.returncode == 0 and "thread done" in done.stdout


def test_a_message_exit_is_printed_as_python_does(tmp_path):
    # A SystemExit with a message (not a code) is left to Python: the message on stderr, exit 1.
    before = "import cli.main\ndef fail():\n    raise SystemExit('sfn: gone')\ncli.main.main = fail"
    done = subprocess.run([sys.executable, "-c", "import sys\n" + before + "\nimport cli.entry\n"
                           "cli.entry._main = cli.main.main\ncli.entry.main()\n"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and done.stderr.strip() == "sfn: gone"



@pytest.mark.parametrize("args, code", [(["--version"], 0), (["validate", "missing.asl.json"], 2)])
def test_the_process_ends_without_python_s_teardown(tmp_path, args, code):
    # os._exit, once the exit handlers ran and the output is flushed (finalisation frees every object).
    before = ("import os\nreal = os._exit\n"
              "def spy(code):\n    os.write(2, b'quick exit %d' % code)\n    real(code)\nos._exit = spy")
    done = _script(tmp_path, before, *args)
    assert done.returncode == code and done.stderr.endswith(f"quick exit {code}")
