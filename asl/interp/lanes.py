"""Real concurrency: Parallel branches and Map iterations in threads, on the real and fast clocks.

The interpreter is not thread-safe, and need not be: a Baton lets one lane run interpreter code
at a time, and a lane hands it on only while one of its Tasks waits on its service (a handler,
a callback, a child execution) for longer than GRACE. So lanes whose Tasks really wait overlap
in real time, up to the state's width, while a run whose calls return at once records its events
in the order the sequential (virtual-clock) run does. Each lane runs on a fork of the clock
(clock.LaneClock) and gives providers its own view of the execution (LaneExecution); taking the
baton swaps the interpreter's clock, history and Task env to the taker's. On the virtual clock
nothing here runs: lanes stay sequential there, so its histories are identical run after run.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from collections import deque
from typing import Any, Callable

from ..runtime import TaskEnv
from .clock import check_within, sleep_within

# A Task call that returns within this many seconds keeps the baton: calls that answer at once
# (mocks, stubs, quick handlers) leave the event order what the sequential run records.
GRACE = 0.002
# An inline Map without MaxConcurrency runs "up to 40 concurrent iterations" (the Map state page).
INLINE_WIDTH = 40
# A Distributed Map runs up to 10,000 child executions at once on AWS; locally a pool sized for
# the machine bounds them (the lanes wait on I/O, so many more than its cores).
DISTRIBUTED_WIDTH = min(10_000, max(INLINE_WIDTH, 16 * (os.cpu_count() or 1)))
# After Ctrl-C, how long the run waits for lanes still in a call before it ends without them.
INTERRUPT_WAIT = 2.0


class Stopped(BaseException):
    """A sibling lane failed the state: this lane ends where it is (not a StatesError: no Catch sees it)."""


def threaded(interp: Any) -> bool:
    """Whether the interpreter's lanes run in threads: on every clock but the virtual one."""
    return not getattr(interp.clock, "virtual", False)


class Group:
    """The lanes of one Parallel or Map state; stopping it stops the lanes of the states nested in it too."""

    __slots__ = ("parent", "stopped")

    def __init__(self, parent: "Group | None") -> None:
        self.parent = parent
        self.stopped = False

    def is_stopped(self) -> bool:
        """Whether this group or one it is nested in was stopped."""
        group: Group | None = self
        while group is not None:
            if group.stopped:
                return True
            group = group.parent
        return False


class LaneExecution:
    """What a provider sees of the execution from one lane: the lane's clock, the execution's deadline and abort."""

    __slots__ = ("_interp", "clock", "group")

    def __init__(self, interp: Any, clock: Any, group: Group) -> None:
        self._interp = interp
        self.clock = clock
        self.group = group

    @property
    def deadline(self) -> datetime.datetime | None:
        """When the execution times out."""
        return self._interp.deadline

    def now(self) -> datetime.datetime:
        """The lane's current time."""
        return self.clock.now()

    def check_time(self) -> None:
        """Raise when the execution was aborted or its deadline has passed (on this lane's clock).

        Stopped when a sibling lane failed the state: a callback waiting in this lane gives up.
        """
        if self.group.is_stopped():
            raise Stopped()
        check_within(self.clock, self._interp.deadline, self._interp.aborted)

    def sleep(self, seconds: float) -> None:
        """Wait on the lane's clock, never past the execution's deadline."""
        sleep_within(self.clock, self._interp.deadline, seconds)
        self.check_time()

    def child_clock(self, started: datetime.datetime) -> Any:
        """A child execution started from this lane runs on the lane's clock (lanes are never virtual)."""
        return self.clock


class Lane:
    """One thread of the execution: the clock, history and Task env the interpreter uses while it holds the baton."""

    __slots__ = ("group", "clock", "history", "task_env", "end", "turn")

    def __init__(self, group: Group, clock: Any = None, history: Any = None, task_env: Any = None) -> None:
        self.group = group
        self.clock = clock
        self.history = history
        self.task_env = task_env
        self.end: datetime.datetime | None = None
        self.turn: threading.Condition | None = None  # the baton's lock: woken when its turn may have come

    def save(self, interp: Any) -> None:
        """Remember the interpreter's context (a Distributed Map child swaps the history in)."""
        self.clock, self.history, self.task_env = interp.clock, interp.history, interp.task_env

    def restore(self, interp: Any) -> None:
        """Make this lane's context the interpreter's."""
        interp.clock, interp.history, interp.task_env = self.clock, self.history, self.task_env
        self.history.clock = self.clock


