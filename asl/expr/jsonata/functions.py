"""The functions Step Functions adds to JSONata ($partition, $range, $hash, $random, $uuid, $parse),
the library functions it corrects ($number, $toMillis), and $eval disabled: one base frame."""

from __future__ import annotations

import hashlib
import json
import math
import random as _random
import re
import uuid as _uuid
from typing import Any

from jsonata import Jsonata, JException
from jsonata.utils import Utils

from .errors import MEMORY, BoundExceeded, CodedError
from .values import NULL

# AWS's cap on the elements of one $range.
MAX_RANGE_ITEMS = 360_145


def _signature_error(function: str, index: int) -> JException:
    return CodedError("T0410", f'Argument {index} of function "{function}" does not match function signature')


def _reject_surplus(args: tuple, documented: int, function: str) -> None:
    # Each signature declares one slot more than documented, so a surplus argument reaches the
    # function and is named at its own index (the library's validator would misnumber it).
    if len(args) > documented and args[documented] is not None:
        raise _signature_error(function, documented + 1)


def _towards_zero(value: Any, function: str, index: int) -> int:
    """An integer argument; AWS truncates a fractional one towards zero."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _signature_error(function, index)
    return max(-2 ** 63, min(int(value), 2 ** 63 - 1))    # a Java long, as AWS's arguments are


def _partition(*args: Any) -> Any:
    _reject_surplus(args, 2, "partition")
    array, size = args[0], args[1]
    if array is None:
        return None
    if not isinstance(array, list):
        raise CodedError("T0412", 'Argument 1 of function "partition" must be an array of undefined')
    if not array:
        return None
    if size is None:
        return [list(array)]
    chunk = _towards_zero(size, "partition", 2)
    if chunk < 0:
        raise CodedError("D3137", "Second argument must be zero or greater")
    if chunk == 0:
        return None
    items = list(array)
    return [items[i:i + chunk] for i in range(0, len(items), chunk)]


def _range(*args: Any) -> Any:
    _reject_surplus(args, 3, "range")
    start = _towards_zero(args[0], "range", 1)
    end = _towards_zero(args[1], "range", 2)
    if args[2] is None:
        return None
    step = _towards_zero(args[2], "range", 3)
    if step == 0 or (step > 0 and start > end) or (step < 0 and start < end):
        return None
    if (end - start) // step + 1 > MAX_RANGE_ITEMS:
        raise BoundExceeded(MEMORY)
    # A sequence, so a one-element range collapses to its number as on AWS ($range(1, 9, 9) = 1).
    return Utils.create_sequence_from_iter(range(start, end + (1 if step > 0 else -1), step))


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _hash(*args: Any) -> Any:
    _reject_surplus(args, 2, "hash")
    value, algorithm = args[0], args[1]
    if not isinstance(value, str):
        raise _signature_error("hash", 1)
    if algorithm is None:
        return None
    if not isinstance(algorithm, str):
        raise _signature_error("hash", 2)
    if algorithm not in _HASHES:
        raise CodedError("D3137", f"Hash algorithm '{algorithm}' must be one of "
                                  "SHA-1, SHA-384, SHA-256, SHA-512, MD5")
    return hashlib.new(_HASHES[algorithm], value.encode("utf-8")).hexdigest()


def java_random_double(seed: int) -> float:
    """The first nextDouble() of java.util.Random(seed): what AWS's seeded $random returns."""
    multiplier, mask = 0x5DEECE66D, (1 << 48) - 1
    state = (seed ^ multiplier) & mask

    def next_bits(bits: int) -> int:
        nonlocal state
        state = (state * multiplier + 0xB) & mask
        return state >> (48 - bits)

    return ((next_bits(26) << 27) + next_bits(27)) * 2.0 ** -53


def _random_fn(*args: Any) -> float:
    _reject_surplus(args, 1, "random")
    if args[0] is None:
        return _random.random()
    return java_random_double(_towards_zero(args[0], "random", 1))


