"""JSONata fields of Step Functions: `{% expr %}` templates compiled once, evaluated many times.

A template is any JSON value from the definition; every string that is wholly `{% ... %}` (no
whitespace outside the delimiters) is a JSONata expression, everything else is a literal. Each
expression is evaluated with the reserved `$states` and the workflow variables bound, plus the
functions Step Functions adds ($partition, $range, $hash, $random, $uuid, $parse); `$eval` is
disabled as on AWS. Failures raise `QueryEvaluationError` (States.QueryEvaluationError) with
AWS's cause sentence, naming the expression and the field path ("Output/result", "Items[1]").

Results are plain JSON values (dict, list, str, int, float, bool, None), numbers as JavaScript
prints them (3, not 3.0). They may share structure with `$states` and the variables, and constant
parts of a template are returned as is, so callers must treat every value as immutable. An object
taken whole from `$states` or a variable (`{% $states.input %}`) is returned without a walk, so its
numbers are as the caller gave them.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
import random as _random
import re
import threading
import time
import uuid as _uuid
from typing import Any, Iterator, Mapping

from jsonata import Functions, Jsonata, JException
from jsonata.utils import Utils

from ..errors import SfnError, StateEvaluationError

STATES_QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
OPEN, CLOSE = "{%", "%}"

# AWS's evaluation bounds: depth 100 (deeper fails), and $range's element cap. The time bound is
# ours: AWS's is unknown, and an expression with no base case must not hang an execution.
MAX_DEPTH = 100
MAX_RANGE_ITEMS = 360_145
EVALUATION_TIMEOUT_SECONDS = 10.0

_NULL = Utils.NULL_VALUE        # jsonata-python's JSON null; Python None is JSONata's undefined
_MISSING = object()
_EMPTY: Mapping[str, Any] = {}


def is_expression(value: Any) -> bool:
    """Whether a definition value is a JSONata expression: a string that is wholly `{% ... %}`."""
    return (isinstance(value, str) and len(value) >= 4
            and value.startswith(OPEN) and value.endswith(CLOSE))


# ---------------------------------------------------------------- errors

class JsonataSyntaxError(SfnError):
    """An expression of the definition that does not parse (caught when the template compiles)."""

    def __init__(self, message: str, field: str, expression: str = "", code: str | None = None,
                 position: int | None = None) -> None:
        self.message = message
        self.field = field
        self.expression = expression
        self.code = code
        self.position = position
        super().__init__(f"The JSONata expression '{expression}' specified for the field '{field}' "
                         f"is invalid: {message}")


class QueryEvaluationError(StateEvaluationError):
    """States.QueryEvaluationError; `location` is the field path the EvaluationFailed event names."""

    def __init__(self, cause: str, location: str) -> None:
        super().__init__(cause, STATES_QUERY_EVALUATION_ERROR)
        self.location = location


class _Coded(JException):
    """An error of Step Functions' own functions, carrying AWS's code and sentence verbatim."""

    def __init__(self, code: str, sentence: str) -> None:
        RuntimeError.__init__(self, sentence)   # JException's own init formats from its catalog
        self.error, self.sentence = code, sentence
        self.location, self.current, self.expected, self.extra = -1, None, None, None
        self.type, self.remaining = None, None


class _BoundExceeded(JException):
    """An evaluation bound tripped. A JException, so jsonata's `and`/`or` re-raise it untouched;
    AWS writes these messages without a code, after a colon."""

    def __init__(self, message: str) -> None:
        super().__init__(message, -1)
        self.bound_message = message


_STACK_OVERFLOW = ("Stack overflow error: Check for non-terminating recursive function. "
                   "Consider rewriting as tail-recursive.")
_TIMEOUT = "Expression evaluation timeout: Check for infinite loop"
_MEMORY = "Expression evaluation memory limit exceeded: Check for excessive memory usage"

# jsonata-python's catalog is jsonata-js's with "function" replaced by "Object"; AWS prints the
# jsonata-js sentences, so the word is restored here once.
_CATALOG = {code: re.sub(r"\bObject\b", "function", text) for code, text in JException.error_codes.items()}
# A few library sites raise with the sentence in the code slot; jsonata-js gives these codes.
_CODE_OF_SENTENCE = {
    "Second argument of replace function cannot be an empty string": "D3010",
    "Fourth argument of replace function must evaluate to a positive number": "D3011",
}
# T0412 names the element type the signature wanted, as jsonata-js does.
_ARRAY_OF = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects",
             "s": "strings"}
_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")


def _js_json(value: Any) -> str:
    """JSON.stringify as jsonata-js inserts a `{{value}}` into a message (undefined stays bare)."""
    if value is None or _is_function(value):
        return "undefined"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    try:
        return json.dumps(_plain(value), separators=(",", ":"), ensure_ascii=False)
    except (_Unsupported, TypeError, ValueError):
        return str(value)


def _render(code: str, args: list[Any]) -> str:
    """A catalog sentence with its placeholders filled from the exception's values, in order."""
    template = _CATALOG[code]
    values = iter(args)

    def fill(match: re.Match) -> str:
        value = next(values, None)
        if match.group(1):          # {{{x}}}: inserted raw
            return "undefined" if value is None else str(value)
        return _js_json(value)

    return _PLACEHOLDER.sub(fill, template)


