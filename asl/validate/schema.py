"""The ASL JSON Schema (schemas/asl.schema.json), compiled once per process, as diagnostics."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..diagnostics import Diagnostic
from .schemafast import SchemaPredicates
from .schemalite import SchemaCompiler

if TYPE_CHECKING:  # pathlib (with urllib.parse) is ~4 ms of `sfn validate`'s start: os.path finds the file
    from pathlib import Path

SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"
INVALID_STATE_NAME = "INVALID_STATE_NAME"


def schema_path() -> Path:
    """Where the schema file is: installed as `asl.schemas`, else in the repository's schemas/ folder."""
    from pathlib import Path

    return Path(_schema_file())


def _schema_file() -> str:
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))   # asl/
    installed = os.path.join(package, "schemas", "asl.schema.json")
    return installed if os.path.isfile(installed) else os.path.join(os.path.dirname(package), "schemas",
                                                                      "asl.schema.json")


@lru_cache(maxsize=None)
def load_schema() -> dict:
    """The ASL schema document (read once)."""
    with open(_schema_file(), encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=None)
def _checker(definition: str) -> Callable[[Any, str, list], None]:
    schema = load_schema()
    return SchemaCompiler(schema).compile({"$ref": f"#/$defs/{definition}"})


@lru_cache(maxsize=None)
def _predicate(definition: str) -> Callable[[Any], bool]:
    ok = SchemaPredicates(load_schema()).compile({"$ref": f"#/$defs/{definition}"})
    return ok if ok is not None else (lambda value: True)


def schema_valid(data: Any, definition: str = "stateMachine") -> bool:
    """Whether `data` satisfies one of the schema's $defs (as schema_errors would say, without messages)."""
    return _predicate(definition)(data)


def schema_errors(data: Any, definition: str = "stateMachine") -> list[tuple[str, str, str]]:
    """Raw (pointer, message, keyword) errors of `data` against one of the schema's $defs."""
    errors: list = []
    if schema_valid(data, definition):
        return errors  # the cheap path: messages and pointers only for an invalid document
    _checker(definition)(data, "", errors)
    return errors


def check_schema(data: Any) -> Iterator[Diagnostic]:
    """Schema diagnostics for a whole state machine, at most one per pointer and message."""
    seen = set()
    for ptr, message, keyword in schema_errors(data):
        if (ptr, message) in seen:
            continue
        seen.add((ptr, message))
        code = INVALID_STATE_NAME if keyword == "propertyNames" else SCHEMA_VALIDATION_FAILED
        yield Diagnostic(code, message, ptr)
