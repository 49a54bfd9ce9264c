"""sfn side by side with aws-local-stepfunctions and the Python floor, in one run, as ratios.

Every workload of ../shared/bench runs as a fresh process three ways, interleaved (the order
rotates each round, so a busy moment on a shared machine falls on all three alike): `sfn run`,
aws-local-stepfunctions (installed here with npm into a scratch folder; skipped with a line
saying so when npm or node is missing) and the hand-written Python floor (peers/floor.py). Every
output is checked; a peer's wrong output is reported, not timed as a win. Then the start-up
figures and the engine throughput, and every target of issue 17 as met or not.

    python benchmarks/peer_bench.py                 # median of 3 rounds, every workload
    python benchmarks/peer_bench.py --quick         # one round: a smoke test
    python benchmarks/peer_bench.py --only pass_chain_1k --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_bench as rb  # noqa: E402

PEER = "aws-local-stepfunctions"
PEER_VERSION = "3.0.0"
PEER_RUNNER = rb.HERE / "peers" / "local_sfn_run.mjs"
FLOOR = rb.HERE / "peers" / "floor.py"
DEFAULT_PEER_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sfn-bench" / "local-sfn"

# Issue 17's targets.
WALL_RATIO = 0.20            # sfn wall / the peer's, every workload
RSS_RATIO = 0.5              # sfn peak RSS / the peer's, every workload
STARTUP_MS = {"sfn --version": 60, "sfn validate (one small file)": 60, "sfn run (10 states)": 90}
THROUGHPUT = {"pass_chain_10k": 150_000, "map_10k_mc0": 100_000, "map_10k_mc1": 100_000}
LINEAR = 10                  # a 10k workload's wall at most this many times its 1k one's


@dataclass
class Runs:
    """Walls (s) and peak RSS (MB) of one contender on one workload; `wrong` when its output was."""

    walls: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    wrong: str = ""

    @property
    def wall(self) -> float:
        """The median wall time."""
        return statistics.median(self.walls) if self.walls else float("nan")

    @property
    def peak(self) -> float:
        """The largest peak RSS."""
        return max(self.rss) if self.rss else float("nan")


def install_peer(folder: Path) -> Path | None:
    """aws-local-stepfunctions installed under `folder` (npm, once); None, said why, when it cannot be."""
    package = folder / "node_modules" / PEER / "package.json"
    if package.is_file() and json.loads(package.read_text())["version"] == PEER_VERSION:
        return folder
    if not shutil.which("npm") or not shutil.which("node"):
        print(f"peer_bench: npm or node not found: {PEER} skipped (install Node.js to compare)", file=sys.stderr)
        return None
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["npm", "install", "--prefix", str(folder), "--no-save", "--no-audit", "--no-fund",
                           "--loglevel=error", f"{PEER}@{PEER_VERSION}"], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"peer_bench: npm install {PEER}@{PEER_VERSION} failed: {PEER} skipped\n{done.stderr[-500:]}",
              file=sys.stderr)
        return None
    return folder


def _files(workload: rb.Workload, folder: Path) -> list[str]:
    return [str(folder / f"{workload.definition}.asl.json"), str(folder / f"{workload.input}.input.json")]


def _commands(workload: rb.Workload, folder: Path, peer: Path | None, store: Path) -> dict[str, list[str]]:
    commands = {"sfn": rb._run_command(workload, folder) + ["--store", str(store)],
                "floor": [sys.executable, str(FLOOR), workload.definition] + _files(workload, folder)}
    if peer is not None:
        commands[PEER] = [shutil.which("node") or "node", str(PEER_RUNNER), str(peer)] + _files(workload, folder)
    return commands


def _output(stdout: bytes) -> dict:
    try:
        return json.loads(stdout)
    except ValueError:
        return {}


def compare(workload: rb.Workload, folder: Path, peer: Path | None, rounds: int) -> dict[str, Runs]:
    """Run the workload `rounds` times per contender, interleaved; check every output."""
    expected = rb.expected_output(workload, folder)
    runs: dict[str, Runs] = {}
    with tempfile.TemporaryDirectory() as tmp:
        commands = _commands(workload, folder, peer, Path(tmp, "sfn.db"))
        names = list(commands)
        for round_ in range(rounds + 1):  # round 0 warms caches (bytecode, node's) and checks outputs
            order = names[round_ % len(names):] + names[:round_ % len(names)]
            for name in order:
                wall, rss, _, stdout, stderr = rb.spawn(commands[name], rb.CHILD_ENV)
                result = _output(stdout)
                entry = runs.setdefault(name, Runs())
                if round_ == 0:
                    try:
                        rb._check(workload, name, result.get("status"), result.get("output"), expected)
                    except rb.CheckFailed as exc:
                        if name == "sfn":
                            raise rb.CheckFailed(f"{exc} {stderr.decode(errors='replace')[:300]}") from None
                        entry.wrong = " ".join(str(exc).split())[:300] or stderr.decode(errors="replace")[:300]
                    continue
                entry.walls.append(wall)
                entry.rss.append(rss)
    return runs


def startup(rounds: int) -> dict[str, float]:
    """Median wall (ms) of `sfn --version`, `sfn validate` of a small file and `sfn run` of 10 states."""
    states = {f"S{k}": {"Type": "Pass", "Result": {"k": k}, "ResultPath": f"$.s{k}", "Next": f"S{k + 1}"}
              for k in range(10)}
    states["S9"] = {"Type": "Pass", "End": True}
    with tempfile.TemporaryDirectory() as tmp:
        machine = Path(tmp, "ten.asl.json")
        machine.write_text(json.dumps({"StartAt": "S0", "States": states}))
        sfn = rb._sfn_command()
        commands = {"sfn --version": sfn + ["--version"],
                    "sfn validate (one small file)": sfn + ["validate", str(machine)],
                    "sfn run (10 states)": sfn + ["run", str(machine), "--input", "{}", "--output", "json",
                                                  "--store", str(Path(tmp, "sfn.db"))]}
        walls: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(rounds + 1):
            for name, cmd in commands.items():
                wall, _, code, _, stderr = rb.spawn(cmd, rb.CHILD_ENV)
                if code != 0:
                    raise rb.CheckFailed(f"{name}: exit {code}: {stderr.decode(errors='replace')[:300]}")
                if round_:
                    walls[name].append(wall)
    return {name: statistics.median(w) * 1000 for name, w in walls.items()}


def table(results: dict[str, dict[str, Runs]], has_peer: bool) -> str:
    """The side-by-side figures as a Markdown table."""
    head = "| workload | floor | sfn |" + (f" {PEER} | sfn / peer | sfn RSS | peer RSS |" if has_peer else " sfn RSS |")
    lines = [head, "|---" + "|---:" * (head.count("|") - 2) + "|"]
    for label, runs in results.items():
        sfn, floor = runs["sfn"], runs["floor"]
        row = f"| {label} | {floor.wall:.3f} s | {sfn.wall:.3f} s |"
        if has_peer:
            peer = runs[PEER]
            note = " (wrong output)" if peer.wrong else ""
            row += (f" {peer.wall:.3f} s{note} | {sfn.wall / peer.wall:.2f} | {sfn.peak:.0f} MB | "
                    f"{peer.peak:.0f} MB |")
        else:
            row += f" {sfn.peak:.0f} MB |"
        lines.append(row)
    return "\n".join(lines)


def targets(results: dict[str, dict[str, Runs]], starts: dict[str, float],
            throughput: dict[str, float]) -> list[tuple[bool, str]]:
    """Every target of issue 17 these figures decide: (met, line)."""
    out: list[tuple[bool, str]] = []
    for label, runs in results.items():
        sfn, peer = runs["sfn"], runs.get(PEER)
        if peer is not None and peer.walls:
            ratio = sfn.wall / peer.wall
            out.append((ratio <= WALL_RATIO, f"wall {label}: {ratio:.3f} of {PEER}' (target <= {WALL_RATIO})"))
            rss = sfn.peak / peer.peak
            out.append((rss <= RSS_RATIO, f"peak RSS {label}: {rss:.2f} of {PEER}' (target <= {RSS_RATIO})"))
    for name, ms in starts.items():
        out.append((ms <= STARTUP_MS[name], f"{name}: {ms:.0f} ms (target <= {STARTUP_MS[name]} ms)"))
    for label, rate in throughput.items():
        out.append((rate >= THROUGHPUT[label], f"engine {label}: {rate:,.0f} transitions/s "
                                               f"(target >= {THROUGHPUT[label]:,})"))
    for small, large in rb.LINEAR_PAIRS:
        if small in results and large in results:
            ratio = results[large]["sfn"].wall / results[small]["sfn"].wall
            out.append((ratio <= LINEAR, f"{large} / {small}: wall {ratio:.1f}x (target <= {LINEAR}x)"))
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the comparison; exit 1 if sfn's output is wrong, 2 if no workload is there."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round (a smoke test)")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per workload (median)")
    parser.add_argument("--only", action="append", metavar="LABEL", help="run only these workloads")
    parser.add_argument("--no-peer", action="store_true", help=f"leave {PEER} out")
    parser.add_argument("--peer-dir", type=Path, default=DEFAULT_PEER_DIR, metavar="DIR",
                        help=f"where npm installs {PEER} (default {DEFAULT_PEER_DIR})")
    parser.add_argument("--workloads", type=Path, default=rb.DEFAULT_WORKLOADS, metavar="DIR",
                        help=f"folder of the workloads (default {rb.DEFAULT_WORKLOADS})")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(rb.REPO))
    rb.CHILD_ENV = rb.bytecode_cache_env()
    rounds = 1 if args.quick else args.repeats
    chosen = [w for w in rb.WORKLOADS if (not args.only or w.label in args.only)
              and (args.workloads / f"{w.input}.input.json").is_file()]
    if not chosen:
        print(f"peer_bench: no workload to run in {args.workloads} (the reference workloads are "
              f"../shared/bench/workloads beside a clone of sfn): pass --workloads DIR", file=sys.stderr)
        return 2
    rb.warn_if_editable()
    peer = None if args.no_peer else install_peer(args.peer_dir)
    results: dict[str, dict[str, Runs]] = {}
    try:
        for workload in chosen:
            results[workload.label] = compare(workload, args.workloads, peer, rounds)
            print(f"  {workload.label} done", file=sys.stderr)
        starts = startup(rounds)
        throughput = {}
        for workload in chosen:
            if workload.label in THROUGHPUT:
                transitions, engines = rb.check_engine(workload, args.workloads, rounds)
                throughput[workload.label] = transitions / statistics.median(engines)
    except rb.CheckFailed as exc:
        print(f"CHECK FAILED: {exc}", file=sys.stderr)
        return 1
    peer_line = f"{PEER} {PEER_VERSION} (Node {_node_version()})" if peer else f"no {PEER}"
    print(f"sfn, {peer_line} and the Python floor, side by side: fresh process per run, median of "
          f"{rounds} interleaved rounds; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    print(table(results, peer is not None))
    wrong = [f"  {PEER} {label}: {runs[PEER].wrong}" for label, runs in results.items()
             if PEER in runs and runs[PEER].wrong]
    if wrong:
        print("\nWrong outputs of the peer (timed all the same):\n" + "\n".join(wrong))
    print("\nStart-up: " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in starts.items()))
    checks = targets(results, starts, throughput)
    print(f"\nTargets of issue 17 ({sum(ok for ok, _ in checks)}/{len(checks)} met):")
    for ok, line in checks:
        print(f"  {'met    ' if ok else 'NOT MET'}  {line}")
    return 0


def _node_version() -> str:
    done = subprocess.run([shutil.which("node") or "node", "--version"], capture_output=True, text=True)
    return done.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
