"""The implementations of the 18 intrinsic functions (their signatures are in table.py).

Implementations receive argument values already checked against their declared types and raise
ValueError with a precise detail when a value is unusable; the compiled call turns that into
AWS's `Invalid arguments in States.X` (see parser.py). AWS runs Java: where its behaviour shows
through (number rounding, `{k=v}` rendering, hash-set order, java.util.Random), we mimic Java.

Modules only some implementations need (hashlib, uuid, random, base64, struct, decimal) are
imported inside them: parsing and validating a call needs the signatures alone, and `sfn
validate` should not pay for hashing or UUID support at start-up.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ... import deepjson

MAX_RANGE_ITEMS = 1000
MAX_TEXT_LENGTH = 10_000  # Base64Encode / Base64Decode / Hash input, in characters
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


# ---------------------------------------------------------------- Java-compatible helpers

def java_double(value: float) -> str:
    """A double as Java's Double.toString writes it (1.0, 0.001, 1.5E-5, 1.0E7)."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    text = repr(value)  # the shortest digits that round-trip, as Java picks them
    if 1e-3 <= abs(value) < 1e7:
        return text      # Python writes this range in plain notation too
    from decimal import Decimal

    sign, digits, exponent = Decimal(text).as_tuple()
    while len(digits) > 1 and digits[-1] == 0:
        digits = digits[:-1]
        exponent += 1  # type: ignore[operator]
    fraction = "".join(map(str, digits[1:])) or "0"
    power = len(digits) - 1 + exponent  # type: ignore[operator]
    return f"{'-' if sign else ''}{digits[0]}.{fraction}E{power}"


def java_str(value: Any) -> str:
    """A value as Java's String.valueOf renders the parsed JSON: strings raw, {k=v, ...}, [a, b]."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return java_double(value)
    if value is None:
        return "null"
    if kind is list:
        return "[" + ", ".join([java_str(item) for item in value]) + "]"
    if kind is dict:
        return "{" + ", ".join([f"{key}={java_str(item)}" for key, item in value.items()]) + "}"
    return str(value)


def java_round(value: int | float) -> int:
    """Math.round: the nearest integer, halves rounded up (-1.5 -> -1, 2.5 -> 3)."""
    if type(value) is int:
        return value
    low = math.floor(value)
    return int(low + 1 if value - low >= 0.5 else low)


def _truncate(value: int | float) -> int:
    """A Java (int) cast of a double: toward zero (AWS truncates ranges, indexes, chunk sizes)."""
    return value if type(value) is int else int(value)


def _java_hash(value: Any) -> int:
    """hashCode() of the Java object Jackson maps a JSON value to, as an unsigned 32-bit int."""
    kind = type(value)
    if kind is int:
        if INT32_MIN <= value <= INT32_MAX:
            return value & 0xFFFFFFFF
        bits = value & 0xFFFFFFFFFFFFFFFF   # a Long
        return (bits ^ (bits >> 32)) & 0xFFFFFFFF
    import struct

    if kind is str:
        h = 0
        units = value.encode("utf-16-be", "surrogatepass")   # Java hashes UTF-16 code units
        for unit in struct.unpack(f">{len(units) // 2}H", units):
            h = (31 * h + unit) & 0xFFFFFFFF
        return h
    if kind is bool:
        return 1231 if value else 1237
    if value is None:
        return 0
    if kind is float:
        bits = struct.unpack(">Q", struct.pack(">d", value))[0]
        return (bits ^ (bits >> 32)) & 0xFFFFFFFF
    if kind is list:
        h = 1
        for item in value:
            h = (31 * h + _java_hash(item)) & 0xFFFFFFFF
        return h
    total = 0   # a Map: the sum of key.hashCode() ^ value.hashCode()
    for key, item in value.items():
        total += _java_hash(key) ^ _java_hash(item)
    return total & 0xFFFFFFFF


def _java_key(value: Any) -> Any:
    """A hashable key equal for exactly the values Java's equals() finds equal (1 != 1.0 != true)."""
    kind = type(value)
    if kind is str or kind is int:
        return value
    if kind is list:
        return ("l", tuple([_java_key(item) for item in value]))
    if kind is dict:
        return ("d", frozenset([(key, _java_key(item)) for key, item in value.items()]))
    return (kind.__name__, value)


