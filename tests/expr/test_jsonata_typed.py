"""Fields of one JSON type (Condition, Items, Seconds, ...): values, and AWS's causes otherwise."""

from __future__ import annotations

import pytest

from asl.expr.jsonata import (
    QueryEvaluationError, compile_template, evaluate_array, evaluate_condition, evaluate_int,
    evaluate_number, evaluate_string,
)
from jsonata_support import STATES, UNDEFINED, UNSUPPORTED, VARIABLES, expected_cause


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
        assert caught.value.cause == expected_cause(text, field, expected)
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
