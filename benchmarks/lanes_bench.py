"""Benchmark real concurrency: an I/O-bound Map whose iterations overlap on the fast clock.

    python benchmarks/lanes_bench.py [--items 40] [--max-concurrency 8] [--runs 3]

A Map of N calls to a local handler that waits 50 ms (benchmarks/resources.yaml's
bench-sleep-50ms), MaxConcurrency K, run on the fast clock (`sfn run`'s default): the calls
overlap K at a time, so the Map waits about N / K * 50 ms, as on AWS (issue 16: 40 x 50 ms with
K = 8 is 0.25-0.3 s; one after another it was 2.4 s). The same Map of 3 Parallel branches is
timed too. The virtual clock keeps lanes sequential (deterministic histories): its line shows
what the calls cost one after another. Last, a Map whose iterations never wait (10,000 Pass
items) on the fast clock beside the virtual one: lanes that wait for nothing hand no baton on,
so threads cost it little (before: 0.66 s against 0.15 s).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from asl.api import machine_from_definition, run_machine  # noqa: E402

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:bench-sleep-50ms"
TASK = {"Type": "Task", "Resource": FUNCTION, "End": True}


def map_definition(max_concurrency: int) -> dict:
    """A Map of one handler call per item."""
    return {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "MaxConcurrency": max_concurrency, "End": True,
        "ItemProcessor": {"StartAt": "Call", "States": {"Call": TASK}}}}}


def parallel_definition(branches: int) -> dict:
    """A Parallel state of one handler call per branch."""
    return {"StartAt": "All", "States": {"All": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": f"Call{i}", "States": {f"Call{i}": TASK}} for i in range(branches)]}}}


def pure_map_definition() -> dict:
    """A Map whose iterations only compute: Pass, Choice, Pass, as the shared map_10k workload."""
    return {"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "Shape", "States": {
            "Shape": {"Type": "Pass", "Parameters": {"id.$": "$.id", "v.$": "$.v"}, "Next": "Route"},
            "Route": {"Type": "Choice", "Choices": [{"Variable": "$.v", "NumericGreaterThan": 3, "Next": "Big"}],
                      "Default": "Small"},
            "Big": {"Type": "Pass", "Parameters": {"id.$": "$.id", "size": "big"}, "End": True},
            "Small": {"Type": "Pass", "Parameters": {"id.$": "$.id", "size": "small"}, "End": True}}}}}}


def timed(definition: dict, data: object, clock: str, runs: int) -> float:
    """The best wall time of `runs` executions, in seconds (each must succeed)."""
    machine = machine_from_definition(definition)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        result = run_machine(machine, data, clock=clock, resources=str(HERE / "resources.yaml"),
                             execution_type="EXPRESS")
        best = min(best, time.perf_counter() - start)
        if result.status != "SUCCEEDED":
            raise SystemExit(f"run failed: {result.error}: {result.cause}")
    return best


def main() -> None:
    """Print one line per workload."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--max-concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pure-items", type=int, default=10_000)
    args = parser.parse_args()
    items, width = args.items, args.max_concurrency
    ideal = -(-items // width) * 0.05
    fast = timed(map_definition(width), list(range(items)), "fast", args.runs)
    print(f"map {items} x 50 ms, MaxConcurrency {width}, fast clock: {fast:.3f} s (waiting alone: {ideal:.2f} s)")
    virtual = timed(map_definition(width), list(range(items)), "virtual", 1)
    print(f"map {items} x 50 ms, MaxConcurrency {width}, virtual clock (sequential): {virtual:.3f} s")
    parallel = timed(parallel_definition(3), {}, "fast", args.runs)
    print(f"parallel 3 branches x 50 ms, fast clock: {parallel:.3f} s (waiting alone: 0.05 s)")
    pure = [{"id": i, "v": i % 7} for i in range(args.pure_items)]
    on_fast = timed(pure_map_definition(), pure, "fast", args.runs)
    on_virtual = timed(pure_map_definition(), pure, "virtual", args.runs)
    print(f"map {args.pure_items} items that never wait: fast clock {on_fast:.3f} s, virtual clock {on_virtual:.3f} s")


if __name__ == "__main__":
    main()
