"""What the store keeps: executions removed by age, count and the size of the file, and space given back.

Every recorded run applies the default retention afterwards: executions that started more than
90 days ago go (AWS keeps a closed execution 90 days), and once the executions fill more than
SFN_STORE_MAX_MB (100 MB) the oldest go until the executions fill 80% of that, and the freed pages
are given back, so that pruning happens once every few runs rather than after each. Both checks
are an indexed query and a page count when there is nothing to remove. Running executions are
never removed, nor the run just recorded (however large).
"""

from __future__ import annotations

import datetime
import os
import re
from typing import Any

from ..record import record
from ..errors import UserInputError

MB = 1_000_000
DEFAULT_MAX_MB = 100
MAX_AGE = datetime.timedelta(days=90)
ENVIRONMENT = "SFN_STORE_MAX_MB"
REFILL = 0.8  # the size bound prunes down to this share of itself
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = r"(\d+(?:\.\d+)?)([smhdw])"  # compiled (and cached by re) when a duration is read


@record(frozen=True)
class Retention:
    """Limits on what a store keeps; each one that is set holds (None: no limit of that kind)."""

    keep: int | None = None                      # at most this many executions, the most recent
    max_age: datetime.timedelta | None = None    # none that started longer ago than this
    max_bytes: int | None = None                 # the file is at most this large (once pruned)

    @classmethod
    def default(cls) -> "Retention":
        """90 days and SFN_STORE_MAX_MB (default 100; 0: no size bound); UserInputError if it is not a number."""
        text = os.environ.get(ENVIRONMENT, "").strip()
        try:
            megabytes = float(text) if text else DEFAULT_MAX_MB
        except ValueError:
            megabytes = -1.0
        if not 0 <= megabytes < float("inf"):
            raise UserInputError(f"{ENVIRONMENT}={text!r}: not a number of megabytes (0 for no size bound)")
        return cls(max_age=MAX_AGE, max_bytes=int(megabytes * MB) or None)


def parse_duration(text: str) -> datetime.timedelta:
    """'90d', '12h', '1w2d', '30m', '45s' as a timedelta; ValueError otherwise."""
    compact = text.strip().lower()
    if not compact or re.sub(_DURATION, "", compact):
        raise ValueError(f"{text!r} is not a duration such as 30d, 12h, 90m or 1w2d")
    return datetime.timedelta(seconds=sum(float(n) * _UNITS[unit] for n, unit in re.findall(_DURATION, compact)))


@record
class Pruned:
    """What a pruning removed, and the file's size before and after."""

    removed: int
    file_bytes_before: int
    file_bytes_after: int


def file_bytes(db: Any, used: bool = False) -> int:
    """The database's size in bytes (used: without its free pages)."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    if used:
        pages -= db.execute("PRAGMA freelist_count").fetchone()[0]
    return pages * db.execute("PRAGMA page_size").fetchone()[0]


def doomed(db: Any, retention: Retention, now: datetime.datetime, spare: str | None = None) -> list[str]:
    """The ARNs of the executions the retention removes (never a RUNNING one, nor `spare`)."""
    chosen: dict[str, None] = {}
    finished = "status != 'RUNNING'"
    if retention.keep is not None:
        chosen.update((arn, None) for (arn,) in db.execute(
            f"SELECT arn FROM (SELECT arn, status FROM executions ORDER BY started_at DESC, rowid DESC "
            f"LIMIT -1 OFFSET ?) WHERE {finished}", (retention.keep,)))
    if retention.max_age is not None:
        cutoff = (now - retention.max_age).astimezone(datetime.timezone.utc).isoformat()
        chosen.update((arn, None) for (arn,) in db.execute(
            f"SELECT arn FROM executions WHERE started_at < ? AND {finished}", (cutoff,)))
    if retention.max_bytes is not None and file_bytes(db) > retention.max_bytes:
        # The oldest go until what is left fits in REFILL of the bound (sizes are estimates:
        # the caller measures again).
        rows = db.execute(f"SELECT arn, size FROM executions WHERE {finished} ORDER BY started_at, rowid").fetchall()
        excess = file_bytes(db, used=True) - int(retention.max_bytes * REFILL)
        excess -= sum(size or 0 for arn, size in rows if arn in chosen)
        for arn, size in rows:
            if excess <= 0:
                break
            if arn not in chosen and arn != spare:
                chosen[arn] = None
                excess -= max(size or 0, 1024)  # a row costs something, however small
    chosen.pop(spare, None)
    return list(chosen)
