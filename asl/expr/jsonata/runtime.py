"""Running parsed JSONata: the per-thread evaluator with JavaScript's arithmetic, the root scope
(`$states`, the variables, the functions), and AWS's depth and time bounds."""

from __future__ import annotations

import math
import operator
import threading
import time
from typing import Any, Mapping

from jsonata import Jsonata, JException

from .. import budget
from .errors import MEMORY, STACK_OVERFLOW, TIMEOUT, BoundExceeded
from .functions import BASE_FRAME
from .regexes import MAX_STRING, guarded_engine
from .values import NULL

# AWS's evaluation depth is 100 (deeper fails). The time bound is ours: AWS's is unknown, and an
# expression with no base case must not hang an execution.
MAX_DEPTH = 100
EVALUATION_TIMEOUT_SECONDS = 10.0

_MISSING = object()


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
            raise BoundExceeded(f"{STACK_OVERFLOW} Depth={self.depth} max={MAX_DEPTH}")
        if time.monotonic() > self.deadline:
            raise BoundExceeded(TIMEOUT)

    def leave(self, expr: Any, input: Any, environment: Any, result: Any) -> None:
        self.depth -= 1
        if type(result) is str and len(result) > MAX_STRING:
            raise BoundExceeded(MEMORY)  # string building stops here, not at gigabytes


class Scope(Jsonata.Frame):
    """The root frame of one template evaluation: `$states`, then the variables, then functions.

    Built once per evaluation in O(1): variables are read through, never copied into bindings.
    """

    def __init__(self, states: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
        self.bindings: dict[str, Any] = {}
        self.parent = BASE_FRAME
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
        """A name's value: the frame's own bindings, `$states`, a variable, then a function."""
        value = self.bindings.get(name, _MISSING)
        if value is not _MISSING:
            return value
        if name == "states":
            return self.states
        value = self.variables.get(name, _MISSING)
        if value is not _MISSING:
            return NULL if value is None else value
        return BASE_FRAME.lookup(name)


def evaluate(ast: Any, scope: Scope, shared: bool) -> Any:
    """The raw jsonata result of a parsed expression in `scope`, within AWS's bounds; raises
    whatever jsonata raises. A `shared` scope (a template with several expressions) gives the
    expression its own frame, so `$x := ...` in one field does not leak into its siblings."""
    bounds = scope.arm()
    frame = Jsonata.Frame(scope) if shared else scope
    runner = _runner()
    Jsonata.CURRENT.jsonata = runner     # jsonata evaluates through the thread's current one
    runner.timestamp = scope.millis      # $now() / $millis() of this evaluation
    bounds.depth = 0
    spending = budget.current()
    started = time.monotonic()
    bounds.deadline = started + max(min(EVALUATION_TIMEOUT_SECONDS, spending.left()), 0.0)
    budget.set_deadline(bounds.deadline)
    try:
        return runner.eval(ast, None, frame)
    finally:
        spending.spent += time.monotonic() - started


def parse(text: str) -> Any:
    """The AST of an expression; raises jsonata's errors (JException and a few plain ones)."""
    saved = getattr(Jsonata.CURRENT, "jsonata", None)
    try:
        return Jsonata(text, guarded_engine).ast
    finally:
        if saved is not None:             # constructing one makes it the thread's current one
            Jsonata.CURRENT.jsonata = saved
