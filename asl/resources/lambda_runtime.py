"""The Lambda Python runtime's side of a handler call: import the handler, its context, its errors, its result.

Standard library only, and nothing of sfn: the handler worker (`worker.py`) loads this
file by its path, so a worker is ready for its first call without importing sfn's library, and
sfn's own process (`asl.resources.local`, in-process handlers) uses the very same code. Errors are
plain (`HandlerImportError`, `FunctionError`); `local` turns them into sfn's UserInputError and
StatesError.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import math
import os
import sys
import threading
import time
from types import ModuleType

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing is ~1.5 ms of a worker's start
    from pathlib import Path
    from typing import Any, Callable, Iterator


class HandlerImportError(Exception):
    """A handler that cannot be imported or found: the one-line message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FunctionError(Exception):
    """A handler call's failure as Lambda reports it: an error name and its cause (JSON text)."""

    def __init__(self, name: str, cause: str) -> None:
        super().__init__(name, cause)
        self.name, self.cause = name, cause


def request_id() -> str:
    """A fresh request id: a random (version 4) UUID's text, as `asl.aws.request_id` makes them.

    Written out from os.urandom as uuid.uuid4 does, without importing uuid (~1.5 ms of a worker's first call).
    """
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40   # version 4
    raw[8] = raw[8] & 0x3F | 0x80   # the RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class LambdaContext:
    """The context object a Lambda handler receives."""

    def __init__(self, function_name: str, function_arn: str, timeout_seconds: float | None,
                 aws_request_id: str | None = None) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function_arn
        self.memory_limit_in_mb = 128
        self.aws_request_id = aws_request_id or request_id()
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + (timeout_seconds if timeout_seconds else 900)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the Task's timeout."""
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def function_of(target: str, base_dir: str | os.PathLike | None) -> Callable:
    """The function `module:function` names, imported; HandlerImportError if it cannot be."""
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise HandlerImportError(f"handler '{target}' must look like package.module:function")
    module = import_module_safely(module_name, base_dir)
    try:
        fn = getattr(module, attr, None)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a module-level __getattr__ is the module's code, and may raise anything
        raise HandlerImportError(f"cannot get '{attr}' from handler module '{module_name}': "
                                 f"its __getattr__ raised {_failure(exc)}") from None
    if not callable(fn):
        raise HandlerImportError(f"module '{module_name}' has no function '{attr}'")
    return fn


def import_module_safely(module_name: str, base_dir: str | os.PathLike | None) -> ModuleType:
    """Import a module a resources file names; whatever its code raises is a one-line HandlerImportError."""
    try:
        with _handler_prints_to_stderr():  # import-time prints are the handler's logs too
            return _import(module_name, base_dir)
    except KeyboardInterrupt:
        raise  # the user pressed Ctrl-C
    except BaseException as exc:  # even SystemExit or a bare BaseException: never let it end sfn
        during = "" if isinstance(exc, Exception) else " raised while importing"
        raise HandlerImportError(f"cannot import handler module '{module_name}': {_failure(exc)}{during}") from None


def _import(module_name: str, base_dir: str | os.PathLike | None) -> ModuleType:
    """The module beside the resources file, loaded from its file so the folder shadows nothing.

    The folder goes at the END of sys.path (a handler's sibling modules stay importable), and the
    handler module is loaded from its own file: a `json.py` or `rich.py` beside a definition never
    replaces the module of that name for sfn, and a handler module whose name another module has
    (installed, or a second sample's handlers.py) is kept apart under a name of its own.
    """
    if base_dir is None:
        return importlib.import_module(module_name)
    from pathlib import Path  # here: sfn's own process imports handlers only when they run in it

    base_dir = Path(base_dir)
    top, _, rest = module_name.partition(".")
    package = (base_dir / top / "__init__.py").is_file()
    candidate = base_dir / top / "__init__.py" if package else base_dir / f"{top}.py"
    if not candidate.is_file():
        return importlib.import_module(module_name)
    if str(base_dir) not in sys.path:
        sys.path.append(str(base_dir))
    loaded_top = _load_file(top, candidate, package)
    return importlib.import_module(f"{loaded_top.__name__}.{rest}") if rest else loaded_top


