"""JSONata templates: literals vs expressions, `$states` and variables, nested templates, the
`$var.a.b` shortcut, sharing and immutability of values. Cases are data; one test runs each table."""

from __future__ import annotations

import copy

import pytest

from asl.expr.jsonata import (
    JsonataField, QueryEvaluationError, compile_template, is_expression, iter_expressions,
)
from jsonata_support import INPUT, STATES, VARIABLES, run


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


def test_variables_shadow_functions_and_states_is_reserved():
    assert run("{% $states.input.a %}", variables={"states": {"input": {"a": 9}}}) == 1
    assert run("{% $count %}", variables={"count": 5}) == 5
