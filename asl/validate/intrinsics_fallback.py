"""A syntax-only reader of intrinsic calls, for validation while asl.expr.intrinsics is absent.

It knows every function's argument count and the literal types AWS rejects at validation
(`States.MathAdd(1, 'x')`); it never evaluates anything.
"""

from __future__ import annotations

import re

# name -> (min args, max args or None, {argument index: literal kind required})
SIGNATURES: dict[str, tuple[int, int | None, dict[int, str]]] = {
    "States.Format": (1, None, {0: "string"}),
    "States.StringToJson": (1, 1, {0: "string"}),
    "States.JsonToString": (1, 1, {}),
    "States.Array": (0, None, {}),
    "States.ArrayPartition": (2, 2, {1: "number"}),
    "States.ArrayContains": (2, 2, {}),
    "States.ArrayRange": (3, 3, {0: "number", 1: "number", 2: "number"}),
    "States.ArrayGetItem": (2, 2, {1: "number"}),
    "States.ArrayLength": (1, 1, {}),
    "States.ArrayUnique": (1, 1, {}),
    "States.Base64Encode": (1, 1, {0: "string"}),
    "States.Base64Decode": (1, 1, {0: "string"}),
    "States.Hash": (2, 2, {1: "string"}),
    "States.JsonMerge": (3, 3, {2: "boolean"}),
    "States.MathRandom": (2, 3, {0: "number", 1: "number", 2: "number"}),
    "States.MathAdd": (2, 2, {0: "number", 1: "number"}),
    "States.StringSplit": (2, 2, {0: "string", 1: "string"}),
    "States.UUID": (0, 0, {}),
}

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<call>[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*(?=\s*\())
  | (?P<path>\$[^,()\s]*(?:\([^()]*\))?[^,()\s]*)
  | (?P<word>true|false|null)
  | (?P<punct>[(),])
""", re.X)


class _Syntax(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _Syntax(f"unexpected character {text[pos]!r} at position {pos + 1}")
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group()))
        pos = m.end()
    return out


def _parse(tokens: list, i: int, depth: int) -> tuple[dict, int]:
    kind, name = tokens[i]
    if kind != "call":
        raise _Syntax("expected a function name")
    if depth > 10:
        raise _Syntax("intrinsic functions nest at most 10 deep")
    if name not in SIGNATURES:
        raise _Syntax(f"unknown intrinsic function {name}")
    i += 1
    if i >= len(tokens) or tokens[i][1] != "(":
        raise _Syntax(f"expected '(' after {name}")
    i += 1
    args: list = []
    if i < len(tokens) and tokens[i][1] == ")":
        return {"name": name, "args": args}, i + 1
    while True:
        if i >= len(tokens):
            raise _Syntax(f"unclosed call to {name}")
        kind, value = tokens[i]
        if kind == "call":
            node, i = _parse(tokens, i, depth + 1)
            args.append(("call", node))
        elif kind in ("string", "number", "path", "word"):
            args.append((kind, value))
            i += 1
        else:
            raise _Syntax(f"unexpected {value!r} in the arguments of {name}")
        if i >= len(tokens):
            raise _Syntax(f"unclosed call to {name}")
        if tokens[i][1] == ",":
            i += 1
            continue
        if tokens[i][1] == ")":
            return {"name": name, "args": args}, i + 1
        raise _Syntax(f"expected ',' or ')' in the arguments of {name}")


def _check(node: dict) -> None:
    name, args = node["name"], node["args"]
    low, high, kinds = SIGNATURES[name]
    if len(args) < low or (high is not None and len(args) > high):
        expected = str(low) if low == high else f"{low} or more" if high is None else f"{low} to {high}"
        raise _Syntax(f"{name} takes {expected} argument(s), not {len(args)}")
    for index, (kind, value) in enumerate(args):
        if kind == "call":
            _check(value)
        wanted = kinds.get(index)
        if wanted and kind not in ("path", "call") and _literal_kind(kind, value) != wanted:
            raise _Syntax(f"argument {index + 1} of {name} must be a {wanted} or a path, not {value}")


def _literal_kind(kind: str, value: str) -> str:
    if kind == "word":
        return "null" if value == "null" else "boolean"
    return kind


def _tree(text: str) -> dict:
    tokens = _tokens(text.strip())
    if not tokens:
        raise _Syntax("empty intrinsic function call")
    node, end = _parse(tokens, 0, 1)
    if end != len(tokens):
        raise _Syntax(f"unexpected {tokens[end][1]!r} after the call")
    return node


def error(text: str) -> str | None:
    """Why `text` is not a valid intrinsic call, or None."""
    try:
        _check(_tree(text))
    except _Syntax as exc:
        return f"'{text}' is not a valid intrinsic function call: {exc}"
    return None


def literal_type_error(text: str) -> str | None:
    """Only the literal-argument type check (for use after another parser accepted the call)."""
    try:
        tree = _tree(text)
    except _Syntax:
        return None
    try:
        _check(tree)
    except _Syntax as exc:
        return f"'{text}' is not a valid intrinsic function call: {exc}"
    return None
