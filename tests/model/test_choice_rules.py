"""Every Choice operator, its Path form and the type tests, as a table."""

import pytest

from asl.errors import StateEvaluationError
from asl.expr.jsonpath import compile_path
from asl.model import choice


class Doc:
    """A bound scope over a plain document."""

    def __init__(self, doc):
        self.doc = doc

    def resolve(self, path):
        return path.find(self.doc)


DOC = {"s": "beta", "n": 5, "f": 2.5, "b": True, "t": "2024-05-01T10:00:00Z", "nul": None,
       "other": {"s": "alpha", "n": 5, "t": "2024-05-01T12:00:00+02:00", "b": True}}

CASES = [
    # operator, variable, operand, expected
    ("StringEquals", "$.s", "beta", True),
    ("StringEquals", "$.n", "5", False),
    ("StringLessThan", "$.s", "gamma", True),
    ("StringGreaterThan", "$.s", "alpha", True),
    ("StringLessThanEquals", "$.s", "beta", True),
    ("StringGreaterThanEquals", "$.s", "c", False),
    ("StringMatches", "$.s", "b*a", True),
    ("StringMatches", "$.s", "b\\*a", False),
    ("StringMatches", "$.n", "*", False),
    ("NumericEquals", "$.n", 5, True),
    ("NumericEquals", "$.b", 1, False),
    ("NumericLessThan", "$.f", 3, True),
    ("NumericGreaterThan", "$.f", 2.5, False),
    ("NumericLessThanEquals", "$.n", 5.0, True),
    ("NumericGreaterThanEquals", "$.n", 6, False),
    ("NumericEquals", "$.s", 5, False),
    ("BooleanEquals", "$.b", True, True),
    ("BooleanEquals", "$.n", True, False),
    ("TimestampEquals", "$.t", "2024-05-01T10:00:00Z", True),
    ("TimestampEquals", "$.t", "2024-05-01T12:00:00+02:00", True),
    ("TimestampLessThan", "$.t", "2024-05-01T10:00:01Z", True),
    ("TimestampGreaterThan", "$.t", "2024-05-01T09:59:59.999Z", True),
    ("TimestampLessThanEquals", "$.t", "2024-05-01T10:00:00Z", True),
    ("TimestampGreaterThanEquals", "$.t", "2025-01-01T00:00:00Z", False),
    ("TimestampEquals", "$.s", "2024-05-01T10:00:00Z", False),
    ("StringEqualsPath", "$.s", "$.other.s", False),
    ("StringGreaterThanPath", "$.s", "$.other.s", True),
    ("StringLessThanPath", "$.s", "$.other.s", False),
    ("StringLessThanEqualsPath", "$.other.s", "$.s", True),
    ("StringGreaterThanEqualsPath", "$.s", "$.s", True),
    ("NumericEqualsPath", "$.n", "$.other.n", True),
    ("NumericLessThanPath", "$.f", "$.n", True),
    ("NumericGreaterThanPath", "$.f", "$.n", False),
    ("NumericLessThanEqualsPath", "$.n", "$.other.n", True),
    ("NumericGreaterThanEqualsPath", "$.f", "$.n", False),
    ("BooleanEqualsPath", "$.b", "$.other.b", True),
    ("TimestampEqualsPath", "$.t", "$.other.t", True),
    ("TimestampLessThanPath", "$.t", "$.other.t", False),
    ("TimestampGreaterThanPath", "$.t", "$.other.t", False),
    ("TimestampLessThanEqualsPath", "$.t", "$.other.t", True),
    ("TimestampGreaterThanEqualsPath", "$.t", "$.other.t", True),
    ("IsNull", "$.nul", True, True),
    ("IsNull", "$.s", True, False),
    ("IsPresent", "$.missing", False, True),
    ("IsPresent", "$.s", True, True),
    ("IsNumeric", "$.f", True, True),
    ("IsNumeric", "$.b", True, False),
    ("IsString", "$.s", True, True),
    ("IsString", "$.n", False, True),
    ("IsBoolean", "$.b", True, True),
    ("IsTimestamp", "$.t", True, True),
    ("IsTimestamp", "$.s", True, False),
    ("IsTimestamp", "$.missing", True, False),
]


@pytest.mark.parametrize("operator,variable,operand,expected", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES])
def test_operator(operator, variable, operand, expected):
    if operator.endswith("Path"):
        operand = compile_path(operand)
    rule = choice.comparison(compile_path(variable), operator, operand)
    assert rule(Doc(DOC)) is expected


def test_every_operator_is_covered():
    covered = {c[0] for c in CASES}
    assert set(choice.ALL_OPERATORS) <= covered


def test_and_or_not():
    yes = choice.comparison(compile_path("$.n"), "NumericEquals", 5)
    no = choice.comparison(compile_path("$.n"), "NumericEquals", 6)
    scope = Doc(DOC)
    assert choice.all_of([yes, yes])(scope) and not choice.all_of([yes, no])(scope)
    assert choice.any_of([no, yes])(scope) and not choice.any_of([no, no])(scope)
    assert choice.negate(no)(scope)


def test_missing_variable_is_a_runtime_error():
    rule = choice.comparison(compile_path("$.missing"), "StringEquals", "x")
    with pytest.raises(StateEvaluationError) as info:
        rule(Doc(DOC))
    assert info.value.name == "States.Runtime"
    assert "Invalid path '$.missing'" in info.value.cause


class CountingScope(Doc):
    """A bound scope that counts the paths it is asked to resolve (`$$` and variables come here)."""

    def __init__(self, doc, context):
        super().__init__(doc)
        self.context, self.asked = context, []

    def resolve(self, path):
        self.asked.append(path.text)
        return path.find(self.context)


@pytest.mark.parametrize("variable, operand, asked", [
    ("$.n", "$.other.n", []),                   # `$` paths read the bound document directly
    ("$$.n", "$.n", ["$$.n"]),                  # the context object goes through the scope
    ("$.n", "$$.n", ["$$.n"]),
])
def test_dollar_paths_read_the_document_and_others_ask_the_scope(variable, operand, asked):
    scope = CountingScope(DOC, {"n": 5})
    rule = choice.comparison(compile_path(variable), "NumericEqualsPath", compile_path(operand))
    assert rule(scope) is True and scope.asked == asked


@pytest.mark.parametrize("text,ok", [
    ("2024-05-01T10:00:00Z", True), ("2024-05-01T10:00:00.123456789Z", True),
    ("2024-05-01T10:00:00+05:30", True), ("2024-05-01 10:00:00Z", False),
    ("2024-05-01T10:00:00", False), ("2024-13-01T10:00:00Z", False), (5, False),
])
def test_timestamp_parsing(text, ok):
    assert (choice.parse_timestamp(text) is not None) is ok
