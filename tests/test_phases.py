"""benchmarks/phases.py splits a workload's `sfn run` wall into phases (no timing asserted here)."""

from __future__ import annotations

import json

import pytest

from tests.test_run_bench import PASS_CHAIN, load_benchmark, workloads


@pytest.fixture(scope="module")
def phases():
    return load_benchmark("phases")


def test_the_child_times_every_phase_of_one_run(phases, tmp_path):
    folder = workloads(tmp_path, PASS_CHAIN)
    times = phases.child("pass_chain_1k", folder)
    assert set(times) == set(phases.PHASES)
    assert all(value >= 0 for value in times.values())


def test_a_failing_workload_is_reported_not_timed(phases, tmp_path):
    broken = json.loads(json.dumps(PASS_CHAIN))
    broken["States"]["Done"] = {"Type": "Fail", "Error": "Broken"}
    folder = workloads(tmp_path, broken)
    with pytest.raises(phases.rb.CheckFailed, match="FAILED"):
        phases.child("pass_chain_1k", folder)


def test_the_table_holds_each_phase_and_what_no_phase_holds(phases, tmp_path, capsys):
    folder = workloads(tmp_path, PASS_CHAIN)
    assert phases.main(["--workloads", str(folder), "--only", "pass_chain_1k", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "| workload | floor | sfn run | python | imports | load | validate | engine | store | output | rest |" in out
    row = next(line for line in out.splitlines() if line.startswith("| pass_chain_1k |"))
    assert len(row.strip("|").split("|")) == 11 and all(cell.strip().lstrip("-").isdigit()
                                                         for cell in row.strip("|").split("|")[1:])


def test_without_the_workloads_it_exits_2(phases, tmp_path, capsys):
    assert phases.main(["--workloads", str(tmp_path / "missing")]) == 2
    assert "no workloads" in capsys.readouterr().err