def _load_file(name: str, path: Path, package: bool) -> ModuleType:
    """The module at `path`: under `name` when nothing else owns that name, else under a name of its own."""
    loaded = sys.modules.get(name)
    if loaded is not None and _same_file(loaded, path):
        return loaded
    if loaded is None and _owner_of(name) in (None, path.resolve()):
        unique = name
    else:
        unique = f"{name}__sfn_{abs(hash(str(path)))}"
        if unique in sys.modules:
            return sys.modules[unique]
    spec = importlib.util.spec_from_file_location(
        unique, path, submodule_search_locations=[str(path.parent)] if package else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[unique]  # as importlib does: a half-run module is not kept
        raise
    return module


def _same_file(module: ModuleType, path: Path) -> bool:
    from pathlib import Path

    return Path(getattr(module, "__file__", "") or "").resolve() == path.resolve()


def _owner_of(name: str) -> Path | None:
    """The file an ordinary `import name` would load (the stdlib's json.py, say), if any."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    from pathlib import Path

    origin = getattr(spec, "origin", None) if spec is not None else None
    if not origin or origin in ("built-in", "frozen"):
        return Path(f"<{name}: {origin}>") if spec is not None else None
    return Path(origin).resolve()


# Handler prints are its logs (CloudWatch's on AWS): they go to stderr, so `sfn run --output json`
# keeps one clean object on stdout. Swapping sys.stdout for the length of a call is not enough: a
# handler that timed out still runs in its thread, and the run's own output must not follow it.
# So while any handler runs, sys.stdout is a router: only the threads that called handlers (and
# are not inside one now) write to the real stdout.
_CALLERS: set[int] = set()
_ROUTING = threading.local()
_ROUTER_LOCK = threading.Lock()


class _StdoutRouter:
    """sys.stdout while handlers run: a handler's writes go to stderr, the caller's where they went."""

    def __init__(self, original: Any) -> None:
        self.original = original
        self.users = 0                           # handler calls and imports not finished yet

    def _target(self) -> Any:
        if getattr(_ROUTING, "depth", 0) or threading.get_ident() not in _CALLERS:
            return sys.stderr
        return self.original

    def write(self, text: str) -> int:
        """Write to the stream this thread's output belongs on."""
        return self._target().write(text)

    def flush(self) -> None:
        """Flush that stream."""
        self._target().flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)


@contextlib.contextmanager
def _handler_prints_to_stderr() -> Iterator[None]:
    with _ROUTER_LOCK:
        router = sys.stdout if isinstance(sys.stdout, _StdoutRouter) else _StdoutRouter(sys.stdout)
        sys.stdout = router
        router.users += 1
    _ROUTING.depth = getattr(_ROUTING, "depth", 0) + 1
    try:
        yield
    finally:
        _ROUTING.depth -= 1
        with _ROUTER_LOCK:
            router.users -= 1
            # Put stdout back only if nobody replaced it meanwhile (a test's capture, say).
            if router.users == 0 and sys.stdout is router:
                sys.stdout = router.original


def encode_result(value: Any, target: str) -> Any:
    """A handler's return value as Step Functions receives it from the AWS Lambda Python runtime.

    The runtime (awslambdaric's marshaller: simplejson, a Decimal written as its own digits) turns
    what it cannot encode into a Runtime.MarshalError function error. What it does send that is no
    JSON value (bytes that are not JSON text, a Decimal infinity, a lone surrogate) is
    Lambda.InvalidResponseException.
    """
    try:
        if isinstance(value, bytes):  # the runtime sends bytes as they are, not as a JSON string
            value = _read(value)
        else:
            value = _marshalled(value, set())
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except KeyboardInterrupt:
        raise
    except (_Unreadable, UnicodeEncodeError) as exc:
        raise FunctionError("Lambda.InvalidResponseException",
                            f"The handler '{target}' returned a value that is not JSON-serialisable: "
                            f"{describe_exception(exc)}") from None
    except BaseException as exc:  # a value's own code (items(), __str__) may fail any way, as in the runtime
        raise _marshal_error(exc) from None
    return value


class _Unreadable(Exception):
    """The runtime sent it, but it is no JSON Step Functions reads."""


