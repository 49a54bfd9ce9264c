"""The handler worker process: imports one handler module and calls its functions as Lambda would.

Started by `asl.resources.process` as `python -P .../worker.py`, a script: it loads the two
modules it needs (`wire`, `lambda_runtime`, standard library only) by their paths, so it is
ready without importing sfn's library (`asl.resources` alone imports much of it); only a
handler that imports `asl.callbacks` brings that in. It speaks JSON lines:
requests on stdin, replies on a copy of the stdout it was given; its own fds 1 and 2 both go to
the stderr pipe sfn relays, so nothing a handler prints (from any thread, even C code) can reach
sfn's stdout. The main thread reads a request and runs it (as Lambda runs a handler), no thread
hand-off. A SendTask* answer a handler makes through `asl.callbacks` (in the call or later, from
its own thread) goes to sfn on a pipe of its own, and its reply comes back on another, read by a
thread: when sfn goes away (that pipe closes) the worker ends at once, even inside a handler.
"""

from __future__ import annotations

import os
import sys

# As `python -m` did: the working folder first on the path (-P keeps this script's own folder off
# it, where sfn's `http.py` and the like would shadow the standard library for handlers).
sys.path.insert(0, os.getcwd())

import _signal  # noqa: E402  (after the path is set, as for any import; signal's C core: its enums cost ~0.3 ms)
import importlib.util  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402
from time import perf_counter  # noqa: E402
from types import ModuleType  # noqa: E402

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing is ~1.5 ms of the worker's start
    import queue
    from typing import Any, BinaryIO, Callable


