"""benchmarks/peer_bench.py checks every contender's output and prints ratios and targets (no timing asserted)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.test_run_bench import PASS_CHAIN, load_benchmark, workloads


@pytest.fixture(scope="module")
def peer_bench():
    return load_benchmark("peer_bench")


def test_without_the_peer_sfn_and_the_floor_are_compared_and_startup_targets_printed(peer_bench, tmp_path, capsys):
    folder = workloads(tmp_path, PASS_CHAIN)
    assert peer_bench.main(["--quick", "--no-peer", "--workloads", str(folder), "--only", "pass_chain_1k"]) == 0
    out = capsys.readouterr().out
    assert "| workload | floor | sfn | sfn RSS |" in out
    assert "| pass_chain_1k |" in out
    for name in ("sfn --version", "sfn validate (one small file)", "sfn run (10 states)"):
        assert f"{name}: " in out  # each start-up target is decided, met or not


def test_the_floor_computes_the_workload_output(peer_bench, tmp_path):
    folder = workloads(tmp_path, PASS_CHAIN)
    workload = next(w for w in peer_bench.rb.WORKLOADS if w.label == "pass_chain_1k")
    runs = peer_bench.compare(workload, folder, None, rounds=1)
    assert set(runs) == {"sfn", "floor"}
    assert not runs["floor"].wrong and len(runs["floor"].walls) == 1


def test_a_wrong_sfn_output_fails_the_run(peer_bench, tmp_path, capsys):
    broken = json.loads(json.dumps(PASS_CHAIN))
    broken["States"]["Increment"]["Parameters"]["i.$"] = "States.MathAdd($.i, 2)"
    folder = workloads(tmp_path, broken)
    assert peer_bench.main(["--quick", "--no-peer", "--workloads", str(folder), "--only", "pass_chain_1k"]) == 1
    assert "CHECK FAILED" in capsys.readouterr().err


def test_a_missing_npm_skips_the_peer_with_a_line(peer_bench, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert peer_bench.install_peer(tmp_path / "peer") is None
    assert "npm or node not found" in capsys.readouterr().err


def test_no_workload_exits_2(peer_bench, tmp_path):
    assert peer_bench.main(["--quick", "--no-peer", "--workloads", str(tmp_path)]) == 2



def test_a_ratio_just_past_the_target_is_printed_past_it(peer_bench):
    runs = {"sfn": peer_bench.Runs([0.2007], [20.0]), peer_bench.PEER: peer_bench.Runs([1.0], [90.0]),
            "floor": peer_bench.Runs([0.03], [10.0])}
    decided = peer_bench.targets({"map_10k_mc0": runs}, {}, {})
    assert [(met, line.split(":")[0]) for met, line in decided] == [(False, "wall map_10k_mc0"),
                                                                   (True, "peak RSS map_10k_mc0")]
    assert decided[0][1].startswith("wall map_10k_mc0: 0.201 of")  # not "0.20", which reads as met
