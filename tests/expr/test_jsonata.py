"""JSONata templates: literals vs expressions, $states and variables, Step Functions' functions,
AWS's cause wording, number normalisation, syntax errors. Cases are data; one test runs each table.

Causes marked "recorded" are verbatim from executions recorded against AWS
(../shared/conformance/cases); the others follow the same sentence shapes.
"""

from __future__ import annotations

import copy
import threading

import pytest

from asl.errors import StateEvaluationError
from asl.expr.jsonata import (
    JsonataField, JsonataSyntaxError, QueryEvaluationError, compile_template, evaluate_array,
    evaluate_condition, evaluate_int, evaluate_number, evaluate_string, is_expression,
    iter_expressions, java_random_double,
)

INPUT = {
    "a": 1, "n": None, "s": "text", "f": 1.5, "whole": 2.0, "t": True,
    "list": [1, 2, 3], "objs": [{"x": 1}, {"x": 2}], "one": [{"x": 7}],
    "nested": {"deep": {"v": "d"}}, "json": '{"k": [1, 2.0, null]}',
}
STATES = {"input": INPUT, "context": {"State": {"Name": "S"}}}
VARIABLES = {"count": 3, "name": "sfn", "nothing": None, "obj": {"k": "v"}}


def run(template, field="Output", states=STATES, variables=VARIABLES):
    return compile_template(template, field).evaluate(states, variables)


# ---------------------------------------------------------------- what is an expression

@pytest.mark.parametrize("value, expected", [
    ("{% 1 %}", True),
    ("{%1%}", True),
    ("{%%}", True),
    ("{% $x %} ", False),                 # AWS: surrounding whitespace makes a literal
    (" {% $x %}", False),
    ("{%}", False),
    ("{% $x", False),
    ("$states.input", False),
    ("hello {% $x %}", False),
    (1, False),
    (None, False),
    (["{% 1 %}"], False),
])
def test_is_expression(value, expected):
    assert is_expression(value) is expected


# ---------------------------------------------------------------- literals

LITERALS = [
    None, 0, 0.1, 1.0, True, "constant string", " {% states.input %} ", "$states.input", "$",
    "States.Format('Format:{}', 101)", [], {}, [None, 0, 0.1, True, [], {"constant": 0}],
    {"in_obj": {"k": [" {% x %} ", "$no.such.var.path"]}},
]


@pytest.mark.parametrize("literal", LITERALS, ids=repr)
def test_literals_are_constant_and_returned_as_is(literal):
    field = compile_template(literal, "Output")
    assert field.is_constant
    assert field.expressions == ()
    assert field.evaluate(STATES, VARIABLES) is literal


# ---------------------------------------------------------------- evaluation

EVALUATIONS = [
    # template, expected
    ("{% 1 + 2 %}", 3),
    ("{% $states.input.a %}", 1),
    ("{% $states.input %}", INPUT),
    ("{% $states.context.State.Name %}", "S"),
    ("{% $states.input.n %}", None),                       # JSON null is a value, not undefined
    ("{% $exists($states.input.n) %}", True),
    ("{% $type($states.input.n) %}", "null"),
    ("{% $states.input.objs.x %}", [1, 2]),
    ("{% $states.input.one.x %}", 7),                      # singleton sequence collapses
    ("{% [$states.input.one.x] %}", [7]),
    ("{% $states.input.nested.deep.v %}", "d"),
    ("{% $count %}", 3),
    ("{% $name & '-' & $count %}", "sfn-3"),
    ("{% $nothing %}", None),                              # a variable holding null
    ("{% $obj.k %}", "v"),
    ("{% $sum($states.input.list) + $count %}", 9),
    ("{% $merge([$states.input.nested, {'b': 2}]) %}", {"deep": {"v": "d"}, "b": 2}),
    ("{% $contains('hello$world', /^hello\\$/) %}", True),  # recorded (regular expressions)
    ("{% $contains(\"hello$world\", /^hello\\ /) %}", False),
    ("{% $states.input.s = '\"' %}", False),
    ("{% ($x := 2; $x * $count) %}", 6),
    ("{% $map($states.input.list, function($v) { $v * 2 }) %}", [2, 4, 6]),
    ("{% $states.input.objs[x > 1] %}", {"x": 2}),
    ("{% $states.input ~> |$|{'z': 1}, ['list', 'objs', 'one', 'nested', 'json']| %}",
     {"a": 1, "n": None, "s": "text", "f": 1.5, "whole": 2, "t": True, "z": 1}),
    ("{% [1..4] %}", [1, 2, 3, 4]),
    ("{% {'a': null, 'b': [null]} %}", {"a": None, "b": [None]}),
    ("{% $string({'a': 1}) %}", '{"a":1}'),
    # nested templates: object keys are never evaluated, values at any depth are
    ({"k": "{% $states.input.a %}", "lit": "x", "deep": [{"v": "{% $name %}"}, 3]},
     {"k": 1, "lit": "x", "deep": [{"v": "sfn"}, 3]}),
    ([1, "{% $number('2') %}", 3], [1, 2, 3]),            # recorded (Map Items)
    ({"{% $name %}": "{% $count %}"}, {"{% $name %}": 3}),
    ({"a": "{% $x := 1 %}", "b": "{% $exists($x) %}"}, {"a": 1, "b": False}),   # no leak
]


