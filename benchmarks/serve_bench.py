"""`sfn serve` against its pip-installable peers (moto's server, ministack) through boto3, in one run.

For each server: start-up time (spawn to the first answered ListStateMachines), memory (RSS once
started, and the peak), then executions per second and the latency from StartExecution to the
DescribeExecution that first shows a terminal status (p50 / p99), with 1, 8 and 32 clients (threads,
one boto3 client each) on a small machine (3 Pass states) and on a 1,000-transition one (a Pass /
Choice loop). Every execution's status and output are checked: a server that answers SUCCEEDED
without running the machine is reported as such, not timed as a win.

    python benchmarks/serve_bench.py               # sfn, moto, ministack
    python benchmarks/serve_bench.py --quick       # fewer executions per cell
    python benchmarks/serve_bench.py --only sfn    # no peers (nothing installed)

The peers are installed by the benchmark into a scratch virtual environment (`--scratch`, default
/tmp/sfn-serve-bench-peers), never into the project's. moto runs definitions only when told
(`POST /moto-api/config {"stepfunctions": {"execute_state_machine": true}}`), which is done here.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import venv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ROLE = "arn:aws:iam::123456789012:role/bench"
LOOPS = 499   # Init + 499 x (Increment, Check) + Done = 1,000 states entered

SMALL = {"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Result": {"n": 1}, "Next": "B"},
    "B": {"Type": "Pass", "Parameters": {"n.$": "$.n", "m": 2}, "Next": "C"},
    "C": {"Type": "Pass", "End": True}}}
LOOP = {"StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Parameters": {"i": 0, "n.$": "$.iterations"}, "Next": "Increment"},
    "Increment": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}, "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Increment"}],
              "Default": "Done"},
    "Done": {"Type": "Succeed"}}}
MACHINES = {
    "small (3 states)": (SMALL, {}, {"n": 1, "m": 2}),
    "1,000 transitions": (LOOP, {"iterations": LOOPS}, {"i": LOOPS, "n": LOOPS}),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ the servers


@dataclass
class Server:
    """One server under test: how to start it, and what was measured of it."""

    name: str
    argv: list[str]
    env: dict = field(default_factory=dict)
    after_start: Any = None            # a callable(url) run once it answers (moto's config)
    process: subprocess.Popen | None = None
    url: str = ""
    startup: float | None = None
    rss_idle: float | None = None
    rss_peak: float | None = None
    note: str = ""

    def start(self, port: int) -> None:
        """Spawn, then wait for the first answered ListStateMachines (the start-up time)."""
        self.url = f"http://127.0.0.1:{port}"
        began = time.perf_counter()
        self.process = subprocess.Popen([a.replace("{port}", str(port)) for a in self.argv], cwd=REPO,
                                        env={**os.environ, **{k: v.replace("{port}", str(port))
                                                              for k, v in self.env.items()}}, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        client = make_client(self.url, retries=0)
        deadline = began + 60
        while True:
            try:
                client.list_state_machines()
                break
            except Exception:  # noqa: BLE001 - not listening yet
                if self.process.poll() is not None or time.perf_counter() > deadline:
                    raise RuntimeError(f"{self.name} did not start (exit {self.process.poll()})") from None
                time.sleep(0.01)
        self.startup = time.perf_counter() - began
        if self.after_start is not None:
            self.after_start(self.url)
        self.rss_idle = rss_mb(self.process.pid)[0]

    def stop(self) -> None:
        if self.process is None:
            return
        self.rss_peak = rss_mb(self.process.pid)[1]
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def rss_mb(pid: int) -> tuple[float | None, float | None]:
    """(VmRSS, VmHWM) of a process and its children, in MB (Linux /proc)."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    rss = peak = 0.0
    for one in pids:
        try:
            status = Path(f"/proc/{one}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak += int(line.split()[1]) / 1024
    return (rss or None, peak or None)


def make_client(url: str, retries: int = 2) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": retries}, read_timeout=120,
                                                     max_pool_connections=64, inject_host_prefix=False))


def _moto_config(url: str) -> None:
    import urllib.request

    request = urllib.request.Request(url + "/moto-api/config", method="POST",
                                     data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode())
    urllib.request.urlopen(request, timeout=10).read()


