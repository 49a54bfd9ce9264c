"""The 18 intrinsic functions: signatures declared as data, implementations as plain functions.

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
from dataclasses import dataclass, field
from typing import Any, Callable

MAX_NESTING = 10
MAX_RANGE_ITEMS = 1000
MAX_TEXT_LENGTH = 10_000  # Base64Encode / Base64Decode / Hash input, in characters
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# JSON type tags a parameter may accept, and the Python types behind them (bool is not a number).
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "number": (int, float), "boolean": (bool,),
    "null": (type(None),), "array": (list,), "object": (dict,),
}
_ARTICLE = {"string": "a string", "number": "a number", "boolean": "a boolean", "null": "null",
            "array": "an array", "object": "an object"}


def json_type(value: Any) -> str:
    """The JSON type tag of a Python value ("string", "number", ...)."""
    kind = type(value)
    if kind is str:
        return "string"
    if kind is bool:
        return "boolean"
    if kind is int or kind is float:
        return "number"
    if kind is list:
        return "array"
    if kind is dict:
        return "object"
    return "null" if value is None else kind.__name__


@dataclass(frozen=True)
class Param:
    """One parameter: its name for messages and the JSON types it accepts (None: any value)."""

    name: str
    types: tuple[str, ...] | None = None
    py_types: frozenset | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        py = None if self.types is None else frozenset(t for tag in self.types for t in _PY_TYPES[tag])
        object.__setattr__(self, "py_types", py)

    def mismatch(self, value: Any) -> str | None:
        """Why value cannot be this parameter's argument, or None."""
        if self.py_types is None or type(value) in self.py_types:
            return None
        wanted = " or ".join(_ARTICLE[tag] for tag in self.types or ())
        return f"the {self.name} must be {wanted}, got {_ARTICLE.get(json_type(value), json_type(value))}"


@dataclass(frozen=True)
class FunctionSpec:
    """A function's signature and implementation: params, optional trailing ones, variadic rest."""

    name: str
    impl: Callable[..., Any]
    params: tuple[Param, ...] = ()
    optional: int = 0              # how many trailing params may be left out
    rest: Param | None = None      # a variadic tail (States.Array, States.Format)
    pure: bool = True              # same arguments, same result: constant calls fold at parse time
    literal_check: Callable[[int, Any], str | None] | None = None  # value rules checkable on literals

    @property
    def min_args(self) -> int:
        return len(self.params) - self.optional

    @property
    def max_args(self) -> int | None:
        return None if self.rest is not None else len(self.params)

    def arity_error(self, count: int) -> str | None:
        """Why count arguments do not fit this function, or None."""
        low, high = self.min_args, self.max_args
        if low <= count and (high is None or count <= high):
            return None
        if high is None:
            wanted = f"at least {low} argument{'s' if low != 1 else ''}"
        elif low == high:
            wanted = f"{low} argument{'s' if low != 1 else ''}" if low else "no arguments"
        else:
            wanted = f"{low} to {high} arguments"
        return f"{self.name} takes {wanted}, got {count}"

    def param(self, index: int) -> Param:
        """The parameter at a 0-based argument position."""
        return self.params[index] if index < len(self.params) else self.rest  # type: ignore[return-value]


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

def _format(template: str | FormatTemplate, *values: Any) -> str:
    if type(template) is not FormatTemplate:
        template = format_template(template)  # type: ignore[arg-type]
    return template.render(values)  # type: ignore[union-attr]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text} is out of range")
    return value


def _string_to_json(text: str) -> Any:
    if not text.strip():
        return None   # AWS returns null for an empty (or blank) string
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except ValueError as exc:
        raise ValueError(f"the string is not valid JSON: {exc}") from None


# AWS writes compact JSON, key order kept, non-ASCII characters unescaped.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _json_to_string(value: Any) -> str:
    return _COMPACT.encode(value)


def _array(*values: Any) -> list:
    return list(values)


def _array_partition(array: list, size: int | float) -> list:
    chunk = _truncate(size)
    if chunk <= 0:
        raise ValueError(f"the chunk size must be a positive integer, got {java_str(size)}")
    return [array[i:i + chunk] for i in range(0, len(array), chunk)]


def _array_contains(array: list, wanted: Any) -> bool:
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


def _array_range(start: int | float, end: int | float, step: int | float) -> list:
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


def _array_get_item(array: list, index: int | float) -> Any:
    position = _truncate(index)
    if position < 0:
        raise ValueError(f"the index must not be negative, got {position}")
    if position >= len(array):
        if not array:
            return None   # AWS returns null for any index into an empty array
        raise ValueError(f"the index {position} is out of bounds for an array of length {len(array)}")
    return array[position]


def _array_length(array: list) -> int:
    return len(array)


