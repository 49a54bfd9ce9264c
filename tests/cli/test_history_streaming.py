"""Probe: `sfn history --output json` of a long history with large payloads streams it, in bounded memory.

10,000 events of ~30 KB each make ~300 MB of JSON; built as one list and one string, as before,
that is about a gigabyte. The probe measures the child's peak RSS (os.wait4) and bounds it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LOOP = {"StartAt": "Inc", "States": {
    "Inc": {"Type": "Pass", "Parameters": {"blob.$": "$.blob", "i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 2500, "Next": "Inc"}],
              "Default": "Done"},
    "Done": {"Type": "Succeed"}}}
PEAK_MB = 250


def _sfn() -> list[str]:
    beside = Path(sys.executable).parent / "sfn"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "cli.main"]


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 for the child's peak memory")
def test_history_json_of_a_long_history_streams_in_bounded_memory(tmp_path):
    store = tmp_path / "sfn.db"
    (tmp_path / "loop.asl.json").write_text(json.dumps(LOOP))
    (tmp_path / "input.json").write_text(json.dumps({"i": 0, "blob": "x" * 30_000}))
    env = {**os.environ, "SFN_STORE": str(store)}
    ran = subprocess.run(_sfn() + ["run", str(tmp_path / "loop.asl.json"), "--input-file", str(tmp_path / "input.json"),
                                   "--clock", "virtual", "--execution-name", "long", "--output", "json"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert json.loads(ran.stdout)["status"] == "SUCCEEDED", ran.stderr
    with open(tmp_path / "out.json", "wb") as sink:
        child = subprocess.Popen(_sfn() + ["history", "long", "--output", "json"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        written, tail = 0, b""
        for chunk in iter(lambda: child.stdout.read(1 << 20), b""):
            if not written:
                sink.write(chunk)  # the start, to check the shape
            written += len(chunk)
            tail = (tail + chunk)[-64:]
        _, status, usage = os.wait4(child.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, child.stderr.read().decode()
    assert written > 250_000_000  # ~300 MB of JSON went out...
    peak_mb = usage.ru_maxrss / 1024
    assert peak_mb < PEAK_MB, f"peak RSS {peak_mb:.0f} MB"  # ...with a small fraction of that in memory
    head = (tmp_path / "out.json").read_text()
    assert head.startswith('{\n "events": [\n  {\n   "id": 1,') and tail.endswith(b"\n ]\n}\n")
