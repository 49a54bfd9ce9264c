"""A Distributed Map's ItemReader over the local S3 folder (asl.s3local); its ResultWriter is writer.py."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ..errors import StateEvaluationError, StatesError
from ..expr.template import compact_json
from .dataflow import apply_template, path_value
from .pipeline import jsonata_value

ITEM_READER_FAILED = "States.ItemReaderFailed"
DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def arguments(template: Any, state: Any, effective: Any, raw_input: Any, scope: Any) -> dict:
    """A reader's or writer's Parameters / Arguments evaluated against the state's input."""
    if template is None:
        return {}
    if state.is_jsonata:
        value = jsonata_value(template, scope.states_binding(raw_input), scope)
    else:
        value = apply_template(template, effective, scope)
    return value if isinstance(value, dict) else {}


def max_items(reader: Any, raw_input: Any, scope: Any) -> int | None:
    """ReaderConfig's MaxItems(Path); a value that is no integer fails the state (States.Runtime)."""
    if reader.max_items_path is not None:
        value = path_value(reader.max_items_path, raw_input, scope, "MaxItemsPath field")
        if isinstance(value, str):  # a variable holding "2" counts as 2
            try:
                value = int(value)
            except ValueError:
                pass
        if type(value) is not int:
            shown = value if isinstance(value, str) else compact_json(value)
            raise StateEvaluationError(f'The MaxItemsPath field refers to value "{shown}" which is not a '
                                       f"valid integer: {reader.max_items_path.text}")
        return value
    value = reader.max_items
    if value is not None and hasattr(value, "evaluate"):
        from ..expr.jsonata import evaluate_int

        return evaluate_int(value, scope.states_binding(raw_input), scope.frame.variables, "MaxItems")
    return value


def read_items(reader: Any, s3: Any, args: dict, limit: int | None) -> tuple[list, str]:
    """(the items, `$$.Map.Item.Source`); States.ItemReaderFailed with AWS's cause on any failure."""
    if limit is not None and limit < 0:
        raise StatesError(ITEM_READER_FAILED, "field MaxItems must be positive")
    if s3 is None:
        raise StatesError(ITEM_READER_FAILED, "no local S3 folder was given (--s3-dir or SFN_S3_DIR)")
    bucket, key = args.get("Bucket"), args.get("Key")
    if not isinstance(bucket, str):
        raise StatesError(ITEM_READER_FAILED, "The field Bucket is required")
    try:
        if reader.action == "listObjectsV2":
            prefix = args.get("Prefix") or ""
            items, source = s3.list(bucket, prefix), f"s3://{bucket}/{prefix}"
        else:
            if not isinstance(key, str):
                raise StatesError(ITEM_READER_FAILED, "The field Key is required")
            text = s3.get(bucket, key).decode("utf-8", "replace")
            items, source = parse(reader, text, limit), f"s3://{bucket}/{key}"
    except StatesError as err:
        if err.name == ITEM_READER_FAILED:
            raise
        raise StatesError(ITEM_READER_FAILED, f"{err.name}: {err.cause}") from None
    return (items[:limit] if limit else items), source


def parse(reader: Any, text: str, limit: int | None = None) -> list:
    """The items of an object's text, read as ReaderConfig.InputType says."""
    kind = reader.input_type
    if kind == "JSON":
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise StatesError(ITEM_READER_FAILED, f"The object is not valid JSON: {exc}") from None
        if not isinstance(value, list):
            raise StatesError(ITEM_READER_FAILED, "Attempting to map over non-iterable node.")
        return value
    if kind == "JSONL":
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except ValueError:
                    raise StatesError(ITEM_READER_FAILED, f"Line {number} is not valid JSON") from None
            if limit and len(items) >= limit:
                break
        return items
    if kind == "CSV":
        return _csv(reader, text, limit)
    raise StatesError(ITEM_READER_FAILED, f"InputType {kind} is not supported by sfn's local S3")


def _csv(reader: Any, text: str, limit: int | None) -> list:
    """One object per line, header to field, every value a string; short lines padded with ""."""
    delimiter = DELIMITERS.get(reader.csv_delimiter, ",")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    if reader.csv_header_location == "GIVEN":
        headers = list(reader.csv_headers or ())
        if len(set(headers)) != len(headers):
            raise StatesError(ITEM_READER_FAILED, "CSV headers cannot contain duplicates.")
    else:
        headers = next(rows, [])
    items = []
    for row in rows:
        items.append({h: row[i] if i < len(row) else "" for i, h in enumerate(headers)})
        if limit and len(items) >= limit:
            break
    return items
