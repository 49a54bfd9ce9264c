"""The execution conformance corpus through `sfn serve`, judged by the conformance runner's own code.

    python tests/service/corpus_through_endpoint.py                       # ../shared/conformance
    python tests/service/corpus_through_endpoint.py --corpus ../shared/conformance/mocked --jobs 2

Each case goes over HTTP through boto3, as an SDK user's code would: CreateStateMachine (STANDARD, or
EXPRESS for the cases AWS recorded through StartSyncExecution), StartExecution and DescribeExecution
until it ends (StartSyncExecution for Express), GetExecutionHistory. The outcome is judged by
`../shared/conformance/run.py` (imported: `judge`, `judge_history`, `report`), the same code that
judges `sfn run`, so the figures compare one for one. Every job has its own in-process server on
127.0.0.1 (virtual clock, like the runner's `sfn run --clock virtual`); a mocked case writes its
MockConfigFile to that server's `--mock-config` file (re-read when it changes) and starts
`stateMachineArn#TestCase`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(PROJECT)]
DEFAULT_CORPUS = PROJECT.parent / "shared" / "conformance"
ROLE = "arn:aws:iam::123456789012:role/sfn-corpus"


def _conformance(corpus: Path) -> Any:
    """The conformance runner's module (run.py beside the plain corpus, whichever corpus is run)."""
    runner = corpus if (corpus / "run.py").exists() else corpus.parent
    if str(runner) not in sys.path:
        sys.path.insert(0, str(runner))
    import run as conformance  # noqa: PLC0415 - found only once the corpus is known

    return conformance


class EndpointAdapter:
    """The conformance runner's adapter interface (start / run / close, `history`) over `sfn serve`."""

    def __init__(self, history: bool = True, timeout: float = 30.0) -> None:
        self.history = history
        self.timeout = timeout
        self.contract_violations: list[str] = []
        self._local = threading.local()
        self._servers: list[tuple[Any, Any]] = []
        self._lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="sfn-corpus-serve-")

    def start(self) -> None:
        pass

    def close(self) -> None:
        for service, server in self._servers:
            server.stop()
            service.close(1)
        self._tmp.cleanup()

    def _server(self) -> tuple[Any, Path]:
        """This thread's server: its boto3 client and its mock configuration file."""
        found = getattr(self._local, "server", None)
        if found is None:
            from asl.service import Service
            from asl.service.http import ApiServer
            from serve_helpers import client_for

            with self._lock:
                folder = Path(self._tmp.name, f"server{len(self._servers)}")
                folder.mkdir()
                mocks = folder / "MockConfigFile.json"
                mocks.write_text('{"StateMachines": {}, "MockedResponses": {}}')
                service = Service(folder / "sfn.db", mock_config=mocks, clock="virtual")
                server = ApiServer(service, "127.0.0.1", 0).start()
                self._servers.append((service, server))
            found = self._local.server = (client_for(server.url), mocks)
        return found

    def run(self, case: dict) -> dict:
        """One case through the endpoint: the runner's result shape (status, output, error, cause, events)."""
        conformance = sys.modules["run"]
        client, mocks = self._server()
        express = conformance.exec_match.execution_type(case) == "EXPRESS"
        name = case.get("machine_name", "definition")
        try:
            machine = client.create_state_machine(name=name, definition=json.dumps(case["definition"]),
                                                  roleArn=ROLE, type="EXPRESS" if express else "STANDARD")
        except client.exceptions.InvalidDefinition as exc:
            return {"status": "INVALID", "output": None, "error": None, "cause": exc.response["Error"]["Message"]}
        arn = machine["stateMachineArn"]
        try:
            if "mock_config" in case:
                mocks.write_text(json.dumps(case["mock_config"]))
                arn += "#" + case["test_case"]
            request = {"stateMachineArn": arn, "input": json.dumps(case["input"])}
            if express:
                found = client.start_sync_execution(**request)
                execution = found["executionArn"]
            else:
                execution = client.start_execution(**request)["executionArn"]
                found = self._wait(client, execution)
            result = {"status": found["status"], "error": found.get("error"), "cause": found.get("cause"),
                      "output": json.loads(found["output"]) if found.get("output") is not None else None}
            if self.history:
                result["events"] = None if express else _history(client, execution)
            return result
        finally:
            client.delete_state_machine(stateMachineArn=machine["stateMachineArn"])

    def _wait(self, client: Any, execution: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            found = client.describe_execution(executionArn=execution)
            if found["status"] != "RUNNING":
                return found
            if time.monotonic() > deadline:
                raise sys.modules["run"].AdapterError(f"still RUNNING after {self.timeout:g}s")
            time.sleep(0.005)


def _history(client: Any, execution: str) -> list[dict]:
    """Every event (all pages), timestamps as the store's ISO text like `sfn run --history-out`."""
    events, token = [], None
    while True:
        page = client.get_execution_history(executionArn=execution, maxResults=1000,
                                            **({"nextToken": token} if token else {}))
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    for event in events:
        event["timestamp"] = event["timestamp"].isoformat()
    return events


def run_corpus(corpus: Path = DEFAULT_CORPUS, jobs: int = 2, case_filter: str | None = None,
               every: int = 1, history: bool = True) -> tuple[dict, list]:
    """Run (every `every`-th case of) a corpus through the endpoint; the runner's report and outcomes."""
    conformance = _conformance(corpus)
    cases = conformance.load_cases(corpus, [], case_filter)[::every]
    adapter = EndpointAdapter(history)
    outcomes = conformance.run_all(adapter, cases, jobs)
    return conformance.report(outcomes, "sfn serve", 200, adapter.contract_violations), outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="folder holding cases/")
    parser.add_argument("--jobs", type=int, default=2, help="servers (one per job), cases at once")
    parser.add_argument("--case", help="only cases whose id contains this text")
    parser.add_argument("--every", type=int, default=1, help="only every N-th case")
    args = parser.parse_args(argv)
    started = time.monotonic()
    result, outcomes = run_corpus(Path(args.corpus), max(1, args.jobs), args.case, args.every)
    print(f"\n{len(outcomes)} cases through sfn serve in {time.monotonic() - started:.1f}s")
    return 0 if result["passed"] == result["total"] else 1


if __name__ == "__main__":
    sys.exit(main())
