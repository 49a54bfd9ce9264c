"""The one table of intrinsic functions: each signature declared as data, bound to its implementation.

The interpreter and `sfn validate` both read it through the parser, so a call is accepted by
validation exactly when it compiles for execution. A parameter names the JSON types it accepts
(None: any) and, where AWS allows only some values, which; `returns` is the result's JSON type
("any" when it depends on the arguments).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Callable

from ...record import record
from . import functions as fn

MAX_NESTING = 10

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


@record(frozen=True)
class Param:
    """One parameter: its name for messages, the JSON types it accepts and the values AWS allows."""

    name: str
    types: tuple[str, ...] | None = None   # None: any value
    allowed: tuple | None = None           # None: any value of those types
    why: str = ""                          # why only the allowed values are
    py_types: frozenset | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        py = None if self.types is None else frozenset(t for tag in self.types for t in _PY_TYPES[tag])
        object.__setattr__(self, "py_types", py)

    def mismatch(self, value: Any) -> str | None:
        """Why value cannot be this parameter's argument, or None."""
        if self.py_types is not None and type(value) not in self.py_types:
            wanted = " or ".join(_ARTICLE[tag] for tag in self.types or ())
            return f"the {self.name} must be {wanted}, got {_ARTICLE.get(json_type(value), json_type(value))}"
        if self.allowed is not None and value not in self.allowed:
            wanted = " or ".join(fn.json_to_string(item) for item in self.allowed)
            return f"the {self.name} must be {wanted}" + (f": {self.why}" if self.why else "")
        return None


@record(frozen=True)
class FunctionSpec:
    """A function's signature and implementation: params, optional trailing ones, variadic rest."""

    name: str
    impl: Callable[..., Any]
    params: tuple[Param, ...] = ()
    returns: str = "any"           # the result's JSON type tag
    optional: int = 0              # how many trailing params may be left out
    rest: Param | None = None      # a variadic tail (States.Array, States.Format)
    pure: bool = True              # same arguments, same result: constant calls fold at parse time

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


_STRING, _NUMBER, _BOOLEAN, _ARRAY, _OBJECT = ("string",), ("number",), ("boolean",), ("array",), ("object",)
_NOT_NULL = ("string", "number", "boolean", "array", "object")

FUNCTIONS: dict[str, FunctionSpec] = {spec.name: spec for spec in (
    FunctionSpec("States.Format", fn.format_values, (Param("template", _STRING),), "string",
                 rest=Param("value")),
    FunctionSpec("States.StringToJson", fn.string_to_json, (Param("JSON string", _STRING),), "any"),
    FunctionSpec("States.JsonToString", fn.json_to_string, (Param("value"),), "string"),
    FunctionSpec("States.Array", fn.array, (), "array", rest=Param("value")),
    FunctionSpec("States.ArrayPartition", fn.array_partition,
                 (Param("array", _ARRAY), Param("chunk size", _NUMBER)), "array"),
    FunctionSpec("States.ArrayContains", fn.array_contains, (Param("array", _ARRAY), Param("value")), "boolean"),
    FunctionSpec("States.ArrayRange", fn.array_range,
                 (Param("start", _NUMBER), Param("end", _NUMBER), Param("step", _NUMBER)), "array"),
    FunctionSpec("States.ArrayGetItem", fn.array_get_item,
                 (Param("array", _ARRAY), Param("index", _NUMBER)), "any"),
    FunctionSpec("States.ArrayLength", fn.array_length, (Param("array", _ARRAY),), "number"),
    FunctionSpec("States.ArrayUnique", fn.array_unique, (Param("array", _ARRAY),), "array"),
    FunctionSpec("States.Base64Encode", fn.base64_encode, (Param("input", _STRING),), "string"),
    FunctionSpec("States.Base64Decode", fn.base64_decode, (Param("input", _STRING),), "string"),
    FunctionSpec("States.Hash", fn.hash_text,
                 (Param("input data", _NOT_NULL), Param("algorithm", _STRING)), "string"),
    # The guide: "The third argument is a boolean value of false"; AWS merges shallowly only.
    FunctionSpec("States.JsonMerge", fn.json_merge,
                 (Param("first object", _OBJECT), Param("second object", _OBJECT),
                  Param("deep merge flag", _BOOLEAN, (False,), "only shallow merging is supported")), "object"),
    FunctionSpec("States.MathRandom", fn.math_random,
                 (Param("start", _NUMBER), Param("end", _NUMBER), Param("seed", _NUMBER)), "number",
                 optional=1, pure=False),
    FunctionSpec("States.MathAdd", fn.math_add,
                 (Param("first value", _NUMBER), Param("second value", _NUMBER)), "number"),
    FunctionSpec("States.StringSplit", fn.string_split,
                 (Param("input string", _STRING), Param("delimiter", _STRING)), "array"),
    FunctionSpec("States.UUID", fn.uuid4, (), "string", pure=False),
)}
