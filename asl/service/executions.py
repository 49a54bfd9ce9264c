"""Executions: StartExecution, StartSyncExecution, StopExecution, Describe / List / history, SendTask*."""

from __future__ import annotations

import datetime
import json
import math
import re
import time
import uuid
from typing import Any

from .. import aws
from ..errors import TaskTokenError
from . import arns
from .errors import ApiError, execution_missing, machine_missing
from .machines import ENCRYPTION, Machines
from .paging import page
from .runner import Job, Runner

_TYPE_NOT_SUPPORTED = "This operation is not supported by this type of state machine"
_UNRECOGNIZED = re.compile(r"[A-Za-z0-9_$]+")
_SELECT = ("SELECT a.*, e.status AS run_status, e.output, e.error AS run_error, e.cause AS run_cause, "
           "e.stopped_at, e.started_at, e.redrive_count, e.redrive_date, e.redrive IS NOT NULL AS kept "
           "FROM api_executions a LEFT JOIN executions e ON e.arn = a.arn")
# RedriveExecution answers a repeated clientToken with the same redriveDate: its last 10, for 15 minutes.
_TOKENS_KEPT, _TOKEN_SECONDS = 10, 15 * 60


def parse_input(text: str) -> Any:
    """Execution input as JSON, or InvalidExecutionInput worded as AWS's (Jackson's) parser words it."""
    def invalid(why: str) -> ApiError:
        return ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{why}'")

    if not text.strip():
        raise invalid("Invalid execution input.")
    try:
        return json.loads(text)
    except ValueError as exc:
        stripped = text.lstrip()
        token = _UNRECOGNIZED.match(stripped)
        if token and stripped[0] not in "-0123456789":
            raise invalid(f"Unrecognized token '{token.group()}': was expecting (JSON String, Number, Array, "
                          "Object or token 'null', 'true' or 'false')") from None
        message = getattr(exc, "msg", str(exc))
        if message.startswith("Expecting property name enclosed in double quotes"):
            char = text[exc.pos] if exc.pos < len(text) else ""
            raise invalid(f"Unexpected character ('{char}' (code {ord(char) if char else -1})): was expecting "
                          "double-quote to start field name") from None
        raise invalid(message) from None


def _epoch(iso: str | None) -> float | None:
    return datetime.datetime.fromisoformat(iso).timestamp() if iso else None


def _compact(text: str | None) -> str | None:
    """A stored JSON text as AWS sends values: compact."""
    return None if text is None else aws.compact_json(json.loads(text))


