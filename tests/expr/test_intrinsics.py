"""Intrinsic functions: values, runtime argument checks, syntax errors, and AWS recordings replayed."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from asl.errors import STATES_RUNTIME, StateEvaluationError
from asl.expr.intrinsics import (
    FUNCTIONS, IntrinsicRuntimeError, IntrinsicSyntaxError, check, is_intrinsic, parse,
)
from asl.expr.intrinsics.table import json_type

# ---------------------------------------------------------------- a small resolver for the tables

DOC = {
    "name": "Ada", "city": "London", "n": 5, "neg": -3, "f": 1.1, "half": 2.5, "big": 1e20,
    "t": True, "nil": None, "empty": "", "s": "a,b,,c", "template": "Hello {}", "brace": "Hi {",
    "list": [1, 2, 3, 4, 5, 6, 7, 8, 9], "dups": [3, 1, 3, 2, 1], "strs": ["b", "a", "b", "c"],
    "objs": [{"a": 1, "b": 2}, {"b": 2, "a": 1}], "bools": [True, False, True, False],
    "mixed": [None, None, 1, None], "nested": [[1, 2], [1, 2], [2, 1]], "none": [],
    "obj": {"a": 1, "b": [1, 2], "c": {"d": "é"}}, "obj2": {"b": "x", "z": None},
    "json": '{"k": "v", "list": [1, 2], "n": null}', "b64": "aGVsbG8gd29ybGQ=",
    "long": "a" * 10_001, "max": "a" * 10_000, "int_max": 2147483647, "huge": 3000000000,
    "sep": ".+,", "dotted": "1+2,3.4",
}
CONTEXT = {"Execution": {"Id": "arn:aws:states:us-east-1:1:execution:m:e", "Name": "e-1",
                         "Input": DOC}, "StateMachine": {"Id": "arn:sm", "Name": "my-machine-v2"}}
VARIABLES = {"count": 7, "cfg": {"sep": "-"}}
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']*)'\]")


class Missing(LookupError):
    pass


def lookup(text: str, doc, context=CONTEXT, variables=VARIABLES):
    """Resolve the simple paths the tables use: $, $$, $var; .name, [0], ['key']."""
    if text.startswith("$$"):
        value, rest = context, text[2:]
    else:
        match = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)", text)
        if match:
            value, rest = variables[match.group(1)], text[match.end():]
        else:
            value, rest = doc, text[1:]
    pos = 0
    while pos < len(rest):
        step = _STEP.match(rest, pos)
        assert step, f"the test resolver cannot read {text}"
        key = step.group(1) or step.group(3)
        if key is not None:
            if not isinstance(value, dict) or key not in value:
                raise Missing(text)
            value = value[key]
        else:
            index = int(step.group(2))
            if not isinstance(value, list) or index >= len(value):
                raise Missing(text)
            value = value[index]
        pos = step.end()
    return value


def resolver(doc=DOC, context=CONTEXT):
    """A resolver raising AWS's missing-argument sentence, as the interpreter's does."""
    def resolve(text: str):
        try:
            return lookup(text, doc, context)
        except Missing:
            raise StateEvaluationError(f"The JsonPath argument for the field '{text}' could not be "
                                       f"found in the input '{json.dumps(doc)}'") from None
    return resolve


def run(expression: str):
    return parse(expression).evaluate(resolver())


# ---------------------------------------------------------------- values

VALUES = [
    # States.Format: Java rendering of non-strings, escapes, templates from paths
    ("States.Format('Hello {}', $.name)", "Hello Ada"),
    ("States.Format('{} {} {} {} {}', $.n, $.f, $.t, $.nil, $.big)", "5 1.1 true null 1.0E20"),
    ("States.Format('{}', $.obj)", "{a=1, b=[1, 2], c={d=é}}"),
    ("States.Format('{}|{}', $.list, $.empty)", "[1, 2, 3, 4, 5, 6, 7, 8, 9]|"),
    ("States.Format('no placeholders')", "no placeholders"),
    ("States.Format('{} {} {} {}', 12345678.9, 0.00001, 1e7, 100.0)", "1.23456789E7 1.0E-5 1.0E7 100.0"),
    ("States.Format($.template, $.name)", "Hello Ada"),
    ("States.Format('Name: \\'{}\\'', $.name)", "Name: 'Ada'"),
    ("States.Format('\\{\\}={}', 1)", "{}=1"),
    ("States.Format('a\\\\b {}', -2.5)", "a\\b -2.5"),
    ("States.Format('{}:{}', $.name, $$.Execution.Name)", "Ada:e-1"),
    ("States.Format('{}', $count)", "7"),
    ("States.Format('{}{}', 'x', States.JsonToString($.obj2))", 'x{"b":"x","z":null}'),
    # States.StringToJson / States.JsonToString
    ("States.StringToJson($.json)", {"k": "v", "list": [1, 2], "n": None}),
    ("States.StringToJson('{\"a\": [1, {\"b\": true}]}')", {"a": [1, {"b": True}]}),
    ("States.StringToJson(' 12 ')", 12),
    ("States.StringToJson($.empty)", None),
    ("States.JsonToString($.obj)", '{"a":1,"b":[1,2],"c":{"d":"é"}}'),
    ("States.JsonToString($.name)", '"Ada"'),
    ("States.JsonToString($.nil)", "null"),
    ("States.JsonToString(States.StringToJson($.json))", '{"k":"v","list":[1,2],"n":null}'),
    # States.Array
    ("States.Array()", []),
    ("States.Array($.n, 'x', 1.5, -2, true, false, null, $.obj2)",
     [5, "x", 1.5, -2, True, False, None, {"b": "x", "z": None}]),
    ("States.Array( $.n ,$.name )", [5, "Ada"]),
    ("States.Array(1, States.Array(2, States.Array(3)))", [1, [2, [3]]]),
    ("States.Array($['name'], $.list[0], $cfg.sep)", ["Ada", 1, "-"]),
    # States.ArrayPartition: chunk sizes truncate like AWS
    ("States.ArrayPartition($.list, 4)", [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("States.ArrayPartition($.none, 3)", []),
    ("States.ArrayPartition($.list, 20)", [[1, 2, 3, 4, 5, 6, 7, 8, 9]]),
    ("States.ArrayPartition(States.Array(1, 2, 3, 4, 5), 2.6)", [[1, 2], [3, 4], [5]]),
    # States.ArrayContains: Java renderings compare, so true matches "true"
    ("States.ArrayContains($.list, 5)", True),
    ("States.ArrayContains($.list, 10)", False),
    ("States.ArrayContains($.objs, $.obj2)", False),
    ("States.ArrayContains(States.Array(States.Array(1, 2), 3), States.Array(1, 2))", True),
    ("States.ArrayContains(States.Array('true', 'x'), true)", True),
    ("States.ArrayContains($.none, null)", False),
    ("States.ArrayContains(States.Array(0, 1), false)", False),
    # States.ArrayRange: inclusive end, negative steps, truncated arguments
    ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
    ("States.ArrayRange(0, 10, 3)", [0, 3, 6, 9]),
    ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
    ("States.ArrayRange(3, 3, -1)", [3]),
    ("States.ArrayRange(5, 1, 1)", []),
    ("States.ArrayRange(1.6, 1.4, 1)", [1]),
    ("States.ArrayRange(5.4, -0.6, -2.4)", [5, 3, 1]),
    ("States.ArrayLength(States.ArrayRange(1, 1000, 1))", 1000),
    ("States.ArrayRange(States.MathAdd($.n, 1), $.n, -1)", [6, 5]),
    # States.ArrayGetItem
    ("States.ArrayGetItem($.list, 5)", 6),
    ("States.ArrayGetItem($.list, 1.9)", 2),
    ("States.ArrayGetItem($.none, 999)", None),
    ("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)", "my"),
    # States.ArrayLength / States.ArrayUnique (Java HashSet order)
    ("States.ArrayLength($.list)", 9),
    ("States.ArrayLength($.none)", 0),
    ("States.ArrayUnique($.dups)", [1, 2, 3]),
    ("States.ArrayUnique($.strs)", ["a", "b", "c"]),
    ("States.ArrayUnique($.bools)", [False, True]),
    ("States.ArrayUnique($.mixed)", [None, 1]),
    ("States.ArrayUnique($.nested)", [[2, 1], [1, 2]]),
    ("States.ArrayUnique($.objs)", [{"a": 1, "b": 2}]),
    ("States.ArrayUnique(States.Array(1, '1', 1, '01'))", [1, "1", "01"]),
    ("States.ArrayUnique(States.Array(1, 1.0))", [1.0, 1]),
    # States.Base64Encode / States.Base64Decode
    ("States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="),
    ("States.Base64Encode('✓')", "4pyT"),
    ("States.Base64Encode('')", ""),
    ("States.Base64Encode($.max)", "YWFh" * 3333 + "YQ=="),
    ("States.Base64Decode($.b64)", "hello world"),
    ("States.Base64Decode('44GT44KT44Gr44Gh44Gv')", "こんにちは"),
    ("States.Base64Decode('aGk')", "hi"),
    ("States.Base64Decode('abc')", "i\ufffd"),
    ("States.Base64Decode(' YWJjZA== ')", "abcd"),
    ("States.Base64Decode('YWJj==ZGVm')", "abc"),
    ("States.Base64Decode(States.Base64Encode('round trip'))", "round trip"),
    # States.Hash
    ("States.Hash('input data', 'MD5')", "812f45842bc6d66ee14572ce20db8e86"),
    ("States.Hash('input data', 'SHA-1')", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
    ("States.Hash('hello', 'SHA-256')", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
    ("States.Hash('', 'SHA-256')", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("States.Hash('🚀', 'SHA-256')", "ebbc0b2870eb323f2b6cffa5c493ceef81ae7eb36afc73d4e0367301631daec5"),
    ("States.Hash(States.Format('{}:{}', 'x', 'y'), 'SHA-256')",
     "1274e286686b54fe765ec40735665b4bf789cee2a5b22124c5e0491a88e15271"),
    ("States.Hash(123, 'MD5')", "202cb962ac59075b964b07152d234b70"),
    # States.JsonMerge (shallow)
    ("States.JsonMerge($.obj, $.obj2, false)", {"a": 1, "b": "x", "c": {"d": "é"}, "z": None}),
    ("States.JsonMerge(States.StringToJson('{\"x\": 1}'), $.obj2, false)", {"x": 1, "b": "x", "z": None}),
    # States.MathRandom: seeded results follow java.util.Random
    ("States.MathRandom(-5, 5, 42)", -5),
    ("States.MathRandom(1, 2)", 1),
    ("States.MathRandom(1.6, 2.4)", 1),
    # States.MathAdd: Math.round per argument (recorded against AWS)
    ("States.MathAdd($.n, -1)", 4),
    ("States.MathAdd(1.49, 1.5)", 3),
    ("States.MathAdd(1.5, 1.51)", 4),
    ("States.MathAdd(-1.5, -1.51)", -3),
    ("States.MathAdd(-0.5, 0.5)", 1),
    ("States.MathAdd(-2.5, 0)", -2),
    ("States.MathAdd($.int_max, 0)", 2147483647),
    ("States.MathAdd(-2147483647, -1)", -2147483648),
    ("States.MathAdd(States.ArrayLength($.list), $count)", 16),
    # States.StringSplit: StringTokenizer semantics, no empty tokens
    ("States.StringSplit($.s, ',')", ["a", "b", "c"]),
    ("States.StringSplit($.dotted, $.sep)", ["1", "2", "3", "4"]),
    ("States.StringSplit('1a2b3ab4', 'ab')", ["1", "2", "3", "4"]),
    ("States.StringSplit($.empty, ',')", []),
    ("States.StringSplit('abc', '')", ["abc"]),
    ("States.StringSplit('Hello\nWorld', '\n')", ["Hello", "World"]),
    ("States.StringSplit($$.StateMachine.Name, $cfg.sep)", ["my", "machine", "v2"]),
]


@pytest.mark.parametrize("expression, expected", VALUES, ids=[case[0] for case in VALUES])
def test_value(expression, expected):
    result = run(expression)
    assert result == expected and type(result) is type(expected)


def test_every_function_returns_its_declared_type():
    checked = set()
    for expression, _ in VALUES + [("States.UUID()", None), ("States.MathRandom(1, 9)", None)]:
        spec = FUNCTIONS[expression.split("(", 1)[0]]
        if spec.returns != "any":
            assert json_type(run(expression)) == spec.returns, expression
        checked.add(spec.name)
    assert checked == set(FUNCTIONS)


def test_uuid_is_version_4():
    value = run("States.UUID()")
    assert uuid.UUID(value).version == 4 and run("States.UUID()") != value


def test_unseeded_random_stays_in_range():
    assert {run("States.MathRandom(1, 4)") for _ in range(200)} == {1, 2, 3}


def test_calls_nest_ten_deep():
    assert run("States.Array(" * 10 + "1" + ")" * 10) == json.loads("[" * 10 + "1" + "]" * 10)


def test_the_documented_nine_call_example():
    # The guide's example of nine nested calls passes two values to three placeholders.
    inner = ("States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit("
             "$.ImageRecipe.Arn, '/'), 2), '.'), {})")
    documented = f"States.Format('{{}}.{{}}.{{}}', {inner.format(0)}, {inner.format(1)})"
    with pytest.raises(IntrinsicSyntaxError, match="has 3 placeholders"):
        parse(documented)
    call = parse(f"States.Format('{{}}.{{}}', {inner.format(0)}, {inner.format(1)})")
    doc = {"ImageRecipe": {"Arn": "arn:aws:imagebuilder:us-east-1:1:image-recipe/my-recipe/1.2.3"}}
    assert call.paths == ("$.ImageRecipe.Arn",)
    assert call.evaluate(resolver(doc)) == "1.2"


# ---------------------------------------------------------------- runtime failures

ERRORS = [
    # (expression, AWS's function named in the cause, substring of the detail)
    ("States.Format($.n, 1)", "States.Format", "template must be a string, got a number"),
    ("States.Format($.template)", "States.Format", "number of arguments (0) does not match"),
    ("States.Format($.template, 1, 2)", "States.Format", "number of arguments (2) does not match"),
    ("States.Format('Hello {', $.name)", "States.Format", "'{' without a matching '}'"),
    ("States.Format('}')", "States.Format", "'}' without a matching '{'"),
    ("States.Format($.brace)", "States.Format", "'{' without a matching '}'"),
    ("States.StringToJson($.n)", "States.StringToJson", "JSON string must be a string, got a number"),
    ("States.StringToJson('{bad json}')", "States.StringToJson", "not valid JSON"),
    ("States.StringToJson('undefined')", "States.StringToJson", "not valid JSON"),
    ("States.StringToJson('NaN')", "States.StringToJson", "not valid JSON"),
    ("States.StringToJson('[1e400]')", "States.StringToJson", "1e400 is out of range"),
    ("States.ArrayPartition($.name, 2)", "States.ArrayPartition", "array must be an array, got a string"),
    ("States.ArrayPartition($.list, 0)", "States.ArrayPartition", "chunk size must be a positive integer"),
    ("States.ArrayPartition($.list, -1)", "States.ArrayPartition", "positive integer, got -1"),
    ("States.ArrayPartition($.list, 0.6)", "States.ArrayPartition", "positive integer, got 0.6"),
    ("States.ArrayPartition($.list, $.name)", "States.ArrayPartition", "chunk size must be a number"),
    ("States.ArrayPartition($.list, $.nil)", "States.ArrayPartition", "must be a number, got null"),
    ("States.ArrayContains($.obj, 1)", "States.ArrayContains", "array must be an array, got an object"),
    ("States.ArrayRange(1, 10, 0)", "States.ArrayRange", "step must not be 0"),
    ("States.ArrayRange(1, 10, 0.49)", "States.ArrayRange", "step must not be 0"),
    ("States.ArrayRange(1, 1001, 1)", "States.ArrayRange", "1001 items; at most 1000"),
    ("States.ArrayRange(1001, 1, -1)", "States.ArrayRange", "1001 items"),
    ("States.ArrayRange($.name, 5, 1)", "States.ArrayRange", "start must be a number, got a string"),
    ("States.ArrayRange(1, $.t, 1)", "States.ArrayRange", "end must be a number, got a boolean"),
    ("States.ArrayRange(1, 5, $.list)", "States.ArrayRange", "step must be a number, got an array"),
    ("States.ArrayGetItem($.list, -1)", "States.ArrayGetItem", "must not be negative"),
    ("States.ArrayGetItem($.list, 9)", "States.ArrayGetItem", "index 9 is out of bounds for an array of length"),
    ("States.ArrayGetItem($.name, 0)", "States.ArrayGetItem", "array must be an array, got a string"),
    ("States.ArrayGetItem($.list, $.name)", "States.ArrayGetItem", "index must be a number, got a string"),
    ("States.ArrayLength($.obj)", "States.ArrayLength", "array must be an array, got an object"),
    ("States.ArrayUnique($.name)", "States.ArrayUnique", "array must be an array, got a string"),
    ("States.Base64Encode($.long)", "States.Base64Encode", "10001 characters; at most 10000"),
    ("States.Base64Encode($.n)", "States.Base64Encode", "input must be a string, got a number"),
    ("States.Base64Decode($.long)", "States.Base64Decode", "10001 characters"),
    ("States.Base64Decode($.obj)", "States.Base64Decode", "input must be a string, got an object"),
    ("States.Hash($.long, 'MD5')", "States.Hash", "10001 characters"),
    ("States.Hash('data', 'sha-256')", "States.Hash", "algorithm must be one of MD5, SHA-1, SHA-256"),
    ("States.Hash('data', 'SHA256')", "States.Hash", "got 'SHA256'"),
    ("States.Hash('data', $.n)", "States.Hash", "algorithm must be a string, got a number"),
    ("States.Hash($.nil, 'MD5')", "States.Hash", "input data must be a string or a number"),
    ("States.JsonMerge($.list, $.obj, false)", "States.JsonMerge", "first object must be an object, got an"),
    ("States.JsonMerge($.obj, $.nil, false)", "States.JsonMerge", "second object must be an object, got nu"),
    ("States.JsonMerge($.obj, $.obj2, $.t)", "States.JsonMerge", "flag must be false: only shallow merging"),
    ("States.JsonMerge($.obj, $.obj2, $.name)", "States.JsonMerge", "flag must be a boolean, got a string"),
    ("States.JsonMerge($.obj, $.obj2, $.nil)", "States.JsonMerge", "flag must be a boolean, got null"),
    ("States.MathRandom(1, 1)", "States.MathRandom", "start (1) must be less than the end (1)"),
    ("States.MathRandom(10, 5)", "States.MathRandom", "must be less than the end"),
    ("States.MathRandom(1.4, 1.6)", "States.MathRandom", "start (1) must be less than the end (1)"),
    ("States.MathRandom($.huge, 1)", "States.MathRandom", "outside the 32-bit integer range"),
    ("States.MathRandom(-2147483648, 2147483647)", "States.MathRandom", "is too large"),
    ("States.MathRandom($.name, 10)", "States.MathRandom", "start must be a number, got a string"),
    ("States.MathRandom(1, 10, $.nil)", "States.MathRandom", "seed must be a number, got null"),
    ("States.MathAdd($.int_max, 1)", "States.MathAdd", "sum 2147483648 is outside the 32-bit"),
    ("States.MathAdd(-2147483648, -1)", "States.MathAdd", "sum -2147483649"),
    ("States.MathAdd($.huge, 1)", "States.MathAdd", "first value 3000000000 is outside"),
    ("States.MathAdd($.name, 1)", "States.MathAdd", "first value must be a number, got a string"),
    ("States.MathAdd(1, $.t)", "States.MathAdd", "second value must be a number, got a boolean"),
    ("States.MathAdd($.nil, 1)", "States.MathAdd", "got null"),
    ("States.StringSplit($.n, ',')", "States.StringSplit", "input string must be a string, got a number"),
    ("States.StringSplit($.name, $.nil)", "States.StringSplit", "delimiter must be a string, got null"),
    ("States.Array(States.MathAdd($.name, 1))", "States.MathAdd", "first value must be a number"),
]


@pytest.mark.parametrize("expression, function, detail", ERRORS, ids=[case[0] for case in ERRORS])
def test_runtime_error(expression, function, detail):
    with pytest.raises(IntrinsicRuntimeError) as info:
        run(expression)
    error = info.value
    assert error.name == STATES_RUNTIME
    assert error.cause == (f"The function '{expression}' had the following error: "
                           f"Invalid arguments in {function}")
    assert detail in error.detail


def test_missing_path_names_the_whole_expression():
    expression = "States.Array(States.Format('{}', $.nope))"
    with pytest.raises(IntrinsicRuntimeError) as info:
        parse(expression).evaluate(resolver({"other": 1}))
    assert info.value.cause == (f"The function '{expression}' had the following error: The JsonPath "
                                "argument for the field '$.nope' could not be found in the input "
                                "'{\"other\": 1}'")


def test_other_resolver_exceptions_propagate():
    def broken(path):
        raise KeyError(path)
    with pytest.raises(KeyError):
        parse("States.Array($.a)").evaluate(broken)


# ---------------------------------------------------------------- syntax errors

NESTED_11 = "States.Array(" * 11 + ")" * 11
SYNTAX = [
    # (expression, message substring, offset)
    ("", "expected an intrinsic function such as States.Format, got the end of the text", 0),
    ("$.a", "expected an intrinsic function", 0),
    ("States.Foo()", "unknown intrinsic function 'States.Foo'", 0),
    ("States.format('x')", "did you mean States.Format?", 0),
    ("States.Array", "expected '(' after States.Array, got the end of the text", 12),
    ("States.Array(", "expected an argument of States.Array", 13),
    ("States.Array($.a", "expected ',' or ')' after an argument of States.Array, got the end", 16),
    ("States.Array($.a) trailing", "unexpected 'trailing' after the call", 18),
    ("States.Array($.a)States.UUID()", "unexpected 'States.UUID' after the call", 17),
    ("States.Array(1 2)", "expected ',' or ')' after an argument of States.Array, got the number 2", 15),
    ("States.Array([1,2])", "unexpected character '['", 13),
    ("States.Array(1.)", "invalid number '1.'", 13),
    ("States.Array(.5)", "unexpected character '.'", 13),
    ("States.Array(01)", "invalid number '01'", 13),
    ("States.Array(-)", "invalid number '-'", 13),
    ("States.Array(1e999)", "number 1e999 is out of range", 13),
    ("States.Array(foo)", "expected an argument of States.Array", 13),
    ("States.Array(True)", "got 'True'", 13),
    ("States.Array(\"a\")", "unexpected character '\"'", 13),
    ("States.Array('abc)", "unterminated string literal", 13),
    ("States.Array('a\\nb')", "invalid escape '\\\\n' in a string literal", 15),
    ("States.Array('a\\", "invalid escape '\\\\'", 15),
    ("States.Array($.a[0)", "'[' closed by ')' in path", 16),
    ("States.Array($.a[0", "unclosed '[' in path", 16),
    ("States.Array($.a])", "unbalanced ']' in path", 16),
    ("States.Array($['a)", "unterminated quote ' in path", 15),
    ("States.ArrayGetItem($.arr, )", "expected an argument of States.ArrayGetItem", 27),
    ("States.Array(,)", "expected an argument of States.Array", 13),
    ("States.MathAdd(1)", "States.MathAdd takes 2 arguments, got 1", 0),
    ("States.MathAdd(1, 2, 3)", "States.MathAdd takes 2 arguments, got 3", 0),
    ("States.UUID(1)", "States.UUID takes no arguments, got 1", 0),
    ("States.Format()", "States.Format takes at least 1 argument, got 0", 0),
    ("States.MathRandom(1)", "States.MathRandom takes 2 to 3 arguments, got 1", 0),
    ("States.Array(States.ArrayLength())", "States.ArrayLength takes 1 argument, got 0", 13),
    ("States.MathAdd('a', 1)", "argument 1 of States.MathAdd: the first value must be a number, got a", 15),
    ("States.MathRandom(1, 10, null)", "argument 3 of States.MathRandom: the seed must be a number", 25),
    ("States.Format(1)", "argument 1 of States.Format: the template must be a string, got a number", 14),
    ("States.ArrayLength('abc')", "the array must be an array, got a string", 19),
    ("States.JsonMerge($.a, $.b, true)", "the deep merge flag must be false: only shallow merging is supported", 27),
    ("States.JsonMerge($.a, $.b, 'false')", "the deep merge flag must be a boolean, got a string", 27),
    ("States.JsonMerge($.a, $.b, 0)", "the deep merge flag must be a boolean, got a number", 27),
    ("States.JsonMerge($.a, $.b, null)", "the deep merge flag must be a boolean, got null", 27),
    ("States.Hash(null, 'MD5')", "the input data must be a string or a number", 12),
    ("States.Format('{} {}', $.a)", "has 2 placeholders {} but 1 value is given", 14),
    ("States.Format('{}', 1, 2)", "has 1 placeholder {} but 2 values are given", 14),
    (NESTED_11, "intrinsic functions can be nested at most 10 deep", len("States.Array(") * 10),
]


@pytest.mark.parametrize("expression, message, offset", SYNTAX, ids=[case[0] or "empty" for case in SYNTAX])
def test_syntax_error(expression, message, offset):
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse(expression)
    assert message in info.value.message
    assert info.value.offset == offset
    assert info.value.caret().splitlines()[-1] == " " * offset + "^"


# ---------------------------------------------------------------- parse-time facts

@pytest.mark.parametrize("text, expected", [
    ("States.Format('x')", True), ("States.Foo(", True), ("States.UUID()", True),
    ("States.Format ('x')", True), ("$.a", False), ("States.Format", False), (" States.Format()", False),
    ("States.(", False),
    ("states.Format()", False), (42, False),
])
def test_is_intrinsic(text, expected):
    assert is_intrinsic(text) is expected


def test_paths_lists_every_path_once_in_order():
    call = parse("States.Format('{}{}{}{}', $.b, $$.Execution.Id, States.Array($.b, $x.y), $['a,b'])")
    assert call.paths == ("$.b", "$$.Execution.Id", "$x.y", "$['a,b']")
    assert call.name == "States.Format"


def test_paths_keep_brackets_quotes_and_filters_whole():
    call = parse("States.Array($.a['b,c)'], $.l[?(@.x == 'y, z')], $.m[0] )")
    assert call.paths == ("$.a['b,c)']", "$.l[?(@.x == 'y, z')]", "$.m[0]")


def test_constant_calls_fold_at_parse_time():
    call = parse("States.ArrayRange(1, 9, 2)")
    def no_paths(path):
        raise AssertionError(path)
    assert call.evaluate(no_paths) is call.evaluate(no_paths)


def test_impure_calls_do_not_fold():
    call = parse("States.UUID()")
    assert call.evaluate(lambda p: None) != call.evaluate(lambda p: None)


def test_registry_has_the_eighteen_functions():
    assert len(FUNCTIONS) == 18 and all(name.startswith("States.") for name in FUNCTIONS)


def test_check_reads_like_parse_but_compiles_nothing():
    assert check("States.Format('{}', States.UUID())") is None
    for expression, message, offset in SYNTAX:
        with pytest.raises(IntrinsicSyntaxError) as info:
            check(expression)
        assert message in info.value.message and info.value.offset == offset


def test_syntax_error_is_one_line_with_position():
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse("States.MathAdd(1)")
    assert str(info.value) == "States.MathAdd takes 2 arguments, got 1 (at position 1)"


# ---------------------------------------------------------------- AWS recordings replayed

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "cases"


def _replayable():
    """Recorded executions of one Pass state whose Parameters the tables' resolver can evaluate."""
    if not CASES.is_dir():
        return []
    found = []
    for file in sorted(CASES.glob("*.json")):
        case = json.loads(file.read_text())
        if "suite:intrinsic_functions" not in case["tags"] or case.get("placeholders"):
            continue
        if re.search(r"\$\$\.(?!Execution\.Input)", json.dumps(case["definition"])):
            continue  # reads run-dependent context (names, ARNs) the recording masks
        states = case["definition"]["States"]
        (state,) = states.values()
        extra = set(state) - {"Type", "Parameters", "End", "Comment"}
        if state["Type"] != "Pass" or "Parameters" not in state or extra:
            continue
        found.append(pytest.param(state["Parameters"], case["input"], case["expected"], id=case["id"]))
    return found


