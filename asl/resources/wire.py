"""The handler workers' wire format: one JSON value per line, at any depth, surrogates kept.

Standard library only at import: the worker loads this file by its path (see `worker.py`)."""

from __future__ import annotations

import json
from typing import Any

ENCODING = ("utf-8", "surrogatepass")


def encode(message: dict) -> bytes:
    """One protocol line (values at any depth)."""
    try:
        text = json.dumps(message)
    except RecursionError:
        from asl import deepjson  # absolute: the worker has this sfn on its path, not this package

        text = deepjson.dumps(message)
    return text.encode(*ENCODING) + b"\n"


def decode(line: bytes) -> Any:
    """One protocol line read back."""
    text = line.decode(*ENCODING)
    try:
        return json.loads(text)
    except RecursionError:
        from asl import deepjson

        return deepjson.loads(text)
