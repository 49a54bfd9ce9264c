"""The handler workers' wire format: one JSON value per line, at any depth, surrogates kept."""

from __future__ import annotations

import json
from typing import Any

from .. import deepjson

ENCODING = ("utf-8", "surrogatepass")


def encode(message: dict) -> bytes:
    """One protocol line (values at any depth)."""
    try:
        text = json.dumps(message)
    except RecursionError:
        text = deepjson.dumps(message)
    return text.encode(*ENCODING) + b"\n"


def decode(line: bytes) -> Any:
    """One protocol line read back."""
    text = line.decode(*ENCODING)
    try:
        return json.loads(text)
    except RecursionError:
        return deepjson.loads(text)