REPLAY = _replayable()


@pytest.mark.parametrize("parameters, input, expected", REPLAY)
def test_conformance_replay(parameters, input, expected):
    context = {"Execution": {"Input": input}}
    output = {}
    for key, value in parameters.items():
        assert key.endswith(".$")
        output[key[:-2]] = parse(value).evaluate(resolver(input, context)) if is_intrinsic(value) \
            else lookup(value, input, context)
    assert expected["status"] == "SUCCEEDED"
    assert output == expected["output"]


def test_conformance_replay_found_cases():
    if not CASES.is_dir():
        pytest.skip("no conformance corpus next to the repository")
    assert len(REPLAY) >= 80


def test_json_merge_of_an_escaped_literal():
    # conformance: test_json_merge_escaped_argument (its ResultPath / OutputPath left out here)
    call = parse("States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), "
                 "$$.Execution.Input.input_field, false)")
    context = {"Execution": {"Input": {"input_field": {"constant_input_field": "constant_value"}}}}
    assert call.evaluate(resolver({}, context)) == {"constant_in_literal": "false",
                                                     "constant_input_field": "constant_value"}


def test_format_of_the_context_object_renders_like_java():
    # conformance: test_context_json_path renders $$.StateMachine as {Id=..., Name=...}
    call = parse("States.Format('Formatting arguments fst={} and snd={}.', "
                 "$$.Execution.Name, $$.StateMachine)")
    assert call.evaluate(resolver()) == "Formatting arguments fst=e-1 and snd={Id=arn:sm, Name=my-machine-v2}."


