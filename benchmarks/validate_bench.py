"""Benchmark `sfn validate`: files/s and per-file time, single files and a batch of 500.

    python benchmarks/validate_bench.py [--runs N] [--shared ../shared]

Single file: `sfn validate FILE` in a fresh process (wall includes Python start-up), median of
N runs per file over a sample of files. Batch: 500 files validated in one process (load +
validate, the schema compiled once), timed in-process and through one `sfn validate` command.
Also reports CPU time (user + sys) of the subprocesses: on a loaded machine wall time mostly
measures the queue for a core, CPU time what sfn itself costs.
Targets (issue 6): single file < 150 ms wall including start-up; batch < 2 ms per file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINGLE_TARGET_MS = 150.0
BATCH_TARGET_MS = 2.0


def sfn_command() -> list[str]:
    """The installed console script when there is one (what pre-commit runs), else -m cli.main."""
    found = shutil.which("sfn")
    if found:
        # pyenv and similar put a shell shim first on PATH; run the real script directly.
        try:
            real = subprocess.run(["pyenv", "which", "sfn"], capture_output=True, text=True).stdout.strip()
            found = real or found
        except OSError:
            pass
        return [found]
    return [sys.executable, "-m", "cli.main"]


def corpora(shared: Path) -> dict[str, list[Path]]:
    """The visible validation cases (well-formed ones) and the bench/validation definitions."""
    found: dict[str, list[Path]] = {}
    index = shared / "validation" / "index.json"
    if index.is_file():
        cases = json.loads(index.read_text(encoding="utf-8"))["cases"]
        found["validation cases"] = [shared / "validation" / c["file"] for c in cases if c.get("parses", True)]
    bench = sorted((shared / "bench" / "validation").glob("*.json"))
    if bench:
        found["bench/validation"] = bench
    return found


def time_single(cmd: list[str], files: list[Path], runs: int) -> tuple[list[float], list[float]]:
    """Per-file medians of wall and CPU milliseconds, one fresh process per run."""
    walls, cpus = [], []
    for path in files:
        w, c = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([*cmd, "validate", "--quiet", str(path)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, cwd=ROOT)
            w.append(1000 * (time.perf_counter() - start))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            c.append(1000 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
        walls.append(statistics.median(w))
        cpus.append(statistics.median(c))
    return walls, cpus


def time_batch_in_process(files: list[Path], count: int = 500) -> float:
    """Milliseconds per file to load and validate `count` files in this process (warm schema)."""
    sys.path.insert(0, str(ROOT))
    from asl.loader import load_file
    from asl.validate import validate

    batch = [files[i % len(files)] for i in range(count)]
    validate(load_file(batch[0]))  # compile the schema once, as a long run would
    start = time.perf_counter()
    for path in batch:
        validate(load_file(path))
    return 1000 * (time.perf_counter() - start) / count


def time_batch_command(cmd: list[str], files: list[Path], count: int = 500) -> tuple[float, float]:
    """Wall and CPU milliseconds per file for one `sfn validate` over `count` files (start-up included)."""
    batch = [str(files[i % len(files)]) for i in range(count)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([*cmd, "validate", "--quiet", *batch], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = 1000 * (time.perf_counter() - start) / count
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = 1000 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / count
    return wall, cpu


def verdict(value: float, target: float) -> str:
    return f"{'met' if value < target else 'NOT met'} (target < {target:g} ms)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared folder")
    parser.add_argument("--runs", type=int, default=5, help="fresh-process runs per file (median)")
    parser.add_argument("--sample", type=int, default=20, help="validation cases timed one by one")
    args = parser.parse_args()
    cmd = sfn_command()
    sets = corpora(Path(args.shared))
    if not sets:
        print(f"no corpora under {args.shared}", file=sys.stderr)
        return 2
    print(f"sfn command: {' '.join(cmd)}   cores: {os.cpu_count()}   load average: "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, files in sets.items():
        sample = files[:: max(1, len(files) // args.sample)][: args.sample]
        walls, cpus = time_single(cmd, sample, args.runs)
        single = statistics.median(walls)
        in_process = time_batch_in_process(files)
        batch_wall, batch_cpu = time_batch_command(cmd, files)
        print(f"\n{name}: {len(files)} files")
        print(f"  single file, fresh process: median {single:.1f} ms wall (max {max(walls):.1f}), "
              f"{statistics.median(cpus):.1f} ms CPU -> {1000 / single:.1f} files/s   {verdict(single, SINGLE_TARGET_MS)}")
        print(f"  batch of 500, in process:   {in_process:.3f} ms/file -> {1000 / in_process:.0f} files/s   "
              f"{verdict(in_process, BATCH_TARGET_MS)}")
        print(f"  batch of 500, one command:  {batch_wall:.3f} ms/file wall, {batch_cpu:.3f} ms/file CPU "
              f"(start-up included) -> {1000 / batch_wall:.0f} files/s   {verdict(batch_wall, BATCH_TARGET_MS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