def peers_venv(scratch: Path, wanted: list[str]) -> dict[str, str]:
    """Install the peers into a scratch venv; {peer: why it is skipped} for those that cannot be had."""
    python = scratch / "bin" / "python"
    if not python.exists():
        print(f"creating the peers' scratch venv {scratch}", flush=True)
        venv.create(scratch, with_pip=True)
    packages = {"moto": ("moto[server]", "moto"), "ministack": ("ministack", "ministack")}
    skipped = {}
    for peer in wanted:
        spec, module = packages[peer]
        if subprocess.run([str(python), "-c", f"import {module}"], capture_output=True).returncode == 0:
            continue
        print(f"installing {spec} into {scratch}", flush=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", spec], capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            skipped[peer] = f"pip install {spec} failed: {last}"
    return skipped


def servers(names: list[str], scratch: Path, store: Path) -> list[Server]:
    found = []
    for name in names:
        if name == "sfn":
            found.append(Server("sfn serve", [sys.executable, "-m", "cli.main", "serve", "--port", "{port}",
                                              "--store", str(store)]))
        elif name == "moto":
            found.append(Server("moto_server", [str(scratch / "bin" / "python"), "-m", "moto.server", "-p", "{port}"],
                                after_start=_moto_config))
        elif name == "ministack":
            found.append(Server("ministack", [str(scratch / "bin" / "ministack")],
                                env={"GATEWAY_PORT": "{port}", "BIND_HOST": "127.0.0.1"}))
    return found


# ------------------------------------------------------------------ the load


@dataclass
class Cell:
    """One machine x client count on one server."""

    executions: int = 0
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def figures(self) -> tuple[str, str, str]:
        if not self.latencies:
            return "-", "-", "-"
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
        return (f"{len(self.latencies) / self.wall:.1f}", f"{statistics.median(ordered) * 1000:.0f}",
                f"{p99 * 1000:.0f}")


def run_cell(url: str, machine_arn: str, payload: dict, expected: dict, clients: int, total: int) -> Cell:
    """`total` executions shared by `clients` threads; each polls DescribeExecution until terminal."""
    cell = Cell(total)
    lock = threading.Lock()
    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]

    def client_loop(count: int) -> None:
        client = make_client(url)
        client.list_state_machines()   # connect before the clock starts
        barrier.wait()
        for _ in range(count):
            began = time.perf_counter()
            try:
                arn = client.start_execution(stateMachineArn=machine_arn, name=str(uuid.uuid4()),
                                             input=json.dumps(payload))["executionArn"]
                while True:
                    found = client.describe_execution(executionArn=arn)
                    if found["status"] != "RUNNING":
                        break
                    time.sleep(0.002)
            except Exception as exc:  # noqa: BLE001 - a refused call counts against its server, not the run
                with lock:
                    cell.wrong.append(f"{type(exc).__name__}: {str(exc)[:80]}")
                continue
            took = time.perf_counter() - began
            output = json.loads(found["output"]) if found.get("output") else None
            with lock:
                cell.latencies.append(took)
                if found["status"] != "SUCCEEDED" or output != expected:
                    cell.wrong.append(f"{found['status']} {found.get('error') or ''} {str(output)[:60]}")

    threads = [threading.Thread(target=client_loop, args=(n,), daemon=True) for n in shares if n]
    barrier = threading.Barrier(len(threads) + 1)
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    cell.wall = time.perf_counter() - began
    return cell


def bench_server(server: Server, plan: dict) -> dict:
    results = {}
    server.start(free_port())
    try:
        client = make_client(server.url)
        for label, (definition, payload, expected) in MACHINES.items():
            arn = client.create_state_machine(name=f"bench{len(results)}", definition=json.dumps(definition),
                                              roleArn=ROLE)["stateMachineArn"]
            run_cell(server.url, arn, payload, expected, 1, 1)   # warm-up, untimed: first-use costs aside
            for clients in plan["clients"]:
                total = plan["executions"][label](clients)
                print(f"  {server.name}: {label}, {clients} clients, {total} executions", flush=True)
                results[(label, clients)] = run_cell(server.url, arn, payload, expected, clients, total)
    finally:
        server.stop()
    return results


def table(measured: list[tuple[Server, dict]], plan: dict) -> str:
    lines = ["| server | start-up (s) | RSS idle / peak (MB) |", "|---|---|---|"]
    for server, _ in measured:
        idle = f"{server.rss_idle:.0f}" if server.rss_idle else "?"
        peak = f"{server.rss_peak:.0f}" if server.rss_peak else "?"
        lines.append(f"| {server.name} | {server.startup:.2f} | {idle} / {peak} |")
    lines += ["", "| machine | clients | " + " | ".join(
        f"{s.name} exec/s, p50 / p99 ms" for s, _ in measured) + " |",
        "|---|---|" + "---|" * len(measured)]
    notes = []
    for label in MACHINES:
        for clients in plan["clients"]:
            row = [label, str(clients)]
            for server, results in measured:
                cell = results.get((label, clients))
                if cell is None:
                    row.append("-")
                    continue
                rate, p50, p99 = cell.figures()
                mark = ""
                if cell.wrong:
                    mark = " (wrong)"
                    notes.append(f"{server.name}, {label}, {clients} clients: {len(cell.wrong)}/{cell.executions} "
                                 f"not as expected, e.g. {cell.wrong[0]}")
                row.append(f"{rate}, {p50} / {p99}{mark}")
            lines.append("| " + " | ".join(row) + " |")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer executions per cell")
    parser.add_argument("--only", action="append", choices=["sfn", "moto", "ministack"],
                        help="servers to run (repeatable; default all three)")
    parser.add_argument("--clients", action="append", type=int, metavar="N",
                        help="concurrent clients (repeatable; default 1, 8 and 32)")
    parser.add_argument("--scratch", default="/tmp/sfn-serve-bench-peers", help="the peers' virtual environment")
    args = parser.parse_args(argv)
    names = args.only or ["sfn", "moto", "ministack"]
    scratch = Path(args.scratch)
    if args.quick:
        plan = {"clients": [1, 8, 32], "executions": {"small (3 states)": lambda c: max(10, 2 * c),
                                                      "1,000 transitions": lambda c: max(3, c)}}
    else:
        plan = {"clients": [1, 8, 32], "executions": {"small (3 states)": lambda c: max(50, 8 * c),
                                                      "1,000 transitions": lambda c: max(10, 2 * c)}}
    if args.clients:
        plan["clients"] = args.clients
    skipped = peers_venv(scratch, [n for n in names if n != "sfn"]) if names != ["sfn"] else {}
    for peer, why in skipped.items():
        print(f"skipping {peer}: {why}")
    measured = []
    with tempfile.TemporaryDirectory(prefix="sfn-serve-bench-") as tmp:
        for server in servers([n for n in names if n not in skipped], scratch, Path(tmp, "sfn.db")):
            print(f"{server.name}:", flush=True)
            try:
                measured.append((server, bench_server(server, plan)))
            except Exception as exc:  # noqa: BLE001 - one peer failing must not hide the others' figures
                print(f"skipping {server.name}: {type(exc).__name__}: {exc}")
    print()
    print(table(measured, plan))
    return 0 if measured else 1


if __name__ == "__main__":
    sys.exit(main())
