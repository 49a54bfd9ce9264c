"""benchmarks/run_bench.py checks outputs before it times them (no timing is asserted here)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "run_bench.py"

PASS_CHAIN = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Parameters": {"i": 0, "n.$": "$.iterations"}, "Next": "Increment"},
        "Increment": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"},
                      "Next": "Check"},
        "Check": {"Type": "Choice",
                  "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Increment"}],
                  "Default": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def load_benchmark(name: str):
    """A script of benchmarks/ as a module."""
    spec = importlib.util.spec_from_file_location(name, BENCH.parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("run_bench")


def workloads(tmp_path: Path, definition: dict) -> Path:
    (tmp_path / "pass_chain.asl.json").write_text(json.dumps(definition))
    (tmp_path / "pass_chain_1k.input.json").write_text(json.dumps({"iterations": 3}))
    return tmp_path


def test_quick_run_checks_and_reports_a_tiny_workload(bench, tmp_path, capsys):
    folder = workloads(tmp_path, PASS_CHAIN)
    assert bench.main(["--quick", "--workloads", str(folder), "--only", "pass_chain_1k"]) == 0
    out = capsys.readouterr().out
    assert "| pass_chain_1k | 8 |" in out  # 2 * 3 iterations + 2 transitions, counted from the history
    assert "throughput pass_chain_1k" in out  # every target it can decide is printed, met or not


def test_a_wrong_output_fails_the_check_before_any_timing(bench, tmp_path, capsys):
    broken = json.loads(json.dumps(PASS_CHAIN))
    broken["States"]["Increment"]["Parameters"]["i.$"] = "States.MathAdd($.i, 2)"
    folder = workloads(tmp_path, broken)
    assert bench.main(["--quick", "--workloads", str(folder), "--only", "pass_chain_1k"]) == 1
    captured = capsys.readouterr()
    assert "CHECK FAILED" in captured.err and "output differs" in captured.err
    assert "| pass_chain_1k |" not in captured.out


def test_expected_outputs_are_computed_independently(bench):
    assert bench.EXPECTED["pass_chain"]({}, {"iterations": 499}) == ({"i": 499, "n": 499}, 1000)
    items = {"items": [{"id": 0, "v": 0}, {"id": 1, "v": 5}]}
    assert bench.EXPECTED["map_inline_mc0"]({}, items) == ([{"id": 0, "size": "small"}, {"id": 1, "size": "big"}], 7)
    chain = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"step": 0, "acc.$": "$.acc"}, "Next": "B"},
        "B": {"Type": "Pass", "Result": {"step": 1}, "ResultPath": "$.last", "End": True}}}
    assert bench.EXPECTED["large_definition"](chain, {"acc": "seed", "last": None}) == \
        ({"step": 0, "acc": "seed", "last": {"step": 1}}, 2)


def test_store_growth_reports_what_a_run_adds_and_the_bound(bench, tmp_path):
    folder = workloads(tmp_path, PASS_CHAIN)
    # A run stores ~40 KB: 8 of them pass the bound.
    (folder / "pass_chain_1k.input.json").write_text(json.dumps({"iterations": 900}))
    workload = next(w for w in bench.WORKLOADS if w.label == "pass_chain_1k")
    sizes = bench.store_growth(workload, folder, runs=8, bound_mb=0.25)
    assert len(sizes) == 8 and sizes[1] > sizes[0]
    assert max(sizes) <= 250_000 and sizes[-1] < 8 * (sizes[1] - sizes[0])  # pruned: fewer than 8 runs kept
    line = bench.growth_report("pass_chain_1k", sizes, 0.25)
    assert line.startswith("one pass_chain_1k run adds ") and "after 8 runs" in line and "bound 0.25 MB: within" in line
    assert "NOT within" in bench.growth_report("x", [100, 300_000], 0.25)


def test_without_the_workloads_it_says_what_it_needs_and_fails(bench, tmp_path, capsys):
    assert bench.main(["--quick", "--workloads", str(tmp_path / "none")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "| workload |" not in captured.out
    assert f"run_bench: no workload to run: {tmp_path / 'none'} holds none of " in captured.err
    assert "pass --workloads DIR" in captured.err


@pytest.mark.parametrize("direct_url,noted", [
    ('{"url": "file:///src/sfn", "dir_info": {"editable": true}}', True),
    ('{"url": "file:///src/sfn", "dir_info": {}}', False),
    (None, False),  # installed from an index: no direct_url.json
])
def test_an_editable_install_is_noted_before_timing(bench, monkeypatch, direct_url, noted):
    from importlib import metadata

    class Distribution:
        def read_text(self, name):
            assert name == "direct_url.json"
            return direct_url

    monkeypatch.setattr(metadata, "distribution", lambda name: Distribution())
    note = bench.editable_note()
    assert (note is not None) == noted
    if noted:
        assert "editable install" in note and "pip install ." in note


def test_no_installed_sfn_is_no_note(bench, monkeypatch):
    from importlib import metadata

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", missing)
    assert bench.editable_note() is None
