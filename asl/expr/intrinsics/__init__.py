"""Intrinsic functions of JSONPath states: `parse(text)` once, then `call.evaluate(resolve)`."""

from .errors import IntrinsicRuntimeError, IntrinsicSyntaxError
from .functions import FUNCTIONS, MAX_NESTING, FunctionSpec, Param
from .parser import IntrinsicCall, is_intrinsic, parse

__all__ = [
    "FUNCTIONS", "MAX_NESTING", "FunctionSpec", "IntrinsicCall", "IntrinsicRuntimeError",
    "IntrinsicSyntaxError", "Param", "is_intrinsic", "parse",
]
