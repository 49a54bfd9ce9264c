"""JSONata results as plain JSON: numbers as JavaScript prints them, no jsonata-internal type leaks."""

from __future__ import annotations

import pytest

from jsonata_support import run


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
