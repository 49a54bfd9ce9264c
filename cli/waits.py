"""Where a run waits, said as it happens: a Wait's or a retry's wake time, a callback's token and its answer.

`WatchedClock` wraps the run's clock and reports each wait before it starts; `WaitNotes` (a history
listener too, to know which state is waiting) turns those reports and the callback hook of
`asl.api.run_machine` into lines for the trace, or for stderr when the output is JSON.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

from asl.interp.clock import iso

_FAILURES = ("Failed", "TimedOut")


class WatchedClock:
    """The run's clock, reporting every wait (a Wait state, a Retry interval) to `on_wait` before it."""

    def __init__(self, clock: Any, on_wait: Callable[[float, datetime.datetime], None]) -> None:
        self._clock = clock
        self._on_wait = on_wait
        self.now = clock.now   # read for every history event: the wrapped clock's own method, no extra call

    @property
    def virtual(self) -> bool:
        """Whether time is simulated."""
        return self._clock.virtual

    @property
    def waited(self) -> float | None:
        """The wrapped lane clock's waits counted so far (None for a clock that counts none)."""
        return getattr(self._clock, "waited", None)

    def sleep(self, seconds: float) -> None:
        """Report the wait, then wait as the wrapped clock does."""
        if seconds > 0:
            self._on_wait(seconds, self._clock.now() + datetime.timedelta(seconds=seconds))
        self._clock.sleep(seconds)

    def advance_to(self, moment: datetime.datetime) -> None:
        """A Parallel or Map state's end (its lanes' waits were reported already)."""
        self._clock.advance_to(moment)

    def fork(self, start: datetime.datetime) -> "WatchedClock":
        """A lane, watched too."""
        return WatchedClock(self._clock.fork(start), self._on_wait)

    def abort(self) -> None:
        """Wake the wrapped clock's sleepers."""
        self._clock.abort()


class WaitNotes:
    """Says where the run waits and, for a callback, how to answer it from another terminal."""

    def __init__(self, clock: str, say: Callable[[str], None], store_args: list[str] | None,
                 callback_wait: float, stderr: bool = False, attempt: Callable[[], str | None] | None = None) -> None:
        self.clock = clock                 # "fast", "real" or "virtual"
        self.say = say
        self.store_args = store_args       # `--store PATH` for the answering command; None: no store
        self.callback_wait = callback_wait
        # Beside JSON output (on stderr): only the waits that take real time, each naming its state.
        self.stderr = stderr
        self.attempt = attempt             # the trace's "attempt 2 of 4" for the retry about to wait
        self._state: str | None = None     # the state entered last
        self._waiting: str | None = None   # "Wait" or "retry": what the next wait is

    def on_event(self, event: Any) -> None:
        """History listener: remember which state may wait next, and why."""
        kind = event.type
        if kind.endswith("StateEntered"):
            self._state = (event.details or {}).get("name")
            self._waiting = "Wait" if kind == "WaitStateEntered" else None
        elif kind.endswith(_FAILURES) and not kind.startswith("Execution"):
            self._waiting = "retry"   # a Retrier's interval comes next, if one takes the error
        else:
            self._waiting = None

    def on_wait(self, seconds: float, until: datetime.datetime) -> None:
        """WatchedClock's report: say a Wait's or a retry's wake time, and how it can be skipped."""
        waiting, self._waiting = self._waiting, None
        if waiting is None or (self.stderr and self.clock != "real"):
            return
        label = self.attempt() if self.attempt is not None and waiting == "retry" else None
        if waiting == "Wait":
            what = f"⏸ {self._named()}waits {seconds:g}s, until {iso(until)}"
        elif label:
            what = f"↻ {label} in {seconds:g}s, at {iso(until)}"
        else:
            what = f"↻ {self._named()}retries in {seconds:g}s, at {iso(until)}"
        how = "skipped: --clock real waits" if self.clock != "real" else "--clock fast skips waits; Ctrl-C stops"
        self.say(f"{what} ({how})")

    def on_callback(self, token: str, state: str | None, due: datetime.datetime) -> None:
        """run_machine's on_callback: the token a Task waits on, and the commands that answer it."""
        limit = ""
        if due - datetime.datetime.now(datetime.timezone.utc) < datetime.timedelta(days=365):
            limit = f", until it times out at {iso(due)}"
        if self.clock == "virtual":
            limit = (f" for {self.callback_wait:g} real seconds (--callback-wait), then it times out on the "
                     f"simulated clock")
        head = f"⏳ {self._named(state)}waits for an answer to its task token{limit}"
        if self.store_args is None:
            self.say(f"{head}; with --no-store only the run's own handlers can answer it "
                     f"(asl.callbacks.send_task_success); without it, `sfn task success` can from another terminal")
            return
        import shlex  # only a callback's note quotes its arguments

        store = "".join(" " + shlex.quote(arg) for arg in self.store_args)
        self.say(f"{head}; answer from another terminal:\n"
                 f"  sfn task success {token} --output '{{}}'{store}\n"
                 f"  sfn task failure {token} --error ERROR --cause CAUSE{store}")

    def _named(self, state: str | None = None) -> str:
        """The state's name, when the lines go to stderr rather than under the state in the trace."""
        return f"state '{state or self._state}' " if self.stderr else ""
