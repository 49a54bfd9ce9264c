"""Payload templates of JSONPath states (Parameters, ResultSelector, ItemSelector, Assign).

A template is compiled once into a tree whose leaves are constants, paths or intrinsic calls;
keys ending in `.$` are evaluated, everything else is copied. Constant subtrees are shared, so
callers must treat results as immutable (the interpreter never mutates a value in place).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from ..errors import StateEvaluationError
from .jsonpath import Path, PathNotFound, PathSyntaxError, compile_path

# A resolver gives the value a path selects; the interpreter builds one per state evaluation.
Resolver = Callable[[Path], Any]


def compact_json(value: Any) -> str:
    """JSON text as AWS prints values inside messages and events: no spaces."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# A compiled node's `run` is a closure fn(resolve, doc) -> value: `$` paths read doc directly, `$$`
# and variable paths go to resolve(path). Evaluation is one call per node, with no dispatch on
# node kinds; the node objects stay as data for static checks (an HTTP Task's constant endpoint).
Run = Callable[[Resolver, Any], Any]


class _Const:
    __slots__ = ("value", "run")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.run = lambda resolve, doc: value


class _Expression:
    """A `.$` value: a path or an intrinsic call."""

    __slots__ = ("text", "run")

    def __init__(self, text: str, run: Run) -> None:
        self.text = text
        self.run = run


class _Object:
    __slots__ = ("members", "run")

    def __init__(self, members: list) -> None:
        self.members = members
        runs = [(key, node.run) for key, node in members]
        self.run = lambda resolve, doc: {key: run(resolve, doc) for key, run in runs}


class _Array:
    __slots__ = ("items", "run")

    def __init__(self, items: list) -> None:
        self.items = items
        runs = [node.run for node in items]
        self.run = lambda resolve, doc: [run(resolve, doc) for run in runs]


def _not_found(path: Path, field: str, doc: Any) -> StateEvaluationError:
    return StateEvaluationError(
        f"The JSONPath '{path.text}' specified for the field '{field}' "
        f"could not be found in the input '{compact_json(doc)}'")


def _reader(path: Path, missing: Callable[[Any], StateEvaluationError]) -> Run:
    """A compiled path read (`$` paths from the document, others through the resolver); missing(doc) on a miss."""
    if path.root == "$":
        find = path.find

        def read(resolve: Resolver, doc: Any) -> Any:
            try:
                return find(doc)
            except PathNotFound:
                raise missing(doc) from None
    else:
        def read(resolve: Resolver, doc: Any) -> Any:
            try:
                return resolve(path)
            except PathNotFound:
                raise missing(doc) from None
    return read


def _path_leaf(path: Path, field: str) -> Run:
    return _reader(path, lambda doc: _not_found(path, field, doc))


def _argument_not_found(text: str, doc: Any) -> StateEvaluationError:
    # The intrinsic wraps this in "The function '...' had the following error: ".
    return StateEvaluationError(
        f"The JsonPath argument for the field '{text}' could not be found in the input "
        f"'{compact_json(doc)}'")


def _read_argument(text: str) -> Run:
    """How a template's intrinsic call reads a path argument (compiled once, as the leaves are)."""
    try:
        path = compile_path(text)
    except PathSyntaxError:
        def lazy(resolve: Resolver, doc: Any) -> Any:
            # Not a path sfn can compile: fail when the call runs, as the text alone tells.
            path = compile_path(text)
            try:
                return resolve(path)
            except PathNotFound:
                raise _argument_not_found(text, doc) from None
        return lazy
    return _reader(path, lambda doc: _argument_not_found(text, doc))


class Template:
    """A compiled payload template (or `.$` value): `evaluate(resolve, doc)` builds the value."""

    __slots__ = ("root", "evaluate", "is_constant")

    def __init__(self, root: Any) -> None:
        self.root = root
        # The root's closure itself: evaluate(resolve, doc), where doc is the input `$` paths read
        # (and AWS's path-not-found messages name) and resolve(path) gives `$$` and variables.
        self.evaluate = root.run
        self.is_constant = type(root) is _Const


class TemplateError(ValueError):
    """A template that cannot compile: a `.$` value that is not a path or an intrinsic call."""


def compile_template(value: Any) -> Template:
    """Compile a payload template once; raises TemplateError."""
    return Template(_compile(value))


def compile_value_expression(text: str, field: str) -> Template:
    """A `.$` value: a path or an intrinsic call, as a Template (`evaluate(resolve, doc)`)."""
    return Template(_value_expression(text, field))


def _value_expression(text: Any, field: str) -> _Expression:
    if not isinstance(text, str):
        raise TemplateError(f"the value of '{field}' must be a string holding a path or an intrinsic function")
    # A path (the common case) starts with `$`: the intrinsics package (some 3 ms to import) only for a call.
    if not text.startswith("$"):
        from .intrinsics import IntrinsicSyntaxError, is_intrinsic, parse

        if is_intrinsic(text):
            try:
                return _Expression(text, parse(text).bind(_read_argument))
            except IntrinsicSyntaxError as exc:
                raise TemplateError(f"invalid intrinsic function in '{field}': {exc}") from None
    try:
        return _Expression(text, _path_leaf(compile_path(text), field))
    except PathSyntaxError as exc:
        raise TemplateError(f"invalid path in '{field}': {exc}") from None


def _compile(value: Any) -> Any:
    """The node of a template value; a constant subtree is one _Const holding the original value."""
    if isinstance(value, dict):
        members = []
        dynamic = False
        for key, item in value.items():
            if key.endswith(".$"):
                members.append((key[:-2], _value_expression(item, key)))
                dynamic = True
            else:
                node = _compile(item)
                dynamic = dynamic or type(node) is not _Const
                members.append((key, node))
        if not dynamic:
            return _Const(value)
        return _Object(members)
    if isinstance(value, list):
        items = [_compile(item) for item in value]
        if all(type(node) is _Const for node in items):
            return _Const(value)
        return _Array(items)
    return _Const(value)