class _JavaRandom:
    """java.util.Random, for seeded States.MathRandom (AWS: seed 42 over [-5, 5) gives -5)."""

    _MULTIPLIER, _MASK = 0x5DEECE66D, (1 << 48) - 1

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK
        return self._seed >> (48 - bits)

    def next_int(self, bound: int) -> int:
        """A uniform int in [0, bound), exactly as Random.nextInt(int bound)."""
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m <= INT32_MAX:   # Java's int overflow check
                return r
            u = self._next(31)


# ---------------------------------------------------------------- States.Format templates

class FormatTemplate:
    """A States.Format template split at its `{}` placeholders."""

    __slots__ = ("pieces", "count", "error")

    def __init__(self, text: str) -> None:
        pieces: list[str] = []
        current: list[str] = []
        self.error: str | None = None
        pos, size = 0, len(text)
        while pos < size:
            char = text[pos]
            if char == "\\" and pos + 1 < size and text[pos + 1] in "'{}\\":
                current.append(text[pos + 1])   # an escaped brace is text, not a placeholder
                pos += 2
                continue
            if char == "{":
                if pos + 1 < size and text[pos + 1] == "}":
                    pieces.append("".join(current))
                    current = []
                    pos += 2
                    continue
                self.error = f"the template has a '{{' without a matching '}}' at position {pos + 1}"
            elif char == "}":
                self.error = f"the template has a '}}' without a matching '{{' at position {pos + 1}"
            current.append(char)
            pos += 1
            if self.error:
                break
        pieces.append("".join(current))
        self.pieces = pieces
        self.count = len(pieces) - 1

    def render(self, values: tuple) -> str:
        """The template with each `{}` replaced by the next value, rendered as Java does."""
        if self.error:
            raise ValueError(self.error)
        if len(values) != self.count:
            raise ValueError(f"the number of arguments ({len(values)}) does not match the "
                             f"occurrences of {{}} in the template ({self.count})")
        pieces = self.pieces
        out = [pieces[0]]
        for index, value in enumerate(values):
            out.append(value if type(value) is str else java_str(value))
            out.append(pieces[index + 1])
        return "".join(out)


_TEMPLATES: dict[str, FormatTemplate] = {}


def format_template(text: str) -> FormatTemplate:
    """The compiled template for a template string (cached; templates from paths repeat)."""
    template = _TEMPLATES.get(text)
    if template is None:
        if len(_TEMPLATES) > 256:
            _TEMPLATES.clear()
        template = _TEMPLATES[text] = FormatTemplate(text)
    return template


# ---------------------------------------------------------------- implementations

def format_values(template: str | FormatTemplate, *values: Any) -> str:
    """States.Format: the template with each `{}` replaced by the next value."""
    if type(template) is not FormatTemplate:
        template = format_template(template)  # type: ignore[arg-type]
    return template.render(values)  # type: ignore[union-attr]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# json.loads(text, parse_constant=..., parse_float=...) builds a decoder per call: one will do.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=deepjson.finite_float)


def string_to_json(text: str) -> Any:
    """States.StringToJson: the JSON value a string holds (null for a blank string)."""
    if not text.strip():
        return None   # AWS returns null for an empty (or blank) string
    try:
        if text.startswith("\ufeff"):  # what json.loads checks before decoding
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
    except ValueError as exc:
        raise ValueError(f"the string is not valid JSON: {exc}") from None


# AWS writes compact JSON, key order kept, non-ASCII characters unescaped.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _c_encoder() -> Any:
    """_COMPACT's C encoder, made once (encode() makes one per call); None without the C module."""
    from json.encoder import c_make_encoder, encode_basestring

    if c_make_encoder is None:  # pragma: no cover - CPython always has _json
        return None
    # No circular-reference markers: JSON values cannot hold cycles, and a shared markers dict
    # would keep stale entries after a failure.
    return c_make_encoder(None, _COMPACT.default, encode_basestring, None, _COMPACT.key_separator,
                          _COMPACT.item_separator, False, False, False)


