"""The handler workers' wire format: one JSON value per line, at any depth, surrogates kept.

Nothing of sfn's at import: the worker loads this file by its path (see `worker.py`). A line is
orjson's text (a few times faster both ways than json's, which is most of a fast handler's round
trip), or, for what orjson refuses (an integer past 64 bits, a lone surrogate, a deep value),
`J` and json's text: orjson would read such a line's big integers back as floats.
"""

from __future__ import annotations

import json
import os

import orjson

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing is ~1.5 ms of a worker's start
    from typing import Any

ENCODING = ("utf-8", "surrogatepass")


def encode(message: dict) -> bytes:
    """One protocol line (values at any depth)."""
    try:
        return orjson.dumps(message) + b"\n"
    except orjson.JSONEncodeError:
        pass
    try:
        text = json.dumps(message)
    except RecursionError:
        from asl import deepjson  # absolute: the worker has this sfn on its path, not this package

        text = deepjson.dumps(message)
    return b"J" + text.encode(*ENCODING) + b"\n"


def decode(line: bytes) -> Any:
    """One protocol line read back."""
    if not line.startswith(b"J"):
        return orjson.loads(line)
    text = line[1:].decode(*ENCODING)
    try:
        return json.loads(text)
    except RecursionError:
        from asl import deepjson

        return deepjson.loads(text)


def write_all(fd: int, data: bytes) -> None:
    """Write `data` to `fd` with one os.write (more only when the pipe takes part of it: a large message).

    One system call per message, no buffered writer's copy and flush in between."""
    written = os.write(fd, data)
    while written < len(data):
        written += os.write(fd, memoryview(data)[written:])


class LineReader:
    """Protocol lines as they come off a pipe: whole lines, however the writer's bytes were split."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._lines: list[bytes] = []    # whole lines read, oldest first
        self._part: list[bytes] = []     # the start of the line still coming

    def has_line(self) -> bool:
        """Whether a whole line has been read and not taken yet."""
        return bool(self._lines)

    def take(self) -> bytes:
        """The oldest whole line read (its newline left off); only when `has_line`."""
        return self._lines.pop(0)

    def read(self) -> bool:
        """Read what the pipe has (blocking until it has something); False once the writer has closed it."""
        data = os.read(self.fd, 1 << 16)
        if not data:
            return False
        *whole, last = data.split(b"\n")
        if whole:
            if self._part:
                whole[0] = b"".join(self._part) + whole[0]
            self._lines.extend(whole)
            self._part = [last] if last else []
        else:
            self._part.append(last)
        return True
