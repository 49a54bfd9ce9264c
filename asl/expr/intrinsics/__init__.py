"""Intrinsic functions of JSONPath states: `parse(text)` once, then `call.evaluate(resolve)`.

`check(text)` reads a call against the same function table without compiling or running it.
"""

from .errors import IntrinsicRuntimeError, IntrinsicSyntaxError
from .compiler import IntrinsicCall, parse
from .parser import check, is_intrinsic
from .table import FUNCTIONS, MAX_NESTING, FunctionSpec, Param

__all__ = [
    "FUNCTIONS", "MAX_NESTING", "FunctionSpec", "IntrinsicCall", "IntrinsicRuntimeError",
    "IntrinsicSyntaxError", "Param", "check", "is_intrinsic", "parse",
]