def _array_unique(array: list) -> list:
    # AWS returns the items of a java.util.HashSet built from the list: duplicates (by Java
    # equality) dropped, then the hash-bucket order of a table sized for the list.
    seen: set = set()
    distinct = []
    for item in array:
        key = _java_key(item)
        if key not in seen:
            seen.add(key)
            distinct.append(item)
    capacity = 16
    wanted = int(len(array) / 0.75) + 1
    while capacity < wanted:
        capacity <<= 1
    mask = capacity - 1

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


def _base64_encode(text: str) -> str:
    import base64

    _check_length(text, "input string")
    return base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")


_B64_VALUES = {char: index for index, char in
               enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_B64_VALUES.update({"-": 62, "_": 63})


def _base64_decode(text: str) -> str:
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


def _hash(data: Any, algorithm: str) -> str:
    text = data if type(data) is str else java_str(data)  # AWS hashes other values as text
    _check_length(text, "input data")
    digest = _HASHES.get(algorithm)
    if digest is None:
        raise ValueError(f"the algorithm must be one of {', '.join(_HASHES)}, got '{algorithm}'")
    import hashlib

    return getattr(hashlib, digest)(text.encode("utf-8", "replace")).hexdigest()


def _json_merge(first: dict, second: dict, deep: Any) -> dict:
    if deep is True:
        raise ValueError(_DEEP_MERGE)
    merged = dict(first)
    merged.update(second)
    return merged


_DEEP_MERGE = "only shallow merging is supported: the third argument must be false"


def _json_merge_literal(index: int, value: Any) -> str | None:
    return _DEEP_MERGE if index == 2 and value is True else None


_NO_SEED = object()


def _int32(value: int, what: str) -> int:
    if not INT32_MIN <= value <= INT32_MAX:
        raise ValueError(f"the {what} {value} is outside the 32-bit integer range")
    return value


def _math_random(start: int | float, end: int | float, seed: Any = _NO_SEED) -> int:
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


def _math_add(first: int | float, second: int | float) -> int:
    total = _int32(java_round(first), "first value") + _int32(java_round(second), "second value")
    return _int32(total, "sum")


_SPLITTERS: dict[str, re.Pattern] = {}


def _string_split(text: str, delimiters: str) -> list[str]:
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


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


# ---------------------------------------------------------------- the registry

_STRING, _NUMBER, _ARRAY, _OBJECT = ("string",), ("number",), ("array",), ("object",)
_NOT_NULL = ("string", "number", "boolean", "array", "object")

FUNCTIONS: dict[str, FunctionSpec] = {spec.name: spec for spec in (
    FunctionSpec("States.Format", _format, (Param("template", _STRING),), rest=Param("value")),
    FunctionSpec("States.StringToJson", _string_to_json, (Param("JSON string", _STRING),)),
    FunctionSpec("States.JsonToString", _json_to_string, (Param("value"),)),
    FunctionSpec("States.Array", _array, rest=Param("value")),
    FunctionSpec("States.ArrayPartition", _array_partition,
                 (Param("array", _ARRAY), Param("chunk size", _NUMBER))),
    FunctionSpec("States.ArrayContains", _array_contains, (Param("array", _ARRAY), Param("value"))),
    FunctionSpec("States.ArrayRange", _array_range,
                 (Param("start", _NUMBER), Param("end", _NUMBER), Param("step", _NUMBER))),
    FunctionSpec("States.ArrayGetItem", _array_get_item, (Param("array", _ARRAY), Param("index", _NUMBER))),
    FunctionSpec("States.ArrayLength", _array_length, (Param("array", _ARRAY),)),
    FunctionSpec("States.ArrayUnique", _array_unique, (Param("array", _ARRAY),)),
    FunctionSpec("States.Base64Encode", _base64_encode, (Param("input", _STRING),)),
    FunctionSpec("States.Base64Decode", _base64_decode, (Param("input", _STRING),)),
    FunctionSpec("States.Hash", _hash, (Param("input data", _NOT_NULL), Param("algorithm", _STRING))),
    FunctionSpec("States.JsonMerge", _json_merge,
                 (Param("first object", _OBJECT), Param("second object", _OBJECT), Param("deep merge flag")),
                 literal_check=_json_merge_literal),
    FunctionSpec("States.MathRandom", _math_random,
                 (Param("start", _NUMBER), Param("end", _NUMBER), Param("seed", _NUMBER)),
                 optional=1, pure=False),
    FunctionSpec("States.MathAdd", _math_add,
                 (Param("first value", _NUMBER), Param("second value", _NUMBER))),
    FunctionSpec("States.StringSplit", _string_split,
                 (Param("input string", _STRING), Param("delimiter", _STRING))),
    FunctionSpec("States.UUID", _uuid, pure=False),
)}
