"""A Distributed Map's ResultWriter: the child executions as records, WriterConfig's transformation
and output type, and the manifest and result files written to the local S3 folder.

The guide's "ResultWriter (Map)" page: `Transformation` NONE gives each child execution's record
(its metadata with Input and Output), COMPACT the children's outputs, FLATTEN those outputs with
arrays spliced in; a failed child is always given as its record (as with NONE). `OutputType`
JSON writes a JSON array per file, JSONL one value per line (the files keep their `.json` names). Without WriterConfig an export is
NONE / JSON, and without ResultWriter the Map's result is COMPACT (its outputs in item order).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..record import record
from ..aws import iso_millis
from ..errors import StatesError
from ..expr.template import compact_json

RESULT_WRITER_FAILED = "States.ResultWriterFailed"
STATUSES = ("FAILED", "PENDING", "SUCCEEDED")     # the manifest's ResultFiles, in AWS's key order


@record
class _Child:
    index: int
    item: Any
    status: str                      # SUCCEEDED, FAILED, or PENDING (never started)
    outcome: Any                     # the output, or (error, cause)
    start: Any = None
    stop: Any = None


class ChildRecords:
    """The child executions of one Map Run, in item order, as a ResultWriter reports them."""

    def __init__(self, map_run_arn: str, express: bool = False) -> None:
        self.map_run_arn = map_run_arn
        self.express = express
        head, run_id = map_run_arn.rsplit(":", 1)
        self._run_id = uuid.UUID(run_id) if _is_uuid(run_id) else uuid.uuid4()
        # arn:...:mapRun:MACHINE/LABEL -> the children's state machine and execution ARN stems.
        self.machine_arn = head.replace(":mapRun:", ":stateMachine:", 1)
        self._execution_stem = head.replace(":mapRun:", ":express:" if express else ":execution:", 1)
        self.children: list[_Child] = []

    def __len__(self) -> int:
        return len(self.children)

    def add(self, index: int, item: Any, status: str, outcome: Any, start: Any = None, stop: Any = None) -> None:
        """One child execution: SUCCEEDED with its output, FAILED with (error, cause), or PENDING."""
        self.children.append(_Child(index, item, status, outcome, start, stop))

    def pending(self, items: list) -> None:
        """The items of `items` the run never started or ended (it failed first): PENDING children."""
        ended = {child.index for child in self.children}
        for index, item in enumerate(items):
            if index not in ended:
                self.add(index, item, "PENDING", None)
        self.children.sort(key=lambda child: child.index)

    def record(self, child: _Child) -> dict:
        """A child execution as NONE gives it (keys in AWS's order, which is alphabetical)."""
        name = str(uuid.uuid5(self._run_id, str(child.index)))
        record: dict[str, Any] = {}
        if child.status == "FAILED":
            error, cause = child.outcome
            if cause is not None:
                record["Cause"] = cause
            if error is not None:
                record["Error"] = error
        # An Express execution's ARN carries a second id after its name (as asl.aws builds them).
        suffix = f":{uuid.uuid5(self._run_id, name)}" if self.express else ""
        record["ExecutionArn"] = f"{self._execution_stem}:{name}{suffix}"
        record["Input"] = compact_json(child.item)
        record["InputDetails"] = {"Included": True}
        record["Name"] = name
        if child.status == "SUCCEEDED":
            record["Output"] = compact_json(child.outcome)
            record["OutputDetails"] = {"Included": True}
        record["RedriveCount"] = 0
        if child.status == "SUCCEEDED":
            record["RedriveStatus"] = "NOT_REDRIVABLE"
            record["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
        elif child.status == "FAILED":
            # DescribeExecution's redriveStatus: an Express child is rerun only by redriving its Map Run.
            record["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN" if self.express else "REDRIVABLE"
        if child.start is not None:
            record["StartDate"] = iso_millis(child.start)
        record["StateMachineArn"] = self.machine_arn
        record["Status"] = child.status
        if child.stop is not None:
            record["StopDate"] = iso_millis(child.stop)
        return record

    def values(self, status: str | None, transformation: str) -> list:
        """The children (of one status, or all) as the transformation gives them."""
        values: list = []
        for child in self.children:
            if status is not None and child.status != status:
                continue
            if child.status != "SUCCEEDED" or transformation == "NONE":
                values.append(self.record(child))
            elif transformation == "FLATTEN" and isinstance(child.outcome, list):
                values.extend(child.outcome)
            else:
                values.append(child.outcome)
        return values


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def config_of(writer: Any) -> tuple[str, str]:
    """(OutputType, Transformation) with the guide's defaults for an export (JSON, NONE)."""
    return writer.output_type or "JSON", writer.transformation or "NONE"


def transformed_output(writer: Any, records: ChildRecords) -> list:
    """A WriterConfig without an export: the Map's result is the transformed children."""
    return records.values(None, writer.transformation or "COMPACT")


def _encode(values: list, output_type: str) -> bytes:
    if output_type == "JSONL":
        return "".join(json.dumps(v, separators=(",", ":"), ensure_ascii=False) + "\n" for v in values).encode()
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()


def write_results(s3: Any, args: dict, writer: Any, records: ChildRecords) -> dict:
    """The result files and manifest under `<Prefix>/<map run id>/`; the state's result (AWS's shape)."""
    map_run_arn = records.map_run_arn
    bucket = args.get("Bucket")
    if s3 is None:
        raise StatesError(RESULT_WRITER_FAILED, "no local S3 folder was given (--s3-dir or SFN_S3_DIR)")
    if not isinstance(bucket, str) or not bucket:
        raise StatesError(RESULT_WRITER_FAILED, "The field Bucket is required")
    output_type, transformation = config_of(writer)
    prefix = args.get("Prefix") or ""
    run_id = map_run_arn.rsplit(":", 1)[-1]
    folder = f"{prefix}/{run_id}/" if prefix else f"{run_id}/"
    files: dict[str, list] = {status: [] for status in STATUSES}
    try:
        for status in STATUSES:
            values = records.values(status, transformation)
            if values:
                key = f"{folder}{status}_0.json"  # JSONL too keeps the .json name
                body = _encode(values, output_type)
                s3.put(bucket, key, body)
                files[status].append({"Key": key, "Size": len(body)})
        manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
        s3.put(bucket, folder + "manifest.json", json.dumps(manifest, separators=(",", ":")).encode())
    except StatesError as err:
        raise StatesError(RESULT_WRITER_FAILED, f"{err.name}: {err.cause}") from None
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": folder + "manifest.json"}}