def _uuid_fn(*args: Any) -> str:
    _reject_surplus(args, 0, "uuid")
    return str(_uuid.uuid4())


def _no_duplicates(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _parse(*args: Any) -> Any:
    _reject_surplus(args, 1, "parse")
    text = args[0]
    if text is None:
        return None
    if not isinstance(text, str):
        raise _signature_error("parse", 1)
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except ValueError:
        raise CodedError("D3137", "Invalid JSON") from None
    return NULL if value is None else value


_JS_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
_JS_PREFIXED = re.compile(r"0[xX][0-9A-Fa-f]+|0[oO][0-7]+|0[bB][01]+")


def _number(arg: Any) -> Any:
    # jsonata-python lets Python's float() accept what JavaScript refuses and crash on the rest.
    if arg is None:
        return None
    if isinstance(arg, bool):
        return 1 if arg else 0
    if isinstance(arg, (int, float)):
        return arg
    if isinstance(arg, str):
        if _JS_DECIMAL.fullmatch(arg):
            value = float(arg)
            if math.isfinite(value):
                return Utils.convert_number(value)
        elif _JS_PREFIXED.fullmatch(arg):
            return int(arg, 0)
        raise JException("D3030", -1, arg)
    raise _signature_error("number", 1)


class _Native:
    """Adapter giving a plain Python function jsonata's `call(input, args)` interface."""

    __slots__ = ("function",)

    def __init__(self, function: Any) -> None:
        self.function = function

    def call(self, input: Any, args: Any) -> Any:
        return self.function(*(args or ()))


def _to_millis(timestamp: Any, picture: Any = None) -> Any:
    try:
        return _LIBRARY_TO_MILLIS.call(None, [timestamp, picture])
    except ValueError:
        raise JException("D3110", -1, timestamp) from None


def _distinct(arr: Any = None, *rest: Any) -> Any:
    """The library's $distinct (its equality, its sequence type) in linear time, not quadratic:
    300,000 items took minutes."""
    if not isinstance(arr, list) or len(arr) <= 1:
        return arr
    results = Utils.create_sequence() if isinstance(arr, Utils.JList) else []
    seen: set = set()
    try:
        for item in arr:
            key = _equality_key(item)
            if key not in seen:
                seen.add(key)
                results.append(item)
    except (TypeError, RecursionError):  # a value with no key (a function, very deep): as the library does
        results = Utils.create_sequence() if isinstance(arr, Utils.JList) else []
        for item in arr:
            if item not in results:
                results.append(item)
    return results


def _equality_key(value: Any) -> Any:
    """A hashable key equal for two values exactly when Python's == (the library's test) says so."""
    kind = type(value)
    if kind is str:
        return ("s", value)
    if kind in (int, float, bool):
        return ("n", value)  # 1 == 1.0 == True, as for the library
    if value is None or value is NULL:
        return ("z", value is NULL)
    if isinstance(value, dict):
        return ("d", frozenset((k, _equality_key(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("l", tuple(_equality_key(v) for v in value))
    raise TypeError(kind.__name__)


_LIBRARY_TO_MILLIS = Jsonata.static_frame.lookup("toMillis")

# The frame every evaluation's scope falls back to: the library's functions with AWS's on top.
BASE_FRAME = Jsonata.Frame(Jsonata.static_frame)
for _name, _function, _signature in (
        ("partition", _partition, "<x?x?x?:x>"),
        ("range", _range, "<x?x?x?x?:x>"),
        ("hash", _hash, "<x?x?x?:x>"),
        ("random", _random_fn, "<x?x?:n>"),
        ("uuid", _uuid_fn, "<x?:s>"),
        ("parse", _parse, "<x?x?:x>"),
        ("number", _number, "<(nsb)-:n>"),
        ("toMillis", _to_millis, "<s-s?:n>"),
        ("distinct", _distinct, "<x:x>")):
    BASE_FRAME.bind(_name, Jsonata.JFunction(_Native(_function), _signature))
BASE_FRAME.bind("eval", None)   # AWS disables $eval: calling it is T1006, as there
