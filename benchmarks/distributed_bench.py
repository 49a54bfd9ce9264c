#!/usr/bin/env python3
"""A Distributed Map over a local S3 folder: a large CSV read, batched, processed by Express children.

Usage (from the project root, the venv active):
    python benchmarks/distributed_bench.py [--lines 100000] [--batch 100] [--result-writer]

Writes a CSV of LINES orders into a temporary bucket folder, runs a Distributed Map whose
ItemReader reads it and whose Express children each sum one batch with a local Python handler
(benchmarks/bench_handlers.py), checks the totals, and prints the wall time and the process's
peak RSS. Figures only: nothing is asserted about speed (tests/test_distributed_bench.py runs a
tiny smoke).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def definition(batch: int, result_writer: bool) -> dict:
    """The machine: a CSV ItemReader, ItemBatcher, Express children calling the handler."""
    map_state = {
        "Type": "Map", "End": True, "MaxConcurrency": 1000,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": "bench", "Key": "orders.csv"}},
        "ItemBatcher": {"MaxItemsPerBatch": batch},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "Sum", "States": {"Sum": {
                              "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:SumOrders",
                              "End": True}}},
    }
    if result_writer:
        map_state["ResultWriter"] = {"Resource": "arn:aws:states:::s3:putObject",
                                     "Parameters": {"Bucket": "bench", "Prefix": "results"}}
    return {"StartAt": "Orders", "States": {"Orders": map_state}}


def write_csv(path: Path, lines: int) -> tuple[int, int]:
    """LINES orders; (total quantity, total cents) to check the run against."""
    quantity = cents = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("order_id,customer,quantity,cents\n")
        for i in range(lines):
            q, c = i % 7 + 1, 100 + i % 900
            quantity += q
            cents += q * c
            out.write(f"{i},customer-{i % 1000},{q},{c}\n")
    return quantity, cents


def run(lines: int, batch: int, result_writer: bool) -> dict:
    """One timed run; the figures, after checking the result."""
    from asl.api import machine_from_definition, run_machine
    from asl.resources.config import load_resources

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "s3"
        (root / "bench").mkdir(parents=True)
        expected = write_csv(root / "bench" / "orders.csv", lines)
        machine = machine_from_definition(definition(batch, result_writer))
        config = load_resources(str(HERE / "resources.yaml"))  # SumOrders: bench_handlers.sum_orders
        start = time.perf_counter()
        result = run_machine(machine, {}, name="DistributedBench", resources=config, s3_dir=root, store=None)
        wall = time.perf_counter() - start
        if result.status != "SUCCEEDED":
            raise SystemExit(f"CHECK FAILED: the run ended {result.status}: {result.error}: {result.cause}")
        if result_writer:
            manifest_key = result.output["ResultWriterDetails"]["Key"]
            manifest = json.loads((root / "bench" / manifest_key).read_text())
            outputs = []
            for entry in manifest["ResultFiles"]["SUCCEEDED"]:
                outputs += [json.loads(r["Output"]) for r in json.loads((root / "bench" / entry["Key"]).read_text())]
        else:
            outputs = result.output
        got = (sum(o["quantity"] for o in outputs), sum(o["cents"] for o in outputs))
        if got != expected or sum(o["orders"] for o in outputs) != lines:
            raise SystemExit(f"CHECK FAILED: totals {got}, expected {expected}")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    return {"lines": lines, "batch": batch, "children": len(outputs), "wall_s": round(wall, 3),
            "peak_rss_mb": round(rss_mb, 1), "items_per_s": round(lines / wall) if wall else None}


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run once, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=100_000, help="CSV lines (orders) to read")
    parser.add_argument("--batch", type=int, default=100, help="MaxItemsPerBatch (items per child execution)")
    parser.add_argument("--result-writer", action="store_true", help="also write the results with a ResultWriter")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    figures = run(args.lines, args.batch, args.result_writer)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"distributed_csv: {figures['lines']} lines, {figures['children']} Express children of "
              f"{figures['batch']} items: wall {figures['wall_s']} s, {figures['items_per_s']} items/s, "
              f"peak RSS {figures['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
