"""Map runs of Distributed Map states: ListMapRuns, DescribeMapRun, UpdateMapRun, read from the
executions' histories (a Map Run is recorded there from MapRunStarted to its end)."""

from __future__ import annotations

from typing import Any

from . import arns
from .errors import resource_missing
from .paging import page

_ENDS = {"MapRunSucceeded": "SUCCEEDED", "MapRunFailed": "FAILED", "MapRunAborted": "ABORTED"}


class MapRuns:
    """The map run operations over the executions the API started."""

    def __init__(self, executions: Any) -> None:
        self.executions = executions

    def _runs(self, execution_arn: str) -> list[dict]:
        """The Map Runs of one execution, oldest first, as DescribeMapRun shows them."""
        runs: list[dict] = []
        for event in self.executions.events(execution_arn):
            details = event.get("mapRunStartedEventDetails")
            if details is not None:
                runs.append({"mapRunArn": details["mapRunArn"], "executionArn": execution_arn, "status": "RUNNING",
                             "startDate": event["timestamp"], "maxConcurrency": 0,
                             "toleratedFailurePercentage": 0.0, "toleratedFailureCount": 0,
                             "itemCounts": _counts(), "executionCounts": _counts(), "redriveCount": 0})
            elif event["type"] == "MapRunRedriven":  # the same Map Run goes on, redriven with its parent
                arn = event["mapRunRedrivenEventDetails"]["mapRunArn"]
                for run in runs:
                    if run["mapRunArn"] == arn:
                        run.update(status="RUNNING", redriveCount=run["redriveCount"] + 1,
                                   redriveDate=event["timestamp"])
                        run.pop("stopDate", None)
            elif event["type"] in _ENDS:
                running = [r for r in runs if r["status"] == "RUNNING"]
                if running:
                    running[-1].update(status=_ENDS[event["type"]], stopDate=event["timestamp"])
        return runs

    def list_map_runs(self, req: dict) -> dict:
        arn = req["executionArn"]
        arns.parse(arn, "execution")
        items = [{"executionArn": r["executionArn"], "mapRunArn": r["mapRunArn"], "stateMachineArn": "",
                  "startDate": r["startDate"], **({"stopDate": r["stopDate"]} if "stopDate" in r else {})}
                 for r in self._runs(arn)]
        return page(items, req, "ListMapRuns:" + arn, "mapRuns")

    def _find(self, map_run_arn: str) -> dict:
        arns.parse(map_run_arn, "mapRun")
        machine = map_run_arn.split(":mapRun:", 1)[1].split("/", 1)[0]
        for row in self.executions.db.query("SELECT a.arn FROM api_executions a JOIN api_state_machines m "
                                            "ON m.arn = a.machine_arn WHERE m.name = ?", (machine,)):
            for run in self._runs(row["arn"]):
                if run["mapRunArn"] == map_run_arn:
                    return run
        raise resource_missing(f"Resource not found: '{map_run_arn}'")

    def describe_map_run(self, req: dict) -> dict:
        return self._find(req["mapRunArn"])

    def update_map_run(self, req: dict) -> dict:
        self._find(req["mapRunArn"])
        return {}


def _counts() -> dict:
    return {key: 0 for key in ("pending", "running", "succeeded", "failed", "timedOut", "aborted", "total",
                               "resultsWritten")}