def _sibling(name: str) -> ModuleType:
    """The module `name`.py beside this script, loaded from its file under a name of its own."""
    spec = importlib.util.spec_from_file_location(f"_sfn_worker_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


wire = _sibling("wire")
runtime = _sibling("lambda_runtime")
decode, encode = wire.decode, wire.encode


# What handler modules commonly import (typing) and what a handler's first failure needs (traceback,
# and ast for its caret lines), imported while the worker has nothing else to do: before its first
# request, or between requests, never ahead of one.
WARM_UP = ("typing", "traceback", "ast")
# Calls that follow one another closely (a Retry or Catch loop, a Map's items one after another)
# come sooner than a sleeping process wakes: while the last request came within SPIN seconds of
# the reply before it, the next one is waited for awake, polling, for up to SPIN seconds.
SPIN = 1e-3


class _Requests(wire.LineReader):
    """The request lines sfn writes; `pending` says whether one is waiting."""

    def __init__(self, fd: int) -> None:
        super().__init__(fd)
        import select

        self.poll = select.poll()
        self.poll.register(fd, select.POLLIN)

    def pending(self) -> bool:
        """Whether a request (or sfn's going away) is ready to be read now."""
        return self.has_line() or bool(self.poll.poll(0))

    def next(self) -> bytes | None:
        """The next line, None once sfn has closed the pipe."""
        while not self.has_line():
            if not self.read():
                return None
        return self.take()


class _Channel:
    """The pipes to sfn: replies to its requests, and the SendTask* asks waiting for its answer."""

    def __init__(self, out: int, asks: BinaryIO) -> None:
        self.out = out  # a file descriptor: each reply is one os.write
        self.asks = asks
        self.lock = threading.Lock()
        self.waiting: dict[int, queue.SimpleQueue] = {}
        self.next_id = 0

    def send(self, message: dict) -> None:
        """Write one reply to sfn (only the main thread does)."""
        wire.write_all(self.out, encode(message))

    def ask(self, message: dict) -> dict:
        """Send a request to sfn and wait for its reply (read by the answers thread)."""
        import queue  # here: only a handler answering a callback needs it (~0.5 ms of the start)

        box: queue.SimpleQueue = queue.SimpleQueue()
        with self.lock:
            self.next_id += 1
            ident = self.next_id
            self.waiting[ident] = box
            self.asks.write(encode({**message, "ask": ident}))
            self.asks.flush()
        return box.get()

    def serve_answers(self, answers: BinaryIO) -> None:
        """Hand sfn's replies to the asks waiting for them; end the process when sfn goes away."""
        for line in answers:
            message = decode(line)
            box = self.waiting.pop(message.get("ask"), None)
            if box is not None:
                box.put(message)
        os._exit(0)  # sfn is gone: end now, even inside a handler (its threads and all)


class _WhenImported:
    """A meta path finder that runs `then(module)` once `name` has been imported (and not before)."""

    def __init__(self, name: str, then: Any) -> None:
        self.name, self.then, self.finding = name, then, False

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        """The module's own spec, its loader made to call `then` after running the module."""
        if name != self.name or self.finding:
            return None
        self.finding = True
        try:
            spec = importlib.util.find_spec(name)  # what the other finders would have found
        finally:
            self.finding = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            self.then(module)

        spec.loader.exec_module = exec_module
        return spec


def _forward_task_answers(channel: _Channel) -> None:
    """Make `asl.callbacks` answers without a store go to the sfn process, where the Task waits.

    Patched when a handler imports it: the worker does not import sfn's library up front."""
    sys.meta_path.insert(0, _WhenImported("asl.callbacks", lambda callbacks: _patch(callbacks, channel)))


def _patch(callbacks: ModuleType, channel: _Channel) -> None:
    from asl.errors import TaskTokenError

    local_answer = callbacks._answer

    def answer(token: str, store: Any, status: str | None, output: Any = None, error: str | None = None,
               cause: str | None = None) -> None:
        if store is not None:  # the handler opened a store itself: answer there, as it asked
            local_answer(token, store, status, output, error, cause)
            return
        reply = channel.ask({"op": "answer", "token": token, "status": status, "output": output,
                             "error": error, "cause": cause})
        if reply.get("code"):
            raise TaskTokenError(reply["code"], reply.get("message"))

    callbacks._answer = answer


class _Handlers:
    """The functions this worker has imported, and the calls it runs one after another."""

    def __init__(self, channel: _Channel, base_dir: Path | None) -> None:
        self.channel = channel
        self.base_dir = base_dir
        self.functions: dict[str, Any] = {}

    def run(self, message: dict) -> None:
        try:
            reply = self.load(message) if message["op"] == "load" else self.call(message)
        except KeyboardInterrupt:
            reply = {"interrupt": True}
        self.channel.send({"id": message["id"], **reply})

    def _function(self, target: str) -> Any:
        fn = self.functions.get(target)
        if fn is None:
            fn = self.functions[target] = runtime.function_of(target, self.base_dir)
        return fn

    def load(self, message: dict) -> dict:
        try:
            self._function(message["target"])
        except runtime.HandlerImportError as exc:
            return {"import_error": exc.message}
        return {"loaded": True}

    def call(self, message: dict) -> dict:
        try:
            fn = self._function(message["target"])
        except runtime.HandlerImportError as exc:
            return {"error": ["Lambda.ResourceNotFoundException", exc.message]}
        context = runtime.LambdaContext(message["name"], message["arn"], message["timeout"], message["request_id"])
        try:
            result = fn(message["event"], context)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # even SystemExit: the handler's failure is the Task's error
            error = runtime.handler_error(exc, context.aws_request_id)
            return {"error": [error.name, error.cause]}
        try:
            return {"result": runtime.encode_result(result, message["target"])}
        except runtime.FunctionError as exc:
            return {"error": [exc.name, exc.cause]}


def main() -> None:
    """Serve requests from sfn until it closes stdin."""
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # Ctrl-C is sfn's to handle: it ends this worker
    replies = os.dup(1)
    os.dup2(2, 1)  # whatever writes to fd 1 from now on (any thread, C code) lands in the log pipe
    sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace")
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="backslashreplace")
    requests = _Requests(os.dup(0))
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # a handler reading stdin gets nothing, as on Lambda
    sys.stdin = os.fdopen(0, "r")
    base_dir = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None
    channel = _Channel(replies, os.fdopen(int(sys.argv[2]), "wb"))
    answers = os.fdopen(int(sys.argv[3]), "rb")
    threading.Thread(target=channel.serve_answers, args=(answers,), daemon=True, name="sfn-worker-answers").start()
    _forward_task_answers(channel)
    handlers = _Handlers(channel, base_dir)
    serve(requests, handlers.run, list(WARM_UP))
    os._exit(0)  # sfn is gone: end now (a handler's threads and all)


def serve(requests: _Requests, run: Callable[[dict], None], warm: list[str],
          clock: Callable[[], float] = perf_counter) -> None:
    """Run sfn's requests one after another until it closes the pipe (`warm` imported while none waits)."""
    spin = False
    while True:
        while warm and not requests.pending():
            importlib.import_module(warm.pop(0))
        replied = clock()
        if spin:
            while not requests.pending() and clock() - replied < SPIN:
                pass
        line = requests.next()
        if line is None:
            return
        spin = clock() - replied < SPIN
        run(decode(line))


if __name__ == "__main__":
    main()
