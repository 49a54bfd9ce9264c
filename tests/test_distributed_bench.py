"""benchmarks/distributed_bench.py checks its totals before printing figures (a tiny smoke, no timing)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "distributed_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("distributed_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("writer", [[], ["--result-writer"]])
def test_a_tiny_csv_is_read_batched_and_summed(bench, capsys, writer):
    assert bench.main(["--lines", "25", "--batch", "10", "--json", *writer]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert (figures["lines"], figures["children"]) == (25, 3)
    assert figures["wall_s"] >= 0 and figures["peak_rss_mb"] > 0


def test_wrong_totals_fail_the_check(bench, monkeypatch):
    monkeypatch.setattr(bench, "write_csv", lambda path, lines: (path.write_text("order_id,quantity,cents\n1,1,1\n"),
                                                                (2, 2))[1])
    with pytest.raises(SystemExit, match="CHECK FAILED"):
        bench.main(["--lines", "1"])
