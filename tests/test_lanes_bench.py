"""benchmarks/lanes_bench.py prints a line per workload (no timing asserted here)."""

from __future__ import annotations

import sys

from tests.test_run_bench import load_benchmark


def test_every_workload_runs_and_prints_its_line(monkeypatch, capsys):
    lanes_bench = load_benchmark("lanes_bench")
    monkeypatch.setattr(sys, "argv", ["lanes_bench.py", "--items", "4", "--max-concurrency", "2", "--runs", "1",
                                      "--pure-items", "30"])
    lanes_bench.main()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "map 4 x 50 ms, MaxConcurrency 2, fast clock", "map 4 x 50 ms, MaxConcurrency 2, virtual clock (sequential)",
        "parallel 3 branches x 50 ms, fast clock", "map 30 items that never wait"]


def test_the_pure_map_gives_each_item_its_size():
    from asl.api import machine_from_definition, run_machine

    lanes_bench = load_benchmark("lanes_bench")
    machine = machine_from_definition(lanes_bench.pure_map_definition())
    result = run_machine(machine, [{"id": 1, "v": 2}, {"id": 2, "v": 5}], clock="fast")
    assert result.output == [{"id": 1, "size": "small"}, {"id": 2, "size": "big"}]
