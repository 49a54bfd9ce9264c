"""Tokenizer for intrinsic calls: names, punctuation, string / number / keyword literals, paths."""

from __future__ import annotations

import math
import re

from .errors import IntrinsicSyntaxError

# Token kinds.
NAME, LPAREN, RPAREN, COMMA = "name", "(", ")", ","
STRING, NUMBER, TRUE, FALSE, NULL, PATH, EOF = "string", "number", "true", "false", "null", "path", "end"

_KEYWORDS = {"true": (TRUE, True), "false": (FALSE, False), "null": (NULL, None)}
_WHITESPACE = " \t\n\r"
# The characters AWS lets a backslash escape inside a string literal.
_ESCAPABLE = "'{}\\"
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_NUMBER_TAIL = re.compile(r"[A-Za-z0-9_.]")


class Token:
    """One token: its kind, its value, where it starts and ends, and (strings) its raw text."""

    __slots__ = ("kind", "value", "start", "end", "raw")

    def __init__(self, kind: str, value: object, start: int, end: int, raw: str = "") -> None:
        self.kind = kind
        self.value = value
        self.start = start
        self.end = end
        self.raw = raw

    def describe(self) -> str:
        """How an error message names this token."""
        if self.kind == EOF:
            return "the end of the text"
        if self.kind == STRING:
            return f"the string '{self.raw}'"
        if self.kind == NUMBER:
            return f"the number {self.raw}"
        if self.kind == PATH:
            return f"the path {self.raw}"
        return f"'{self.raw or self.kind}'"


def tokenize(text: str) -> list[Token]:
    """All tokens of text, ending with an EOF token; raises IntrinsicSyntaxError."""
    tokens: list[Token] = []
    pos, size = 0, len(text)
    while pos < size:
        char = text[pos]
        if char in _WHITESPACE:
            pos += 1
        elif char in "(),":
            tokens.append(Token(char, char, pos, pos + 1, char))
            pos += 1
        elif char == "'":
            pos = _string(text, pos, tokens)
        elif char == "$":
            pos = _path(text, pos, tokens)
        elif char == "-" or "0" <= char <= "9":
            pos = _number(text, pos, tokens)
        else:
            match = _NAME_RE.match(text, pos)
            if match is None:
                raise IntrinsicSyntaxError(f"unexpected character {char!r}", pos, text)
            word = match.group()
            kind, value = _KEYWORDS.get(word, (NAME, word))
            tokens.append(Token(kind, value, pos, match.end(), word))
            pos = match.end()
    tokens.append(Token(EOF, None, size, size))
    return tokens


def _string(text: str, start: int, tokens: list[Token]) -> int:
    """Read a single-quoted literal; AWS allows only the escapes \\' \\{ \\} and \\\\."""
    pos, size = start + 1, len(text)
    out: list[str] = []
    while pos < size:
        char = text[pos]
        if char == "'":
            tokens.append(Token(STRING, "".join(out), start, pos + 1, text[start + 1:pos]))
            return pos + 1
        if char == "\\":
            following = text[pos + 1] if pos + 1 < size else ""
            if following not in _ESCAPABLE or not following:
                shown = "\\" + following if following else "\\"
                raise IntrinsicSyntaxError(
                    f"invalid escape {shown!r} in a string literal: only \\', \\{{, \\}} and \\\\ are "
                    "allowed", pos, text)
            out.append(following)
            pos += 2
        else:
            out.append(char)
            pos += 1
    raise IntrinsicSyntaxError("unterminated string literal: expected a closing \"'\"", start, text)


def _path(text: str, start: int, tokens: list[Token]) -> int:
    """Capture a path's text up to a top-level ',' ')' or space, respecting brackets and quotes."""
    pos, size = start + 1, len(text)
    brackets: list[tuple[str, int]] = []  # open '[' / '(' with their offsets
    while pos < size:
        char = text[pos]
        if char == "'" or char == '"':
            close = _quote_end(text, pos)
            if close < 0:
                raise IntrinsicSyntaxError(f"unterminated quote {char} in path", pos, text)
            pos = close + 1
            continue
        if char in "[(":
            brackets.append((char, pos))
        elif char in "])":
            if not brackets:
                if char == ")":
                    break
                raise IntrinsicSyntaxError("unbalanced ']' in path", pos, text)
            opener, where = brackets.pop()
            if (opener == "[") != (char == "]"):
                raise IntrinsicSyntaxError(f"'{opener}' closed by '{char}' in path", where, text)
        elif not brackets and (char == "," or char in _WHITESPACE):
            break
        pos += 1
    if brackets:
        opener, where = brackets[-1]
        raise IntrinsicSyntaxError(f"unclosed '{opener}' in path", where, text)
    path = text[start:pos]
    tokens.append(Token(PATH, path, start, pos, path))
    return pos


def _quote_end(text: str, start: int) -> int:
    """Index of the quote closing the one at start (backslash escapes the next char), or -1."""
    quote, pos, size = text[start], start + 1, len(text)
    while pos < size:
        char = text[pos]
        if char == "\\":
            pos += 2
        elif char == quote:
            return pos
        else:
            pos += 1
    return -1


def _number(text: str, start: int, tokens: list[Token]) -> int:
    """A JSON number: -?int(.frac)?(exp)?; ints stay ints, the rest become floats."""
    match = _NUMBER_RE.match(text, start)
    end = match.end() if match else start
    if match is None or (end < len(text) and _NUMBER_TAIL.match(text, end)):
        stop = end
        while stop < len(text) and (_NUMBER_TAIL.match(text, stop) or text[stop] == "-"):
            stop += 1
        raise IntrinsicSyntaxError(f"invalid number {text[start:max(stop, start + 1)]!r}", start, text)
    raw = match.group()
    if match.group(1) is None and match.group(2) is None:
        value: int | float = int(raw)
    else:
        value = float(raw)
        if not math.isfinite(value):
            raise IntrinsicSyntaxError(f"number {raw} is out of range", start, text)
    tokens.append(Token(NUMBER, value, start, end, raw))
    return end
