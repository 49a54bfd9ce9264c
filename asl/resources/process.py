"""Handler worker processes, seen from sfn: started lazily, reused, killed on a timeout, restarted.

One worker per handler module (and folder), as one Lambda execution environment per function:
a handler that calls `os._exit`, crashes the interpreter, or blocks past its timeout ends or
loses only its worker, never sfn. A worker busy with one call (a second execution in the same
process) makes the pool start another. Requests go as JSON lines over a pipe
(`worker.py`, run as a script, is the other end); the worker's stdout and stderr are sfn's stderr, so
a handler's prints are its logs and sfn's stdout keeps its one JSON value.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any

from .. import prestart
from .wire import LineReader, decode, encode, write_all

IDLE_KEPT = 16           # idle workers kept for reuse; the least recently used beyond that end
# A process asleep in poll takes ~15-25 us to be woken on another core; a fast handler's reply (its
# last one came within FAST_REPLY) is waited for awake, polling, for up to SPIN seconds first.
SPIN = 60e-6
FAST_REPLY = 0.5e-3


class WorkerExited(Exception):
    """The worker process ended while a request was in flight."""

    def __init__(self, returncode: int | None) -> None:
        self.returncode = returncode
        super().__init__(exit_description(returncode))


class WorkerTimedOut(Exception):
    """No reply within the time allowed; the worker has been killed."""


def exit_description(returncode: int | None) -> str:
    """How Lambda's runtime words a process's end: `exit status 3`, `signal: killed`."""
    if returncode is None:
        return "exit status unknown"
    if returncode >= 0:
        return f"exit status {returncode}"
    import signal

    names = {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGABRT: "aborted",
             signal.SIGTERM: "terminated", signal.SIGBUS: "bus error", signal.SIGFPE: "floating point exception"}
    return f"signal: {names.get(-returncode, str(-returncode))}"


class Worker:
    """One worker process and the one request it may have in flight.

    The caller reads its reply straight off the reply pipe (poll with the deadline: no thread
    hand-off per call). A handler's SendTask* answers come on a pipe of their own, served by a
    thread that sleeps in `read` until one does, so they are answered even between calls.
    """

    def __init__(self, base_dir: str | os.PathLike | None, started: prestart.Started | None = None) -> None:
        started = started or prestart.start(base_dir)   # or one started as sfn started
        self.proc = started.proc
        asks_in, answers_out = started.asks_in, started.answers_out
        self.loaded: set[str] = set()
        self.busy = False
        self._replies = LineReader(self.proc.stdout.fileno())
        import select

        self._poll = select.poll()
        self._poll.register(self.proc.stdout.fileno(), select.POLLIN)
        self._early: dict[int, dict] = {}       # replies read while waiting for another request's
        self._answers = os.fdopen(answers_out, "wb")
        self._answers_lock = threading.Lock()
        self._next_id = 0
        self._dead = False
        self._fast = False                      # whether the last reply came within FAST_REPLY
        threading.Thread(target=self._serve_asks, args=(asks_in,), daemon=True, name="sfn-worker-asks").start()

    @property
    def alive(self) -> bool:
        """Whether the process still runs (as far as sfn has seen)."""
        return not self._dead and self.proc.poll() is None

    def send(self, message: dict) -> int:
        """Write one request; its id, to wait for the reply with."""
        self._next_id += 1
        ident = self._next_id
        try:
            write_all(self.proc.stdin.fileno(), encode({**message, "id": ident}))
        except (OSError, ValueError):
            self._dead = True  # it has gone; waiting for the reply reports the exit
        return ident

    def wait(self, ident: int, timeout: float | None) -> dict:
        """The reply to request `ident`; WorkerExited / WorkerTimedOut (worker killed) otherwise."""
        import time

        start = time.monotonic()
        deadline = None if timeout is None else start + timeout
        spin = self._fast
        try:
            while True:
                reply = self._early.pop(ident, None)
                if reply is not None:
                    return reply
                if self._replies.has_line():
                    reply = decode(self._replies.take())
                    if reply.get("id") == ident:
                        self._fast = time.monotonic() - start < FAST_REPLY
                        return reply
                    self._early[reply.get("id")] = reply
                    continue
                if spin:
                    spin = False
                    until = time.perf_counter() + SPIN
                    while not self._poll.poll(0) and time.perf_counter() < until:
                        pass
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0 or not self._poll.poll(left * 1000):
                        self.kill()
                        raise WorkerTimedOut()
                try:
                    more = self._replies.read()
                except (OSError, ValueError):
                    more = False
                if not more:
                    self._dead = True
                    raise WorkerExited(self._returncode())
        except KeyboardInterrupt:
            self.kill()  # the call is abandoned: its worker cannot be trusted to be idle
            raise

    def kill(self) -> None:
        """End the process now (a timeout, Ctrl-C, sfn exiting)."""
        self._dead = True
        try:
            self.proc.kill()
        except OSError:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        self.proc.wait(5)

    def _returncode(self) -> int | None:
        return self.proc.wait(5)

    def _serve_asks(self, fd: int) -> None:
        """Answer the handlers' SendTask* calls, whenever they come, until the worker ends."""
        try:
            with os.fdopen(fd, "rb") as asks:
                for line in asks:
                    reply = encode(_answer(decode(line)))
                    with self._answers_lock:
                        self._answers.write(reply)
                        self._answers.flush()
        except (OSError, ValueError):
            pass
        finally:
            try:
                self._answers.close()
            except (OSError, ValueError):
                pass


