"""JSONPath as Step Functions evaluates it: compiled once, cached, with a fast path for plain paths.

A path's root is `$` (the state's input or effective document), `$$` (the context object) or
`$name` (a workflow variable). Definite paths (`$.a.b[0]`) select one value; indefinite ones
(wildcards, slices, filters, unions, `..`) select a list, possibly empty.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_MISSING = object()


class PathSyntaxError(ValueError):
    """A JSONPath or reference path that does not parse."""


class PathNotFound(LookupError):
    """A definite path that selects nothing in the document."""


# Compiled on first use (re's cache): most definitions hold only plain paths, which compile_path
# reads without them (~0.5 ms of every start).
_NAME = r"[^.\[\]\s'\"]+"
_STEP = (r"\.(?P<name>" + _NAME + r")"
         r"|\[\s*'(?P<sq>(?:[^'\\]|\\.)*)'\s*\]"
         r'|\[\s*"(?P<dq>(?:[^"\\]|\\.)*)"\s*\]'
         r"|\[\s*(?P<index>-?\d+)\s*\]")
_ROOT = r"\$\$|\$(?P<var>[A-Za-z_][A-Za-z0-9_]*)|\$"
_LENGTH_INDEX = r"\[\s*\(\s*@\.length\s*-\s*(\d+)\s*\)\s*\]"
_NOT_IN_A_NAME = frozenset("[]'\"")
_INDEFINITE = r"\*|\.\.|\[\s*\?|\[[^\]]*[:,][^\]]*\]"


class Path:
    """A compiled path: `find(doc)` returns the selected value or raises PathNotFound."""

    __slots__ = ("text", "root", "variable", "steps", "definite", "_jp", "_wild", "find")

    def __init__(self, text: str, root: str, variable: str | None, steps: tuple | None, jp: Any,
                 wild: tuple | None = None) -> None:
        self.text = text
        self.root = root          # "$", "$$" or "var"
        self.variable = variable  # the variable's name when root == "var"
        self.steps = steps        # plain keys / indexes, or None for a jsonpath-ng expression
        self.definite = steps is not None
        self._jp = jp
        self._wild = wild         # names / indexes / _WILDCARD of an indefinite path sfn walks itself
        # find(doc): the value this path selects in doc (a list for indefinite paths); unrolled
        # for the usual short paths of names, the plain walk otherwise.
        self.find = _finder(self)

    def plain_find(self, doc: Any) -> Any:
        """What find gives, by the generic walk (the reference the unrolled finders match)."""
        steps = self.steps
        if steps is not None:
            value = doc
            for step in steps:
                if type(step) is str:
                    if type(value) is not dict:
                        raise PathNotFound(self.text)
                    value = value.get(step, _MISSING)
                    if value is _MISSING:
                        raise PathNotFound(self.text)
                else:
                    if type(value) is not list or not -len(value) <= step < len(value):
                        raise PathNotFound(self.text)
                    value = value[step]
            return value
        if self._wild is not None:
            return _select(doc, self._wild)
        return [match.value for match in self._jp.find(doc)]

    def bracket_form(self, upto: int | None = None) -> str:
        """The path (or its first `upto` steps) as Jayway prints it in AWS's messages: `$['a'][0]`."""
        if self.steps is None:
            return self.text
        head = "$" if self.root != "$$" else "$$"
        return head + "".join(f"['{s}']" if isinstance(s, str) else f"[{s}]" for s in self.steps[:upto])

    def __repr__(self) -> str:
        return f"Path({self.text!r})"


def _finder(path: Path) -> Any:
    """path.find: a closure unrolled for `$`, `$.a`, `$.a.b` and `$.a.b.c`, else the plain walk."""
    steps, text = path.steps, path.text
    if steps is None or any(type(step) is not str for step in steps) or len(steps) > 3:
        return path.plain_find
    if not steps:
        return lambda doc: doc
    if len(steps) == 1:
        (k0,) = steps

        def find(doc: Any) -> Any:
            if type(doc) is dict:
                value = doc.get(k0, _MISSING)
                if value is not _MISSING:
                    return value
            raise PathNotFound(text)
    elif len(steps) == 2:
        k0, k1 = steps

        def find(doc: Any) -> Any:
            if type(doc) is dict:
                value = doc.get(k0, _MISSING)
                if type(value) is dict:
                    value = value.get(k1, _MISSING)
                    if value is not _MISSING:
                        return value
            raise PathNotFound(text)
    else:
        k0, k1, k2 = steps

        def find(doc: Any) -> Any:
            if type(doc) is dict:
                value = doc.get(k0, _MISSING)
                if type(value) is dict:
                    value = value.get(k1, _MISSING)
                    if type(value) is dict:
                        value = value.get(k2, _MISSING)
                        if value is not _MISSING:
                            return value
            raise PathNotFound(text)
    return find