@pytest.mark.parametrize("template, expected", EVALUATIONS, ids=[repr(c[0])[:60] for c in EVALUATIONS])
def test_evaluation(template, expected):
    field = compile_template(template, "Output")
    assert not field.is_constant
    result = field.evaluate(STATES, VARIABLES)
    assert result == expected
    assert type(result) is type(expected)


NUMBERS = [
    # expression, expected value (and its exact type)
    ("{% 3 %}", 3),
    ("{% 6 / 2 %}", 3),
    ("{% 10 / 4 %}", 2.5),
    ("{% 1.0 %}", 1),
    ("{% $states.input.whole %}", 2),                      # 2.0 in the input prints as 2 on AWS
    ("{% $states.input.f %}", 1.5),
    ("{% $sum([1.5, 1.5]) %}", 3),
    ("{% [1.0, 2.5, {'k': 4.0}] %}", [1, 2.5, {"k": 4}]),
    ("{% 1e20 %}", 100000000000000000000),
    ("{% 0.1 + 0.2 %}", 0.30000000000000004),
    ("{% 1 / 0 %}", "Infinity"),                           # JSON has no Infinity: JS names
    ("{% -1 / 0 %}", "-Infinity"),
    ("{% 0 / 0 %}", "NaN"),
    ("{% [1 / 0] %}", ["Infinity"]),
    ("{% 1e308 * 10 %}", "Infinity"),
    ("{% $number('0x1F') %}", 31),
    ("{% $number('-2.50') %}", -2.5),
    ("{% $number(true) %}", 1),
]


@pytest.mark.parametrize("template, expected", NUMBERS, ids=[c[0] for c in NUMBERS])
def test_numbers_are_plain_json(template, expected):
    result = run(template)
    assert result == expected
    assert type(result) is type(expected)
    if isinstance(expected, list):
        assert [type(v) for v in result] == [type(v) for v in expected]