class Executions:
    """The execution family of operations."""

    def __init__(self, db: Any, machines: Machines, runner: Runner, mock_config: Any = None) -> None:
        self.db = db
        self.machines = machines
        self.runner = runner
        self.mock_config = mock_config
        self._redrive_tokens: dict[str, list[tuple[str, float, float]]] = {}  # arn -> (token, when, redriveDate)

    # ------------------------------------------------------------------ starting

    def _job(self, req: dict, sync: bool = False) -> tuple[Job, dict]:
        """Check a Start(Sync)Execution request and record the execution; the job to run it."""
        target, _, case = req["stateMachineArn"].partition("#")
        if case and self.mock_config is None:
            raise ApiError("InvalidArn", f"Invalid Arn: '{req['stateMachineArn']}': a test case (#{case}) needs "
                                         "sfn serve --mock-config")
        machine, version, alias = self.machines.resolve(target)
        express = machine["type"] == "EXPRESS"
        if sync and not express:
            raise ApiError("StateMachineTypeNotSupported", _TYPE_NOT_SUPPORTED)
        name = req.get("name") or str(uuid.uuid4())
        arns.check_name(name)
        text = req.get("input", "{}")
        value = parse_input(text)
        source = version or machine
        express_id = str(uuid.uuid4()) if express else None
        arn = aws.execution_arn(machine["name"], name, aws.REGION, aws.ACCOUNT, express_id)
        described = {"stateMachineArn": machine["arn"], "name": machine["name"], "definition": source["definition"],
                     "roleArn": source["role_arn"], "updateDate": machine["updated"] or machine["created"],
                     "loggingConfiguration": json.loads(source["logging"]),
                     "tracingConfiguration": json.loads(source["tracing"]),
                     "encryptionConfiguration": dict(ENCRYPTION)}
        if machine["revision_id"] is not None and version is None:
            described["revisionId"] = machine["revision_id"]
        started = time.time()
        with self.db.lock:
            existing = self.db.one(_SELECT + " WHERE a.arn = ?", (arn,))
            if existing is not None:
                # AWS: a running execution started again with the same name and input is the same one.
                if self._status(existing) == "RUNNING" and existing["input"] == text:
                    return None, {"executionArn": arn, "startDate": existing["started"]}
                raise ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            self.db.write(("INSERT INTO api_executions (arn, machine_arn, version_arn, alias_arn, type, name, input, "
                           "started, trace_header, machine) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (arn, machine["arn"], version and version["arn"], alias and alias["arn"], machine["type"],
                            name, text, started, req.get("traceHeader"), json.dumps(described))))
        job = Job(arn, machine["name"], name, value, source["definition"], source["role_arn"], express, express_id,
                  case or None)
        return job, {"executionArn": arn, "startDate": started}

    def start_execution(self, req: dict) -> dict:
        job, response = self._job(req)
        if job is not None:
            self.runner.submit(job)
        return response

    def start_sync_execution(self, req: dict) -> dict:
        job, _ = self._job(req, sync=True)
        self.runner.run_now(job)
        row = self._row(job.arn)
        found = self._described(row)
        stopped = found.get("stopDate", time.time())
        for key in ("redriveCount", "redriveStatus", "redriveStatusReason", "stateMachineVersionArn",
                    "stateMachineAliasArn"):
            found.pop(key, None)
        found["stopDate"] = stopped
        billed = max(100, math.ceil((stopped - found["startDate"]) * 10) * 100)
        found["billingDetails"] = {"billedDurationInMilliseconds": billed, "billedMemoryUsedInMB": 64}
        return found

    # ------------------------------------------------------------------ reading

    def _row(self, arn: str) -> dict:
        row = self.db.one(_SELECT + " WHERE a.arn = ?", (arn,))
        if row is None:
            raise execution_missing(arn)
        return row

    def _status(self, row: dict) -> str:
        handle = self.runner.handle(row["arn"])
        if handle is not None and handle.job.redrive:
            return "RUNNING"  # a redrive queued: RUNNING again before its worker reopens the record
        return row["run_status"] or row["status"] or "RUNNING"

    def _described(self, row: dict) -> dict:
        """DescribeExecution's response for an api_executions row (joined with the store's)."""
        status = self._status(row)
        found = {"executionArn": row["arn"], "stateMachineArn": row["machine_arn"], "name": row["name"],
                 "status": status, "startDate": row["started"], "input": _compact(row["input"]),
                 "inputDetails": {"included": True}}
        stopped = _epoch(row["stopped_at"]) if row["stopped_at"] else row["stopped"]
        if status != "RUNNING" and stopped is not None:
            found["stopDate"] = stopped
        if status == "SUCCEEDED":
            found["output"] = _compact(row["output"])
            found["outputDetails"] = {"included": True}
        error, cause = row["run_error"] or row["error"], row["run_cause"] or row["cause"]
        if status != "SUCCEEDED":
            if error is not None:
                found["error"] = error
            if cause is not None:
                found["cause"] = cause
        for key, column in (("stateMachineVersionArn", "version_arn"), ("stateMachineAliasArn", "alias_arn"),
                            ("traceHeader", "trace_header")):
            if row[column] is not None:
                found[key] = row[column]
        if row["type"] == "STANDARD":
            found["redriveCount"] = row["redrive_count"] or 0
            if row["redrive_date"]:
                found["redriveDate"] = _epoch(row["redrive_date"])
            reason = _redrive_refusal(row, status)
            found["redriveStatus"] = "NOT_REDRIVABLE" if reason else "REDRIVABLE"
            if reason:
                found["redriveStatusReason"] = reason
        return found

    def describe_execution(self, req: dict) -> dict:
        arn = req["executionArn"]
        arns.parse(arn, "execution", "express")
        return self._described(self._row(arn))

    def describe_state_machine_for_execution(self, req: dict) -> dict:
        arn = req["executionArn"]
        arns.parse(arn, "execution", "express")
        described = json.loads(self._row(arn)["machine"])
        from .definitions import variable_references

        references = variable_references(json.loads(described["definition"]))
        if references:
            described["variableReferences"] = references
        return described

    def list_executions(self, req: dict) -> dict:
        target = req.get("stateMachineArn")
        if req.get("mapRunArn") is not None:
            arns.parse(req["mapRunArn"], "mapRun")
            return {"executions": []}
        if target is None:
            raise ApiError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
        parsed = arns.parse(target, "stateMachine")
        machine = self.machines.machine(parsed.base + "stateMachine:" + parsed.parts[0])
        if len(parsed.parts) == 2 and self.db.one(
                "SELECT 1 FROM api_versions WHERE arn = ? UNION SELECT 1 FROM api_aliases WHERE arn = ?",
                (target, target)) is None:
            raise machine_missing(target)
        if machine["type"] == "EXPRESS":
            raise ApiError("StateMachineTypeNotSupported", _TYPE_NOT_SUPPORTED)
        column = "machine_arn" if len(parsed.parts) == 1 else (
            "version_arn" if parsed.parts[1].isdigit() else "alias_arn")
        rows = self.db.query(_SELECT + f" WHERE a.{column} = ? ORDER BY a.started DESC, a.rowid DESC", (target,))
        wanted = req.get("statusFilter")
        redriven = req.get("redriveFilter")
        items = []
        for row in rows:
            found = self._described(row)
            if wanted is not None and found["status"] != wanted:
                continue
            if redriven is not None and (found.get("redriveCount", 0) > 0) != (redriven == "REDRIVEN"):
                continue
            item = {k: found[k] for k in ("executionArn", "stateMachineArn", "name", "status", "startDate",
                                          "stopDate", "stateMachineVersionArn", "stateMachineAliasArn",
                                          "redriveCount", "redriveDate") if k in found}
            items.append(item)
        return page(items, req, f"ListExecutions:{target}:{wanted}:{redriven}", "executions")

    def events(self, arn: str, include_data: bool = True) -> list[dict]:
        """Every event of an execution so far, as GetExecutionHistory sends them (oldest first)."""
        row = self._row(arn)
        handle = self.runner.handle(arn)
        if handle is not None and handle.interpreter is not None:
            events = _live_events(handle.interpreter.history)
        elif row["run_status"] is not None and row["run_status"] != "RUNNING":
            events = self.db.events(arn)
        else:
            events = []
        return [_event(e, include_data) for e in events]

    def get_execution_history(self, req: dict) -> dict:
        arn = req["executionArn"]
        arns.parse(arn, "execution", "express")
        shaped = self.events(arn, req.get("includeExecutionData", True))
        if req.get("reverseOrder"):
            shaped.reverse()
        return page(shaped, req, f"GetExecutionHistory:{arn}:{bool(req.get('reverseOrder'))}", "events")

    # ------------------------------------------------------------------ stopping and answering

    def stop_execution(self, req: dict) -> dict:
        arn = req["executionArn"]
        arns.parse(arn, "execution", "express")
        row = self._row(arn)
        handle = self.runner.handle(arn)
        if handle is not None:
            handle.abort(req.get("error"), req.get("cause"))
            handle.done.wait(5)
            row = self._row(arn)
        found = self._described(row)
        return {"stopDate": found.get("stopDate", time.time())}

    def send_task_success(self, req: dict) -> dict:
        from ..callbacks import send_task_success

        try:
            output = json.loads(req["output"])
        except ValueError as exc:
            raise ApiError("InvalidOutput", f"Invalid Output: '{exc}'") from None
        return _answer(send_task_success, req["taskToken"], output, store=self.db)

    def send_task_failure(self, req: dict) -> dict:
        from ..callbacks import send_task_failure

        return _answer(send_task_failure, req["taskToken"], req.get("error"), req.get("cause"), store=self.db)

    def send_task_heartbeat(self, req: dict) -> dict:
        from ..callbacks import send_task_heartbeat

        return _answer(send_task_heartbeat, req["taskToken"], store=self.db)

    def redrive_execution(self, req: dict) -> dict:
        """Checked here (AWS's errors); the run goes on in a worker, through asl.api.redrive_execution."""
        from ..interp.redrive import record_refusal

        arn = req["executionArn"]
        arns.parse(arn, "execution")
        token = req.get("clientToken")
        now = time.time()
        with self.db.lock:
            row = self._row(arn)
            tokens = [t for t in self._redrive_tokens.get(arn, []) if now - t[1] < _TOKEN_SECONDS]
            for used, _, date in tokens:
                if token is not None and used == token:
                    return {"redriveDate": date}
            status = self._status(row)
            reason = _redrive_refusal(row, status)
            found = None
            if reason is None:
                found = self.db.redrive_source(arn)
                reason = record_refusal(found) if found is not None else "Execution is RUNNING and cannot be redriven"
            if reason is not None:
                raise ApiError("ExecutionNotRedrivable", reason)
            described = json.loads(row["machine"])
            job = Job(arn, described["name"], row["name"], None, described["definition"], described["roleArn"],
                      False, mock_case=found["options"].get("test_case"), redrive=True)
            self.runner.submit(job)
            if token is not None:
                self._redrive_tokens[arn] = (tokens + [(token, now, now)])[-_TOKENS_KEPT:]
        return {"redriveDate": now}


