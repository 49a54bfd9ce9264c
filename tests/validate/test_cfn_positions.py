"""Diagnostics inside a DefinitionString: real line:column in the template where the mapping is exact.

Each case is a template, and for chosen diagnostics (code, inner pointer) the line:column
expected. Where the mapping is not exact (text after a substitution that changed lengths) the
expected place is the DefinitionString's own position, as before this mapping existed.
"""

from __future__ import annotations

import json
import random

import pytest

from asl.validate.embedded import json_literal_offsets, yaml_scalar_offsets
from cli.commands.validate import check_file

JSON_ESCAPES = r'''{
  "Resources": {
    "M": {
      "Type": "AWS::StepFunctions::StateMachine",
      "Properties": {
        "DefinitionString": "{\"Comment\": \"caf\u00e9 \ud83d\ude00 \\\\ \/ \\t\",\n \"StartAt\": \"A\",\n \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"Missing\"}}}"
      }
    }
  }
}
'''

# The same definition, unicode written as itself (é, and one astral character: one column).
JSON_UNICODE = JSON_ESCAPES.replace(r"\u00e9", "é").replace(r"\ud83d\ude00", "\U0001F600")

JSON_SUB = r'''{
  "Resources": {
    "M": {
      "Type": "AWS::StepFunctions::StateMachine",
      "Properties": {
        "DefinitionString": {
          "Fn::Sub": "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"Missing\"}, \"T\": {\"Type\": \"Pass\", \"Result\": \"${X}\", \"Next\": \"Gone\"}}}"
        },
        "DefinitionSubstitutions": {"X": "longer than the placeholder"}
      }
    }
  }
}
'''

YAML_LITERAL = '''Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: |
        {
          "StartAt": "A",
          "States": {
            "A": {"Type": "Pass", "Next": "Missing"}
          }
        }
'''

YAML_FOLDED = YAML_LITERAL.replace("DefinitionString: |", "DefinitionString: >-")

# Double-quoted: escaped quotes and a line fold; exact (the escapes are read back one by one).
YAML_DOUBLE_QUOTED = r'''Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: "{\"StartAt\": \"A\",
        \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"Missing\"}}}"
'''

YAML_SINGLE_QUOTED = '''Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: '{"StartAt": "A", "Comment": "it''s",
        "States": {"A": {"Type": "Pass", "Next": "Missing"}}}'
'''

# Fn::Sub with a placeholder that has no substitution (left as is) and one of the same length.
SUB_SAME_LENGTH = '''Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions:
        Fn: abcde
      DefinitionString: !Sub |
        {
          "Comment": "${AWS::Region} ${Fn}",
          "StartAt": "A",
          "States": {"A": {"Type": "Pass", "Next": "Missing"}}
        }
'''

# A substitution that changes the length: before it exact, after it the string's own position.
SUB_LENGTH_CHANGES = '''Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions:
        Fn: arn:aws:lambda:us-east-1:123456789012:function:f
      DefinitionString:
        Fn::Sub: |
          {
            "StartAt": "A",
            "States": {
              "A": {"Type": "Pass", "Next": "Missing"},
              "T": {"Type": "Task", "Resource": "${Fn}", "Next": "Gone"}
            }
          }
'''

SUB_LIST_FORM = '''Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub
        - |
          {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}
        - {}
'''

# Fn::Join of plain strings: each part maps onto its own line.
JOIN = '''Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Join
        - "\\n"
        - - '{"StartAt": "A",'
          - ' "States": {"A": {"Type": "Pass", "Next": "Missing"}}}'
'''

INVALID_JSON = '''Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: |
        {
          "StartAt": "A",
          "States": {"A": {"Type": "Pass", "End": true}},
        }
'''

