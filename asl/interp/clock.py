"""Clocks: all time in the interpreter comes from one of these, never from time.sleep directly."""

from __future__ import annotations

import datetime
import threading
from typing import Any

from ..errors import ExecutionAborted, ExecutionTimedOut

_UTC = datetime.timezone.utc


class RealClock:
    """Wall-clock time; sleeping really waits (and can be interrupted by abort())."""

    virtual = False

    def __init__(self) -> None:
        self._aborted = threading.Event()

    def now(self) -> datetime.datetime:
        """The current UTC time."""
        return datetime.datetime.now(datetime.timezone.utc)

    def sleep(self, seconds: float) -> None:
        """Wait this long (returns early only when aborted)."""
        if seconds > 0:
            self._aborted.wait(seconds)

    def abort(self) -> None:
        """Wake any sleeper: the execution is being stopped."""
        self._aborted.set()

    def fork(self, start: datetime.datetime) -> "LaneClock":
        """A lane for one branch or iteration that began at start (see LaneClock)."""
        return LaneClock(start, self)

    def advance_to(self, moment: datetime.datetime) -> None:
        """Really wait until moment: a Parallel or Map state ends when its slowest lane does."""
        self.sleep((moment - self.now()).total_seconds())


class FastClock(RealClock):
    """Real time in which waits pass at once: a Wait state or Retry interval moves it on without sleeping.

    Everything else takes the real time it takes, a callback Task waiting for its answer included
    (its HeartbeatSeconds / TimeoutSeconds run out in real time), so timestamps stay consistent.
    """

    def __init__(self) -> None:
        super().__init__()
        self._skipped = datetime.timedelta()

    def now(self) -> datetime.datetime:
        """The current UTC time, plus every wait skipped so far."""
        return super().now() + self._skipped

    def sleep(self, seconds: float) -> None:
        """Skip the wait: the clock moves on by it at once."""
        if seconds > 0:
            self._skipped += datetime.timedelta(seconds=seconds)


class LaneClock:
    """One branch's or iteration's time on the real clock (its lane runs in a thread, or in turn).

    Its time is the lane's start, plus the real time the lane has spent running, plus the waits
    it made — which are only counted, not slept: the enclosing state sleeps once, until its
    slowest lane would have finished, so parallel Waits overlap as on AWS.
    """

    # Real time passes on a lane (a callback in a branch really waits for its answer); only
    # the lane's Waits and Retry intervals are counted instead of slept.
    virtual = False

    def __init__(self, start: datetime.datetime, real: RealClock) -> None:
        # The lane's time less the wall clock's, its waits included: `now` is one addition (a Map
        # of 10k items reads it ~150k times).
        self._shift = start - datetime.datetime.now(_UTC)
        self._waited = 0.0
        self.real = real

    def now(self) -> datetime.datetime:
        """The lane's current time."""
        return datetime.datetime.now(_UTC) + self._shift

    def sleep(self, seconds: float) -> None:
        """Count the wait; the enclosing state sleeps for real once."""
        if seconds > 0:
            self._waited += seconds
            self._shift += datetime.timedelta(seconds=seconds)

    @property
    def waited(self) -> float:
        """The seconds of waits counted so far (not slept)."""
        return self._waited

    def advance_to(self, moment: datetime.datetime) -> None:
        """Count the wait up to moment."""
        self.sleep((moment - self.now()).total_seconds())

    def fork(self, start: datetime.datetime) -> "LaneClock":
        """A nested lane (a Parallel inside a branch)."""
        return LaneClock(start, self.real)

    def abort(self) -> None:
        """Stopping the execution wakes the real clock's sleepers."""
        self.real.abort()


class VirtualClock:
    """Simulated time: sleeping advances the clock instantly, so timestamps stay consistent."""

    virtual = True

    # One lock for every virtual clock: a Map makes a clock per item, and sleeps are rare.
    _lock = threading.Lock()

    def __init__(self, start: datetime.datetime | None = None) -> None:
        self._now = start or datetime.datetime.now(datetime.timezone.utc)

    def now(self) -> datetime.datetime:
        """The simulated current time."""
        return self._now

    def sleep(self, seconds: float) -> None:
        """Advance simulated time; never blocks."""
        if seconds > 0:
            with self._lock:
                self._now += datetime.timedelta(seconds=seconds)

    def fork(self, start: datetime.datetime) -> "VirtualClock":
        """A lane for one branch or iteration that began at start."""
        return VirtualClock(start)

    def advance_to(self, moment: datetime.datetime) -> None:
        """Move simulated time forward to moment (never back)."""
        with self._lock:
            if moment > self._now:
                self._now = moment

    def abort(self) -> None:
        """Nothing waits on a virtual clock."""


def make_clock(kind: str) -> RealClock | VirtualClock:
    """`fast`, `real` or `virtual`."""
    return VirtualClock() if kind == "virtual" else FastClock() if kind == "fast" else RealClock()


def iso(moment: datetime.datetime) -> str:
    """ISO 8601 with milliseconds and a Z, as Step Functions prints times in `$$`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def check_within(clock: Any, deadline: datetime.datetime | None, aborted: bool) -> None:
    """Raise ExecutionAborted when aborted, ExecutionTimedOut when `clock` has reached `deadline`."""
    if aborted:
        raise ExecutionAborted()
    if deadline is not None and clock.now() >= deadline:
        raise ExecutionTimedOut()


def sleep_within(clock: Any, deadline: datetime.datetime | None, seconds: float) -> None:
    """Sleep on `clock`, never past `deadline` (up to it, then ExecutionTimedOut)."""
    if deadline is not None:
        remaining = (deadline - clock.now()).total_seconds()
        if seconds >= remaining:
            clock.sleep(max(remaining, 0))
            raise ExecutionTimedOut()
    clock.sleep(seconds)
