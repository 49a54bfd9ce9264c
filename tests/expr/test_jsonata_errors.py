"""AWS's wording of JSONata failures: causes of evaluation errors (with jsonata-js's codes and
sentences) and syntax errors caught when a template compiles."""

from __future__ import annotations

import pytest

from asl.errors import StateEvaluationError
from asl.expr.jsonata import JsonataSyntaxError, QueryEvaluationError, compile_template
from jsonata_support import ERROR, STATES, UNDEFINED, UNSUPPORTED, VARIABLES, expected_cause


FAILURES = [
    # template, field, expected location, expected cause
    # -- recorded: undefined results fail, in every field and at any depth
    ("{% $doesNotExist %}", "Output", "Output", expected_cause("$doesNotExist", "Output", UNDEFINED)),
    ({"result": "{% $doesNotExist %}"}, "Output", "Output/result",
     expected_cause("$doesNotExist", "Output/result", UNDEFINED)),
    ({"result": "{% $doesNotExist %}"}, "Assign", "Assign/result",
     expected_cause("$doesNotExist", "Assign/result", UNDEFINED)),
    ("{% $doesNotExist %}", "Arguments", "Arguments", expected_cause("$doesNotExist", "Arguments", UNDEFINED)),
    ({"FunctionName": "{% $doesNotExist %}", "Payload": {}}, "Arguments", "Arguments/FunctionName",
     expected_cause("$doesNotExist", "Arguments/FunctionName", UNDEFINED)),
    # -- recorded: a function result
    ("{% $fn := function($x){$x} %}", "Items", "Items", expected_cause("$fn := function($x){$x}", "Items", UNSUPPORTED)),
    # -- same shapes, inferred
    ({"a": {"b": [0, "{% $states.input.missing %}"]}}, "Output", "Output/a/b[1]",
     expected_cause("$states.input.missing", "Output/a/b[1]", UNDEFINED)),
    ("{%$states.input.objs[x > 5]%}", "Output", "Output", expected_cause("$states.input.objs[x > 5]", "Output", UNDEFINED)),
    ("{% $range(5, 1, 1) %}", "Output", "Output", expected_cause("$range(5, 1, 1)", "Output", UNDEFINED)),
    ({"f": "{% $uppercase %}"}, "Output", "Output/f", expected_cause("$uppercase", "Output/f", UNSUPPORTED)),
    ("{% /ab/ %}", "Output", "Output", expected_cause("/ab/", "Output", UNSUPPORTED)),
    # -- jsonata runtime errors: AWS appends jsonata-js's code and sentence
    ('{% $eval("1+1") %}', "Output/r", "Output/r",
     expected_cause('$eval("1+1")', "Output/r", f"{ERROR}. T1006: Attempted to invoke a non-function")),
    ("{% $sum(['a']) %}", "Output", "Output",
     expected_cause("$sum(['a'])", "Output", f'{ERROR}. T0412: Argument 1 of function "sum" must be an array of "numbers"')),
    ("{% $abs('a') %}", "Output", "Output",
     expected_cause("$abs('a')", "Output", f'{ERROR}. T0410: Argument 1 of function "abs" does not match function signature')),
    ("{% $uppercase(null) %}", "Output", "Output",
     expected_cause("$uppercase(null)", "Output",
            f'{ERROR}. T0410: Argument 1 of function "uppercase" does not match function signature')),
    ("{% 'a' + 1 %}", "Output", "Output",
     expected_cause("'a' + 1", "Output", f'{ERROR}. T2001: The left side of the "+" operator must evaluate to a number')),
    ("{% 1 + 'a' %}", "Output", "Output",
     expected_cause("1 + 'a'", "Output", f'{ERROR}. T2002: The right side of the "+" operator must evaluate to a number')),
    ("{% 1 < 'a' %}", "Output", "Output",
     expected_cause("1 < 'a'", "Output",
            f'{ERROR}. T2009: The values 1 and "a" either side of operator "<" must be of the same data type')),
    ("{% $x() %}", "Output", "Output", expected_cause("$x()", "Output", f"{ERROR}. T1006: Attempted to invoke a non-function")),
    ("{% ($x := 1; $x()) %}", "Output", "Output",
     expected_cause("($x := 1; $x())", "Output", f"{ERROR}. T1006: Attempted to invoke a non-function")),
    ("{% $error('boom') %}", "Output", "Output", expected_cause("$error('boom')", "Output", f"{ERROR}. D3137: boom")),
    ("{% $error() %}", "Output", "Output",
     expected_cause("$error()", "Output", f"{ERROR}. D3137: $error() function evaluated")),
    ("{% $number('abc') %}", "Output", "Output",
     expected_cause("$number('abc')", "Output", f'{ERROR}. D3030: Unable to cast value to a number: "abc"')),
    ("{% $number('1e400') %}", "Output", "Output",
     expected_cause("$number('1e400')", "Output", f'{ERROR}. D3030: Unable to cast value to a number: "1e400"')),
    ("{% $replace('a', '', 'b') %}", "Output", "Output",
     expected_cause("$replace('a', '', 'b')", "Output",
            f"{ERROR}. D3010: Second argument of replace function cannot be an empty string")),
    ("{% $toMillis('foo') %}", "Output", "Output",
     expected_cause("$toMillis('foo')", "Output", f"{ERROR}. D3110: The argument of the toMillis function must be an "
                                          'ISO 8601 formatted timestamp. Given "foo"')),
    ("{% $formatNumber(1, '#,##,') %}", "Output", "Output",
     expected_cause("$formatNumber(1, '#,##,')", "Output", f"{ERROR}. D3088: The sub-picture must not contain a "
                                                   '"grouping-separator" at the end of the integer part')),
    ("{% 1/0 + 1 %}", "Output", "Output",
     expected_cause("1/0 + 1", "Output", f"{ERROR}. D1001: Number out of range: null")),
    # -- evaluation bounds: AWS writes these without a code, after a colon
    ("{% " + "+".join(["1"] * 101) + " %}", "Output", "Output",
     expected_cause("+".join(["1"] * 101), "Output",
            f"{ERROR}: Stack overflow error: Check for non-terminating recursive function. "
            "Consider rewriting as tail-recursive. Depth=101 max=100")),
    ("{% $range(1, 360146, 1) %}", "Output", "Output",
     expected_cause("$range(1, 360146, 1)", "Output",
            f"{ERROR}: Expression evaluation memory limit exceeded: Check for excessive memory usage")),
]