NEXT = ("MISSING_TRANSITION_TARGET", "/States/A/Next")
CASES = [
    # name, file name, text, {(code, inner pointer): (line, column)}
    ("json escapes", "t.json", JSON_ESCAPES, {NEXT: (6, 149), ("MISSING_END_STATE", "/States"): (6, 108)}),
    ("json unicode", "t.json", JSON_UNICODE, {NEXT: (6, 133)}),
    ("json fn::sub, length change", "t.json", JSON_SUB, {
        NEXT: (7, 85), ("MISSING_TRANSITION_TARGET", "/States/T/Next"): (7, 11)}),
    ("yaml literal block", "t.yaml", YAML_LITERAL, {NEXT: (9, 35), ("MISSING_END_STATE", "/States"): (8, 11)}),
    ("yaml folded block (exact)", "t.yaml", YAML_FOLDED, {NEXT: (9, 35)}),
    ("yaml double-quoted (exact)", "t.yaml", YAML_DOUBLE_QUOTED, {NEXT: (6, 50)}),
    ("yaml single-quoted (exact)", "t.yaml", YAML_SINGLE_QUOTED, {NEXT: (6, 42)}),
    ("fn::sub, no length change", "t.yaml", SUB_SAME_LENGTH, {NEXT: (11, 44)}),
    ("fn::sub, length change", "t.yaml", SUB_LENGTH_CHANGES, {
        NEXT: (12, 37),                                            # before ${Fn}: exact
        ("MISSING_TRANSITION_TARGET", "/States/T/Next"): (8, 9),   # after it: the Fn::Sub key, as before
    }),
    ("fn::sub list form", "t.yaml", SUB_LIST_FORM, {NEXT: (7, 61)}),
    ("fn::join", "t.yaml", JOIN, {NEXT: (8, 48)}),
    ("invalid json inside", "t.yaml", INVALID_JSON, {("INVALID_JSON_DESCRIPTION", ""): (9, 9)}),
]


@pytest.mark.parametrize("name,file,text,expected", CASES, ids=[c[0] for c in CASES])
def test_positions_inside_definition_string(tmp_path, name, file, text, expected):
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    found = {}
    for d in check_file(str(path)):
        inner = d.message.rsplit("(at ", 1)[1].split(" in the definition string)")[0] if "(at " in d.message else ""
        found[(d.code, inner)] = (d.position.line, d.position.column) if d.position else None
    for key, where in expected.items():
        assert found.get(key) == where, (key, found)


def test_pointer_stays_on_the_definition_string(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(YAML_LITERAL, encoding="utf-8")
    d = next(d for d in check_file(str(path)) if d.code == "MISSING_TRANSITION_TARGET")
    assert d.pointer == "/Resources/M/Properties/DefinitionString"
    assert "(at /States/A/Next in the definition string)" in d.message


def test_without_the_text_positions_fall_back_to_the_string():
    from asl.loader import load_text
    from asl.validate import validate

    doc = load_text(YAML_LITERAL, "t.yaml")
    d = next(d for d in validate(doc) if d.code == "MISSING_TRANSITION_TARGET")
    assert (d.position.line, d.position.column) == (5, 7)   # the DefinitionString key, as before


@pytest.mark.parametrize("literal", [
    r'"\u12"', r'"\q"', '"unterminated', r'"\ud83d"', r'"\ud83d\u00"', '"', r'"\"', "x",
])
def test_malformed_json_literals_do_not_map(literal):
    value = "anything"
    assert json_literal_offsets(literal, 0, value) is None   # never raises, never a wrong map
    assert json_literal_offsets(literal, 99, value) is None
    assert json_literal_offsets(literal, -1, value) is None


def test_json_literal_lone_surrogate_matches_json_loads():
    import json

    literal = r'"a\ud83db"'
    assert json_literal_offsets(literal, 0, json.loads(literal)) == [1, 2, 8]


ODD_YAML = [
    "      DefinitionString: |+\n        {\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"X\"}}}\n\n\n",
    "      DefinitionString: |2\n          {\"StartAt\": \"A\",\n        \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"X\"}}}\n",
    "      DefinitionString: >\n        {\"StartAt\": \"A\",\n\n          \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"X\"}}}\n",
    "      DefinitionString: \"{\\\"StartAt\\\": \\x22A\\x22, \\\n        \\\"States\\\": {\\\"A\\\": {\\\"Type\\\": \\\"Pass\\\", \\\"Next\\\": \\\"X\\\"}}}\"\n",
    "      DefinitionString: &a '{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"X\"}}}'\n",
    "      DefinitionString:\r\n        |\r\n        {\"StartAt\": \"A\",\r\n         \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"X\"}}}\r\n",
    "      DefinitionString: !Sub [\"{\\\"StartAt\\\": \\\"A\\\", ${X}\", {X: y}]\n",
    "      DefinitionString: !Join [\"\", [\"{\", !Ref X, \"}\"]]\n",
    "      DefinitionString: !Join [\"\", \"{}\"]\n",
    "      DefinitionString: !Sub []\n",
    "      DefinitionString: !Sub\n        |\n        {\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"X\"}}}\n",
    "      DefinitionString: !Sub &b \"{\\\"StartAt\\\": \\\"A\\\", \\\"States\\\": {\\\"A\\\": {\\\"Type\\\": \\\"Pass\\\", \\\"Next\\\": \\\"X\\\"}}}\"\n",
    "      DefinitionString: \"[[[[[[[[[[[[\"\n",
    "      DefinitionString: \"" + "[" * 100000 + "\"\n",
]
HEAD = "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"


@pytest.mark.parametrize("tail", ODD_YAML, ids=range(len(ODD_YAML)))
def test_odd_yaml_styles_never_trace_back(tmp_path, tail):
    path = tmp_path / "t.yaml"
    path.write_text(HEAD + tail, encoding="utf-8", newline="")
    for d in check_file(str(path)):
        assert d.code and (d.position is None or d.position.line >= 1)
        if d.code == "MISSING_TRANSITION_TARGET":
            # Every one of these styles maps exactly: the position names the "Next" key itself.
            lines = (HEAD + tail).split("\n")
            line = lines[d.position.line - 1]
            assert line[d.position.column - 1:].lstrip('\\').startswith('"Next'), line


def test_fuzzed_templates_never_trace_back(tmp_path):
    rng = random.Random(6)
    sources = [JSON_ESCAPES, YAML_LITERAL, YAML_DOUBLE_QUOTED, SUB_LENGTH_CHANGES, JOIN]
    alphabet = ['\\', '"', "'", "\n", " ", "u", "{", "}", "|", ">", "!", "$", "#", "\t", "é"]
    for i in range(300):
        text = list(rng.choice(sources))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text))
            if rng.random() < 0.5:
                text[at] = rng.choice(alphabet)
            else:
                del text[at]
        name = "t.json" if text[0] == "{" else "t.yaml"
        path = tmp_path / name
        path.write_text("".join(text), encoding="utf-8")
        check_file(str(path))   # must not raise