_CALLED_FUNCTION = re.compile(r"\$([A-Za-z_]\w*)\s*\($")


def _describe(err: JException, expression: str = "") -> tuple[str | None, str]:
    """(code, sentence) of a jsonata error, worded as jsonata-js (and so AWS) words it."""
    if isinstance(err, _Coded):
        return err.error, err.sentence
    code = err.error
    args = [err.current, err.expected, err.extra]
    if code in _CODE_OF_SENTENCE:
        return _CODE_OF_SENTENCE[code], code
    if code not in _CATALOG:
        return None, str(code)
    if code == "T0412":
        args[2] = _ARRAY_OF.get(err.extra, err.extra)
    elif code == "T0410" and not isinstance(err.current, int):
        # Raised inside a function without the argument index (a null argument, nearly always
        # the first); the function's name is the call the error position points into.
        name = err.current
        if name is None and isinstance(err.location, int) and err.location > 0:
            called = _CALLED_FUNCTION.search(expression[:err.location])
            name = called.group(1) if called else None
        args = [1, name]
    return code, _render(code, args)


def _subject(expression: str, field: str) -> str:
    return f"The JSONata expression '{expression}' specified for the field '{field}'"


def _error_cause(exc: BaseException, expression: str, field: str) -> str:
    subject = _subject(expression, field)
    if isinstance(exc, _BoundExceeded):
        return f"{subject} threw an error during evaluation: {exc.bound_message}"
    if isinstance(exc, RecursionError):
        return f"{subject} threw an error during evaluation: {_STACK_OVERFLOW}"
    if isinstance(exc, JException):
        code, sentence = _describe(exc, expression)
        if code is None:
            return f"{subject} threw an error during evaluation: {sentence}"
        return f"{subject} threw an error during evaluation. {code}: {sentence}"
    # A defect of the library rather than of the expression; AWS reports its own as "internal".
    return f"{subject} threw an internal error during evaluation. {type(exc).__name__}: {exc}"


# ---------------------------------------------------------------- values

class _Unsupported(Exception):
    """A result JSON cannot hold (a function, a regex)."""


def _is_function(value: Any) -> bool:
    return Utils.is_function(value) or Functions.is_lambda(value) or Functions.is_regex(value)


def _plain_float(value: float) -> Any:
    if value != value:
        return "NaN"                 # JSON has no non-finite numbers; AWS writes JavaScript's names
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and -1e21 < value < 1e21:
        return int(value)            # AWS prints 3, not 3.0 (JavaScript numbers)
    return value


