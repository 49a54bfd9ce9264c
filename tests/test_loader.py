"""Loading JSON and YAML with positions; syntax errors with FILE:LINE:COLUMN."""

import json

import pytest

from asl.errors import UserInputError
from asl.loader import load_file, load_text

JSON_TEXT = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "End": true}\n  }\n}\n'
YAML_TEXT = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n"


@pytest.mark.parametrize("text,name,pointer,line,column", [
    (JSON_TEXT, "m.json", "/StartAt", 2, 14),
    (JSON_TEXT, "m.json", "/States/A", 4, 10),
    (JSON_TEXT, "m.json", "/States/A/End", 4, 34),
    (YAML_TEXT, "m.yaml", "/StartAt", 1, 10),
    (YAML_TEXT, "m.yaml", "/States/A/End", 5, 10),
])
def test_value_positions(text, name, pointer, line, column):
    doc = load_text(text, name)
    pos = doc.source_map.value(pointer)
    assert (pos.line, pos.column) == (line, column)


def test_key_position_and_duplicates():
    doc = load_text('{"States": {"A": 1,\n "A": 2}}', "d.json")
    assert doc.source_map.key("/States/A").line == 2  # the member json.loads keeps
    assert doc.source_map.duplicate_keys() == ["/States/A"]


def test_unknown_pointer_falls_back_to_parent():
    doc = load_text(JSON_TEXT, "m.json")
    assert doc.source_map.value("/States/A/Nope") == doc.source_map.value("/States/A")


@pytest.mark.parametrize("text,name,expected", [
    ('{"a": }', "bad.json", "bad.json:1:7: invalid JSON"),
    ("a: [1, 2\nb: 3\n", "bad.yaml", "bad.yaml:2:2: invalid YAML"),
    ("{\n  'x': 1,\n}", "bad.json", "bad.json:2:3: invalid JSON"),
])
def test_syntax_errors_name_the_place(text, name, expected):
    with pytest.raises(UserInputError) as info:
        load_text(text, name)
    assert str(info.value).startswith(expected)


def test_yaml_is_loaded_safely():
    with pytest.raises(UserInputError):
        load_text("!!python/object/apply:os.system ['echo hacked']\n", "evil.yaml")


def test_missing_file(tmp_path):
    with pytest.raises(UserInputError) as info:
        load_file(tmp_path / "nope.json")
    assert "no such file" in str(info.value)


def test_yaml_dates_become_strings():
    doc = load_text("Timestamp: 2024-01-01T00:00:00Z\n", "t.yaml")
    assert isinstance(doc.data["Timestamp"], str)


def _alias_bomb(levels: int = 8, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["1"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


# Text the JSON form of a document cannot hold: refused with one line naming the file.
UNLOADABLE = [
    ("nan", '{"a": NaN}', "m.json", "NaN is not a JSON value"),
    ("infinity", "[Infinity]", "m.json", "Infinity is not a JSON value"),
    ("huge-integer", '{"a": ' + "1" * 5000 + "}", "m.json", "more than 4300 digits"),
    ("number-past-a-double", '{"a": [1, -1E+400]}', "m.json", "the number -1E+400 is out of range"),
    ("number-of-400-digits", "[" + "9" * 400 + ".5]", "m.json", "is out of range"),
    ("deep-json", "[" * 100_000 + "]" * 100_000, "m.json", "nested too deeply"),
    ("lone-surrogate", '{"a": "\\ud800"}', "m.json", "lone UTF-16 surrogate (\\ud800)"),
    ("lone-surrogate-key", '{"\\udfff": 1}', "m.json", "lone UTF-16 surrogate (\\udfff)"),
    ("yaml-nan", "a: .nan\n", "m.yaml", "nan is not a JSON number"),
    ("yaml-set", "a: !!set {x, y}\n", "m.yaml", "a YAML set has no JSON form"),
    ("yaml-binary", "a: !!binary aGk=\n", "m.yaml", "a YAML bytes has no JSON form"),
    ("yaml-self-alias", "a: &x [*x]\n", "m.yaml", "an alias refers to itself"),
    ("yaml-deep", "[" * 5000 + "]" * 5000, "m.yaml", "nested too deeply"),
    ("yaml-alias-bomb", _alias_bomb(), "m.yaml", "aliases expand to more than 100000 values"),
    ("yaml-surrogate", 'a: "\\ud800"\n', "m.yaml", "lone UTF-16 surrogate"),
    ("yaml-huge-integer", "a: " + "1" * 5000 + "\n", "m.yaml", "more than 4300 digits"),
    ("yaml-huge-integer-place", "a:\n  Result: " + "1" * 5000 + "\n", "m.yaml", "m.yaml:2:11: invalid YAML: a number has more than 4300 digits"),
    ("yaml-bad-timestamp", "a: !!timestamp nope\n", "m.yaml", "m.yaml:1:4: invalid YAML: not a valid timestamp"),
    ("yaml-bad-date", "a: 2020-13-45\n", "m.yaml", "m.yaml:1:4: invalid YAML: month must be in 1..12"),
]


@pytest.mark.parametrize("text,place", [
    ('{"a": [1, -1E+400]}', "m.json:1:11:"),
    ('{"a/b": {"x~": [0.5, "1e999", \n  3e999]}, "c": 4e999}', "m.json:2:3:"),  # the first one, past a string
    ("[NaN, 1e999]", "m.json: invalid JSON: NaN"),  # refused for the NaN first: the file alone
])
def test_a_number_past_a_doubles_range_is_placed(text, place):
    with pytest.raises(UserInputError) as caught:
        load_text(text, "m.json")
    assert str(caught.value).startswith(place)


@pytest.mark.parametrize("text", ['{"a": 1e308, "b": -1.5e-400, "c": "e999 ' + "7" * 400 + '"}', "[1E+300]"])
def test_numbers_within_a_doubles_range_load(text):
    assert load_text(text, "m.json").data == json.loads(text)


@pytest.mark.parametrize("text,name,message", [c[1:] for c in UNLOADABLE], ids=[c[0] for c in UNLOADABLE])
def test_what_json_cannot_hold_is_refused(text, name, message):
    with pytest.raises(UserInputError) as caught:
        load_text(text, name)
    assert message in str(caught.value)
    assert str(caught.value).startswith(name)


def test_a_bad_timestamp_in_a_resources_file_is_one_line_at_its_place(tmp_path):
    from asl.resources.config import load_resources

    (tmp_path / "resources.yaml").write_text("handlers:\n  F: !!timestamp nope\n")
    with pytest.raises(UserInputError, match=r"resources.yaml:2:6: invalid YAML: not a valid timestamp"):
        load_resources(tmp_path / "resources.yaml")


def test_yaml_aliases_within_the_limit_and_scalar_keys():
    doc = load_text("base: &r {IntervalSeconds: 1}\nA: *r\nB: *r\n2: x\ntrue: y\n~: z\n", "m.yaml")
    assert doc.data["A"] == doc.data["B"] == {"IntervalSeconds": 1}
    assert {"2", "true", "null"} <= set(doc.data)


def test_input_from_bytes_must_be_utf8():
    from asl.loader import decode_text

    assert decode_text('{"a": "é"}'.encode(), "<stdin>") == '{"a": "é"}'
    with pytest.raises(UserInputError, match="<stdin>: not UTF-8 text"):
        decode_text(b"\xff\xfe", "<stdin>")
