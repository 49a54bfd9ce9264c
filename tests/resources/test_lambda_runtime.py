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
