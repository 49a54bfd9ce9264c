"""Where each workload's `sfn run` wall goes, phase by phase, against the hand-written Python floor.

Every workload of ../shared/bench runs in a fresh process that does what `sfn run` does, one phase at a
time, timed with perf_counter: the imports of the command line and of the run command, loading the
definition (read, parse, validate, build the typed model), the execution (cold: the first run in the
process, as the command runs it), recording it in a store, and writing the JSON result. The Python
interpreter's own start-up (`python -c pass`) and the floor (benchmarks/peers/floor.py) are timed as
fresh processes beside it, and so is the real `sfn run`, so the phases can be checked against the whole.
It prints one table: what is left between sfn and the floor, and where.

    python benchmarks/phases.py                    # median of 5 rounds, every workload
    python benchmarks/phases.py --only paths_heavy --repeats 9
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_bench as rb  # noqa: E402

PHASES = ("imports", "load", "validate", "engine", "store", "output")


def child(label: str, folder: Path) -> dict[str, float]:
    """Run one workload phase by phase in this (fresh) process: seconds per phase."""
    workload = next(w for w in rb.WORKLOADS if w.label == label)
    times: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        times[phase] = times.get(phase, 0.0) + now - mark
        mark = now

    import sfn_cli.main  # noqa: F401  (the command line, as `sfn` imports it)
    from asl.api import run_machine
    from asl.cloudformation import load_runnable
    from asl.store import Store
    lap("imports")
    definition = folder / f"{workload.definition}.asl.json"
    with open(folder / f"{workload.input}.input.json", encoding="utf-8") as fh:
        data = json.load(fh)
    runnable = load_runnable(definition, validate=True)
    lap("load")
    # Validation's share, measured warm (the cold load above paid it once already): with and without.
    load_runnable(definition, validate=False)
    mark = time.perf_counter()
    load_runnable(definition, validate=True)
    with_validation = time.perf_counter() - mark
    load_runnable(definition, validate=False)
    mark = time.perf_counter()
    load_runnable(definition, validate=False)
    times["validate"] = max(0.0, with_validation - (time.perf_counter() - mark))
    times["load"] -= times["validate"]   # load now means read, parse and build
    resources = str(workload.resources) if workload.resources else None
    mark = time.perf_counter()
    result = run_machine(runnable.machine, data, name="bench", clock="virtual", resources=resources,
                         execution_type=workload.execution_type)
    lap("engine")
    # The store's share: a recorded run against an unrecorded one, both warm, in either order.
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp, "sfn.db"))
        mark = time.perf_counter()
        run_machine(runnable.machine, data, name="bench", clock="virtual", resources=resources,
                    execution_type=workload.execution_type, store=store)
        recorded = time.perf_counter() - mark
        store.close()
    mark = time.perf_counter()
    run_machine(runnable.machine, data, name="bench", clock="virtual", resources=resources,
                execution_type=workload.execution_type)
    times["store"] = max(0.0, recorded - (time.perf_counter() - mark))
    mark = time.perf_counter()
    json.dumps({"status": result.status, "output": result.output})
    lap("output")
    if result.status != "SUCCEEDED":
        raise rb.CheckFailed(f"{label}: status {result.status}")
    return times


def _fresh(cmd: list[str]) -> float:
    return rb.spawn(cmd, rb.CHILD_ENV)[0]


def measure(workload: rb.Workload, folder: Path, repeats: int) -> dict[str, float]:
    """Medians (seconds) of the phases, the interpreter's start-up, the floor's and sfn's walls."""
    rows: dict[str, list[float]] = {}
    floor = [sys.executable, str(rb.HERE / "peers" / "floor.py"), workload.definition,
             str(folder / f"{workload.definition}.asl.json"), str(folder / f"{workload.input}.input.json")]
    with tempfile.TemporaryDirectory() as tmp:
        sfn = rb._run_command(workload, folder) + ["--store", str(Path(tmp, "sfn.db"))]
        for round_ in range(repeats + 1):   # round 0 warms the bytecode cache
            done = subprocess.run([sys.executable, __file__, "--child", workload.label, "--workloads", str(folder)],
                                  capture_output=True, text=True, env=rb.CHILD_ENV)
            if done.returncode != 0:
                raise rb.CheckFailed(f"{workload.label}: {done.stderr.strip()[-500:]}")
            walls = {"python": _fresh([sys.executable, "-c", "pass"]), "floor": _fresh(floor), "sfn": _fresh(sfn)}
            if round_ == 0:
                continue
            for key, value in {**json.loads(done.stdout), **walls}.items():
                rows.setdefault(key, []).append(value)
    return {key: statistics.median(values) for key, values in rows.items()}


def table(figures: dict[str, dict[str, float]]) -> str:
    """The phases as a markdown table, in milliseconds."""
    head = ["workload", "floor", "sfn run", "python", *PHASES, "rest"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for label, f in figures.items():
        parts = [f["python"]] + [f[p] for p in PHASES]
        rest = f["sfn"] - sum(parts)   # interpreter exit, click's parsing, the store's open: what no phase holds
        cells = [f["floor"], f["sfn"], *parts, rest]
        lines.append(f"| {label} | " + " | ".join(f"{value * 1000:.0f}" for value in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print where each workload's wall goes (or, with --child, run one workload's phases and print them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workloads", type=Path, default=rb.DEFAULT_WORKLOADS, help="../shared/bench/workloads")
    parser.add_argument("--only", action="append", metavar="WORKLOAD", help="this workload only (repeatable)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds; medians are printed (default 5)")
    parser.add_argument("--child", metavar="WORKLOAD", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.workloads.is_dir():
        print(f"phases: no workloads at {args.workloads} (the ../shared/bench folder beside the clone, "
              f"or --workloads DIR)", file=sys.stderr)
        return 2
    if args.child:
        print(json.dumps(child(args.child, args.workloads)))
        return 0
    rb.warn_if_editable()
    chosen = [w for w in rb.WORKLOADS if not args.only or w.label in args.only]
    figures = {}
    for workload in chosen:
        figures[workload.label] = measure(workload, args.workloads, args.repeats)
        print(f"  {workload.label} done", file=sys.stderr)
    print(f"Milliseconds, medians of {args.repeats} fresh processes; phases as `sfn run` meets them "
          f"(validate and store measured warm):\n")
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