class Baton:
    """One execution's interpreter lock, passed between lanes in a fixed order (first come, first served).

    Only the first lane in line is woken, and only when the baton may have become free: a hand-over
    costs one thread switch, not one per waiting lane.
    """

    def __init__(self, interp: Any, holder: Lane) -> None:
        self.interp = interp
        self.holder: Lane | None = holder
        self._lock = threading.Lock()
        self._queue: deque[Lane] = deque()
        self._lent_at: float | None = None  # when the holder's Task call began, while it runs
        self._seized = False  # the owner gave up on its lanes: none of them runs interpreter code again
        self.resuming = 0     # lanes in line to go on after their call returned (not for a new job)

    def enqueue(self, lane: Lane) -> None:
        """Put a lane in line for the baton (the holder does, in order, so the order is fixed)."""
        with self._lock:
            if lane.turn is None:
                lane.turn = threading.Condition(self._lock)
            self._queue.append(lane)

    def _wake_first(self) -> None:
        if self._queue:
            self._queue[0].turn.notify()

    def wait_turn(self, lane: Lane) -> None:
        """Block until the enqueued lane holds the baton; its context is then the interpreter's."""
        with self._lock:
            queue = self._queue
            while True:
                if self._seized:
                    lane.turn.wait()  # a daemon thread left behind by an interrupted run: it waits for good
                    continue
                if queue[0] is lane:
                    if self.holder is None:
                        break
                    if self._lent_at is not None:
                        left = self._lent_at + GRACE - time.monotonic()
                        if left <= 0:
                            break  # the holder's call really waits: go on without it
                        lane.turn.wait(left)
                        continue
                lane.turn.wait()
            queue.popleft()
            self.holder = lane
            self._lent_at = None
        lane.restore(self.interp)

    def seize(self, owner: Lane) -> None:
        """Take the baton for good once no lane runs interpreter code (an interrupted run that cannot wait
        for a lane stuck in its call): lanes still in calls never add an event again."""
        with self._lock:
            self._seized = True
            while self.holder is not None and self._lent_at is None:
                owner.turn.wait(0.01)
            self.holder = owner
        owner.restore(self.interp)

    def release(self, lane: Lane) -> None:
        """The lane is done or waits for its own lanes: the next in line goes on."""
        lane.save(self.interp)
        with self._lock:
            self.holder = None
            self._lent_at = None
            self._wake_first()

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run a call that may wait on I/O; after GRACE the next lane goes on meanwhile.

        Raises Stopped when the lane's state was failed by a sibling while the call ran.
        """
        lane = self.holder
        lane.save(self.interp)
        with self._lock:
            self._lent_at = time.monotonic()
            self._wake_first()
        try:
            return function(*args)
        finally:
            with self._lock:
                kept = self.holder is lane
                if kept:
                    self._lent_at = None
                else:
                    self._queue.append(lane)
                    self.resuming += 1
            if not kept:
                self.wait_turn(lane)
                with self._lock:
                    self.resuming -= 1
            if lane.group.is_stopped():
                raise Stopped()


def call(interp: Any, function: Callable[..., Any], *args: Any) -> Any:
    """A Task's service call: through the baton while lanes run in threads, else directly."""
    baton = interp.baton
    if baton is None:
        return function(*args)
    return baton.call(function, *args)


def run_lanes(interp: Any, count: int, width: int, job: Callable[[int], bool]) -> None:
    """Run job(0) .. job(count - 1), in order, on up to `width` lanes in threads.

    A job runs holding the baton and returns True to stop the others (they take no more jobs,
    and one waiting on a call ends with Stopped when it returns). The state's clock moves on to
    when its slowest lane finished. What escapes a job (an abort, a timeout, a bug) stops the
    group and is raised here once every lane has ended.
    """
    baton = interp.baton
    outermost = baton is None
    if outermost:
        owner = Lane(Group(None))
        baton = interp.baton = Baton(interp, owner)
    else:
        owner = baton.holder
    group = Group(owner.group)
    base = interp.clock
    start = base.now()
    lanes = []
    for _ in range(max(min(width or count, count), 0)):
        clock = base.fork(start)
        task_env = TaskEnv(LaneExecution(interp, clock, group), interp.env, interp.info.execution_arn)
        lanes.append(Lane(group, clock, interp.history, task_env))
    taken = [0]
    escaped: list[BaseException] = []

    def work(lane: Lane) -> None:
        baton.wait_turn(lane)
        try:
            while not group.is_stopped() and taken[0] < count:
                index = taken[0]
                taken[0] += 1
                try:
                    if job(index):
                        group.stopped = True
                except Stopped:
                    pass
                lane.end = lane.clock.now()  # not counting the wait for its next turn
                if getattr(lane.clock, "waited", None) == 0 and not baton.resuming:
                    # Every lane in line is idle, and none is earlier than this one (a lane clock
                    # that counted no waits): it takes the next job itself, no thread switch per item.
                    continue
                # The next job goes to the next lane in line, as the sequential run's lanes take turns.
                baton.release(lane)
                baton.enqueue(lane)
                baton.wait_turn(lane)
        except BaseException as exc:  # raised by the owner once all lanes are done
            escaped.append(exc)
            group.stopped = True
        finally:
            if lane.end is None:
                lane.end = lane.clock.now()
            baton.release(lane)

    threads = [threading.Thread(target=work, args=(lane,), daemon=True, name="sfn-lane") for lane in lanes]
    for lane in lanes:
        baton.enqueue(lane)
    for thread in threads:
        thread.start()
    baton.release(owner)
    interrupted: BaseException | None = None
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.05)  # in steps: a signal's handler (Ctrl-C) runs in between
    except BaseException as exc:  # Ctrl-C arrives here, in the main thread: stop every lane
        interrupted = exc
        group.stopped = True
        interp.abort()
        # A lane waits for its call to return (a handler, a child execution): not for ever.
        give_up = time.monotonic() + INTERRUPT_WAIT
        for thread in threads:
            thread.join(max(give_up - time.monotonic(), 0))
    if interrupted is not None and any(thread.is_alive() for thread in threads):
        baton.enqueue(owner)
        baton.seize(owner)
    else:
        baton.enqueue(owner)
        baton.wait_turn(owner)
    if outermost:
        interp.baton = None
    ends = [lane.end for lane in lanes if lane.end is not None]
    if ends:
        base.advance_to(max(ends))
    if interrupted is not None:
        raise interrupted
    if escaped:
        raise escaped[0]
    if group.is_stopped() and owner.group.is_stopped():
        raise Stopped()
