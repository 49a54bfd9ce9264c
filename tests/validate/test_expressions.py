"""Validation's expression checks agree with the interpreter's compilers, call shape for call shape."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from asl.expr.intrinsics import FUNCTIONS
from asl.expr.template import TemplateError, compile_value_expression
from asl.loader import load_text
from asl.validate import validate, validate_definition
from asl.validate.expressions import path_or_intrinsic_error

# One argument of each kind a call can be given: every literal type, a path and a nested call.
ARGUMENTS = ("'s'", "1", "1.5", "true", "false", "null", "$.p", "States.UUID()")


def _runs(text: str) -> bool:
    """Whether the interpreter compiles text as a `.$` value (what build_machine does)."""
    try:
        compile_value_expression(text, "v.$")
    except TemplateError:
        return False
    return True


def _validates(text: str) -> bool:
    return path_or_intrinsic_error(text) is None


def _shapes():
    """Every function with every argument kind, from no arguments to one more than it takes."""
    for name, spec in FUNCTIONS.items():
        most = spec.max_args if spec.max_args is not None else spec.min_args + 2
        for count in range(most + 2):
            for args in itertools.product(ARGUMENTS, repeat=count):
                yield f"{name}({', '.join(args)})"


def test_validation_accepts_exactly_the_call_shapes_the_interpreter_runs():
    shapes = list(_shapes())
    disagree = [(text, _runs(text)) for text in shapes if _runs(text) != _validates(text)]
    assert disagree == [], f"{len(disagree)} of {len(shapes)} disagree; (text, runs): {disagree[:5]}"
    # Both sides do refuse things: the table's argument counts and literal types.
    assert not _runs("States.MathAdd(1, 's')") and not _runs("States.UUID(1)")


ODD_TEXTS = [
    "States.Format ('x')", "States.Format( 'x' , $.a )", "States.Format", "States.Format('{}')",
    "States.Format('\\{}')", "States.Format('{} {}', $.a)", "States.Array(1,)", "States.Array($.a[?(@.x == 1)])",
    "States.Array($.a[(@.length-1)])", "States.Array($.a[0)", "States.Nope(1)", "Foo(1)", "states.Array()",
    "$.a", "$", "$$.Execution.Id", "$var.x", "a.b", "", "States.Array('a\\nb')",
    "States.Hash('x', 'MD4')", "States.ArrayRange(1, 5000, 1)", "States.MathAdd(1, 2) x",
    "States.JsonMerge($.a, $.b, false, false)",
    "States.Array(" * 10 + ")" * 10, "States.Array(" * 11 + ")" * 11,
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_validation_and_interpreter_agree_on_odd_texts(text):
    assert _validates(text) == _runs(text)


# AWS's JsonMerge takes a third argument that must be the boolean false (deep merging is not
# supported). The interpreter used to run any non-true value there while validation refused it.
JSON_MERGE_THIRD = [("false", True), ("$.flag", True), ("States.ArrayGetItem($.flags, 0)", True),
                    ("true", False), ("'false'", False), ("0", False), ("1.5", False), ("null", False)]
JSON_MERGE_SHAPES = [(f"States.JsonMerge({first}, {second}, {third})", ok)
                     for first in ("$.a", "States.StringToJson($.s)")
                     for second in ("$.b", "States.JsonMerge($.c, $.d, false)")
                     for third, ok in JSON_MERGE_THIRD]


@pytest.mark.parametrize("text, accepted", JSON_MERGE_SHAPES, ids=[text for text, _ in JSON_MERGE_SHAPES])
def test_json_merge_third_argument(text, accepted):
    assert (_runs(text), _validates(text)) == (accepted, accepted)


def test_validation_runs_no_intrinsic_implementation(monkeypatch):
    def boom(*args):
        raise AssertionError("validation ran an intrinsic function")

    for name, spec in FUNCTIONS.items():
        monkeypatch.setitem(FUNCTIONS, name, dataclasses.replace(spec, impl=boom))
    calls = ["States.Hash('x', 'MD5')", "States.ArrayRange(1, 3, 1)", "States.UUID()", "States.MathAdd(1, 2)"]
    data = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, "Parameters": {
        f"v{i}.$": call for i, call in enumerate(calls)}}}}
    assert validate_definition(data) == []


def test_a_bad_call_is_reported_at_its_line_and_column_with_its_position_in_the_call():
    text = ('{"StartAt": "P", "States": {\n'
            '  "P": {"Type": "Pass", "End": true,\n'
            '        "Parameters": {"m.$": "States.JsonMerge($.a, $.b, null)"}}}}\n')
    found = validate(load_text(text, "m.asl.json"))
    assert [d.format("m.asl.json") for d in found] == [
        "m.asl.json:3:24: ERROR SCHEMA_VALIDATION_FAILED The value for the field 'm.$' must be a valid "
        "JSONPath or a valid intrinsic function call (argument 3 of States.JsonMerge: the deep merge flag "
        "must be a boolean, got null (at position 28))"]