def _redrive_refusal(row: dict, status: str) -> str | None:
    """DescribeExecution's redriveStatusReason for a row (its history's length is checked by the redrive)."""
    from ..interp.redrive import record_refusal

    if status == "RUNNING" or row["started_at"] is None:
        return f"Execution is {status} and cannot be redriven"
    return record_refusal({"status": status, "arn": row["arn"], "started_at": row["started_at"],
                           "stopped_at": row["stopped_at"], "redrive": bool(row["kept"]),
                           "definition": row["machine"]}, events=0)


def _answer(send: Any, *args: Any, **kwargs: Any) -> dict:
    try:
        send(*args, **kwargs)
    except TaskTokenError as exc:
        raise ApiError(exc.code, exc.message) from None
    return {}


def _live_events(history: Any) -> list[dict]:
    """The events so far of a running execution (rendered while it appends more)."""
    for _ in range(3):
        try:
            return history.to_aws()["events"]
        except (IndexError, RuntimeError):
            continue
    return []


def _event(event: dict, include_data: bool) -> dict:
    """A stored event as the wire carries it: an epoch timestamp, data left out when asked."""
    shaped = dict(event)
    shaped["timestamp"] = _epoch(event["timestamp"])
    if not include_data:
        for key, details in event.items():
            if key.endswith("EventDetails") and isinstance(details, dict):
                shaped[key] = {k: v for k, v in details.items() if k not in ("input", "output")}
    return shaped
