"""The awsJson1_0 wire: `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>`, JSON in and out.

Requests on a `sync-` host prefix (StartSyncExecution, TestState) are the same requests; SigV4
headers are accepted without checking. Every failure is an AWS error body
`{"__type": "<namespace>#<Code>", "message": ...}`, never a traceback: malformed JSON is a
SerializationException, an unknown target an UnknownOperationException, an oversized body a
413, a bug in sfn an InternalFailure (500) whose detail goes to the server's log.
"""

from __future__ import annotations

import ipaddress
import json
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..aws import request_id
from .errors import CORAL_SERVICE, ApiError

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"
# A definition may be 1 MiB of characters, escaped in JSON text: room for that, and no more.
MAX_BODY = 8 * 1024 * 1024


def _serialization(message: str) -> ApiError:
    return ApiError("SerializationException", message, namespace=CORAL_SERVICE)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as the SDKs expect
    # Headers and body leave in two writes: with Nagle's algorithm on, the body waits for the client's
    # delayed ACK, some 40 ms on every request of a kept-alive connection.
    disable_nagle_algorithm = True
    server: "ApiServer"

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        try:
            status, body = 200, self.server.answer(self._target(), self._body())
        except ApiError as exc:
            status, body = exc.status, exc.body()
        except Exception:  # noqa: BLE001 - a bug in sfn: logged, answered as AWS's InternalFailure
            traceback.print_exc(file=sys.stderr)
            status, body = 500, {"__type": f"{CORAL_SERVICE}#InternalFailure",
                                 "message": "sfn serve failed to answer; its log has the details"}
        self._send(status, body)

    def do_GET(self) -> None:  # noqa: N802
        from .pages import page  # the pages for people (executions and their reports); the API is POST

        found = page(self.server.service, self.path)
        if found is None:
            self._not_served()
            return
        data = found[1].encode()
        self.send_response(found[0])
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(data)

    def _not_served(self) -> None:
        self._send(404, ApiError("UnknownOperationException", "Only POST / is served",
                                 namespace=CORAL_SERVICE).body())

    do_PUT = do_DELETE = do_PATCH = _not_served  # noqa: N815

    def _target(self) -> str:
        target = self.headers.get("X-Amz-Target", "")
        if not target.startswith(TARGET_PREFIX):
            raise ApiError("UnknownOperationException", f"Unknown target: '{target}'", namespace=CORAL_SERVICE)
        return target[len(TARGET_PREFIX):]

    def _body(self) -> dict:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _serialization("Content-Length is not a number") from None
        if length > MAX_BODY:
            self.close_connection = True
            raise ApiError("RequestEntityTooLargeException", f"The request body is larger than {MAX_BODY} bytes",
                           413, CORAL_SERVICE)
        raw = self.rfile.read(length) if length > 0 else b"{}"
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError) as exc:
            raise _serialization(f"The request body is not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise _serialization("The request body must be a JSON object")
        return body

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", request_id())
        if status != 200 and "__type" in body:
            self.send_header("x-amzn-ErrorType", body["__type"].rsplit("#", 1)[-1])
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"sfn serve: {self.address_string()} {format % args}\n")


class ApiServer(ThreadingHTTPServer):
    """An HTTP server answering the Step Functions API from a `Service`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, service: Any, host: str = "127.0.0.1", port: int = 8083, verbose: bool = False) -> None:
        super().__init__((host, port), _Handler)
        self.service = service
        self.verbose = verbose
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """http://HOST:PORT of the bound socket."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, operation: str, request: dict) -> dict:
        """One operation's response members."""
        return self.service.call(operation, request)

    def start(self) -> "ApiServer":
        """Serve in a background thread (tests, embedding)."""
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), name="sfn-serve", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (the service is the caller's to close)."""
        self.shutdown()
        self.server_close()


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
