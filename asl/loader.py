"""Read JSON or YAML text into a document plus a SourceMap; syntax errors carry line:column."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Location, UserInputError
from .source import SourceMap, json_positions, yaml_positions

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Document:
    """A parsed file: its data, where each part of it stands, and the file's name."""

    data: Any
    source_map: SourceMap
    file: str


def read_text(path: str | Path) -> str:
    """The text of a file, or a one-line UserInputError naming it."""
    name = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserInputError("no such file", Location(name)) from None
    except IsADirectoryError:
        raise UserInputError("is a directory, not a file", Location(name)) from None
    except UnicodeDecodeError as exc:
        raise UserInputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", Location(name)) from None
    except OSError as exc:
        raise UserInputError(f"cannot read: {exc.strerror}", Location(name)) from None


def load_file(path: str | Path) -> Document:
    """Load a JSON or YAML file (YAML by suffix; otherwise JSON, then YAML if JSON fails)."""
    name = str(path)
    return load_text(read_text(path), name)


def load_text(text: str, name: str = "<string>") -> Document:
    """Parse text as JSON, or as YAML when the name says so or the text is not JSON."""
    if name.endswith(YAML_SUFFIXES):
        return _load_yaml(text, name)
    try:
        return _load_json(text, name)
    except UserInputError:
        stripped = text.lstrip()
        if name.endswith(".json") or stripped.startswith(("{", "[")):
            raise
        return _load_yaml(text, name)


def _load_json(text: str, name: str) -> Document:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"invalid JSON: {exc.msg}", Location(name, exc.lineno, exc.colno)) from None
    except RecursionError:
        raise UserInputError("invalid JSON: nested too deeply", Location(name)) from None
    source_map = SourceMap(lambda: json_positions(text))
    return Document(data, source_map, name)


def _load_yaml(text: str, name: str) -> Document:
    import yaml

    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        raise UserInputError(f"invalid YAML: {exc.problem or exc.context}", location) from None
    except yaml.YAMLError as exc:
        raise UserInputError(f"invalid YAML: {exc}", Location(name)) from None
    data = _json_compatible(data)
    source_map = SourceMap(lambda: yaml_positions(node))
    return Document(data, source_map, name)


def _json_compatible(value: Any) -> Any:
    """YAML dates and non-string keys become what the JSON form of the document would hold."""
    import datetime

    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _json_compatible(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_compatible(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def parse_json_value(text: str, name: str) -> Any:
    """Parse a JSON value given on the command line or in an input file."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"invalid JSON: {exc.msg}", Location(name, exc.lineno, exc.colno)) from None
