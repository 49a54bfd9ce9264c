"""A Distributed Map's ItemReader over the local S3 folder (asl.s3local); its ResultWriter is writer.py."""

from __future__ import annotations

import io
import json
from typing import Any

from ..errors import StateEvaluationError, StatesError
from ..expr.template import compact_json
from ..s3local import S3Error, sdk_cause
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
            text = _text(s3.get(bucket, key))
            if reader.input_type == "MANIFEST":
                items = _manifest(s3, text, limit)
            else:
                items = parse(reader, text, limit)
            source = f"s3://{bucket}/{key}"
    except S3Error as err:
        # The S3 request failed: its error as the SDK reports it (S3's message, status, request ids).
        raise StatesError(ITEM_READER_FAILED, sdk_cause(err.cause or "", 404)) from None
    return (items[:limit] if limit else items), source


def _text(data: bytes) -> str:
    """An object's text: gzip-compressed objects (S3 inventory data files) are read uncompressed."""
    if data[:2] == b"\x1f\x8b":
        import gzip  # here and in _rows, not at the top: only a Distributed Map reads objects

        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise StatesError(ITEM_READER_FAILED, f"The object is not a valid gzip file: {exc}") from None
    return data.decode("utf-8", "replace")


def _manifest(s3: Any, text: str, limit: int | None) -> list:
    """MANIFEST: an S3 inventory manifest.json; one item per line of the CSV data files it lists.

    The guide's "ItemReader (Map)": each item is an object from the manifest's `fileSchema`
    names to the line's fields (as text), the data files read from `destinationBucket`.
    """
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        raise StatesError(ITEM_READER_FAILED, f"The manifest is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise StatesError(ITEM_READER_FAILED, "The manifest must be a JSON object")
    if manifest.get("fileFormat") != "CSV":
        raise StatesError(ITEM_READER_FAILED, f"Unsupported S3 inventory fileFormat {manifest.get('fileFormat')!r}: "
                                              f"only CSV inventories can be read")
    schema, files = manifest.get("fileSchema"), manifest.get("files")
    destination = manifest.get("destinationBucket")
    if not isinstance(schema, str) or not isinstance(files, list) or not isinstance(destination, str):
        raise StatesError(ITEM_READER_FAILED, "The manifest needs fileSchema, files and destinationBucket")
    headers = [name.strip() for name in schema.split(",")]
    bucket = destination.rsplit(":", 1)[-1]  # arn:aws:s3:::BUCKET
    items: list = []
    for entry in files:
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(key, str):
            raise StatesError(ITEM_READER_FAILED, "Each file of the manifest needs a key")
        remaining = limit - len(items) if limit else None
        items += _rows(_text(s3.get(bucket, key)), ",", headers, remaining)
        if limit and len(items) >= limit:
            break
    return items


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
    if reader.csv_header_location == "GIVEN":
        headers = list(reader.csv_headers or ())
        if len(set(headers)) != len(headers):
            raise StatesError(ITEM_READER_FAILED, "CSV headers cannot contain duplicates.")
        return _rows(text, delimiter, headers, limit)
    return _rows(text, delimiter, None, limit)


def _rows(text: str, delimiter: str, headers: list | None, limit: int | None) -> list:
    """CSV lines as objects from the headers (None: the first line gives them, as text)."""
    import csv

    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    items: list = []
    try:
        if headers is None:
            headers = next(rows, [])
        for row in rows:
            items.append({h: row[i] if i < len(row) else "" for i, h in enumerate(headers)})
            if limit and len(items) >= limit:
                break
    except csv.Error as exc:
        raise StatesError(ITEM_READER_FAILED, f"The CSV object is malformed at line {rows.line_num}: {exc}") from None
    return items
