"""Benchmark sfn on the reference workloads of ../shared/bench and check the issue's targets.

Each workload runs (1) as a fresh `sfn run --clock virtual --output json` process, timed from
spawn to exit (start-up, load, validation and execution: what a user waits for), and (2)
in-process through `asl.api.run_machine` (the execution alone: "engine" time). Every output is
checked against a value computed here independently of sfn before anything is timed.

    python benchmarks/run_bench.py                  # median of 5 runs of every workload
    python benchmarks/run_bench.py --quick          # one run each, a smoke test
    python benchmarks/run_bench.py --only pass_chain_1k --only map_10k_mc0
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_WORKLOADS = REPO.parent / "shared" / "bench" / "workloads"
RESOURCES = HERE / "resources.yaml"  # maps the failing Lambda of retry_catch_task to a local handler


class CheckFailed(AssertionError):
    """A workload's output or transition count is not what the workload must produce."""


# The expected values live beside this script (stdlib only, shared with peers/floor.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from expected import EXPECTED, compact, intrinsics_normalise  # noqa: E402


# ---------------------------------------------------------------- workloads and reference figures

@dataclass
class Workload:
    """One benchmark: a definition, an input, how to compute its expected output."""

    label: str
    definition: str
    input: str
    expected: Callable[[dict, dict], tuple[Any, int]]
    resources: Path | None = None
    normalise: Callable[[Any], Any] = lambda output: output
    # A 10,000-item inline Map records about 80,000 events: more than a Standard execution's history
    # holds (25,000, after which AWS fails it), so on AWS such a workload runs as an Express workflow.
    execution_type: str = "STANDARD"


WORKLOADS = [
    Workload("pass_chain_1k", "pass_chain", "pass_chain_1k", EXPECTED["pass_chain"]),
    Workload("pass_chain_10k", "pass_chain", "pass_chain_10k", EXPECTED["pass_chain"]),
    Workload("paths_heavy", "paths_heavy", "paths_heavy", EXPECTED["paths_heavy"]),
    Workload("map_1k_mc0", "map_inline_mc0", "map_1k", EXPECTED["map_inline_mc0"]),
    Workload("map_10k_mc0", "map_inline_mc0", "map_10k", EXPECTED["map_inline_mc0"], execution_type="EXPRESS"),
    Workload("map_1k_mc1", "map_inline_mc1", "map_1k", EXPECTED["map_inline_mc1"]),
    Workload("map_10k_mc1", "map_inline_mc1", "map_10k", EXPECTED["map_inline_mc1"], execution_type="EXPRESS"),
    Workload("parallel_fanout", "parallel_fanout", "parallel_fanout", EXPECTED["parallel_fanout"]),
    Workload("intrinsics", "intrinsics", "intrinsics", EXPECTED["intrinsics"], normalise=intrinsics_normalise),
    Workload("retry_catch", "retry_catch", "retry_catch", EXPECTED["retry_catch"]),
    Workload("retry_catch_task", "retry_catch_task", "retry_catch_task", EXPECTED["retry_catch_task"],
             resources=RESOURCES),
    Workload("large_definition", "large_definition", "large_definition", EXPECTED["large_definition"]),
]

# aws-local-stepfunctions 3.0.0 on the same workloads (../shared/bench/README.md):
# wall seconds, engine transitions/s, peak RSS in MB.
REFERENCE = {
    "pass_chain_1k": (0.96, 11_033, 86),
    "pass_chain_10k": (1.44, 15_535, 100),
    "paths_heavy": (2.20, 600, 115),
    "map_1k_mc0": (1.32, 7_459, 102),
    "map_10k_mc0": (4.76, 8_890, 162),
    "map_10k_mc1": (5.06, 8_033, 162),
    "parallel_fanout": (1.71, 5_010, 86),
    "intrinsics": (1.43, 2_054, 87),
    "retry_catch": (1.23, 4_363, 87),
    "large_definition": (2.28, 9_419, 106),
}
# The fixed figures where it names them; elsewhere five times / half of the reference.
FIXED_THROUGHPUT = {"pass_chain_10k": 75_000, "map_10k_mc0": 45_000, "map_10k_mc1": 45_000}
FIXED_RSS_MB = {"map_10k_mc0": 80, "map_10k_mc1": 80}
LINEAR_PAIRS = [("pass_chain_1k", "pass_chain_10k"), ("map_1k_mc0", "map_10k_mc0"),
                ("map_1k_mc1", "map_10k_mc1")]


# ---------------------------------------------------------------- measuring