def _plain(value: Any) -> Any:
    """The JSON value behind a jsonata result: sequences to lists, JSON null to None, integral
    floats to ints. Unchanged containers are returned as they are (no copy)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is float:
        return _plain_float(value)
    if value is None or value is _NULL:
        return None
    if kind is dict:
        copy = None
        for key, item in value.items():
            plain = _plain(item)
            if plain is not item:
                if copy is None:
                    copy = dict(value)
                copy[key] = plain
        return value if copy is None else copy
    if kind is list:
        copy = None
        for index, item in enumerate(value):
            plain = _plain(item)
            if plain is not item:
                if copy is None:
                    copy = list(value)
                copy[index] = plain
        return value if copy is None else copy
    if isinstance(value, Utils.RangeList):       # its __iter__ stops one short: index it
        return [value[i] for i in range(len(value))]
    if isinstance(value, list):                  # jsonata sequences (JList)
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (int, float)):          # numeric subclasses (not bool: handled above)
        return _plain_float(float(value)) if isinstance(value, float) else int(value)
    raise _Unsupported(type(value).__name__)


def _type_name(value: Any) -> str:
    """The JSON type name AWS uses in its messages ('null', 'boolean', 'number', ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------- Step Functions' functions

def _signature_error(function: str, index: int) -> JException:
    return _Coded("T0410", f'Argument {index} of function "{function}" does not match function signature')


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
        raise _Coded("T0412", 'Argument 1 of function "partition" must be an array of undefined')
    if not array:
        return None
    if size is None:
        return [list(array)]
    chunk = _towards_zero(size, "partition", 2)
    if chunk < 0:
        raise _Coded("D3137", "Second argument must be zero or greater")
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
        raise _BoundExceeded(_MEMORY)
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
        raise _Coded("D3137", f"Hash algorithm '{algorithm}' must be one of "
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
        raise _Coded("D3137", "Invalid JSON") from None
    return _NULL if value is None else value


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


_LIBRARY_TO_MILLIS = Jsonata.static_frame.lookup("toMillis")

_BASE = Jsonata.Frame(Jsonata.static_frame)
for _name, _function, _signature in (
        ("partition", _partition, "<x?x?x?:x>"),
        ("range", _range, "<x?x?x?x?:x>"),
        ("hash", _hash, "<x?x?x?:x>"),
        ("random", _random_fn, "<x?x?:n>"),
        ("uuid", _uuid_fn, "<x?:s>"),
        ("parse", _parse, "<x?x?:x>"),
        ("number", _number, "<(nsb)-:n>"),
        ("toMillis", _to_millis, "<s-s?:n>")):
    _BASE.bind(_name, Jsonata.JFunction(_Native(_function), _signature))
_BASE.bind("eval", None)        # AWS disables $eval: calling it is T1006, as there


# ---------------------------------------------------------------- evaluation machinery

class _Runner(Jsonata):
    """The per-thread evaluator jsonata routes every evaluation through, with two corrections."""

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        # JavaScript arithmetic: x/0 is ±Infinity and x%0 NaN (Python raises), and an overflow
        # is Infinity (jsonata-python raises D1001). A later operation on them fails as in JS.
        if _finite_number(lhs) and _finite_number(rhs):
            if rhs == 0 and op in ("/", "%"):
                return math.nan if op == "%" or lhs == 0 else math.copysign(math.inf, lhs) * math.copysign(1, rhs)
            try:
                return super().evaluate_numeric_expression(lhs, rhs, op)
            except JException as err:
                if err.error != "D1001" or op not in _ARITHMETIC:
                    raise
                return _ARITHMETIC[op](float(lhs), float(rhs))
        return super().evaluate_numeric_expression(lhs, rhs, op)

    def apply_inner(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        # The library prints "Proc not found" to stdout before raising T1006; raise it quietly.
        if not self.is_function_like(proc):
            raise JException("T1006", 0)
        return super().apply_inner(proc, args, input, environment)


_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _finite_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


_local = threading.local()


def _runner() -> _Runner:
    runner = getattr(_local, "runner", None)
    if runner is None:
        runner = _local.runner = _Runner("0")
    return runner


class _Bounds:
    """Depth and time bounds, called on every node jsonata enters and leaves."""

    __slots__ = ("depth", "deadline")

    def __init__(self) -> None:
        self.depth = 0
        self.deadline = 0.0

    def enter(self, expr: Any, input: Any, environment: Any) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _BoundExceeded(f"{_STACK_OVERFLOW} Depth={self.depth} max={MAX_DEPTH}")
        if time.monotonic() > self.deadline:
            raise _BoundExceeded(_TIMEOUT)

    def leave(self, expr: Any, input: Any, environment: Any, result: Any) -> None:
        self.depth -= 1


class _Scope(Jsonata.Frame):
    """The root frame of one template evaluation: `$states`, then the variables, then functions.

    Built once per evaluation in O(1): variables are read through, never copied into bindings.
    """

    def __init__(self, states: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
        self.bindings: dict[str, Any] = {}
        self.parent = _BASE
        self.is_parallel_call = False
        self.states = states
        self.variables = variables
        self.bounds: _Bounds | None = None
        self.millis = 0

    def arm(self) -> _Bounds:
        """The bounds and clock of a full jsonata evaluation, set up on the first one needing them
        (a template answered by plain lookups never pays for them)."""
        if self.bounds is None:
            self.bounds = bounds = _Bounds()
            self.bindings["__evaluate_entry"] = bounds.enter
            self.bindings["__evaluate_exit"] = bounds.leave
            self.millis = int(time.time() * 1000)
        return self.bounds

    def lookup(self, name: str) -> Any:
        value = self.bindings.get(name, _MISSING)
        if value is not _MISSING:
            return value
        if name == "states":
            return self.states
        value = self.variables.get(name, _MISSING)
        if value is not _MISSING:
            return _NULL if value is None else value
        return _BASE.lookup(name)


# ---------------------------------------------------------------- templates

class _Const:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def run(self, scope: _Scope, shared: bool) -> Any:
        return self.value


def _decorated(symbol: Any, plain: frozenset) -> bool:
    """Whether a parsed node carries anything beyond the given attributes (predicates, stages,
    grouping, focus / index bindings, keep-array flags, ...)."""
    return any(value not in (None, False, []) for key, value in vars(symbol).items() if key not in plain)


_PLAIN_PATH = frozenset({"_outer_instance", "type", "steps"})
_PLAIN_STEP = frozenset({"_outer_instance", "id", "position", "value", "type"})


def _simple_path(ast: Any) -> tuple[str, tuple[str, ...]] | None:
    """(variable, field names) when the expression is just `$var` or `$var.a.b`: the most common
    expressions, which a few dict lookups answer."""
    if ast.type == "variable":
        steps = [ast]
    elif ast.type == "path" and not _decorated(ast, _PLAIN_PATH):
        steps = ast.steps
    else:
        return None
    for index, step in enumerate(steps):
        if step.type != ("variable" if index == 0 else "name") or not isinstance(step.value, str) \
                or not step.value or _decorated(step, _PLAIN_STEP):
            return None
    return steps[0].value, tuple(step.value for step in steps[1:])


class _Expr:
    __slots__ = ("text", "field", "ast", "path")

    def __init__(self, text: str, field: str, ast: Any) -> None:
        self.text = text
        self.field = field
        self.ast = ast
        self.path = _simple_path(ast)

    def run(self, scope: _Scope, shared: bool) -> Any:
        if self.path is not None:
            # Plain dict lookups for `$var.a.b`; anything unusual (an array on the way, a missing
            # key, a function) takes the full evaluation below, which then decides.
            variable, names = self.path
            value = scope.lookup(variable)
            for name in names:
                if type(value) is not dict:
                    break
                value = value.get(name, _MISSING)
                if value is None:
                    value = _NULL
            else:
                kind = type(value)
                if kind is dict or kind is list:
                    # Taken whole from $states or a variable (jsonata too returns that very
                    # object, a last-step array included): JSON already, so no walk.
                    return value
                if value is not None and value is not _MISSING and not _is_function(value):
                    return _plain(value)
        # A template with several expressions gives each its own frame, so `$x := ...` in one
        # field does not leak into its siblings.
        bounds = scope.arm()
        frame = Jsonata.Frame(scope) if shared else scope
        runner = _runner()
        Jsonata.CURRENT.jsonata = runner     # jsonata evaluates through the thread's current one
        runner.timestamp = scope.millis      # $now() / $millis() of this evaluation
        bounds.depth = 0
        bounds.deadline = time.monotonic() + EVALUATION_TIMEOUT_SECONDS
        try:
            result = runner.eval(self.ast, None, frame)
        except Exception as exc:  # every failure of an expression is a QueryEvaluationError
            raise QueryEvaluationError(_error_cause(exc, self.text, self.field), self.field) from None
        if result is None:
            raise QueryEvaluationError(f"{_subject(self.text, self.field)} returned nothing (undefined).",
                                       self.field)
        try:
            return _plain(result)
        except _Unsupported:
            raise QueryEvaluationError(f"{_subject(self.text, self.field)} returned an unsupported "
                                       "result type.", self.field) from None


class _Object:
    __slots__ = ("items",)

    def __init__(self, items: tuple) -> None:
        self.items = items

    def run(self, scope: _Scope, shared: bool) -> Any:
        return {key: node.run(scope, shared) for key, node in self.items}


class _Array:
    __slots__ = ("nodes",)

    def __init__(self, nodes: tuple) -> None:
        self.nodes = nodes

    def run(self, scope: _Scope, shared: bool) -> Any:
        return [node.run(scope, shared) for node in self.nodes]


def _parse_expression(text: str, field: str) -> Any:
    try:
        return _runner_parse(text)
    except JException as err:
        code, sentence = _describe(err)
        raise JsonataSyntaxError(sentence, field, text, code, err.location) from None
    except Exception as err:  # the library's parser raises a few plain errors (bad signatures)
        raise JsonataSyntaxError(str(err), field, text) from None


def _runner_parse(text: str) -> Any:
    saved = getattr(Jsonata.CURRENT, "jsonata", None)
    try:
        return Jsonata(text).ast
    finally:
        if saved is not None:             # constructing one makes it the thread's current one
            Jsonata.CURRENT.jsonata = saved


def _compile(value: Any, field: str, found: list) -> Any:
    if isinstance(value, str):
        if not is_expression(value):
            return _Const(value)
        text = value[2:-2].strip()
        node = _Expr(text, field, _parse_expression(text, field))
        found.append(node)
        return node
    if isinstance(value, dict):
        items = tuple((key, _compile(item, f"{field}/{key}", found)) for key, item in value.items())
        if all(isinstance(node, _Const) for _, node in items):
            return _Const(value)
        return _Object(items)
    if isinstance(value, list):
        nodes = tuple(_compile(item, f"{field}[{i}]", found) for i, item in enumerate(value))
        if all(isinstance(node, _Const) for node in nodes):
            return _Const(value)
        return _Array(nodes)
    return _Const(value)


class JsonataField:
    """One field of a JSONata state (Output, Arguments, Assign, Items, Condition, ...), compiled."""

    __slots__ = ("field", "value", "_root", "_shared", "_expressions")

    def __init__(self, value: Any, field: str) -> None:
        found: list[_Expr] = []
        self.field = field
        self.value = value
        self._root = _compile(value, field, found)
        self._shared = len(found) > 1
        self._expressions = tuple(found)

    @property
    def is_constant(self) -> bool:
        """Whether the field holds no expression (evaluate returns the literal itself)."""
        return not self._expressions

    @property
    def expressions(self) -> tuple[tuple[str, str], ...]:
        """(field path, expression text) of every expression, in definition order."""
        return tuple((node.field, node.text) for node in self._expressions)

    @property
    def text(self) -> str:
        """The expression text when the whole field is one expression, else the literal as JSON."""
        if isinstance(self._root, _Expr):
            return self._root.text
        return _compact(self.value)

    def evaluate(self, states: Mapping[str, Any], variables: Mapping[str, Any] = _EMPTY) -> Any:
        """The field's value with `$states` and the workflow variables bound."""
        root = self._root
        if type(root) is _Const:
            return root.value
        return root.run(_Scope(states, variables), self._shared)

    def __repr__(self) -> str:
        return f"JsonataField({self.field!r}, {self.value!r})"


def compile_template(value: Any, field: str = "Output") -> JsonataField:
    """Compile every `{% %}` expression inside a definition value once; raises JsonataSyntaxError."""
    return JsonataField(value, field)


# ---------------------------------------------------------------- typed fields

def _unexpected_type(tmpl: JsonataField, field: str, expected: str, value: Any) -> QueryEvaluationError:
    return QueryEvaluationError(
        f"{_subject(tmpl.text, field)} returned an unexpected result type. Expected '{expected}', "
        f"but was '{_type_name(value)}' for value: {_compact(value)}", field)


def _evaluated(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any],
               field: str | None) -> tuple[JsonataField, str, Any]:
    if not isinstance(tmpl, JsonataField):
        tmpl = compile_template(tmpl, field or "Value")
    return tmpl, field or tmpl.field, tmpl.evaluate(states, variables)


def evaluate_condition(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = _EMPTY,
                       field: str | None = None) -> bool:
    """A Choice rule's `Condition`: the expression must return a boolean."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if not isinstance(value, bool):
        raise _unexpected_type(tmpl, field, "boolean", value)
    return value


def evaluate_array(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = _EMPTY,
                   field: str | None = None) -> list:
    """A field that must be an array (Map `Items`)."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if not isinstance(value, list):
        raise _unexpected_type(tmpl, field, "array", value)
    return value


def evaluate_string(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = _EMPTY,
                    field: str | None = None) -> str:
    """A field that must be a string (Fail `Error` / `Cause`, Wait `Timestamp`)."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if not isinstance(value, str):
        raise _unexpected_type(tmpl, field, "string", value)
    return value


def evaluate_number(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = _EMPTY,
                    field: str | None = None, *, minimum: float | None = None,
                    maximum: float | None = None) -> int | float:
    """A numeric field (ToleratedFailurePercentage), optionally within [minimum, maximum]."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _unexpected_type(tmpl, field, "number", value)
    _check_range(tmpl, field, value, minimum, maximum)
    return value


def evaluate_int(tmpl: Any, states: Mapping[str, Any], variables: Mapping[str, Any] = _EMPTY,
                 field: str | None = None, *, minimum: int | None = 0,
                 maximum: int | None = None) -> int:
    """An integer field (Seconds, TimeoutSeconds, MaxConcurrency, ...), by default non-negative."""
    tmpl, field, value = _evaluated(tmpl, states, variables, field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _unexpected_type(tmpl, field, "integer", value)
    _check_range(tmpl, field, value, minimum, maximum)
    return value


def _check_range(tmpl: JsonataField, field: str, value: float, minimum: float | None,
                 maximum: float | None) -> None:
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = (f"between {minimum} and {maximum}" if minimum is not None and maximum is not None
                  else f"at least {minimum}" if minimum is not None else f"at most {maximum}")
        raise QueryEvaluationError(
            f"{_subject(tmpl.text, field)} returned an unexpected value. Expected a value {bounds}, "
            f"but was: {_compact(value)}", field)


def iter_expressions(value: Any) -> Iterator[str]:
    """The inner text of every `{% %}` string inside a definition value (for validation)."""
    if is_expression(value):
        yield value[2:-2].strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_expressions(item)
