"""A handler's result as the AWS Lambda Python runtime (awslambdaric's marshaller, simplejson) sends it."""

import collections
import datetime
import decimal
import json

import pytest

from asl.errors import StatesError
from asl.resources.local import encode_result

Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize("value,sent", [
    ({"price": decimal.Decimal("3.14159")}, {"price": 3.14159}),
    ({"n": decimal.Decimal("42")}, {"n": 42}),
    ({"big": decimal.Decimal("1E+2")}, {"big": 100.0}),
    ({"t": (1, 2)}, {"t": [1, 2]}),
    (Point(1, 2), {"x": 1, "y": 2}),                      # simplejson writes a namedtuple as an object
    ({"b": b"bytes"}, {"b": "bytes"}),
    ({1: "a", 2.5: "b", False: "c", None: "d"}, {"1": "a", "2.5": "b", "false": "c", "null": "d"}),
    (b'{"raw": true}', {"raw": True}),                    # bytes are sent as they are
], ids=["decimal", "decimal-int", "decimal-exponent", "tuple", "namedtuple", "bytes", "keys", "raw-bytes"])
def test_what_the_runtime_sends(value, sent):
    assert encode_result(value, "m:f") == sent


@pytest.mark.parametrize("value,message", [
    ({1, 2}, "Object of type set is not JSON serializable"),
    ({"at": datetime.datetime(2024, 1, 1)}, "Object of type datetime is not JSON serializable"),
    ([float("nan")], "Out of range float values are not JSON compliant: nan"),
    ({"x": float("-inf")}, "Out of range float values are not JSON compliant: -inf"),
    ({"d": decimal.Decimal("NaN")}, "Out of range float values are not JSON compliant: nan"),
    ({(1, 2): 3}, "keys must be str, int, float, bool or None, not tuple"),
], ids=["set", "datetime", "nan", "infinity", "decimal-nan", "tuple-key"])
def test_what_the_runtime_cannot_encode_is_its_marshal_error(value, message):
    with pytest.raises(StatesError) as raised:
        encode_result(value, "m:f")
    assert raised.value.name == "Runtime.MarshalError"
    cause = json.loads(raised.value.cause)
    assert cause == {"errorMessage": f"Unable to marshal response: {message}", "errorType": "Runtime.MarshalError",
                     "requestId": cause["requestId"], "stackTrace": []}


def test_a_circular_result_is_a_marshal_error():
    loop = []
    loop.append(loop)
    with pytest.raises(StatesError) as raised:
        encode_result({"l": loop}, "m:f")
    assert json.loads(raised.value.cause)["errorMessage"] == "Unable to marshal response: Circular reference detected"


@pytest.mark.parametrize("value", [{"d": decimal.Decimal("Infinity")}, b"not json", b"\xff"],
                         ids=["decimal-infinity", "bytes", "not-utf8"])
def test_what_the_runtime_sends_but_is_no_json_fails_the_task(value):
    with pytest.raises(StatesError) as raised:
        encode_result(value, "m:f")
    assert raised.value.name == "Lambda.InvalidResponseException"


# ------------------------------------------------------------------ a failing handler's stackTrace

def _raised(fn):
    """The traceback of fn() as a caller's frame sees it (that first frame is sfn's, left out)."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 (whatever the handler raises)
        return exc.__traceback__
    raise AssertionError("did not raise")


def _handler_module(tmp_path, name, body):
    import importlib.util

    path = tmp_path / f"{name}.py"
    path.write_text(body, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return path, module


def _formatted(tb):
    import traceback

    return traceback.format_list(traceback.extract_tb(tb)[1:])


def test_a_repeated_failure_has_the_stack_traceback_formats(tmp_path):
    from asl.resources import lambda_runtime

    _, module = _handler_module(tmp_path, "fails_again", "def handler():\n    raise ValueError('x' + 'y')\n")
    first = lambda_runtime.stack_trace(_raised(module.handler))
    again = _raised(module.handler)
    assert first == lambda_runtime.stack_trace(again) == _formatted(again)
    assert "raise ValueError('x' + 'y')" in first[0]


def test_a_handler_file_edited_between_failures_shows_its_new_line(tmp_path):
    import os

    from asl.resources import lambda_runtime

    path, module = _handler_module(tmp_path, "edited", "def handler():\n    raise ValueError('old')\n")
    assert "'old'" in lambda_runtime.stack_trace(_raised(module.handler))[0]
    # Same code object, new source on disk (another size, as linecache's check compares): the new line shows.
    path.write_text("def handler():\n    raise ValueError('new text')\n", encoding="utf-8")
    os.utime(path, (1, 1))
    stack = lambda_runtime.stack_trace(_raised(module.handler))
    assert "'new text'" in stack[0] and stack == _formatted(_raised(module.handler))


def test_the_same_line_in_another_file_is_not_confused(tmp_path):
    from asl.resources import lambda_runtime

    body = "def handler():\n    raise ValueError('x')\n"
    _, one = _handler_module(tmp_path, "one", body)
    _, two = _handler_module(tmp_path, "two", body)
    assert "one.py" in lambda_runtime.stack_trace(_raised(one.handler))[0]
    assert "two.py" in lambda_runtime.stack_trace(_raised(two.handler))[0]


def test_a_traceback_limit_the_handler_set_is_honoured(tmp_path, monkeypatch):
    import sys

    from asl.resources import lambda_runtime

    _, module = _handler_module(tmp_path, "deep", "def inner():\n    raise ValueError()\n\n"
                                                   "def handler():\n    inner()\n")
    assert len(lambda_runtime.stack_trace(_raised(module.handler))) == 2
    monkeypatch.setattr(sys, "tracebacklimit", 2, raising=False)
    tb = _raised(module.handler)
    assert lambda_runtime.stack_trace(tb) == _formatted(tb) and len(_formatted(tb)) == 1


def test_the_kept_stacks_are_bounded(tmp_path):
    from asl.resources import lambda_runtime

    body = "".join(f"def h{i}():\n    raise ValueError({i})\n" for i in range(lambda_runtime.STACKS_KEPT + 5))
    _, module = _handler_module(tmp_path, "many", body)
    for i in range(lambda_runtime.STACKS_KEPT + 5):
        assert f"ValueError({i})" in lambda_runtime.stack_trace(_raised(getattr(module, f"h{i}")))[0]
        assert len(lambda_runtime._STACKS) <= lambda_runtime.STACKS_KEPT


@pytest.mark.parametrize("message", ["plain", 'quote " and \\ backslash', "line\nbreak\ttab\x00", "é ü 😀",
                                     "\ud800 lone", ""])
def test_a_handler_errors_cause_is_json_dumps_of_its_four_members(tmp_path, message):
    from asl.resources import lambda_runtime

    _, module = _handler_module(tmp_path, "fails_with_text", "def handler(m):\n    raise RuntimeError(m)\n")
    for _ in range(2):  # the second from the kept stack text
        try:
            module.handler(message)
        except RuntimeError as exc:
            caught = exc
        error = lambda_runtime.handler_error(caught, "rid-1")
        assert error.name == "RuntimeError" and "raise RuntimeError(m)" in error.cause
        assert error.cause == json.dumps({"errorMessage": message, "errorType": "RuntimeError",
                                          "requestId": "rid-1", "stackTrace": _formatted(caught.__traceback__)})
