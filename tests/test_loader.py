"""Loading JSON and YAML with positions; syntax errors with FILE:LINE:COLUMN."""

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