def _json_types(value):
    """Every type inside a value (to prove no jsonata-internal type leaks out)."""
    yield type(value)
    if isinstance(value, dict):
        for item in value.values():
            yield from _json_types(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_types(item)


@pytest.mark.parametrize("template", [
    "{% $states.input.objs.x %}", "{% $states.input.objs %}", "{% $append([1], [null]) %}",
    "{% [1..3] %}", "{% $spread({'a': 1, 'b': null}) %}", "{% $range(0, 6, 2) %}",
    "{% $partition([1, 2, 3], 2) %}", "{% $parse($states.input.json) %}",
    "{% $states.input.list.{'v': $} %}", "{% $keys({'a': 1}) %}",
])
def test_no_jsonata_types_leak(template):
    result = run(template)
    assert set(_json_types(result)) <= {dict, list, str, int, float, bool, type(None)}


def test_inputs_and_variables_are_not_mutated():
    states = copy.deepcopy(STATES)
    variables = copy.deepcopy(VARIABLES)
    template = {"a": "{% $append($states.input.list, 4) %}", "b": "{% $sort($states.input.list, "
                "function($l, $r) { $l < $r }) %}", "c": "{% $merge([$obj, {'k': 1}]) %}",
                "d": "{% $states.input ~> |objs|{'y': 1}| %}"}
    compile_template(template).evaluate(states, variables)
    assert states == STATES and variables == VARIABLES


def test_states_values_are_shared_not_copied():
    assert run("{% $states.input.nested %}") is INPUT["nested"]


SIMPLE_PATHS = [
    "$states.input.a", "$states.input.n", "$states.input.whole", "$states.input.nested",
    "$states.input.nested.deep.v", "$states.input.list", "$states.input.objs.x", "$states.input.one",
    "$states.input.missing", "$states.input.n.x", "$states.input.a.b", "$states.input.list.x",
    "$count", "$nothing", "$obj.k", "$undefinedvar", "$sum", "$states", "$states.context.State",
    "$states.input.nestedlists", "$states.input.emptylist", "$states.input.nulls", "$lists",
]


@pytest.mark.parametrize("expression", SIMPLE_PATHS)
def test_simple_paths_match_full_evaluation(expression):
    """`$var.a.b` takes a shortcut of dict lookups; it must agree with jsonata in every case."""
    fast = compile_template("{% " + expression + " %}")
    slow = compile_template("{% " + expression + " %}")
    assert fast._root.path is not None
    slow._root.path = None

    states = {**STATES, "input": {**INPUT, "nestedlists": [[1, 2], [3]], "emptylist": [], "nulls": [None]}}
    variables = {**VARIABLES, "lists": [[1]]}

    def outcome(field):
        try:
            return "value", field.evaluate(states, variables)
        except QueryEvaluationError as err:
            return "error", err.cause

    assert outcome(fast) == outcome(slow)


def test_expressions_and_text():
    field = compile_template({"a": ["x", "{%  $states.input.a  %}"], "b": {"c": "{% $count %}"}}, "Arguments")
    assert field.expressions == (("Arguments/a[1]", "$states.input.a"), ("Arguments/b/c", "$count"))
    assert compile_template("{% 1 %}", "Items").text == "1"
    assert list(iter_expressions({"a": ["{% 1 %}", " {% 2 %}"], "b": "{%3%}"})) == ["1", "3"]
    assert isinstance(field, JsonataField)


# ---------------------------------------------------------------- failures and their causes

def _cause(expression, field, rest):
    return f"The JSONata expression '{expression}' specified for the field '{field}' {rest}"


UNDEFINED = "returned nothing (undefined)."
UNSUPPORTED = "returned an unsupported result type."
ERROR = "threw an error during evaluation"

FAILURES = [
    # template, field, expected location, expected cause
    # -- recorded: undefined results fail, in every field and at any depth
    ("{% $doesNotExist %}", "Output", "Output", _cause("$doesNotExist", "Output", UNDEFINED)),
    ({"result": "{% $doesNotExist %}"}, "Output", "Output/result",
     _cause("$doesNotExist", "Output/result", UNDEFINED)),
    ({"result": "{% $doesNotExist %}"}, "Assign", "Assign/result",
     _cause("$doesNotExist", "Assign/result", UNDEFINED)),
    ("{% $doesNotExist %}", "Arguments", "Arguments", _cause("$doesNotExist", "Arguments", UNDEFINED)),
    ({"FunctionName": "{% $doesNotExist %}", "Payload": {}}, "Arguments", "Arguments/FunctionName",
     _cause("$doesNotExist", "Arguments/FunctionName", UNDEFINED)),
    # -- recorded: a function result
    ("{% $fn := function($x){$x} %}", "Items", "Items", _cause("$fn := function($x){$x}", "Items", UNSUPPORTED)),
    # -- same shapes, inferred
    ({"a": {"b": [0, "{% $states.input.missing %}"]}}, "Output", "Output/a/b[1]",
     _cause("$states.input.missing", "Output/a/b[1]", UNDEFINED)),
    ("{%$states.input.objs[x > 5]%}", "Output", "Output", _cause("$states.input.objs[x > 5]", "Output", UNDEFINED)),
    ("{% $range(5, 1, 1) %}", "Output", "Output", _cause("$range(5, 1, 1)", "Output", UNDEFINED)),
    ({"f": "{% $uppercase %}"}, "Output", "Output/f", _cause("$uppercase", "Output/f", UNSUPPORTED)),
    ("{% /ab/ %}", "Output", "Output", _cause("/ab/", "Output", UNSUPPORTED)),
    # -- jsonata runtime errors: AWS appends jsonata-js's code and sentence
    ('{% $eval("1+1") %}', "Output/r", "Output/r",
     _cause('$eval("1+1")', "Output/r", f"{ERROR}. T1006: Attempted to invoke a non-function")),
    ("{% $sum(['a']) %}", "Output", "Output",
     _cause("$sum(['a'])", "Output", f'{ERROR}. T0412: Argument 1 of function "sum" must be an array of "numbers"')),
    ("{% $abs('a') %}", "Output", "Output",
     _cause("$abs('a')", "Output", f'{ERROR}. T0410: Argument 1 of function "abs" does not match function signature')),
    ("{% $uppercase(null) %}", "Output", "Output",
     _cause("$uppercase(null)", "Output",
            f'{ERROR}. T0410: Argument 1 of function "uppercase" does not match function signature')),
    ("{% 'a' + 1 %}", "Output", "Output",
     _cause("'a' + 1", "Output", f'{ERROR}. T2001: The left side of the "+" operator must evaluate to a number')),
    ("{% 1 + 'a' %}", "Output", "Output",
     _cause("1 + 'a'", "Output", f'{ERROR}. T2002: The right side of the "+" operator must evaluate to a number')),
    ("{% 1 < 'a' %}", "Output", "Output",
     _cause("1 < 'a'", "Output",
            f'{ERROR}. T2009: The values 1 and "a" either side of operator "<" must be of the same data type')),
    ("{% $x() %}", "Output", "Output", _cause("$x()", "Output", f"{ERROR}. T1006: Attempted to invoke a non-function")),
    ("{% ($x := 1; $x()) %}", "Output", "Output",
     _cause("($x := 1; $x())", "Output", f"{ERROR}. T1006: Attempted to invoke a non-function")),
    ("{% $error('boom') %}", "Output", "Output", _cause("$error('boom')", "Output", f"{ERROR}. D3137: boom")),
    ("{% $error() %}", "Output", "Output",
     _cause("$error()", "Output", f"{ERROR}. D3137: $error() function evaluated")),
    ("{% $number('abc') %}", "Output", "Output",
     _cause("$number('abc')", "Output", f'{ERROR}. D3030: Unable to cast value to a number: "abc"')),
    ("{% $number('1e400') %}", "Output", "Output",
     _cause("$number('1e400')", "Output", f'{ERROR}. D3030: Unable to cast value to a number: "1e400"')),
    ("{% $replace('a', '', 'b') %}", "Output", "Output",
     _cause("$replace('a', '', 'b')", "Output",
            f"{ERROR}. D3010: Second argument of replace function cannot be an empty string")),
    ("{% $toMillis('foo') %}", "Output", "Output",
     _cause("$toMillis('foo')", "Output", f"{ERROR}. D3110: The argument of the toMillis function must be an "
                                          'ISO 8601 formatted timestamp. Given "foo"')),
    ("{% $formatNumber(1, '#,##,') %}", "Output", "Output",
     _cause("$formatNumber(1, '#,##,')", "Output", f"{ERROR}. D3088: The sub-picture must not contain a "
                                                   '"grouping-separator" at the end of the integer part')),
    ("{% 1/0 + 1 %}", "Output", "Output",
     _cause("1/0 + 1", "Output", f"{ERROR}. D1001: Number out of range: null")),
    # -- evaluation bounds: AWS writes these without a code, after a colon
    ("{% " + "+".join(["1"] * 101) + " %}", "Output", "Output",
     _cause("+".join(["1"] * 101), "Output",
            f"{ERROR}: Stack overflow error: Check for non-terminating recursive function. "
            "Consider rewriting as tail-recursive. Depth=101 max=100")),
    ("{% $range(1, 360146, 1) %}", "Output", "Output",
     _cause("$range(1, 360146, 1)", "Output",
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


@pytest.mark.parametrize("depth, ok", [(100, True), (101, False)])
def test_depth_bound_is_awss_hundred(depth, ok):
    terms = "{% " + "+".join(["1"] * depth) + " %}"
    parens = "{% " + "(" * (depth - 1) + "1" + ")" * (depth - 1) + " %}"
    for template in (terms, parens):
        if ok:
            assert run(template) in (depth, 1)
        else:
            with pytest.raises(QueryEvaluationError, match="Stack overflow error"):
                run(template)


def test_runaway_recursion_times_out(monkeypatch):
    from asl.expr.jsonata import runtime as module

    monkeypatch.setattr(module, "EVALUATION_TIMEOUT_SECONDS", 0.2)
    with pytest.raises(QueryEvaluationError, match="Expression evaluation timeout: Check for infinite loop"):
        run("{% ($f := function($x) { $f($x + 1) }; $f(1)) %}")
    # `and` / `or` wrap foreign exceptions; the bound must come through as itself
    with pytest.raises(QueryEvaluationError, match="Expression evaluation timeout"):
        run("{% true and ($f := function() { $f() }; $f()) %}")


def test_calling_a_non_function_prints_nothing(capsys):
    with pytest.raises(QueryEvaluationError):
        run("{% ($x := 1; $x()) %}")
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- Step Functions' functions

FUNCTIONS = [
    # expression, expected
    ("$partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 4)", [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("$partition([1, 2, 3], 3)", [[1, 2, 3]]),
    ("$partition([1, 2, 3], 5)", [[1, 2, 3]]),
    ("$partition([1, 2, 3], 2.9)", [[1, 2], [3]]),          # towards zero
    ("$partition([1, 2, 3])", [[1, 2, 3]]),
    ("$partition([{'a': null}], 1)", [[{"a": None}]]),
    ("$range(0, 9, 3)", [0, 3, 6, 9]),                       # recorded
    ("$range(0, 10, 3)", [0, 3, 6, 9]),                      # recorded
    ("$range(1, 9, 9)", 1),                                  # recorded: a single element collapses
    ("$range(1, 9, 2)", [1, 3, 5, 7, 9]),                    # recorded
    ("$range(0, 10, 2)", [0, 2, 4, 6, 8, 10]),
    ("$range(5, 1, -2)", [5, 3, 1]),
    ("$range(-1.7, 2, 1)", [-1, 0, 1, 2]),
    ("$range(3, 3, 1)", 3),
    ("[$range(1, 9, 9)]", [1]),
    ("$hash('abc', 'MD5')", "900150983cd24fb0d6963f7d28e17f72"),
    ("$hash('abc', 'SHA-1')", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ("$hash('abc', 'SHA-256')", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("$hash('', 'SHA-384')", "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
                             "274edebfe76f65fbd51ad2f14898b95b"),
    ("$hash('abc', 'SHA-512')", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                                "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ("$hash('é', 'MD5')", "66ddcd97cfdeabb2f6fb8a999b4bc76f"),          # of the UTF-8 bytes
    ("$random(42)", 0.7275636800328681),                     # java.util.Random(42).nextDouble()
    ("$random(42.9)", 0.7275636800328681),
    ("$random(42) = $random(42)", True),
    ("$parse('{\"a\": [1, 2.0, null], \"b\": true}')", {"a": [1, 2, None], "b": True}),
    ("$parse('\"x\"')", "x"),
    ("$parse('null')", None),
    ("$parse($states.input.json).k[1]", 2),
]


@pytest.mark.parametrize("expression, expected", FUNCTIONS, ids=[c[0] for c in FUNCTIONS])
def test_step_functions_functions(expression, expected):
    result = run("{% " + expression + " %}")
    assert result == expected
    assert type(result) is type(expected)


def test_random_and_uuid():
    value = run("{% $random() %}")
    assert isinstance(value, float) and 0 <= value < 1
    first, second = run("{% [$uuid(), $uuid()] %}")
    assert first != second
    assert len(first) == 36 and first[14] == "4" and first[19] in "89ab"
    assert java_random_double(0) == 0.730967787376657
    # java.util.Random(seed).nextDouble(), checked against a JVM
    assert java_random_double(-1) == 0.26894263088050496
    assert java_random_double(1234567890123) == 0.9979691436808569


FUNCTION_ERRORS = [
    # expression, error tail ("" = returned nothing)
    ("$partition('abc', 2)", 'T0412: Argument 1 of function "partition" must be an array of undefined'),
    ("$partition([1], -1)", "D3137: Second argument must be zero or greater"),
    ("$partition([1], 'a')", 'T0410: Argument 2 of function "partition" does not match function signature'),
    ("$partition([1], 1, 2)", 'T0410: Argument 3 of function "partition" does not match function signature'),
    ("$partition([1], 0)", ""),
    ("$partition([], 2)", ""),
    ("$partition($nope, 2)", ""),
    ("$range('a', 2, 1)", 'T0410: Argument 1 of function "range" does not match function signature'),
    ("$range(1, null, 1)", 'T0410: Argument 2 of function "range" does not match function signature'),
    ("$range(1, 2, true)", 'T0410: Argument 3 of function "range" does not match function signature'),
    ("$range(1, 2, 1, 4)", 'T0410: Argument 4 of function "range" does not match function signature'),
    ("$range(1, 5)", ""),
    ("$range(1, 5, 0)", ""),
    ("$range(1, 5, -1)", ""),
    ("$hash(1, 'MD5')", 'T0410: Argument 1 of function "hash" does not match function signature'),
    ("$hash('a', 1)", 'T0410: Argument 2 of function "hash" does not match function signature'),
    ("$hash('a', 'sha-256')",
     "D3137: Hash algorithm 'sha-256' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5"),
    ("$hash('a')", ""),
    ("$random('x')", 'T0410: Argument 1 of function "random" does not match function signature'),
    ("$random(1, 2)", 'T0410: Argument 2 of function "random" does not match function signature'),
    ("$uuid(1)", 'T0410: Argument 1 of function "uuid" does not match function signature'),
    ("$parse(1)", 'T0410: Argument 1 of function "parse" does not match function signature'),
    ("$parse($nothing)", 'T0410: Argument 1 of function "parse" does not match function signature'),
    ("$parse('{')", "D3137: Invalid JSON"),
    ("$parse('')", "D3137: Invalid JSON"),
    ("$parse('{\"a\": 1, \"a\": 2}')", "D3137: Invalid JSON"),
    ("$parse('1 2')", "D3137: Invalid JSON"),
    ("$parse('NaN')", "D3137: Invalid JSON"),
    ("$parse($nope)", ""),
]


@pytest.mark.parametrize("expression, tail", FUNCTION_ERRORS, ids=[c[0] for c in FUNCTION_ERRORS])
def test_step_functions_function_errors(expression, tail):
    with pytest.raises(QueryEvaluationError) as caught:
        run("{% " + expression + " %}", "Output/v")
    rest = f"{ERROR}. {tail}" if tail else UNDEFINED
    assert caught.value.cause == _cause(expression, "Output/v", rest)


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


# ---------------------------------------------------------------- typed fields

TYPED = [
    # helper, template, field, kwargs, expected value or cause tail
    (evaluate_condition, "{% $states.input.a = 1 %}", "Condition", {}, True),
    (evaluate_condition, "{% $states.input.t and false %}", "Condition", {}, False),
    (evaluate_condition, "{% $states.input.a %}", "Condition", {},
     "returned an unexpected result type. Expected 'boolean', but was 'number' for value: 1"),
    (evaluate_condition, "{% $states.input.missing %}", "Condition", {}, UNDEFINED),
    (evaluate_array, "{% [1, 'two', 3] %}", "Items", {}, [1, "two", 3]),      # recorded
    (evaluate_array, "{% [] %}", "Items", {}, []),                           # recorded
    (evaluate_array, "{% [0] %}", "Items", {}, [0]),                         # recorded
    (evaluate_array, [1, "{% $number('2') %}", 3], "Items", {}, [1, 2, 3]),   # recorded
    (evaluate_array, "{% $states.input.list %}", "Items", {}, [1, 2, 3]),
    (evaluate_array, "{% $states.input.one %}", "Items", {}, [{"x": 7}]),    # arrays stay arrays
    # recorded, verbatim:
    (evaluate_array, "{% true %}", "Items", {},
     "returned an unexpected result type. Expected 'array', but was 'boolean' for value: true"),
    (evaluate_array, "{% null %}", "Items", {},
     "returned an unexpected result type. Expected 'array', but was 'null' for value: null"),
    (evaluate_array, "{% 1 %}", "Items", {},
     "returned an unexpected result type. Expected 'array', but was 'number' for value: 1"),
    (evaluate_array, "{% {'foo': 'bar'} %}", "Items", {},
     "returned an unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"),
    (evaluate_array, "{% 'string' %}", "Items", {},
     "returned an unexpected result type. Expected 'array', but was 'string' for value: \"string\""),
    (evaluate_array, "{% $fn := function($x){$x} %}", "Items", {}, UNSUPPORTED),
    (evaluate_int, "{% $variable := 1 %}", "MaxConcurrency", {}, 1),        # recorded
    (evaluate_int, "{% $states.input.a %}", "TimeoutSeconds", {"minimum": 1}, 1),
    (evaluate_int, "{% $states.input.whole %}", "Seconds", {}, 2),
    (evaluate_int, "{% $states.input.f %}", "Seconds", {},
     "returned an unexpected result type. Expected 'integer', but was 'number' for value: 1.5"),
    (evaluate_int, "{% $states.input.s %}", "HeartbeatSeconds", {},
     "returned an unexpected result type. Expected 'integer', but was 'string' for value: \"text\""),
    (evaluate_int, "{% -5 %}", "Seconds", {},
     "returned an unexpected value. Expected a value at least 0, but was: -5"),
    (evaluate_int, "{% 0 %}", "TimeoutSeconds", {"minimum": 1, "maximum": 99999999},
     "returned an unexpected value. Expected a value between 1 and 99999999, but was: 0"),
    (evaluate_number, "{% $states.input.f * 10 %}", "ToleratedFailurePercentage", {"maximum": 100}, 15),
    (evaluate_number, "{% 101 %}", "ToleratedFailurePercentage", {"minimum": 0, "maximum": 100},
     "returned an unexpected value. Expected a value between 0 and 100, but was: 101"),
    (evaluate_string, "{% $states.input.s %}", "Cause", {}, "text"),
    (evaluate_string, "{% $states.input.list %}", "Error", {},
     "returned an unexpected result type. Expected 'string', but was 'array' for value: [1,2,3]"),
]


@pytest.mark.parametrize("helper, template, field, kwargs, expected", TYPED,
                         ids=[f"{c[0].__name__}:{c[1]}" for c in TYPED])
def test_typed_fields(helper, template, field, kwargs, expected):
    compiled = compile_template(template, field)
    if isinstance(expected, str) and expected.startswith("returned"):
        with pytest.raises(QueryEvaluationError) as caught:
            helper(compiled, STATES, VARIABLES, **kwargs)
        text = template[2:-2].strip() if isinstance(template, str) else compiled.text
        assert caught.value.cause == _cause(text, field, expected)
        assert caught.value.location == field
    else:
        result = helper(compiled, STATES, VARIABLES, **kwargs)
        assert result == expected and type(result) is type(expected)


def test_typed_field_name_override_and_constants():
    compiled = compile_template("{% 'x' %}", "Seconds")
    with pytest.raises(QueryEvaluationError) as caught:
        evaluate_int(compiled, STATES, VARIABLES, "Wait/Seconds")
    assert caught.value.location == "Wait/Seconds"
    assert evaluate_int(compile_template(30, "TimeoutSeconds"), STATES) == 30
    assert evaluate_array([1, 2], STATES, field="Items") == [1, 2]


# ---------------------------------------------------------------- runtime behaviour

def test_now_is_the_evaluation_time():
    import time

    before = int(time.time() * 1000)
    compile_template("{% 1 %}")                 # compiling another expression must not freeze $millis
    value = run("{% $millis() %}")
    assert before <= value <= int(time.time() * 1000)
    assert run("{% $millis() = $millis() %}") is True


def test_concurrent_evaluations_do_not_interfere():
    field = compile_template({"v": "{% ($x := $states.input.i; $sum([1..100]) + $x) %}"})
    results, errors = {}, []

    def worker(i):
        try:
            for _ in range(50):
                results.setdefault(i, set()).add(field.evaluate({"input": {"i": i}})["v"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == {i: {5050 + i} for i in range(8)}


def test_variables_shadow_functions_and_states_is_reserved():
    assert run("{% $states.input.a %}", variables={"states": {"input": {"a": 9}}}) == 1
    assert run("{% $count %}", variables={"count": 5}) == 5