@dataclass
class Measure:
    """What one workload measured (medians)."""

    label: str
    transitions: int
    wall: float
    engine: float
    rss_mb: float
    walls: list[float] = field(default_factory=list)
    engines: list[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Engine transitions per second."""
        return self.transitions / self.engine if self.engine else float("inf")


def _read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _check(workload: Workload, where: str, status: str, output: Any, expected: Any) -> None:
    if status != "SUCCEEDED":
        raise CheckFailed(f"{workload.label} ({where}): status {status}, expected SUCCEEDED")
    got = workload.normalise(output)
    if got != expected:
        raise CheckFailed(f"{workload.label} ({where}): output differs from the expected value:\n"
                          f"  got      {compact(got)[:300]}\n  expected {compact(expected)[:300]}")


def _sfn_command() -> list[str]:
    """The `sfn` console script of this Python (not a version-manager shim, which adds its own start-up)."""
    beside = Path(sys.executable).parent / "sfn"
    if beside.is_file():
        return [str(beside)]
    exe = shutil.which("sfn")
    return [exe] if exe else [sys.executable, "-m", "cli.main"]


def editable_note() -> str | None:
    """A line saying so when the sfn being timed is an editable install, else None.

    setuptools' editable import hook runs at every interpreter start (~10 ms, pathlib and more), which
    an installed copy, as users run sfn, does not pay: figures taken so overstate sfn's start-up.
    """
    from importlib import metadata

    try:
        text = metadata.distribution("sfn-local").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not text or not json.loads(text).get("dir_info", {}).get("editable"):
        return None
    return ("note: sfn is an editable install here (pip install -e): its import hook adds to every start; "
            "time an installed copy as users run it (pip install . into a fresh virtual environment)")


def warn_if_editable() -> None:
    """Print editable_note's line, if any, on stderr (before any timing)."""
    note = editable_note()
    if note:
        print(note, file=sys.stderr)


# Runs in a small fresh interpreter: a child's peak RSS starts at its parent's RSS at fork time
# (Linux carries it through exec), so spawning sfn from this process, which holds the workloads,
# would inflate it. argv: stdout file, stderr file, command...; prints wall, peak RSS KB, exit code.
_LAUNCHER = """
import os, sys, time
out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
err = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
null = os.open(os.devnull, os.O_RDONLY)
actions = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2)]
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[3], sys.argv[3:], os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


# Installed sfn runs from cached bytecode (pip compiles it; an editable install writes it on first
# import). An environment with PYTHONDONTWRITEBYTECODE would recompile every module of every
# run instead, so by default the child processes cache bytecode under a private folder; the
# first, untimed check run fills it. `--no-bytecode-cache` keeps the caller's environment.
CHILD_ENV: dict[str, str] | None = None
GROWTH_WORKLOAD = "map_10k_mc0"  # what issue 21 measured: the largest history of the workloads
NO_STORE = False


def bytecode_cache_env() -> dict[str, str]:
    """The environment for `sfn run` children with bytecode cached outside the source tree."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "sfn-bench-pycache")
    return env


def _run_command(workload: Workload, folder: Path) -> list[str]:
    cmd = _sfn_command() + ["run", str(folder / f"{workload.definition}.asl.json"),
                            "--input-file", str(folder / f"{workload.input}.input.json"),
                            "--output", "json", "--clock", "virtual", "--execution-type", workload.execution_type]
    if workload.resources is not None:
        cmd += ["--resources", str(workload.resources)]
    return cmd


def spawn(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, bytes, bytes]:
    """Run `cmd` as a fresh process: (wall seconds, peak RSS in MB, exit code, stdout, stderr)."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
        report = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, str(out), str(err)] + cmd,
                                capture_output=True, text=True, check=True, env=env).stdout.split()
        # ru_maxrss is in kilobytes on Linux
        return float(report[0]), int(report[1]) / 1024, int(report[2]), out.read_bytes(), err.read_bytes()


def run_cli(workload: Workload, folder: Path, store: Path | None = None,
            env: dict[str, str] | None = None) -> tuple[float, float, dict]:
    """One fresh `sfn run` process: (wall seconds, peak RSS in MB, its JSON result).

    It records into `store` if given, else into a fresh store (none with --no-store).
    """
    cmd = _run_command(workload, folder)
    with tempfile.TemporaryDirectory() as tmp:
        # sfn run records every execution in a store (by default the user's, which must stay
        # untouched here): a fresh one per run, or none with --no-store.
        if store is not None:
            cmd += ["--store", str(store)]
        else:
            cmd += ["--no-store"] if NO_STORE else ["--store", str(Path(tmp, "sfn.db"))]
        wall, rss_mb, code, stdout, stderr = spawn(cmd, env or CHILD_ENV)
    try:
        result = json.loads(stdout)
    except ValueError:
        raise CheckFailed(f"{workload.label} (sfn run): no JSON result (exit {code}): "
                          f"{stderr.decode(errors='replace')[:500]}") from None
    return wall, rss_mb, result


def check_engine(workload: Workload, folder: Path, repeats: int) -> tuple[int, list[float]]:
    """Check the workload's output in-process, then time the execution alone `repeats` times.

    Returns the state transitions (counted from the history) and the engine seconds of each run.
    """
    from asl.api import load_machine, run_machine

    definition = _read_json(folder / f"{workload.definition}.asl.json")
    data = _read_json(folder / f"{workload.input}.input.json")
    expected, transitions = workload.expected(definition, data)

    _, machine = load_machine(folder / f"{workload.definition}.asl.json")
    services = None
    if workload.resources is not None:
        from asl.resources.compose import build_services
        from asl.resources.config import load_resources

        services = build_services(load_resources(workload.resources))  # handlers imported once, not timed

    def engine_once() -> tuple[float, Any]:
        start = time.perf_counter()
        result = run_machine(machine, data, name="bench", clock="virtual", resources=services,
                             execution_type=workload.execution_type)
        return time.perf_counter() - start, result

    # Check before timing: the output, and the transitions counted from the history.
    _, result = engine_once()
    _check(workload, "library", result.status, result.output, expected)
    entered = sum(1 for e in result.history.events if e.type.endswith("StateEntered"))
    if entered != transitions:
        raise CheckFailed(f"{workload.label}: {entered} state transitions, expected {transitions}")
    engines = []
    for _ in range(repeats):
        # Every run starts from the same heap: the previous result (and its history) freed first.
        result = None
        gc.collect()
        seconds, result = engine_once()
        if result.status != "SUCCEEDED":
            raise CheckFailed(f"{workload.label} (library): status {result.status}")
        engines.append(seconds)
    return transitions, engines


def expected_output(workload: Workload, folder: Path) -> Any:
    """What the workload's execution must output."""
    definition = _read_json(folder / f"{workload.definition}.asl.json")
    return workload.expected(definition, _read_json(folder / f"{workload.input}.input.json"))[0]


def measure(workload: Workload, folder: Path, repeats: int) -> Measure:
    """Check the workload's output both ways, then time it `repeats` times each way."""
    transitions, engines = check_engine(workload, folder, repeats)
    expected = expected_output(workload, folder)
    _, _, cli_result = run_cli(workload, folder)
    _check(workload, "sfn run", cli_result.get("status"), cli_result.get("output"), expected)
    walls, rss = [], []
    for _ in range(repeats):
        wall, rss_mb, cli_result = run_cli(workload, folder)
        _check(workload, "sfn run", cli_result.get("status"), cli_result.get("output"), expected)
        walls.append(wall)
        rss.append(rss_mb)
    return Measure(workload.label, transitions, statistics.median(walls), statistics.median(engines),
                   max(rss), walls, engines)


def store_growth(workload: Workload, folder: Path, runs: int, bound_mb: float) -> list[int]:
    """The size of one store file after each of `runs` `sfn run`s of the workload recorded into it.

    The runs apply the store's retention with SFN_STORE_MAX_MB=bound_mb, as every `sfn run` does.
    """
    env = dict(CHILD_ENV if CHILD_ENV is not None else os.environ)
    env["SFN_STORE_MAX_MB"] = str(bound_mb)
    sizes = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp, "sfn.db")
        for _ in range(runs):
            _, _, result = run_cli(workload, folder, store, env)
            if result.get("status") != "SUCCEEDED":
                raise CheckFailed(f"{workload.label} (store growth): status {result.get('status')}")
            sizes.append(store.stat().st_size)
    return sizes


