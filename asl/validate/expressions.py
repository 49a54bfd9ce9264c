"""Syntax checks for paths, intrinsic calls and JSONata, through the interpreter's own compilers.

Each check returns None when the text is fine, else a message. Validation and execution must
agree on what parses, so the interpreter's compilers (asl.expr.*) are used when present; the
small fallbacks below only stand in while those modules are still being written. Intrinsic calls
are read against the interpreter's own function table, without compiling or running them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

try:
    from ..expr.jsonpath import PathSyntaxError, compile_path
except ImportError:  # pragma: no cover - the execution core ships it
    compile_path = None  # type: ignore[assignment]

    class PathSyntaxError(ValueError):  # type: ignore[no-redef]
        """Stand-in while asl.expr.jsonpath is absent."""


def path_error(text: Any, *, definite: bool = False, dollar_only: bool = False) -> str | None:
    """Why `text` is not a valid JSONPath (definite: selects one node; dollar_only: rooted at `$`)."""
    if not isinstance(text, str):
        return "a path must be a string"
    return _path_error(text, definite, dollar_only)


# Checks are memoised by text: large definitions repeat the same few paths in thousands of
# states, and each answer depends on the text alone.
@lru_cache(maxsize=4096)
def _path_error(text: str, definite: bool, dollar_only: bool) -> str | None:
    if not text.startswith("$"):
        return f"'{text}' is not a valid JSONPath: it must start with '$'"
    if compile_path is None:
        return None if re.match(r"^\$", text) else f"'{text}' is not a valid JSONPath"
    try:
        path = compile_path(text)
    except PathSyntaxError as exc:
        return str(exc)
    except Exception as exc:  # a compiler bug must not crash validation
        return f"'{text}' is not a valid JSONPath: {exc}"
    if definite and not path.definite:
        return f"'{text}' is not a reference path: it must select a single node"
    if dollar_only and path.root != "$":
        return f"'{text}' is not a reference path: it must start with '$'"
    return None


_CALL = re.compile(r"^[A-Za-z_][\w.]*\s*\(")


def looks_like_intrinsic(text: str) -> bool:
    """Whether a `.$` value is meant as an intrinsic function call rather than a path."""
    return bool(_CALL.match(text)) or text.startswith("States.")


def intrinsic_error(text: str) -> str | None:
    """Why `text` is not a valid intrinsic call (known function, argument count, literal arguments)."""
    from ..expr.intrinsics import IntrinsicSyntaxError, check  # only definitions with calls pay for it

    try:
        check(text)
    except IntrinsicSyntaxError as exc:
        return str(exc)  # the message ends with the offending character's position in the call
    except Exception as exc:  # a parser bug must not crash validation
        return f"'{text}' is not a valid intrinsic function call: {exc}"
    return None


def path_or_intrinsic_error(text: Any) -> str | None:
    """For `.$` values, ErrorPath / CausePath and the like: a path or an intrinsic call."""
    if not isinstance(text, str):
        return "the value must be a string holding a JSONPath or an intrinsic function"
    return _path_or_intrinsic_error(text)


@lru_cache(maxsize=4096)
def _path_or_intrinsic_error(text: str) -> str | None:
    if looks_like_intrinsic(text):
        return intrinsic_error(text)
    if not text.startswith("$"):
        return f"'{text}' is neither a JSONPath nor an intrinsic function call"
    return _path_error(text, False, False)


# ------------------------------------------------------------------------------- JSONata

_OPEN = r"^\{%[ \t]+\S"     # "{% expr": the expression opens on the same line
_CLOSE = r"\s%\}$"


def is_jsonata(value: Any) -> bool:
    """Whether a value is a JSONata expression string (`{% ... %}`)."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


@lru_cache(maxsize=4096)
def jsonata_error(text: str) -> str | None:
    """Why a string meant as JSONata (`{%`/`%}` at either end) is not a valid expression (memoised by text)."""
    if not (text.startswith("{%") and text.endswith("%}") and len(text) >= 4):
        return "incomplete JSONata delimiters: write \"{% <expression> %}\""
    if not re.search(_OPEN, text) or not re.search(_CLOSE, text):
        return "a JSONata expression is written \"{% <expression> %}\", with a space inside each delimiter"
    body = text[2:-2].strip()
    if not body:
        return "empty JSONata expression"
    return _parse_jsonata(body)


def _parse_jsonata(body: str) -> str | None:
    try:
        from ..expr.jsonata import JsonataSyntaxError, compile_template
    except ImportError:
        return _parse_with_library(body)
    try:
        compile_template("{% " + body + " %}", "expression")
    except JsonataSyntaxError as exc:
        return str(exc)
    except Exception as exc:  # a compiler bug must not crash validation
        return f"invalid JSONata: {exc}"
    return None


def _parse_with_library(body: str) -> str | None:
    try:
        import jsonata
    except ImportError:  # pragma: no cover - jsonata-python is a declared dependency
        return None
    try:
        jsonata.Jsonata(body)
    except Exception as exc:  # jsonata-python raises JException (a RuntimeError) and others
        return f"invalid JSONata: {exc}"
    return None