def _read(payload: bytes) -> Any:
    try:
        return json.loads(payload.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Unreadable(f"the bytes it returned are not JSON text ({exc})") from None


def _not_json(constant: str) -> Any:
    raise _Unreadable(f"the response holds {constant}, which is not JSON")


def _marshalled(value: Any, containers: set[int]) -> Any:
    """`value` as plain JSON values, encoded as simplejson (awslambdaric's encoder) does, or its error."""
    if isinstance(value, str) or value is None or value is True or value is False:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value != value or value in (math.inf, -math.inf):  # simplejson's allow_nan is False
            raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
        return float(value)
    # decimal is not imported at start (~1.4 ms): a value can be a Decimal only once something has.
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(value, decimal.Decimal):
        # Written as str(value) (RawJSON); only a NaN becomes a float first, and is refused as one.
        if value.is_nan():
            raise ValueError("Out of range float values are not JSON compliant: nan")
        return json.loads(str(value), parse_constant=_not_json)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if not isinstance(value, (list, tuple, dict)):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    if id(value) in containers:
        raise ValueError("Circular reference detected")
    containers.add(id(value))
    try:
        if isinstance(value, tuple) and callable(getattr(value, "_asdict", None)):
            value = value._asdict()  # simplejson's namedtuple_as_object
        if isinstance(value, dict):
            return {_key(k): _marshalled(v, containers) for k, v in value.items()}
        return [_marshalled(item, containers) for item in value]
    finally:
        containers.discard(id(value))


def _key(key: Any) -> str:
    """A member name as simplejson writes it."""
    if isinstance(key, str):
        return key
    if isinstance(key, bytes):
        return key.decode("utf-8")
    if isinstance(key, float):
        return repr(_marshalled(key, set()))  # NaN and infinities are refused here too
    if key is True or key is False or key is None:
        return json.dumps(key)
    if isinstance(key, int):
        return str(int(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _marshal_error(exc: BaseException) -> FunctionError:
    """The function error the Lambda Python runtime reports when it cannot encode a handler's result."""
    cause = {"errorMessage": f"Unable to marshal response: {_exception_text(exc)}",
             "errorType": "Runtime.MarshalError", "requestId": request_id(), "stackTrace": []}
    return FunctionError("Runtime.MarshalError", json.dumps(cause))


def handler_error(exc: BaseException, invocation: str | None = None) -> FunctionError:
    """A handler's exception as AWS reports a Lambda function error (`invocation`: the call's request id)."""
    name = _exception_name(exc)
    try:
        stack = _stack_text(exc.__traceback__)
    except KeyboardInterrupt:
        raise
    except BaseException:  # a frame's source could not be read: the error still stands without it
        stack = "[]"
    # json.dumps of {errorMessage, errorType, requestId, stackTrace}, the stack's text kept with it.
    cause = (f'{{"errorMessage": {_json_string(_exception_text(exc))}, "errorType": {_json_string(name)}, '
             f'"requestId": {_json_string(invocation or request_id())}, "stackTrace": {stack}}}')
    return FunctionError(name, cause)


_json_string = json.encoder.encode_basestring_ascii   # a str as json.dumps writes it


# A handler failing the same way call after call (a Retry or Catch loop) has the same stack each
# time, and formatting it (source lines, caret columns) is most of such a call's cost: the text is
# kept per code position, and reused while linecache holds the very same source for every frame.
_STACKS: dict[tuple, tuple[dict[str, Any], list[str], list[Any], str]] = {}
STACKS_KEPT = 64


def stack_trace(tb: Any) -> list[str]:
    """`traceback.format_list` of the traceback's frames after the first (sfn's own, the caller's)."""
    return list(_stack(tb)[0])


def _stack_text(tb: Any) -> str:
    """stack_trace(tb) as json.dumps writes it."""
    return _stack(tb)[1]


def _stack(tb: Any) -> tuple[list[str], str]:
    import linecache
    import traceback  # here, not at the top: ~1 ms of every start, for a failing handler only

    if getattr(sys, "tracebacklimit", None) is not None:  # the handler set it: never cached
        stack = traceback.format_list(traceback.extract_tb(tb)[1:])
        return stack, json.dumps(stack)
    key, codes, step = [], [], tb.tb_next if tb is not None else None
    while step is not None:
        code = step.tb_frame.f_code
        codes.append(code)  # kept alive with the entry, so no other code object takes its id
        key.append((id(code), step.tb_lasti, step.tb_lineno))
        step = step.tb_next
    key = tuple(key)
    cached = _STACKS.get(key)
    if cached is not None:
        sources, stack, _, text = cached
        for filename, entry in sources.items():
            linecache.checkcache(filename)  # as extract_tb does: an edited file is read again
            if linecache.cache.get(filename) is not entry:
                break
        else:
            return stack, text
    stack = traceback.format_list(traceback.extract_tb(tb)[1:])
    text = json.dumps(stack)
    sources = {code.co_filename: linecache.cache.get(code.co_filename) for code in codes}
    if all(isinstance(entry, tuple) and len(entry) == 4 for entry in sources.values()):  # read from files
        if len(_STACKS) >= STACKS_KEPT:
            _STACKS.clear()
        _STACKS[key] = (sources, stack, codes, text)
    return stack, text


def describe_exception(exc: BaseException) -> str:
    """`Type: message` for one line, even when the exception's __str__ itself fails."""
    text = _exception_text(exc)
    return f"{_exception_name(exc)}: {text}" if text else _exception_name(exc)


def _exception_name(exc: BaseException) -> str:
    name = getattr(type(exc), "__name__", None)
    return name if isinstance(name, str) and name else "Exception"


def _exception_text(exc: BaseException) -> str:
    try:
        text = str(exc)
        if isinstance(text, str):
            return text
    except KeyboardInterrupt:
        raise
    except BaseException:  # the exception's own __str__ raised (anything, even SystemExit): say so
        pass
    return f"<{_exception_name(exc)} object: str() failed>"


def _failure(exc: BaseException) -> str:
    """`RuntimeError: message`, or `SystemExit(4)` for what is not an Exception (its arguments say more)."""
    if isinstance(exc, Exception):
        return describe_exception(exc)
    try:
        args = ", ".join(repr(a) for a in exc.args)
    except KeyboardInterrupt:
        raise
    except BaseException:  # an argument's own __repr__ raised
        args = "..."
    return f"{_exception_name(exc)}({args})"
