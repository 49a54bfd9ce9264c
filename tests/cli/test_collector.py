"""The collector is paused while `sfn` starts and on again for the command's work."""

import gc
import json
import subprocess
import sys
from pathlib import Path

from cli import collector

ROOT = Path(__file__).resolve().parents[2]


def test_resume_undoes_pause_and_nothing_else():
    assert gc.isenabled()
    try:
        collector.pause()
        assert not gc.isenabled()
        collector.resume()
        assert gc.isenabled()
        gc.disable()              # off before the pause: left off
        collector.pause()
        collector.resume()
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def _collector_during(tmp_path: Path, *args: str) -> dict:
    """Whether the collector was on when the interpreter ran its first state, and after the command."""
    probe = ("import gc, json, sys\nfrom cli.main import main\nimport asl.interp.machine as m\n"
             "seen = {}\nrun = m.Interpreter.run\n"
             "def spy(self, *a, **k):\n    seen['run'] = gc.isenabled()\n    return run(self, *a, **k)\n"
             "m.Interpreter.run = spy\n"
             f"sys.argv = ['sfn'] + {list(args)!r}\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "seen['after'] = gc.isenabled()\nsys.stderr.write(json.dumps(seen))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_a_run_collects_while_the_execution_runs(tmp_path):
    machine = tmp_path / "m.asl.json"
    machine.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    assert _collector_during(tmp_path, "run", str(machine), "--no-store", "--output", "json") == \
        {"run": True, "after": True}
    assert _collector_during(tmp_path, "validate", str(machine)) == {"after": True}


def test_the_entry_point_pauses_before_click_is_imported():
    # The console script imports cli.entry first: click and sfn are imported with the collector paused.
    probe = ("import gc, sys\nimport cli.entry\n"
             "print(gc.isenabled(), 'click' in sys.modules, cli.entry._main is sys.modules['cli.main'].main)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split() == ["False", "True", "True"]


def test_importing_cli_main_leaves_the_collector_alone():
    probe = "import gc\nimport cli.main\nprint(gc.isenabled())\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split() == ["True"]