_ENCODE = _c_encoder()


def json_to_string(value: Any) -> str:
    """States.JsonToString: a value as compact JSON text."""
    if _ENCODE is None:  # pragma: no cover
        return _COMPACT.encode(value)
    return "".join(_ENCODE(value, 0))


def array(*values: Any) -> list:
    """States.Array: the arguments as an array."""
    return list(values)


def array_partition(array: list, size: int | float) -> list:
    """States.ArrayPartition: the array cut into chunks of at most size items."""
    chunk = _truncate(size)
    if chunk <= 0:
        raise ValueError(f"the chunk size must be a positive integer, got {java_str(size)}")
    return [array[i:i + chunk] for i in range(0, len(array), chunk)]


def array_contains(array: list, wanted: Any) -> bool:
    """States.ArrayContains: whether the array holds the value."""
    # AWS compares items as Java renders them, so true matches "true" and key order matters.
    kind = type(wanted)
    scalar = kind is int or kind is str or kind is float or kind is bool or wanted is None
    text = None
    for item in array:
        if type(item) is kind and scalar:
            if item == wanted:
                return True
            continue
        if text is None:
            text = java_str(wanted)
        if java_str(item) == text:
            return True
    return False


def array_range(start: int | float, end: int | float, step: int | float) -> list:
    """States.ArrayRange: the integers from start to end (inclusive) by step."""
    first, last, by = _truncate(start), _truncate(end), _truncate(step)
    if by == 0:
        raise ValueError("the step must not be 0")
    if by > 0:
        count = (last - first) // by + 1 if last >= first else 0
    else:
        count = (first - last) // -by + 1 if first >= last else 0
    if count > MAX_RANGE_ITEMS:
        raise ValueError(f"the range would have {count} items; at most {MAX_RANGE_ITEMS} are allowed")
    return list(range(first, first + count * by, by)) if count else []


def array_get_item(array: list, index: int | float) -> Any:
    """States.ArrayGetItem: the item at index."""
    position = _truncate(index)
    if position < 0:
        raise ValueError(f"the index must not be negative, got {position}")
    if position >= len(array):
        if not array:
            return None   # AWS returns null for any index into an empty array
        raise ValueError(f"the index {position} is out of bounds for an array of length {len(array)}")
    return array[position]


def array_length(array: list) -> int:
    """States.ArrayLength: how many items the array has."""
    return len(array)


def array_unique(array: list) -> list:
    """States.ArrayUnique: the distinct items, in the order AWS's HashSet gives them."""
    # AWS returns the items of a java.util.HashSet built from the list: duplicates (by Java
    # equality) dropped, then the hash-bucket order of a table sized for the list.
    capacity = 16
    wanted = int(len(array) / 0.75) + 1
    while capacity < wanted:
        capacity <<= 1
    mask = capacity - 1
    if all(type(item) is int and 0 <= item <= INT32_MAX for item in array):
        # The common case, Integers at or above zero: each its own key and its own hashCode().
        return sorted(dict.fromkeys(array), key=lambda h: (h ^ (h >> 16)) & mask)
    seen: set = set()
    distinct = []
    for item in array:
        key = _java_key(item)
        if key not in seen:
            seen.add(key)
            distinct.append(item)

    def bucket(item: Any) -> int:
        h = _java_hash(item)
        return (h ^ (h >> 16)) & mask

    return sorted(distinct, key=bucket)


def _text_length(text: str) -> int:
    """Java's String.length(): UTF-16 code units."""
    size = len(text)
    if size * 2 <= MAX_TEXT_LENGTH:
        return size
    return size + sum(1 for char in text if ord(char) > 0xFFFF)


def _check_length(text: str, what: str) -> None:
    size = _text_length(text)
    if size > MAX_TEXT_LENGTH:
        raise ValueError(f"the {what} has {size} characters; at most {MAX_TEXT_LENGTH} are allowed")


