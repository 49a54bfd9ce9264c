"""Validation's shortcuts agree with the plain computations they stand for, on many inputs."""

from __future__ import annotations

import glob
import itertools
import json
import random
from pathlib import Path

import pytest

from asl.validate import expressions as ex
from asl.validate.context import Context
from asl.validate.walk import Fields

SHARED = Path(__file__).resolve().parents[3] / "shared"
# The yardsticks' definitions beside the project; a clone without them skips what needs them.
needs_corpus = pytest.mark.skipif(not (SHARED / "validation" / "cases").is_dir(),
                                  reason="../shared (the yardsticks' corpus) is absent")
NAMES = ("Next", "End", "Catch", "Retry", "Parameters", "ResultPath", "Assign", "Type", "a/b", "~x")


def corpus_definitions() -> list[dict]:
    """State machine definitions of the validation and conformance yardsticks (what is present)."""
    found = []
    for name in sorted(glob.glob(str(SHARED / "validation" / "cases" / "*.json"))
                       + glob.glob(str(SHARED / "conformance" / "cases" / "*.json"))):
        try:
            data = json.loads(Path(name).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        data = data.get("definition", data) if isinstance(data, dict) else data
        if isinstance(data, dict) and isinstance(data.get("States"), dict):
            found.append(data)
    return found


def test_fields_present_is_the_group_filtered_in_its_order():
    rng = random.Random(3)
    for size in range(len(NAMES) + 1):
        for group in itertools.islice(itertools.permutations(NAMES, size), 200):
            fields = Fields(group)
            for _ in range(5):
                body = {name: 1 for name in rng.sample(NAMES, rng.randint(0, len(NAMES)))}
                assert fields.present(body) == [n for n in group if n in body]
                assert fields.any_in(body) == any(n in body for n in group)


@needs_corpus
def test_state_targets_are_every_transition_target():
    from asl.validate.rules import _transitions

    for data in corpus_definitions():
        for state in Context(data).states:
            assert state.targets() == [target for target, _ in _transitions(state)]


def test_memoised_expression_checks_answer_as_computed_afresh():
    texts = {"$", "$.a", "$$.Execution.Id", "$..a", "$.a[*]", "a", "", "$[", "States.Format('{}', $.a)",
             "States.Nope()", "States.Array(", "$.a[?(@.b > 1)]", "$x", "{% $x %}", "{%x%}", "{% %}"}
    for data in corpus_definitions():
        stack = [data]
        while stack:  # every string of the corpus
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str) and len(texts) < 5000:
                texts.add(item)
    for text in texts:
        for definite, dollar_only in itertools.product((False, True), repeat=2):
            assert ex.path_error(text, definite=definite, dollar_only=dollar_only) == \
                ex._path_error.__wrapped__(text, definite, dollar_only)
        assert ex.path_or_intrinsic_error(text) == ex._path_or_intrinsic_error.__wrapped__(text)
        if text.startswith("{%") or text.endswith("%}"):
            assert ex.jsonata_error(text) == ex.jsonata_error.__wrapped__(text)


# Values a mutation puts in place: every JSON type, paths, templates, JSONata, edge numbers.
MUTANTS = (None, 0, 1, -1, 1.5, 2.0, 100000000, "", "x", "$", "$.a", "$..a", "{% $x %}", True, False,
           [], [1], ["States.ALL"], {}, {"a.$": "$.b"}, {"Type": "Pass", "End": True}, "Pass", "Task", "Map",
           "JSONata", "JSONPath", "arn:aws:states:::lambda:invoke")
FIELDS = ("Next", "End", "Type", "ResultPath", "Parameters", "Assign", "QueryLanguage", "Foo", "Catch", "Retry",
          "Output", "Arguments", "InputPath", "Comment", "Resource", "Seconds", "Choices", "Default",
          "ItemProcessor", "Branches", "ErrorEquals", "MaxConcurrency", "TimeoutSeconds", "StartAt", "States")


def mutations(data: dict, rng: random.Random, count: int) -> list:
    """`count` copies of a definition, each with one to three members removed, replaced or added."""
    out = []
    for _ in range(count):
        copy = json.loads(json.dumps(data))
        objects, stack = [], [copy]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                objects.append(item)
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        for _ in range(rng.randint(1, 3)):
            target = rng.choice(objects)
            roll = rng.random()
            if target and roll < 0.3:
                del target[rng.choice(list(target))]
            elif target and roll < 0.7:
                target[rng.choice(list(target))] = rng.choice(MUTANTS)
            else:
                target[rng.choice(FIELDS)] = rng.choice(MUTANTS)
        out.append(copy)
    return out