def _answer(message: dict) -> dict:
    """A SendTask* call a handler made in its worker, answered in this process."""
    from .. import callbacks
    from ..errors import TaskTokenError

    try:
        callbacks._answer(message["token"], None, message["status"], message.get("output"),
                          message.get("error"), message.get("cause"))
    except TaskTokenError as exc:
        return {"op": "reply", "ask": message["ask"], "code": exc.code, "message": exc.message}
    return {"op": "reply", "ask": message["ask"]}


class Pool:
    """Workers by (folder, module): an idle one is reused, a busy or dead one replaced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple, list[Worker]] = {}
        self._order: list[Worker] = []
        self._all: set[Worker] = set()
        self._spare: dict[str, list[Worker]] = {}   # started ahead of need, no module imported yet

    def prestart(self, base_dir: str | os.PathLike | None) -> Worker:
        """Start a worker for `base_dir` now (or adopt the one sfn started for it as it started); the next
        module acquired there takes it (`discard` it if unused).

        A worker's start-up (a Python process) then overlaps whatever the caller does before the
        first handler is loaded, instead of being on the run's critical path.
        """
        worker = Worker(base_dir, prestart.take(base_dir))
        with self._lock:
            self._spare.setdefault(str(base_dir), []).append(worker)
            self._all.add(worker)
        return worker

    def discard(self, worker: Worker) -> None:
        """End a prestarted worker nobody took (one taken since is left alone)."""
        with self._lock:
            for spares in self._spare.values():
                if worker in spares:
                    spares.remove(worker)
                    self._all.discard(worker)
                    break
            else:
                return
        worker.kill()

    def acquire(self, base_dir: str | os.PathLike | None, module: str) -> Worker:
        """An idle live worker for the module, else a new one; the caller must `release` it."""
        key = (str(base_dir), module)
        with self._lock:
            idle = self._idle.setdefault(key, [])
            while idle:
                worker = idle.pop()
                self._order.remove(worker)
                if worker.alive:
                    worker.busy = True
                    return worker
                self._all.discard(worker)
            spares = self._spare.get(str(base_dir))
            worker = spares.pop(0) if spares else None
        if worker is None or not worker.alive:
            if worker is not None:
                with self._lock:
                    self._all.discard(worker)
            worker = Worker(base_dir)
        worker.busy = True
        with self._lock:
            self._all.add(worker)
        return worker

    def release(self, worker: Worker, base_dir: str | os.PathLike | None, module: str) -> None:
        """Back to the pool (a dead worker is dropped; the oldest idle ones end past IDLE_KEPT)."""
        worker.busy = False
        surplus = []
        with self._lock:
            if worker._dead:  # seen to end during its call (`acquire` asks the process itself)
                self._all.discard(worker)
                return
            self._idle.setdefault((str(base_dir), module), []).append(worker)
            self._order.append(worker)
            while len(self._order) > IDLE_KEPT:
                old = self._order.pop(0)
                for workers in self._idle.values():
                    if old in workers:
                        workers.remove(old)
                self._all.discard(old)
                surplus.append(old)
        for old in surplus:
            old.kill()

    def shutdown(self) -> None:
        """End every worker (sfn is exiting)."""
        with self._lock:
            workers, self._all, self._idle, self._order, self._spare = list(self._all), set(), {}, [], {}
        for worker in workers:
            worker.kill()


POOL = Pool()
atexit.register(POOL.shutdown)


def prestart_for(resources: str | os.PathLike | None) -> Worker | None:
    """Start a handler worker for a resources file that names handlers (None if it names none, or is unreadable).

    Only a hint, read before the file is parsed: loading it later reports its errors as before,
    and a spare worker that no handler takes is ended by `POOL.discard`.
    """
    folder = prestart.handler_folder(resources) if resources is not None else None
    if folder is None:
        return None
    try:
        return POOL.prestart(folder)
    except OSError:
        return None  # the first call starts one, and reports what keeps it from starting