@lru_cache(maxsize=4096)
def compile_path(text: str) -> Path:
    """Compile a JSONPath (`$...`, `$$...`, `$var...`); raises PathSyntaxError."""
    if not isinstance(text, str):
        raise PathSyntaxError(f"a path must be a string, not {type(text).__name__}")
    plain = _plain_steps(text)
    if plain is not None:
        return Path(text, plain[0], None, plain[1], None)
    stripped = text.strip()
    m = re.match(_ROOT, stripped)
    if m is None:
        raise PathSyntaxError(f"'{text}' is not a JSONPath: it must start with '$'")
    root = "$$" if m.group(0) == "$$" else "var" if m.group("var") else "$"
    variable = m.group("var")
    # Jayway's script index `[(@.length-K)]` is the K-th element from the end.
    rest = re.sub(_LENGTH_INDEX, lambda g: f"[-{g.group(1)}]", stripped[m.end():])
    steps: list = []
    pos = 0
    step_at = re.compile(_STEP).match
    while pos < len(rest):
        step = step_at(rest, pos)
        if step is None:
            break
        if step.group("name") is not None:
            steps.append(step.group("name"))
        elif step.group("sq") is not None:
            # Jayway unescapes only the quote that delimits the name.
            steps.append(step.group("sq").replace("\\'", "'"))
        elif step.group("dq") is not None:
            steps.append(step.group("dq").replace('\\"', '"'))
        else:
            steps.append(int(step.group("index")))
        pos = step.end()
    if pos == len(rest):
        return Path(text, root, variable, tuple(steps), None)
    if not re.search(_INDEFINITE, rest):
        raise PathSyntaxError(f"'{text}' is not a valid JSONPath (at character {m.end() + pos + 1})")
    wild = _wildcard_steps(rest)
    if wild is not None:
        return Path(text, root, variable, None, None, wild)
    return Path(text, root, variable, None, _compile_jsonpath_ng("$" + rest, text))


def _plain_steps(text: str) -> tuple[str, tuple[str, ...]] | None:
    """`$` or `$$` and the names of a path of dotted names alone (`$.a.b`), as the patterns read
    it; None for anything else (brackets, quotes, spaces, a variable, `..`)."""
    if text == "$" or text == "$$":
        return text, ()
    root = "$$" if text.startswith("$$.") else "$" if text.startswith("$.") else None
    if root is None:
        return None
    names = text[len(root) + 1:].split(".")
    if not all(names) or not _NOT_IN_A_NAME.isdisjoint(text) or text.split() != [text]:  # no space anywhere
        return None
    return root, tuple(names)


_WILDCARD = object()
# Steps whose jsonpath-ng reading is plain in every supported release: `.name` (an ID token that
# is no keyword), `[N]` and `[*]` (a Wildcard, or before 1.16 a bound-less JaywaySlice: the same).
_WILD_STEP = r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|(\[\*\])"
_JSONPATH_NG_KEYWORDS = frozenset({"where", "wherenot"})


def _wildcard_steps(rest: str) -> tuple | None:
    """The steps of a path made of names, indexes and `[*]` only; None for anything else.

    Such paths are common (`$.orders[*].sku`) and jsonpath-ng's evaluation of them costs many
    objects per match; walking them here selects the same values in the same order.
    """
    steps: list = []
    pos = 0
    step_at = re.compile(_WILD_STEP).match
    while pos < len(rest):
        step = step_at(rest, pos)
        if step is None:
            return None
        name, index, _ = step.groups()
        if name is not None:
            if name in _JSONPATH_NG_KEYWORDS:
                return None
            steps.append(name)
        elif index is not None:
            steps.append(int(index))
        else:
            steps.append(_WILDCARD)
        pos = step.end()
    return tuple(steps) if _WILDCARD in steps else None


def _select(doc: Any, steps: tuple) -> list:
    """The values `steps` select, as jsonpath-ng would: what is missing selects nothing."""
    found = [doc]
    for step in steps:
        found_next: list = []
        if step is _WILDCARD:  # an array's items, an object's member values
            for value in found:
                if isinstance(value, (list, tuple)):
                    found_next.extend(value)
                elif isinstance(value, dict):
                    found_next.extend(value.values())
        elif type(step) is str:
            for value in found:
                if isinstance(value, dict):
                    item = value.get(step, _MISSING)
                    if item is not _MISSING:
                        found_next.append(item)
        else:
            for value in found:
                if isinstance(value, (list, tuple)) and step < len(value):
                    found_next.append(value[step])
        found = found_next
    return found


