"""benchmarks/serve_bench.py runs end to end against sfn alone (no peers installed; no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("boto3")
BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "serve_bench.py"


def test_the_serve_benchmark_prints_its_table_for_sfn():
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "--only", "sfn", "--clients", "2"],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("| sfn serve | ") for line in lines)
    rows = [line for line in lines if line.startswith(("| small (3 states) | 2 |", "| 1,000 transitions | 2 |"))]
    assert len(rows) == 2 and not any("wrong" in row or "| -" in row for row in rows)
