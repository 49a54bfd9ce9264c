"""Read JSON or YAML text into a document plus a SourceMap; syntax errors carry line:column."""

from __future__ import annotations

import datetime
import json
import math
import re
from typing import TYPE_CHECKING, Any, Callable

from . import deepjson
from .record import record
from .errors import Location, UserInputError
from .source import SourceMap, escape_pointer_token, json_positions, yaml_positions

if TYPE_CHECKING:  # annotations only: pathlib (with urllib.parse) is ~4 ms of `sfn validate`'s start
    from pathlib import Path

YAML_SUFFIXES = (".yaml", ".yml")


@record
class Document:
    """A parsed file: its data, where each part of it stands, and the file's name."""

    data: Any
    source_map: SourceMap
    file: str
    # The JSON parse saw no object repeat a member name: validation then never needs the source
    # map to look for duplicates (False: not known, the source map is asked).
    duplicate_free: bool = False


# A YAML alias may stand for a whole tree; past this many nodes reached through aliases the file
# is refused rather than expanded (a "billion laughs" document would otherwise never finish).
MAX_ALIASED_NODES = 100_000
# A lone UTF-16 surrogate escape (`"\ud800"`) decodes to a string no UTF-8 encoder accepts.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


# AWS's length limits (characters), checked before a file is read whole: CreateStateMachine's
# `definition` and StartExecution's `input`.
DEFINITION_LIMIT = 1_048_576
INPUT_LIMIT = 262_144


def read_text(path: str | Path, limit: int | None = None, member: str = "definition") -> str:
    """The text of a file, or a one-line UserInputError naming it.

    With `limit`, at most what could still be `limit` characters is read (4 UTF-8 bytes each), so a
    200 MB file is refused with AWS's length error without being read, let alone parsed.
    """
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read() if limit is None else handle.read(4 * limit + 1)
    except FileNotFoundError:
        raise UserInputError("no such file", Location(name)) from None
    except IsADirectoryError:
        raise UserInputError("is a directory, not a file", Location(name)) from None
    except MemoryError:
        raise UserInputError("too large to read", Location(name)) from None
    except OSError as exc:
        raise UserInputError(f"cannot read: {exc.strerror}", Location(name)) from None
    if limit is not None and len(data) > 4 * limit:
        raise too_long(member, limit, Location(name))
    text = decode_text(data, name)
    if limit is not None and len(text) > limit:
        raise too_long(member, limit, Location(name), len(text))
    return text


def too_long(member: str, limit: int, location: Location, size: int | None = None) -> UserInputError:
    """AWS's ValidationException for a request member over its length limit (and, when known, the size)."""
    known = f" (it is {size} characters)" if size is not None else " (it is larger still in bytes)"
    return UserInputError(f"ValidationException: 1 validation error detected: Value at '{member}' failed to "
                          f"satisfy constraint: Member must have length less than or equal to {limit}{known}",
                          location)


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 bytes as text, or a one-line UserInputError naming where they came from."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserInputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", Location(name)) from None


def load_file(path: str | Path) -> Document:
    """Load a JSON or YAML file (YAML by suffix; otherwise JSON, then YAML if JSON fails)."""
    name = str(path)
    return load_text(read_text(path), name)


def load_text(text: str, name: str = "<string>") -> Document:
    """Parse text as JSON, or as YAML when the name says so or the text is not JSON."""
    if name.endswith(YAML_SUFFIXES):
        return _load_yaml(text, name)
    try:
        return _load_json(text, name)
    except UserInputError:
        stripped = text.lstrip()
        if name.endswith(".json") or stripped.startswith(("{", "[")):
            raise
        return _load_yaml(text, name)


def _load_json(text: str, name: str) -> Document:
    watch = _Duplicates()
    data = parse_json_value(text, name, watch.hook)
    source_map = SourceMap(lambda: json_positions(text))
    return Document(data, source_map, name, not watch.found)


class _Duplicates:
    """An object_pairs_hook that builds each object as json does and notes a repeated member name."""

    def __init__(self) -> None:
        self.found = False

    def hook(self, pairs: list) -> dict:
        value = dict(pairs)  # as json builds it: the last value of a repeated name, at its first place
        if len(value) != len(pairs):
            self.found = True
        return value


def _no_constant(word: str) -> Any:
    # json accepts NaN / Infinity, which are not JSON and which AWS refuses.
    raise ValueError(f"{word} is not a JSON value")