_ZERO_STEP = r"\[[^\]'\"]*:[^\]'\"]*:\s*-?0+\s*\]"


@lru_cache(maxsize=1)
def _jayway_slice() -> type:
    """The Slice subclass sfn's parsed paths use (made on first use: jsonpath-ng loads lazily)."""
    from jsonpath_ng.jsonpath import DatumInContext, Fields, Index, Slice

    class JaywaySlice(Slice):
        """A slice as Jayway (AWS) evaluates it: items of an array, nothing from anything else.

        jsonpath-ng's own slice changed between releases (older ones wrapped a non-list in a
        list, so `$[*]` on `{}` gave `[{}]`); sfn's paths keep this one whatever is installed,
        and other users of jsonpath-ng keep theirs. Before 1.16 `[*]` parsed to a slice without
        bounds: such a slice yields an object's member values.
        """

        def find(self, datum: Any) -> list:
            datum = DatumInContext.wrap(datum)
            value = datum.value
            if isinstance(value, list):
                return [DatumInContext(value[i], path=Index(i), context=datum)
                        for i in range(len(value))[self.start:self.end:self.step]]
            if isinstance(value, dict) and self.start is None and self.end is None and self.step is None:
                return [DatumInContext(v, path=Fields(k), context=datum) for k, v in value.items()]
            return []

    return JaywaySlice


def _own_slices(tree: Any) -> Any:
    """Turn every Slice of a freshly parsed jsonpath-ng tree into a JaywaySlice, in place."""
    from jsonpath_ng.jsonpath import JSONPath, Slice

    jayway = _jayway_slice()
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (list, tuple)):
            pending.extend(node)
        elif isinstance(node, JSONPath):
            if type(node) is Slice:
                node.__class__ = jayway  # the tree was parsed for this path alone: nobody shares it
            pending.extend(getattr(node, "__dict__", {}).values())
    return tree


def _compile_jsonpath_ng(expr: str, text: str) -> Any:
    try:
        from jsonpath_ng.ext import parse
    except ImportError:  # pragma: no cover - jsonpath-ng is a declared dependency
        raise PathSyntaxError(f"'{text}' needs jsonpath-ng") from None
    if re.search(_ZERO_STEP, expr):
        raise PathSyntaxError(f"'{text}' is not a valid JSONPath: a slice step cannot be 0")
    # jsonpath-ng does not accept names with '-' after a dot; quote every dotted name.
    quoted = re.sub(r"(?<![.\w])\.(?!\.)(" + r"[A-Za-z0-9_\-]*-[A-Za-z0-9_\-]*" + r")", r".['\1']", expr)
    try:
        tree = parse(quoted)
    except Exception as exc:  # jsonpath-ng raises several unrelated exception types
        raise PathSyntaxError(f"'{text}' is not a valid JSONPath: {exc}") from None
    return _own_slices(tree)


@lru_cache(maxsize=4096)
def compile_reference_path(text: str) -> Path:
    """Compile a reference path (ResultPath and the like): definite, rooted at `$`."""
    path = compile_path(text)
    if not path.definite:
        raise PathSyntaxError(f"'{text}' is not a reference path: it must select a single node")
    if path.root != "$":
        raise PathSyntaxError(f"'{text}' is not a reference path: it must start with '$'")
    return path


def set_path(doc: Any, path: Path, value: Any) -> Any:
    """A copy of doc with value placed at path, creating objects on the way (ResultPath)."""
    if not path.steps:
        return value
    return _set(doc, path.steps, 0, value, path)


def _set(node: Any, steps: tuple, i: int, value: Any, path: Path) -> Any:
    step = steps[i]
    last = i == len(steps) - 1
    if isinstance(step, str):
        if node is _MISSING:
            node = {}
        elif not isinstance(node, dict):
            raise PathNotFound(path.text)
        copy = dict(node)
        copy[step] = value if last else _set(node.get(step, _MISSING), steps, i + 1, value, path)
        return copy
    if not isinstance(node, list) or not -len(node) <= step < len(node):
        raise PathNotFound(path.text)
    copy = list(node)
    copy[step] = value if last else _set(node[step], steps, i + 1, value, path)
    return copy
