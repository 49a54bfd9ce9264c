"""Compilation of a checked call tree (parser.py) into closures `fn(resolve, doc) -> value`.

Evaluation is then a plain walk with no dictionaries or re-parsing; calls whose arguments are all
constant fold at compile time. How path arguments read their values is the caller's choice (a
"reader"): `IntrinsicCall.evaluate` hands each path's text to a resolver, templates read `$` paths
from the document directly.
"""

from __future__ import annotations

from typing import Any, Callable

from ...errors import StateEvaluationError
from .errors import ArgumentError, IntrinsicRuntimeError
from .parser import Call, Literal, PathArg, read
from .table import Param

Resolve = Callable[[str], Any]

# ---------------------------------------------------------------- compilation

# A literal template, already checked and compiled at parse time.
_COMPILED_TEMPLATE = Param("template")
# What a function implementation may raise on unusable values (ValueError is the usual one).
_FAILURES = (ValueError, TypeError, OverflowError, RecursionError)

# A compiled node: fn(resolve, doc) -> value. What resolve and doc are is up to the reader that
# compiles path arguments: IntrinsicCall.evaluate passes a text resolver; templates pass their own.
Compiled = Callable[[Any, Any], Any]
Reader = Callable[[str], Compiled]


def _read_by_text(text: str) -> Compiled:
    """The plain reader: each path argument goes to resolve(text)."""
    return lambda resolve, doc: resolve(text)


def _compile(node: Any, read: Reader, paths: list[str]) -> tuple[Compiled, bool, Any]:
    """(closure, is_constant, constant value) for a node; collects the paths it reads."""
    kind = type(node)
    if kind is Literal:
        value = node.value
        return (lambda resolve, doc: value), True, value
    if kind is PathArg:
        text = node.text
        if text not in paths:
            paths.append(text)
        return read(text), False, None
    return _compile_call(node, read, paths)


def _compile_call(call: Call, read: Reader, paths: list[str]) -> tuple[Compiled, bool, Any]:
    spec = call.spec
    compiled = [_compile(arg, read, paths) for arg in call.args]
    impl, name = spec.impl, spec.name
    fns = [fn for fn, _, _ in compiled]
    params = [spec.param(index) for index in range(len(fns))]
    if call.template is not None:
        fns[0] = (lambda template: (lambda resolve, doc: template))(call.template)
        params[0] = _COMPILED_TEMPLATE
    # The one place runtime arguments are checked: (position, accepted Python types, allowed values).
    checks = tuple((index, param.py_types, param.allowed) for index, param in enumerate(params)
                   if param.py_types is not None or param.allowed is not None)

    def reject(index: int, value: Any) -> ArgumentError:
        return ArgumentError(name, f"argument {index + 1}: {params[index].mismatch(value)}")

    def check(args: tuple) -> None:
        for index, types, allowed in checks:
            value = args[index]
            if types is not None and type(value) not in types:
                raise reject(index, value)
            if allowed is not None and value not in allowed:
                raise reject(index, value)

    def invoke(args: tuple) -> Any:
        if checks:
            check(args)
        try:
            return impl(*args)
        except ArgumentError:
            raise
        except _FAILURES as exc:
            raise ArgumentError(name, str(exc) or type(exc).__name__) from None

    if spec.pure and all(constant for _, constant, _ in compiled):
        try:
            value = invoke(tuple(fn(_no_resolve, None) for fn in fns))
        except ArgumentError:
            pass  # fails at run time, as on AWS
        else:
            return (lambda resolve, doc: value), True, value
    return _specialised(fns, checks, impl, name, reject) or _generic(fns, invoke), False, None


def _generic(fns: list, invoke: Callable[[tuple], Any]) -> Compiled:
    """Any arity: the arguments' values, then invoke (checks, call, failures as ArgumentError)."""
    return lambda resolve, doc: invoke(tuple([fn(resolve, doc) for fn in fns]))


