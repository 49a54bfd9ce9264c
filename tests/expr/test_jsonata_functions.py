"""The functions Step Functions adds to JSONata: results and AWS's errors."""

from __future__ import annotations

import pytest

from asl.expr.jsonata import QueryEvaluationError, java_random_double
from jsonata_support import ERROR, UNDEFINED, expected_cause, run


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
    assert caught.value.cause == expected_cause(expression, "Output/v", rest)
