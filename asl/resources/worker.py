"""The handler worker process: imports one handler module and calls its functions as Lambda would.

Started by `asl.resources.process` as `python -m asl.resources.worker`. It speaks JSON lines:
requests on stdin, replies on a copy of the stdout it was given; its own fds 1 and 2 both go to
the stderr pipe sfn relays, so nothing a handler prints (from any thread, even C code) can reach
sfn's stdout. The main thread reads a request and runs it (as Lambda runs a handler), no thread
hand-off. A SendTask* answer a handler makes through `asl.callbacks` (in the call or later, from
its own thread) goes to sfn on a pipe of its own, and its reply comes back on another, read by a
thread: when sfn goes away (that pipe closes) the worker ends at once, even inside a handler.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
from pathlib import Path
from typing import Any, BinaryIO

from .wire import decode, encode


class _Channel:
    """The pipes to sfn: replies to its requests, and the SendTask* asks waiting for its answer."""

    def __init__(self, out: BinaryIO, asks: BinaryIO) -> None:
        self.out = out
        self.asks = asks
        self.lock = threading.Lock()
        self.waiting: dict[int, queue.SimpleQueue] = {}
        self.next_id = 0

    def send(self, message: dict) -> None:
        """Write one reply to sfn (only the main thread does)."""
        self.out.write(encode(message))
        self.out.flush()

    def ask(self, message: dict) -> dict:
        """Send a request to sfn and wait for its reply (read by the answers thread)."""
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


def _forward_task_answers(channel: _Channel) -> None:
    """Make `asl.callbacks` answers without a store go to the sfn process, where the Task waits."""
    from .. import callbacks
    from ..errors import TaskTokenError

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
        from ..errors import Location
        from .local import function_of

        fn = self.functions.get(target)
        if fn is None:
            fn = self.functions[target] = function_of(target, self.base_dir, Location("<worker>"))
        return fn

    def load(self, message: dict) -> dict:
        from ..errors import UserInputError

        try:
            self._function(message["target"])
        except UserInputError as exc:
            return {"import_error": exc.message}
        return {"loaded": True}

    def call(self, message: dict) -> dict:
        from ..errors import StatesError, UserInputError
        from .local import LambdaContext, encode_result, handler_error

        try:
            fn = self._function(message["target"])
        except UserInputError as exc:
            return {"error": ["Lambda.ResourceNotFoundException", exc.message]}
        context = LambdaContext(message["name"], message["timeout"])
        context.aws_request_id = message["request_id"]
        try:
            result = fn(message["event"], context)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # even SystemExit: the handler's failure is the Task's error
            error = handler_error(exc)
            return {"error": [error.name, error.cause]}
        try:
            return {"result": encode_result(result, message["target"])}
        except StatesError as exc:
            return {"error": [exc.name, exc.cause]}


def main() -> None:
    """Serve requests from sfn until it closes stdin."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is sfn's to handle: it ends this worker
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever writes to fd 1 from now on (any thread, C code) lands in the log pipe
    sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace")
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="backslashreplace")
    requests = os.fdopen(os.dup(0), "rb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # a handler reading stdin gets nothing, as on Lambda
    sys.stdin = os.fdopen(0, "r")
    base_dir = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None
    channel = _Channel(replies, os.fdopen(int(sys.argv[2]), "wb"))
    answers = os.fdopen(int(sys.argv[3]), "rb")
    threading.Thread(target=channel.serve_answers, args=(answers,), daemon=True, name="sfn-worker-answers").start()
    _forward_task_answers(channel)
    handlers = _Handlers(channel, base_dir)
    for line in requests:
        handlers.run(decode(line))
    os._exit(0)  # sfn is gone: end now (a handler's threads and all)


if __name__ == "__main__":
    main()
