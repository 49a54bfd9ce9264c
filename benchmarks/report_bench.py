"""Benchmark `sfn report` and the run overlay on a large inline Map.

    python benchmarks/report_bench.py [--items N] [--browser]

Runs a Map of N items (default 4,000: 24,000 history events, near AWS's 25,000 limit, which
an inline Map of 10,000 items could not stay under) on the virtual clock, then times reading the history back as visits, the overlay, and building the
report page. With --browser, also the page's load in headless Chromium (its lists draw only the
rows in view). Target (issue 15): report built in < 3 s, page loaded in < 3 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from asl.api import machine_from_definition, run_machine  # noqa: E402
from asl.graph.model import build_graph  # noqa: E402
from asl.graph.overlay import overlay  # noqa: E402
from asl.graph.visits import read_run  # noqa: E402
from asl.report.builder import build_report  # noqa: E402

TARGET_S = 3.0
DEFINITION = {"StartAt": "Each", "States": {"Each": {
    "Type": "Map", "ItemsPath": "$.items", "ToleratedFailureCount": 100, "End": True,
    "ItemProcessor": {"StartAt": "Check", "States": {
        "Check": {"Type": "Choice", "Default": "Ok",
                  "Choices": [{"Variable": "$", "NumericGreaterThan": 99999, "Next": "Bad"}]},
        "Ok": {"Type": "Pass", "End": True}, "Bad": {"Type": "Fail", "Error": "TooBig"}}}}}}


def timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    took = time.perf_counter() - start
    print(f"{label:<28} {took * 1000:9.1f} ms")
    return value, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--browser", action="store_true", help="also load the page in headless Chromium")
    args = parser.parse_args()
    # Every 97th item is large enough to fail its iteration (up to the tolerated 100).
    items = [i * 1000 if i % 97 == 0 else i for i in range(args.items)]
    machine = machine_from_definition(DEFINITION)
    result, _ = timed("run", lambda: run_machine(machine, {"items": items}, clock="virtual"))
    events = result.history.to_aws()["events"]
    print(f"{len(events)} events, status {result.status}")
    graph = build_graph(DEFINITION, "bench")
    timed("read visits", lambda: read_run(graph, events))
    timed("overlay", lambda: overlay(graph, events))
    execution = {"name": "bench", "arn": "arn:bench", "machine": "bench", "status": result.status,
                 "definition": json.dumps(DEFINITION), "started_at": None, "stopped_at": None}
    page, took = timed("build report", lambda: build_report(execution, events))
    print(f"page: {len(page) / 1e6:.1f} MB; target < {TARGET_S} s: {'ok' if took < TARGET_S else 'MISSED'}")
    if args.browser:
        sys.path.insert(0, str(ROOT / "tests"))
        from headless import MISSING, chrome

        if MISSING:
            sys.exit(MISSING)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "report.html"
            path.write_text(page, encoding="utf-8")
            driver = chrome()
            try:
                _, took = timed("load in Chromium", lambda: driver.get(path.as_uri()))
                print(f"target < {TARGET_S} s: {'ok' if took < TARGET_S else 'MISSED'}")
            finally:
                driver.quit()


if __name__ == "__main__":
    main()
