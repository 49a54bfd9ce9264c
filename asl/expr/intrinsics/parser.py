"""Recursive-descent parser: text -> nodes (each with its offset) -> one compiled IntrinsicCall.

Grammar:  call := NAME '(' [arg (',' arg)*] ')'      arg := STRING | NUMBER | true | false | null
                                                           | PATH | call
Reading checks every call against the function table (table.py): names, argument counts, and
the types and values of literal arguments. `check` stops there (validation runs nothing);
compiler.py turns the tree into closures.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import IntrinsicSyntaxError
from .functions import FormatTemplate
from .lexer import COMMA, EOF, LPAREN, NAME, PATH, RPAREN, STRING, Token, tokenize
from .table import FUNCTIONS, MAX_NESTING, FunctionSpec, json_type

_LITERALS = {STRING, "number", "true", "false", "null"}
_INTRINSIC_START = re.compile(r"States\.[A-Za-z0-9_]+\s*\(")


def is_intrinsic(text: Any) -> bool:
    """Whether a string looks like an intrinsic call: `States.` + a name + `(` (spaces may come between)."""
    return type(text) is str and _INTRINSIC_START.match(text) is not None


# ---------------------------------------------------------------- nodes

class Literal:
    """A string, number, true, false or null argument."""

    __slots__ = ("value", "offset", "token")

    def __init__(self, token: Token) -> None:
        self.value = token.value
        self.offset = token.start
        self.token = token


class PathArg:
    """A path argument (`$.a`, `$$.Execution.Id`, `$var.b`), kept as text for the resolver."""

    __slots__ = ("text", "offset")

    def __init__(self, token: Token) -> None:
        self.text = token.value
        self.offset = token.start


class Call:
    """A call of one function; `template` is set for States.Format with a literal template."""

    __slots__ = ("spec", "args", "offset", "end", "template")

    def __init__(self, spec: FunctionSpec, args: list, offset: int, end: int) -> None:
        self.spec = spec
        self.args = args
        self.offset = offset
        self.end = end
        self.template: FormatTemplate | None = None


# ---------------------------------------------------------------- parser

class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    def fail(self, message: str, offset: int) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(message, offset, self.text)

    def next(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def parse(self) -> Call:
        first = self.peek()
        if first.kind != NAME:
            raise self.fail(f"expected an intrinsic function such as States.Format, got {first.describe()}",
                            first.start)
        call = self.call(1)
        rest = self.peek()
        if rest.kind != EOF:
            raise self.fail(f"unexpected {rest.describe()} after the call", rest.start)
        return call

    def call(self, depth: int) -> Call:
        name = self.next()
        spec = FUNCTIONS.get(name.value)  # type: ignore[arg-type]
        if spec is None:
            import difflib  # only for the "did you mean" of an unknown name

            close = difflib.get_close_matches(str(name.value), FUNCTIONS, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise self.fail(f"unknown intrinsic function '{name.value}'{hint}", name.start)
        if depth > MAX_NESTING:
            raise self.fail(f"intrinsic functions can be nested at most {MAX_NESTING} deep", name.start)
        opening = self.next()
        if opening.kind != LPAREN:
            raise self.fail(f"expected '(' after {spec.name}, got {opening.describe()}", opening.start)
        args: list = []
        if self.peek().kind == RPAREN:
            closing = self.next()
        else:
            while True:
                args.append(self.argument(spec, depth))
                closing = self.next()
                if closing.kind == RPAREN:
                    break
                if closing.kind != COMMA:
                    raise self.fail(f"expected ',' or ')' after an argument of {spec.name}, "
                                    f"got {closing.describe()}", closing.start)
        call = Call(spec, args, name.start, closing.end)
        self.check(call)
        return call

    def argument(self, spec: FunctionSpec, depth: int) -> Any:
        token = self.peek()
        if token.kind in _LITERALS:
            self.pos += 1
            return Literal(token)
        if token.kind == PATH:
            self.pos += 1
            return PathArg(token)
        if token.kind == NAME and self.tokens[self.pos + 1].kind == LPAREN:
            return self.call(depth + 1)
        raise self.fail(f"expected an argument of {spec.name} (a 'string', a number, true, false, null, "
                        f"a path or an intrinsic call), got {token.describe()}", token.start)

    def check(self, call: Call) -> None:
        """Argument count and the literal arguments' types and values, all known before anything runs."""
        spec, args = call.spec, call.args
        problem = spec.arity_error(len(args))
        if problem:
            raise self.fail(problem, call.offset)
        for index, arg in enumerate(args):
            if type(arg) is not Literal:
                continue
            problem = spec.param(index).mismatch(arg.value)
            if problem:
                raise self.fail(f"argument {index + 1} of {spec.name}: {problem}", arg.offset)
        if spec.name == "States.Format" and type(args[0]) is Literal:
            # Only the literal's raw text tells an escaped \{ from a placeholder's {.
            call.template = FormatTemplate(args[0].token.raw)
            values = len(args) - 1
            if call.template.error is None and values != call.template.count:
                raise self.fail(f"the template of States.Format has {call.template.count} placeholder"
                                f"{'s' if call.template.count != 1 else ''} {{}} but {values} value"
                                f"{'s are' if values != 1 else ' is'} given", args[0].offset)


def read(text: str) -> Call:
    """The call tree of a text, checked against the function table; raises IntrinsicSyntaxError."""
    if type(text) is not str:
        raise IntrinsicSyntaxError(f"an intrinsic call must be a string, got {json_type(text)}", 0, "")
    return _Parser(text).parse()


def check(text: str) -> None:
    """Raise IntrinsicSyntaxError(message, offset) unless text is a valid call; runs nothing."""
    read(text)