def test_nested_calls_recorded_against_aws():
    # conformance: test_nested_calls_2 takes the last part of the state machine's name
    call = parse("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
                 "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))")
    assert call.evaluate(resolver()) == "v2"


def _java_hash_set_order(items: list) -> list:
    """What java.util.HashSet(list) iterates for Integers, written from Java's own rules."""
    capacity = 16
    while capacity < int(len(items) / 0.75) + 1:
        capacity *= 2
    buckets: dict[int, list] = {}
    for item in items:
        h = item & 0xFFFFFFFF
        if item >= 2**31:  # a Long: its hashCode folds the high word in
            h = (item ^ (item >> 32)) & 0xFFFFFFFF
        index = (h ^ (h >> 16)) & (capacity - 1)
        if item not in buckets.setdefault(index, []):
            buckets[index].append(item)   # a bucket keeps insertion order
    return [item for index in sorted(buckets) for item in buckets[index]]


@pytest.mark.parametrize("seed", range(20))
def test_array_unique_of_integers_is_java_s_hash_set_order(seed):
    import random

    from asl.expr.intrinsics.functions import array_unique

    rng = random.Random(seed)
    top = rng.choice([10, 1000, 2**20, 2**31 - 1, 2**40])
    items = [rng.randint(0, top) for _ in range(rng.randint(0, 300))]
    items += rng.sample(items, min(len(items), 20))   # duplicates
    assert array_unique(items) == _java_hash_set_order(items)