@pytest.mark.parametrize("template, field, location, cause", FAILURES,
                         ids=[f"{c[2]}:{str(c[0])[:50]}" for c in FAILURES])
def test_failure_causes(template, field, location, cause):
    compiled = compile_template(template, field)
    with pytest.raises(QueryEvaluationError) as caught:
        compiled.evaluate(STATES, VARIABLES)
    err = caught.value
    assert isinstance(err, StateEvaluationError)
    assert err.name == "States.QueryEvaluationError"
    assert err.location == location
    assert err.cause == cause


# ---------------------------------------------------------------- syntax errors

SYNTAX_ERRORS = [
    # expression, field, code, message (jsonata-js wording, without the code as AWS shows it)
    ("{% a[1,2) %}", "Output", "S0202", 'Expected "]", got ","'),
    ('{% "unterminated %}', "Output", "S0101", "String literal must be terminated by a matching quote"),
    ("{% 1 + %}", "Output", "S0207", "Unexpected end of expression"),
    ("{% $x := %}", "Output", "S0207", "Unexpected end of expression"),
    ('{% $match("a", /abc %}', "Output", "S0302", "No terminating / in regular expression"),
    ("{%  %}", "Output", "S0207", "Unexpected end of expression"),
    ({"a": ["{% ) %}"]}, "Arguments", "S0211", 'The symbol ")" cannot be used as a unary operator'),
]


@pytest.mark.parametrize("template, field, code, message", SYNTAX_ERRORS, ids=[repr(c[0]) for c in SYNTAX_ERRORS])
def test_syntax_errors(template, field, code, message):
    with pytest.raises(JsonataSyntaxError) as caught:
        compile_template(template, field)
    err = caught.value
    assert (err.code, err.message) == (code, message)
    expected_field = "Arguments/a[0]" if isinstance(template, dict) else field
    assert err.field == expected_field
    assert expected_field in str(err) and message in str(err)