def test_yaml_scalar_offsets_reject_other_nodes():
    import yaml

    node = yaml.compose("[1, 2]")
    assert yaml_scalar_offsets("[1, 2]", node, "x") is None
    scalar = yaml.compose("abc")
    assert yaml_scalar_offsets("abc", scalar, "abd") is None
    assert yaml_scalar_offsets("abc", scalar, "abc") == [0, 1, 2]


def check_machine_properties(tmp_path, properties: dict) -> list:
    """The diagnostics of a JSON template holding one state machine with these Properties."""
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine",
                                                    "Properties": properties}}}), encoding="utf-8")
    return check_file(str(path))


def test_a_definition_string_with_a_huge_integer_is_an_error_not_a_crash(tmp_path):
    definition = '{"StartAt": "A", "X": ' + "1" * 5000 + ', "States": {"A": {"Type": "Pass", "End": true}}}'
    found = [d for d in check_machine_properties(tmp_path, {"DefinitionString": definition})
             if d.code == "INVALID_JSON_DESCRIPTION"]
    assert found and "more than 4300 digits" in found[0].message


@pytest.mark.parametrize("value,kind", [(5, "a number or boolean"), ([], "a list"), (None, "null")])
def test_a_definition_string_that_is_no_string_is_an_error(tmp_path, value, kind):
    errors = [d for d in check_machine_properties(tmp_path, {"DefinitionString": value}) if d.severity == "ERROR"]
    assert errors and errors[0].message.endswith(f"not {kind}")
    assert errors[0].pointer == "/Resources/M/Properties/DefinitionString"


@pytest.mark.parametrize("substitutions", [5, ["a"]])
def test_definition_substitutions_must_be_a_mapping(tmp_path, substitutions):
    found = check_machine_properties(tmp_path, {
        "DefinitionString": '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}',
        "DefinitionSubstitutions": substitutions})
    errors = [d for d in found if d.severity == "ERROR"]
    assert [e.pointer for e in errors] == ["/Resources/M/Properties/DefinitionSubstitutions"]