def base64_encode(text: str) -> str:
    """States.Base64Encode: the UTF-8 bytes of text in base64."""
    import base64

    _check_length(text, "input string")
    return base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")


_B64_VALUES = {char: index for index, char in
               enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_B64_VALUES.update({"-": 62, "_": 63})


def base64_decode(text: str) -> str:
    """States.Base64Decode: base64 text decoded to a UTF-8 string."""
    import base64

    _check_length(text, "input string")
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError:
        data = _lenient_base64(text)
    return data.decode("utf-8", "replace")


def _lenient_base64(text: str) -> bytes:
    """Decode as AWS does: characters outside the alphabet skipped, stop at padding."""
    out = bytearray()
    acc = bits = 0
    for char in text:
        if char == "=":
            break
        value = _B64_VALUES.get(char)
        if value is None:
            continue
        acc = (acc << 6) | value
        bits += 6
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)


# AWS's algorithm names -> hashlib constructor names.
_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def hash_text(data: Any, algorithm: str) -> str:
    """States.Hash: the hex digest of the data (as text) by the named algorithm."""
    text = data if type(data) is str else java_str(data)  # AWS hashes other values as text
    _check_length(text, "input data")
    digest = _HASHES.get(algorithm)
    if digest is None:
        raise ValueError(f"the algorithm must be one of {', '.join(_HASHES)}, got '{algorithm}'")
    import hashlib

    return getattr(hashlib, digest)(text.encode("utf-8", "replace")).hexdigest()


def json_merge(first: dict, second: dict, deep: bool) -> dict:
    """States.JsonMerge: a shallow merge, the second object's members winning."""
    # The table lets only `false` through as the deep merge flag.
    merged = dict(first)
    merged.update(second)
    return merged


_NO_SEED = object()


def _int32(value: int, what: str) -> int:
    if not INT32_MIN <= value <= INT32_MAX:
        raise ValueError(f"the {what} {value} is outside the 32-bit integer range")
    return value


def math_random(start: int | float, end: int | float, seed: Any = _NO_SEED) -> int:
    """States.MathRandom: an integer in [start, end), like java.util.Random when seeded."""
    low = _int32(_truncate(start), "start")
    high = _int32(_truncate(end), "end")
    if low >= high:
        raise ValueError(f"the start ({low}) must be less than the end ({high})")
    bound = high - low
    if bound > INT32_MAX:
        raise ValueError(f"the range from {low} to {high} is too large")
    if seed is _NO_SEED:
        import random

        return random.randrange(low, high)
    return _JavaRandom(_truncate(seed)).next_int(bound) + low


def math_add(first: int | float, second: int | float) -> int:
    """States.MathAdd: the sum of the two values, each rounded as Java's Math.round."""
    total = _int32(java_round(first), "first value") + _int32(java_round(second), "second value")
    return _int32(total, "sum")


_SPLITTERS: dict[str, re.Pattern] = {}


def string_split(text: str, delimiters: str) -> list[str]:
    """States.StringSplit: text split at any of the delimiter characters."""
    # Like java.util.StringTokenizer: every character of the delimiter splits; no empty tokens.
    if len(delimiters) == 1:
        return [token for token in text.split(delimiters) if token]
    if not delimiters:
        return [text] if text else []
    splitter = _SPLITTERS.get(delimiters)
    if splitter is None:
        if len(_SPLITTERS) > 256:
            _SPLITTERS.clear()
        splitter = _SPLITTERS[delimiters] = re.compile("[" + re.escape(delimiters) + "]+")
    return [token for token in splitter.split(text) if token]


def uuid4() -> str:
    """States.UUID: a random version 4 UUID, as str(uuid.uuid4()) writes it."""
    import os

    # uuid.UUID's own steps without its object: 16 random bytes, the version and variant bits.
    value = int.from_bytes(os.urandom(16), "big")
    value = (value & ~(0xF000 << 64) | (4 << 76)) & ~(0xC000 << 48) | (0x8000 << 48)
    text = "%032x" % value
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
