"""One execution being recorded: RUNNING when it starts, its events as it goes, complete when it ends.

    recording = Recording(store, "order", name, definition_text, input, invoker)
    result = run_machine(machine, input, listeners=[recording.on_event], ...)
    recording.finish(result)

Every FLUSH_EVENTS events `on_event` turns what has gathered into a segment (encoding is work the
store had to do anyway, and the run's memory stays bounded); every FLUSH_SECONDS a flusher thread
writes the segments made meanwhile in one transaction (a transaction each cost a 10k-item Map ~17
ms), or, when none was made, what a slow run has gathered since. So the run never waits for the
database, and a run killed with SIGKILL keeps what it recorded up to the last flush (it is later
listed ABORTED, its history ending there). `finish` writes the rest with the status in one
transaction, then applies the store's retention.
"""

from __future__ import annotations

import datetime
import threading
import uuid
from typing import Any

from ..errors import Location, SfnError, UserInputError
from .database import Store
from .reporting import why
from .retention import Retention
from .segments import Segment, SegmentWriter

FLUSH_SECONDS = 0.25
FLUSH_EVENTS = 4096


class Recording:
    """One execution written to a store as it runs."""

    def __init__(self, store: Store, machine: str, name: str, definition: str | None, input: Any,
                 messages: Any = None, *, arn: str | None = None, started: datetime.datetime | None = None,
                 express: bool = False, retention: Retention | None = None,
                 flush_seconds: float = FLUSH_SECONDS, options: dict | None = None,
                 redriven: dict | None = None) -> None:
        """Record the execution as RUNNING (ApiError if the store has its name already, or the name is invalid).

        messages: the run's MessageLog: stub messages are written as they are sent.
        arn: the run's own ARN (an Express one has its own form); else a Standard one.
        express: an Express execution, whose ARN is unique to each run (names may repeat).
        retention: what the store keeps once the run is recorded (default: Retention.default()).
        options: how the run was started (resources file, mocks, ...), kept for `sfn redrive`.
        redriven: a redrive of a recorded execution (Store.redrive_source's record, `redrive_date` added):
        the execution is RUNNING again and its history goes on after the events it has.
        """
        from ..aws import execution_arn

        self.retention = retention if retention is not None else Retention.default()
        self.store = store
        self.name = name
        self.arn = arn or execution_arn(machine, name, express_id=str(uuid.uuid4()) if express else None)
        started = started or datetime.datetime.now(datetime.timezone.utc)
        self._writer = SegmentWriter()
        if redriven is None:
            store.start_execution(self.arn, name, machine, definition, input, started.isoformat(), options)
        else:
            store.reopen_execution(self.arn, redriven["redrive_date"], redriven.get("redrive_count") or 0)
            writer = self._writer  # segments, values and event ids go on from the recorded ones
            writer.segments, writer.values = redriven["segments"], redriven["values"]
            writer.events = redriven["history"].last_id if redriven["history"] is not None else 0
        self._events: list[Any] = []           # received, not yet in a segment
        self._history: Any = None              # the History `follow` reads instead of on_event's events
        self._unwritten: list[Segment] = []    # in order; a failed write leaves them for the next one
        self._taking = threading.Lock()        # events become segments in order
        self._writing = threading.Lock()       # segments are written in order
        self._failure: BaseException | None = None
        self._stop = False
        self._wake = threading.Event()
        self._flusher = threading.Thread(target=self._flush_every, args=(flush_seconds,), daemon=True,
                                         name=f"sfn-recording-{name}")
        self._flusher.start()
        if messages is not None:
            # Stub messages are written as they are sent, so they survive an interrupted run.
            messages.listeners.append(store.add_message)

    def on_event(self, event: Any) -> None:
        """The history listener: every FLUSH_EVENTS events become a segment, for the flusher to write.

        Called by one thread at a time (lanes in threads hold the execution's baton to add events);
        the flusher takes events under `_taking` while this appends.
        """
        events = self._events
        events.append(event)
        if len(events) >= FLUSH_EVENTS:
            self._take()

    def follow(self, history: Any) -> None:
        """Record `history`'s events read from its columns in batches, instead of as its listener.

        The same segments as `on_event` makes, without a listener call and an Event object per
        event: every FLUSH_EVENTS events (in the thread adding them) and every flush.
        """
        self._history = history
        history.every(FLUSH_EVENTS, self._take)

    def _take(self) -> None:
        """The events gathered so far become the next segment to write."""
        with self._taking:
            if self._history is not None:
                # Events up to `recorded` are complete in every column, whichever thread adds more.
                start, stop = self._writer.events, self._history.recorded
                if stop > start:
                    self._unwritten.append(self._writer.segment_of_columns(*self._history.columns(start, stop)))
                return
            count = len(self._events)
            if count:
                taken = self._events[:count]
                del self._events[:count]  # the run may be adding more meanwhile (the flusher takes too)
                self._unwritten.append(self._writer.segment(taken))

    def _flush_every(self, seconds: float) -> None:
        while True:
            self._wake.wait(seconds)
            self._wake.clear()
            if self._stop:
                return
            try:
                # Segments of FLUSH_EVENTS events are written as they are (taking the few events
                # added since would split each in two); with none, a slow run's events are taken.
                if self._unwritten:
                    self._write()
                else:
                    self.flush()
            except Exception as exc:  # reported by finish, once, as one line
                self._failure = exc
                return

    def flush(self) -> None:
        """Write what the run has recorded so far (what a failed write left is tried again later)."""
        self._take()
        self._write()

    def _write(self) -> None:
        """Write the segments taken so far."""
        with self._writing:
            with self._taking:
                segments, self._unwritten = self._unwritten, []
            if not segments:
                return
            try:
                self.store.append_history(self.arn, segments)
            except SfnError:  # locked or full now: tried again later, and with the end
                with self._taking:
                    self._unwritten[:0] = segments

    def finish(self, result: Any) -> None:
        """Status, output and the last events of the finished execution, then the retention.

        UserInputError naming the store if it could not be written: the run's result is still
        the caller's to report (a run whose end was not written is later listed ABORTED).
        """
        self._stop = True
        self._wake.set()
        self._flusher.join()
        last = result.history.last_time
        stopped = last.isoformat() if last is not None else None
        try:
            if self._failure is not None:
                raise self._failure
            if self._history is None and self._writer.events + len(self._events) < result.history.last_id:
                # on_event was no listener
                self._events = result.history.events[self._writer.events:]
            self._take()
            self.store.complete_execution(self.arn, result, stopped, self._unwritten)
        except Exception as exc:
            if not isinstance(exc, UserInputError):
                exc = UserInputError(f"cannot write the store: {why(exc)}", Location(self.store.file))
            raise UserInputError(f"{exc.message}; the end of execution '{self.name}' was not recorded",
                                 exc.location) from None
        self._unwritten = []
        self.store.prune(self.retention, vacuum=False, spare=self.arn)