@needs_corpus
def test_schema_predicate_says_valid_exactly_when_schemalite_finds_no_error():
    from asl.validate.schema import _checker, schema_valid

    rng = random.Random(11)
    seen = {True: 0, False: 0}
    for data in corpus_definitions():
        for candidate in [data] + mutations(data, rng, 6):
            errors: list = []
            _checker("stateMachine")(candidate, "", errors)
            assert schema_valid(candidate) == (not errors), (json.dumps(candidate)[:300], errors[:3])
            seen[not errors] += 1
    assert seen[True] > 500 and seen[False] > 500  # both answers are exercised


@needs_corpus
def test_template_cheap_check_is_clean_exactly_when_the_full_one_reports_nothing():
    from asl.validate.rules_templates import _template, _template_clean

    rng = random.Random(5)
    templates = [{"a": "$.x", "a.$": "$.x"}, {"states": 1}, {"x" * 81: 1}, {"top-level": 1}, {"b.$": "States.Nope()"},
                 [{"c": "$$.Execution"}], {"d": {"e.$": "$["}}, {"f": "States.Format('x')"}, {"g.$.$": 1, "g.$": "$"}]
    for data in corpus_definitions():
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for key, value in item.items():
                    if key in ("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials", "Arguments"):
                        templates.append(value)
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    templates += [m.get("t") for t in templates[:400] for m in mutations({"t": t, "u": {}}, rng, 3)]
    clean = 0
    for value in templates:
        for evaluate, assign in itertools.product((False, True), repeat=2):
            expected = not list(_template(value, "/P", evaluate, assign))
            assert _template_clean(value, evaluate, assign) == expected, (value, evaluate, assign)
            clean += expected
    assert 100 < clean < 4 * len(templates)


def test_loader_duplicate_flag_agrees_with_the_source_map():
    from asl.loader import load_text

    texts = ['{"a": 1, "a": 2}', '{"a": {"b": 1, "b": 1}}', '{"a": 1, "\\u0061": 2}', '[{"x": 1}, {"x": 2}]',
             '{"States": {"A": {}, "A": {}}}', '{}', '[]', '1']
    texts += [Path(name).read_text(encoding="utf-8")
              for name in sorted(glob.glob(str(SHARED / "validation" / "cases" / "*.json")))[:300]]
    for text in texts:
        try:
            document = load_text(text, "x.json")
        except Exception:
            continue  # not JSON: no flag to check
        assert document.duplicate_free == (not document.source_map.duplicate_keys()), text[:200]


@needs_corpus
def test_json_positions_place_every_value_and_member_name():
    from asl.source import json_positions

    texts = ['{"a\\u0062": [1, {"c\\"d": null}], "e": "f", "e": 2}', '[]', '{}', '"x"',
             '{\n  "k": {\n    "n": [true, false, -1.5e3]\n  }\n}']
    texts += [Path(name).read_text(encoding="utf-8")
              for name in sorted(glob.glob(str(SHARED / "validation" / "cases" / "*.json")))[:150]]
    checked = 0
    for text in texts:
        try:
            data = json.loads(text)
        except ValueError:
            continue
        lines = text.split("\n")
        values, keys, _ = json_positions(text)
        expected, stack = set(), [("", data)]
        while stack:  # every pointer of the parsed value
            ptr, item = stack.pop()
            expected.add(ptr)
            if isinstance(item, dict):
                stack.extend((ptr + "/" + k.replace("~", "~0").replace("/", "~1"), v) for k, v in item.items())
            elif isinstance(item, list):
                stack.extend((f"{ptr}/{i}", v) for i, v in enumerate(item))
        assert set(values) == expected
        for ptr in expected:
            at = values[ptr]
            assert values.get(ptr) == at and ptr in values
            rest = lines[at.line - 1][at.column - 1:]
            decoder = json.JSONDecoder()
            if rest[:1] not in "{[":  # a scalar starts right there and decodes to the parsed value's type
                decoder.raw_decode(rest)
            if ptr in keys:
                name = keys[ptr]
                token = lines[name.line - 1][name.column - 1:]
                decoded, _ = decoder.raw_decode(token)
                assert decoded.replace("~", "~0").replace("/", "~1") == ptr.rsplit("/", 1)[1]
            checked += 1
    assert checked > 1000


@needs_corpus
def test_errors_only_is_the_errors_of_the_full_report():
    from asl.loader import load_text
    from asl.validate import validate

    rng = random.Random(2)
    texts = [(name, Path(name).read_text(encoding="utf-8"))
             for name in sorted(glob.glob(str(SHARED / "validation" / "cases" / "*")))]
    texts += [(f"m{i}.json", json.dumps(m, indent=1)) for i, data in enumerate(corpus_definitions()[:150])
              for m in mutations(data, rng, 2)]
    with_errors = 0
    for name, text in texts:
        try:
            document = load_text(text, name)
        except Exception:
            continue
        full = validate(document, text)
        errors = [d for d in full if d.severity == "ERROR"]
        assert validate(document, text, errors_only=True) == errors, name
        with_errors += bool(errors) and len(errors) < len(full)
    assert with_errors > 10  # files with both errors and warnings were compared