def _specialised(fns: list, checks: tuple, impl: Callable, name: str,
                 reject: Callable[[int, Any], ArgumentError]) -> Compiled | None:
    """The same as _generic, unrolled for 0 to 3 arguments that check types only (the usual calls).

    Every argument is evaluated before any is checked, checks run in argument order, and failures
    of the implementation become ArgumentError exactly as in _generic's invoke.
    """
    if len(fns) > 3 or any(allowed is not None for _, _, allowed in checks):
        return None
    types: list = [None] * len(fns)
    for index, accepted, _ in checks:
        types[index] = accepted
    if len(fns) == 0:
        def evaluate(resolve: Any, doc: Any) -> Any:
            try:
                return impl()
            except ArgumentError:
                raise
            except _FAILURES as exc:
                raise ArgumentError(name, str(exc) or type(exc).__name__) from None
    elif len(fns) == 1:
        (f0,), (t0,) = fns, types

        def evaluate(resolve: Any, doc: Any) -> Any:
            a0 = f0(resolve, doc)
            if t0 is not None and type(a0) not in t0:
                raise reject(0, a0)
            try:
                return impl(a0)
            except ArgumentError:
                raise
            except _FAILURES as exc:
                raise ArgumentError(name, str(exc) or type(exc).__name__) from None
    elif len(fns) == 2:
        (f0, f1), (t0, t1) = fns, types

        def evaluate(resolve: Any, doc: Any) -> Any:
            a0 = f0(resolve, doc)
            a1 = f1(resolve, doc)
            if t0 is not None and type(a0) not in t0:
                raise reject(0, a0)
            if t1 is not None and type(a1) not in t1:
                raise reject(1, a1)
            try:
                return impl(a0, a1)
            except ArgumentError:
                raise
            except _FAILURES as exc:
                raise ArgumentError(name, str(exc) or type(exc).__name__) from None
    else:
        (f0, f1, f2), (t0, t1, t2) = fns, types

        def evaluate(resolve: Any, doc: Any) -> Any:
            a0 = f0(resolve, doc)
            a1 = f1(resolve, doc)
            a2 = f2(resolve, doc)
            if t0 is not None and type(a0) not in t0:
                raise reject(0, a0)
            if t1 is not None and type(a1) not in t1:
                raise reject(1, a1)
            if t2 is not None and type(a2) not in t2:
                raise reject(2, a2)
            try:
                return impl(a0, a1, a2)
            except ArgumentError:
                raise
            except _FAILURES as exc:
                raise ArgumentError(name, str(exc) or type(exc).__name__) from None
    return evaluate


def _no_resolve(path: str) -> Any:
    raise AssertionError("constant calls read no paths")


class IntrinsicCall:
    """A compiled intrinsic call: `evaluate(resolve)` runs it; `paths` lists what it reads.

    Failures raise IntrinsicRuntimeError (States.Runtime) with AWS's cause "The function
    '<call text>' had the following error: <reason>". A resolver reports a missing path by raising
    StateEvaluationError whose cause is the reason (AWS: "The JsonPath argument for the field
    '$.x' could not be found in the input '<input>'"); other resolver exceptions propagate as-is.
    Results may share structure with resolved values and folded constants: treat them as immutable.
    """

    __slots__ = ("text", "name", "paths", "root", "_evaluate")

    def __init__(self, text: str, root: Call) -> None:
        self.text = text
        self.name = root.spec.name
        self.root = root
        paths: list[str] = []
        self._evaluate = self.bind(_read_by_text, paths)
        self.paths = tuple(paths)

    def evaluate(self, resolve: Resolve) -> Any:
        """The call's value; resolve(path_text) gives each path argument's value."""
        return self._evaluate(resolve, None)

    def bind(self, read: Reader, paths: list[str] | None = None) -> Compiled:
        """The call compiled with read(path_text) -> fn(resolve, doc) for its path arguments.

        The result is fn(resolve, doc) -> value, failing as `evaluate` does; the caller decides
        what resolve and doc are (a template reads `$` paths from doc directly).
        """
        run = _compile_call(self.root, read, [] if paths is None else paths)[0]
        wrap = self._wrap

        def evaluate(resolve: Any, doc: Any) -> Any:
            try:
                return run(resolve, doc)
            except ArgumentError as exc:
                raise IntrinsicRuntimeError(wrap(f"Invalid arguments in {exc.function}"),
                                            exc.detail) from None
            except StateEvaluationError as exc:
                raise IntrinsicRuntimeError(wrap(exc.cause or ""), getattr(exc, "detail", None),
                                            exc.name or "States.Runtime") from exc
        return evaluate

    def _wrap(self, reason: str) -> str:
        return f"The function '{self.text}' had the following error: {reason}"

    def __repr__(self) -> str:
        return f"IntrinsicCall({self.text!r})"



def parse(text: str) -> IntrinsicCall:
    """Compile an intrinsic call once; raises IntrinsicSyntaxError(message, offset)."""
    return IntrinsicCall(text, read(text))
