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


class _Const:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def evaluate(self, resolve: Resolver, doc: Any) -> Any:
        return self.value


class _PathLeaf:
    __slots__ = ("path", "field")

    def __init__(self, path: Path, field: str) -> None:
        self.path = path
        self.field = field

    def evaluate(self, resolve: Resolver, doc: Any) -> Any:
        try:
            return resolve(self.path)
        except PathNotFound:
            raise StateEvaluationError(
                f"The JSONPath '{self.path.text}' specified for the field '{self.field}' "
                f"could not be found in the input '{compact_json(doc)}'") from None


class _Intrinsic:
    __slots__ = ("call", "field")

    def __init__(self, call: Any, field: str) -> None:
        self.call = call
        self.field = field

    def evaluate(self, resolve: Resolver, doc: Any) -> Any:
        def by_text(text: str) -> Any:
            path = compile_path(text)
            try:
                return resolve(path)
            except PathNotFound:
                # The intrinsic wraps this in "The function '...' had the following error: ".
                raise StateEvaluationError(
                    f"The JsonPath argument for the field '{text}' could not be found in the input "
                    f"'{compact_json(doc)}'") from None
        return self.call.evaluate(by_text)


class _Object:
    __slots__ = ("members",)

    def __init__(self, members: list) -> None:
        self.members = members

    def evaluate(self, resolve: Resolver, doc: Any) -> Any:
        return {key: node.evaluate(resolve, doc) for key, node in self.members}


class _Array:
    __slots__ = ("items",)

    def __init__(self, items: list) -> None:
        self.items = items

    def evaluate(self, resolve: Resolver, doc: Any) -> Any:
        return [node.evaluate(resolve, doc) for node in self.items]


class Template:
    """A compiled payload template: `evaluate(resolve, doc)` builds the value."""

    __slots__ = ("root", "is_constant")

    def __init__(self, root: Any) -> None:
        self.root = root
        self.is_constant = isinstance(root, _Const)

    def evaluate(self, resolve: Resolver, doc: Any) -> Any:
        """The template's value; doc is the input named in AWS's path-not-found message."""
        return self.root.evaluate(resolve, doc)


class TemplateError(ValueError):
    """A template that cannot compile: a `.$` value that is not a path or an intrinsic call."""


def compile_template(value: Any) -> Template:
    """Compile a payload template once; raises TemplateError."""
    return Template(_compile(value))


def compile_value_expression(text: str, field: str) -> Any:
    """A `.$` value: a path or an intrinsic call, as a node with `evaluate(resolve, doc)`."""
    if not isinstance(text, str):
        raise TemplateError(f"the value of '{field}' must be a string holding a path or an intrinsic function")
    from .intrinsics import IntrinsicSyntaxError, is_intrinsic, parse

    if is_intrinsic(text):
        try:
            return _Intrinsic(parse(text), field)
        except IntrinsicSyntaxError as exc:
            raise TemplateError(f"invalid intrinsic function in '{field}': {exc}") from None
    try:
        return _PathLeaf(compile_path(text), field)
    except PathSyntaxError as exc:
        raise TemplateError(f"invalid path in '{field}': {exc}") from None


def _compile(value: Any) -> Any:
    if isinstance(value, dict):
        members = []
        dynamic = False
        for key, item in value.items():
            if key.endswith(".$"):
                members.append((key[:-2], compile_value_expression(item, key)))
                dynamic = True
            else:
                node = _compile(item)
                dynamic = dynamic or not isinstance(node, _Const)
                members.append((key, node))
        if not dynamic:
            return _Const(value)
        return _Object(members)
    if isinstance(value, list):
        items = [_compile(item) for item in value]
        if all(isinstance(node, _Const) for node in items):
            return _Const(value)
        return _Array(items)
    return _Const(value)