def _load_yaml(text: str, name: str) -> Document:
    from . import plainyaml  # here: a JSON file never needs it

    plain = plainyaml.parse(text)
    if plain is not None:  # plain enough to need no PyYAML (plainyaml refuses repeated keys)
        data, values, keys = plain
        return Document(data, SourceMap(lambda: (values, keys, [])), name, True)
    import yaml

    try:
        return yaml_document(text, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        raise UserInputError(f"invalid YAML: {exc.problem or exc.context}", location) from None
    except yaml.YAMLError as exc:
        raise UserInputError(f"invalid YAML: {exc}", Location(name)) from None


def yaml_document(text: str, name: str, loader_class: Any = None) -> Document:
    """YAML text, loaded safely (SafeLoader or a subclass), as a Document of its JSON form.

    A yaml.YAMLError (not YAML) is the caller's to report; what JSON cannot hold is a UserInputError.
    """
    import yaml

    try:
        loader = _checked(loader_class or yaml.SafeLoader)(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        data = _JsonForm(name).convert(data)
    except RecursionError:
        raise UserInputError("invalid YAML: nested too deeply (or an alias refers to itself)",
                             Location(name)) from None
    except ValueError as exc:  # a scalar PyYAML cannot construct: an integer of over 4300 digits, ...
        raise UserInputError(f"invalid YAML: {value_error_text(exc)}", Location(name)) from None
    return Document(data, SourceMap(lambda: yaml_positions(node)), name)


_CHECKED: dict[Any, Any] = {}
_SCALARS = ("timestamp", "int", "float")


def _checked(loader_class: Any) -> Any:
    """The loader class with scalar constructors whose failures (an invalid `!!timestamp`, an integer
    of over 4300 digits) are YAML errors at the scalar's place, not exceptions from inside PyYAML."""
    checked = _CHECKED.get(loader_class)
    if checked is None:
        import yaml

        checked = type(f"Checked{loader_class.__name__}", (loader_class,), {})
        for kind in _SCALARS:
            tag = f"tag:yaml.org,2002:{kind}"
            checked.add_constructor(tag, _guarded(loader_class.yaml_constructors[tag], kind, yaml))
        _CHECKED[loader_class] = checked
    return checked


def _guarded(construct: Any, kind: str, yaml: Any) -> Any:
    def constructing(loader: Any, node: Any) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            why = value_error_text(exc) if isinstance(exc, ValueError) else f"not a valid {kind}"
            raise yaml.constructor.ConstructorError(None, None, f"{why} ({kind} {node.value[:40]!r})",
                                                    node.start_mark) from None
    return constructing


def value_error_text(exc: ValueError) -> str:
    """A ValueError from parsing as a phrase (Python's advice on digit limits left out)."""
    return "a number has more than 4300 digits" if "digits" in str(exc) else str(exc)


class _JsonForm:
    """What the JSON form of a YAML document holds: dates as text, keys as strings, and an error
    for what JSON has no form for (sets, binary, NaN, lone surrogates) or aliases past the limit."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: set[int] = set()
        self.aliased = 0  # nodes reached through a second reference to the same collection

    def convert(self, value: Any, shared: bool = False) -> Any:
        if isinstance(value, (dict, list)):
            if id(value) in self.seen:
                shared = True
            self.seen.add(id(value))
        if shared:
            self.aliased += 1
            if self.aliased > MAX_ALIASED_NODES:
                self._refuse(f"its aliases expand to more than {MAX_ALIASED_NODES} values")
        if isinstance(value, dict):
            return {self._key(k): self.convert(v, shared) for k, v in value.items()}
        if isinstance(value, list):
            return [self.convert(v, shared) for v in value]
        if isinstance(value, str):
            _check_text(value, self.name)
            return value
        if isinstance(value, float) and not math.isfinite(value):
            self._refuse(f"{value} is not a JSON number")
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat()
        if value is None or isinstance(value, (bool, int, float)):
            return value
        self._refuse(f"a YAML {type(value).__name__} has no JSON form")

    def _key(self, key: Any) -> str:
        if isinstance(key, str):
            _check_text(key, self.name)
            return key
        # What the JSON form would hold: null / true / 1.5 as JSON writes them.
        return json.dumps(key) if key is None or isinstance(key, (bool, int, float)) else str(key)

    def _refuse(self, why: str) -> None:
        raise UserInputError(f"invalid YAML: {why}", Location(self.name))


def _check_text(text: str, name: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UserInputError(f"invalid text: a lone UTF-16 surrogate (\\u{ord(text[exc.start]):04x}) is not "
                             "a character", Location(name)) from None


def parse_json_value(text: str, name: str, pairs_hook: Any = None,
                     parse_float: Callable[[str], float] = deepjson.finite_float) -> Any:
    """Parse a JSON value given in a file, on the command line or on stdin (objects through `pairs_hook` if given).

    parse_float: deepjson.finite_float, or a caller's function calling it (to learn of floats met)."""
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=parse_float,
                           object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"invalid JSON: {exc.msg}", Location(name, exc.lineno, exc.colno)) from None
    except RecursionError:
        raise UserInputError("invalid JSON: nested too deeply", Location(name)) from None
    except ValueError as exc:  # NaN / Infinity, a number past a double's range, an integer too long to convert
        raise UserInputError(f"invalid JSON: {value_error_text(exc)}", _out_of_range_at(text, name)) from None
    if _SURROGATE_ESCAPE.search(text):
        _check_strings(value, name)
    return value


def _out_of_range_at(text: str, name: str) -> Location:
    """Where the first number past a double's range is, when that is what json refused; else the file alone."""
    marker = object()

    def mark(number: str) -> Any:
        return marker if float(number) in (math.inf, -math.inf) else 0.0

    try:  # read again, the out-of-range numbers marked: anything else refused (NaN first) stays unplaced
        value = json.loads(text, parse_constant=_no_constant, parse_float=mark)
    except (ValueError, RecursionError):
        return Location(name)
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:  # depth first, members in the text's order
        pointer, item = stack.pop()
        if item is marker:
            place = SourceMap(lambda: json_positions(text)).value(pointer)
            return Location(name, place.line, place.column) if place is not None else Location(name)
        if isinstance(item, dict):
            stack.extend(reversed([(f"{pointer}/{escape_pointer_token(k)}", v) for k, v in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{pointer}/{i}", v) for i, v in enumerate(item)]))
    return Location(name)


def _check_strings(value: Any, name: str) -> None:
    """Every string (and key) of a parsed value encodes as UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _check_text(item, name)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