def growth_report(label: str, sizes: list[int], bound_mb: float) -> str:
    """What one run adds to the store, and whether the store stayed within the bound."""
    bound = bound_mb * 1_000_000
    peak = max(sizes)
    # The first run's file holds the empty store's pages too; the second one adds a run and nothing else.
    added = sizes[1] - sizes[0] if len(sizes) > 1 else sizes[0]
    ok = peak <= bound
    return (f"one {label} run adds {added / 1e6:.1f} MB to the store; after {len(sizes)} runs it is "
            f"{sizes[-1] / 1e6:.1f} MB (largest {peak / 1e6:.1f} MB, bound {bound_mb:g} MB: "
            f"{'within' if ok else 'NOT within'})")


# ---------------------------------------------------------------- report

def table(measures: list[Measure]) -> str:
    """The results as a Markdown table."""
    lines = ["| workload | transitions | wall median | engine median | transitions/s | peak RSS |",
             "|---|---:|---:|---:|---:|---:|"]
    for m in measures:
        lines.append(f"| {m.label} | {m.transitions:,} | {m.wall:.3f} s | {m.engine * 1000:.1f} ms | "
                     f"{m.throughput:,.0f} | {m.rss_mb:.0f} MB |")
    return "\n".join(lines)


def targets(measures: list[Measure]) -> list[tuple[bool, str]]:
    """Every target of issue 8 that these measures can decide: (met, line)."""
    by = {m.label: m for m in measures}
    out: list[tuple[bool, str]] = []
    for label, (ref_wall, ref_tps, ref_rss) in REFERENCE.items():
        m = by.get(label)
        if m is None:
            continue
        limit = ref_wall / 5
        out.append((m.wall <= limit, f"wall {label}: {m.wall:.3f} s <= {limit:.3f} s (1/5 of {ref_wall} s)"))
        need = FIXED_THROUGHPUT.get(label, 5 * ref_tps)
        out.append((m.throughput >= need, f"throughput {label}: {m.throughput:,.0f}/s >= {need:,}/s"))
        cap = FIXED_RSS_MB.get(label, ref_rss / 2)
        out.append((m.rss_mb <= cap, f"peak RSS {label}: {m.rss_mb:.0f} MB <= {cap:g} MB"))
    for small, large in LINEAR_PAIRS:
        if small in by and large in by:
            ratio = by[large].engine / by[small].engine
            out.append((ratio <= 12, f"linear {large} / {small}: engine {ratio:.1f}x <= 12x "
                                     f"(wall {by[large].wall / by[small].wall:.1f}x)"))
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 if a check fails, 2 if no workload is there (targets missed are reported)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run per workload (a smoke test)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per workload and mode (median)")
    parser.add_argument("--only", action="append", metavar="LABEL", help="run only these workloads")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="run sfn with the caller's environment as is (e.g. PYTHONDONTWRITEBYTECODE)")
    parser.add_argument("--no-store", action="store_true",
                        help="run sfn with --no-store (by default each run records into a fresh store)")
    parser.add_argument("--store-runs", type=int, default=20, metavar="N",
                        help="record N runs of map_10k_mc0 into one store and report its size (0: skip)")
    parser.add_argument("--workloads", type=Path, default=DEFAULT_WORKLOADS, metavar="DIR",
                        help=f"folder of NAME.asl.json / NAME.input.json (default {DEFAULT_WORKLOADS})")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    global CHILD_ENV, NO_STORE
    CHILD_ENV = None if args.no_bytecode_cache else bytecode_cache_env()
    NO_STORE = args.no_store
    repeats = 1 if args.quick else args.repeats
    chosen = [w for w in WORKLOADS if not args.only or w.label in args.only]
    if args.only and len(chosen) != len(set(args.only)):
        parser.error(f"unknown workload; choose from {', '.join(w.label for w in WORKLOADS)}")
    if not any((args.workloads / f"{w.input}.input.json").is_file() for w in chosen):
        # The reference workloads are the project's shared yardstick, not part of this repository.
        print(f"run_bench: no workload to run: {args.workloads} holds none of "
              f"{', '.join(sorted({w.input + '.input.json' for w in chosen}))}. The reference workloads "
              f"(../shared/bench/workloads beside a clone of sfn) are not in the repository: pass "
              f"--workloads DIR", file=sys.stderr)
        return 2
    warn_if_editable()
    measures = []
    for workload in chosen:
        if not (args.workloads / f"{workload.input}.input.json").is_file():
            print(f"skipped {workload.label}: {workload.input}.input.json not in {args.workloads}")
            continue
        try:
            m = measure(workload, args.workloads, repeats)
        except CheckFailed as exc:
            print(f"CHECK FAILED: {exc}", file=sys.stderr)
            return 1
        measures.append(m)
        print(f"  {m.label}: wall {m.wall:.3f} s, engine {m.engine * 1000:.1f} ms", file=sys.stderr)
    cache = "as the environment has it" if args.no_bytecode_cache else "cached"
    store = "--no-store" if args.no_store else "recorded into a fresh store"
    print(f"sfn on {len(measures)} workloads, median of {repeats} (outputs checked; runs {store}; "
          f"bytecode {cache}; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)\n")
    print(table(measures))
    results = targets(measures)
    if results:
        print(f"\nTargets of issue 8 ({sum(ok for ok, _ in results)}/{len(results)} met):")
        for ok, line in results:
            print(f"  {'met    ' if ok else 'NOT MET'}  {line}")
    growth = next((w for w in chosen if w.label == GROWTH_WORKLOAD), None)
    measured = {m.label for m in measures}
    if growth is not None and growth.label in measured and args.store_runs > 0 and not args.no_store:
        from asl.store.retention import DEFAULT_MAX_MB

        runs = min(args.store_runs, 3) if args.quick else args.store_runs
        sizes = store_growth(growth, args.workloads, runs, DEFAULT_MAX_MB)
        print(f"\nStore retention (issue 21): {growth_report(growth.label, sizes, DEFAULT_MAX_MB)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
