"""What the JSONata tests share: a `$states` and variables to evaluate against, and AWS's cause
sentence shapes. Causes marked "recorded" in the tests are verbatim from executions recorded
against AWS (../shared/conformance/cases); the others follow the same sentence shapes."""

from __future__ import annotations

from asl.expr.jsonata import compile_template

INPUT = {
    "a": 1, "n": None, "s": "text", "f": 1.5, "whole": 2.0, "t": True,
    "list": [1, 2, 3], "objs": [{"x": 1}, {"x": 2}], "one": [{"x": 7}],
    "nested": {"deep": {"v": "d"}}, "json": '{"k": [1, 2.0, null]}',
}
STATES = {"input": INPUT, "context": {"State": {"Name": "S"}}}
VARIABLES = {"count": 3, "name": "sfn", "nothing": None, "obj": {"k": "v"}}


def run(template, field="Output", states=STATES, variables=VARIABLES):
    return compile_template(template, field).evaluate(states, variables)


def expected_cause(expression, field, rest):
    """AWS's cause for an expression of a field, ending in `rest`."""
    return f"The JSONata expression '{expression}' specified for the field '{field}' {rest}"


UNDEFINED = "returned nothing (undefined)."
UNSUPPORTED = "returned an unsupported result type."
ERROR = "threw an error during evaluation"
