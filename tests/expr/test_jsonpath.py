"""JSONPath as Step Functions evaluates it: definite and indefinite paths, roots, ResultPath."""

import json
import subprocess
import sys

import pytest

from asl.expr.jsonpath import PathNotFound, PathSyntaxError, compile_path, compile_reference_path, set_path

DOC = {"a": {"b": [10, 20, 30]}, "int-literal": 0, "x y": {"c": 1},
       "items": [{"v": 1, "k": "p"}, {"v": 5, "k": "q"}], "Test\\\"Name": "odd"}

FIND = [
    ("$", DOC),
    ("$.a.b[1]", 20),
    ("$.a.b[-1]", 30),
    ("$['a']['b'][0]", 10),
    ("$.int-literal", 0),
    ("$['x y'].c", 1),
    ("$.items[*].v", [1, 5]),
    ("$.items[?(@.v > 2)].k", ["q"]),
    ("$..v", [1, 5]),
    ("$.a.b[0:2]", [10, 20]),
    ("$.nothing[*]", []),
    ("$.x y", PathSyntaxError),
    ("$.a.b[::2]", [10, 30]),
    ("$.a.b[::0]", PathSyntaxError),       # jsonpath-ng would raise ValueError while finding
    ("$.a.b[1:2:-0]", PathSyntaxError),
]


@pytest.mark.parametrize("text,expected", FIND)
def test_find(text, expected):
    if expected is PathSyntaxError:
        with pytest.raises(PathSyntaxError):
            compile_path(text)
        return
    assert compile_path(text).find(DOC) == expected


@pytest.mark.parametrize("text", ["$.missing", "$.a.b[7]", "$.a.b.c", "$.int-literal.x"])
def test_definite_path_not_found(text):
    with pytest.raises(PathNotFound):
        compile_path(text).find(DOC)


@pytest.mark.parametrize("text,root,variable", [
    ("$", "$", None), ("$.a", "$", None), ("$$.Execution.Id", "$$", None), ("$var.x", "var", "var"),
])
def test_roots(text, root, variable):
    path = compile_path(text)
    assert (path.root, path.variable) == (root, variable)


def test_star_on_object_gives_values_like_jayway():
    assert compile_path("$[*]").find({}) == []
    assert compile_path("$[*]").find({"a": 1, "b": 2}) == [1, 2]
    assert compile_path("$.o[1:2]").find({"o": {"a": 1}}) == []


# Slices and wildcards on every kind of value: sfn's (Jayway's) answers.
SLICE_DOCS = ({"a": 1, "b": 2}, [1, 2, 3], "str", 5, None)
SLICES = {
    "$[*]": [[1, 2], [1, 2, 3], [], [], []],
    "$[1:]": [[], [2, 3], [], [], []],
    "$[::2]": [[], [1, 3], [], [], []],
    "$[-2:]": [[], [2, 3], [], [], []],
    "$..[1:]": [[], [2, 3], [], [], []],
    "$[?(@ > 1)][0:1]": [[], [], [], [], []],
}


@pytest.mark.parametrize("text", SLICES)
def test_slices_follow_jayway_on_every_kind_of_value(text):
    assert [compile_path(text).find(doc) for doc in SLICE_DOCS] == SLICES[text]


_UPSTREAM = """
import json, sys
from jsonpath_ng.ext import parse
paths, docs = json.loads(sys.argv[1])
print(json.dumps([[[m.value for m in parse(p).find(d)] for d in docs] for p in paths]))
"""


def test_jsonpath_ng_itself_is_left_as_upstream_made_it():
    """Other jsonpath-ng users in the process see upstream slices, whatever sfn compiled before."""
    from jsonpath_ng.ext import parse
    from jsonpath_ng.jsonpath import Slice

    paths = [*SLICES, "$[:]"]  # older sfn made jsonpath-ng's `[:]` yield an object's values
    for text in paths:
        compile_path(text)
    assert Slice.find.__module__ == "jsonpath_ng.jsonpath"
    # Upstream's answers, from a process that never imported sfn.
    argument = json.dumps([paths, SLICE_DOCS])
    upstream = json.loads(subprocess.run([sys.executable, "-c", _UPSTREAM, argument], capture_output=True,
                                         text=True, check=True).stdout)
    here = [[[m.value for m in parse(text).find(doc)] for doc in SLICE_DOCS] for text in paths]
    assert here == upstream
    assert type(parse("$[1:]").right) is Slice


def test_quote_escapes_only_the_delimiting_quote():
    assert compile_path("$['Test\\\"Name']").steps == ('Test\\"Name',)
    assert compile_path("$['it\\'s']").steps == ("it's",)


def test_bracket_form_is_what_aws_prints():
    assert compile_path("$.a.b[0]").bracket_form() == "$['a']['b'][0]"


@pytest.mark.parametrize("text,value,expected", [
    ("$", 1, 1),
    ("$.r", 1, {"a": 1, "r": 1}),
    ("$.a", 2, {"a": 2}),
    ("$.n.m", 3, {"a": 1, "n": {"m": 3}}),
])
def test_set_path_copies(text, value, expected):
    original = {"a": 1}
    assert set_path(original, compile_reference_path(text), value) == expected
    assert original == {"a": 1}


@pytest.mark.parametrize("text", ["$.a[*]", "$$.Execution", "$..x", "nope"])
def test_reference_paths_must_be_definite_and_rooted(text):
    with pytest.raises(PathSyntaxError):
        compile_reference_path(text)


def test_compiled_paths_are_cached():
    assert compile_path("$.cached.path") is compile_path("$.cached.path")


@pytest.mark.parametrize("text,expected", [
    ("$.a.b[(@.length-1)]", 30),
    ("$.a.b[( @.length - 3 )]", 10),
    ("$.items[(@.length-1)].k", "q"),
])
def test_jayway_length_script_index(text, expected):
    assert compile_path(text).find(DOC) == expected


def test_paths_of_names_indexes_and_stars_select_what_jsonpath_ng_selects():
    # sfn walks these paths itself; jsonpath-ng stays the reference for their meaning.
    import random

    from asl.expr.jsonpath import _compile_jsonpath_ng

    rnd = random.Random(17)

    def document(depth: int):
        roll = rnd.random()
        if depth > 3 or roll < 0.3:
            return rnd.choice([1, "s", None, True, [], {}, 2.5])
        if roll < 0.65:
            return [document(depth + 1) for _ in range(rnd.randint(0, 3))]
        return {key: document(depth + 1) for key in rnd.sample(["a", "b", "c"], rnd.randint(0, 3))}

    steps = [".a", ".b", ".c", "[0]", "[1]", "[2]", "[*]"]
    for _ in range(400):
        text = "$" + "".join(rnd.choice(steps) for _ in range(rnd.randint(1, 4))) + "[*]"
        path, reference = compile_path(text), _compile_jsonpath_ng(text, text)
        assert path._wild is not None
        for _ in range(10):
            doc = document(0)
            assert path.find(doc) == [match.value for match in reference.find(doc)], (text, doc)


@pytest.mark.parametrize("text", ["$.where[*]", "$['a'][*]", "$.a[-1][*]", "$..a[*]", "$.a-b[*]", "$.a[*][?(@.x)]"])
def test_other_indefinite_paths_are_left_to_jsonpath_ng(text):
    try:
        assert compile_path(text)._wild is None
    except PathSyntaxError:
        pass


def _read(text, plain_reader):
    """compile_path's reading of `text` (uncached), with or without the reader of plain dotted paths."""
    from asl.expr import jsonpath

    saved = jsonpath._plain_steps
    if not plain_reader:
        jsonpath._plain_steps = lambda text: None
    try:
        path = jsonpath.compile_path.__wrapped__(text)
    except PathSyntaxError as exc:
        return "error", str(exc)
    finally:
        jsonpath._plain_steps = saved
    return path.root, path.variable, path.steps, path.definite


@pytest.mark.parametrize("text", ["$", "$$", "$.a", "$.a.b.c", "$$.Execution.Id", "$.é.*", "$.a ", " $.a", "$.a b",
                                  "$.a\u00a0b", "$..a", "$.a.", "$.", "$.a[0]", "$['a']", "$.a'b", "$var.x", "$x"])
def test_plain_dotted_paths_read_as_the_patterns_read_them(text):
    assert _read(text, True) == _read(text, False)


def test_random_paths_read_as_the_patterns_read_them():
    import random

    pieces = ["$", "$$", ".", "a", "é", "*", " ", "\u00a0", "\t", "[", "]", "0", "'", '"', "-", "..", "x1", "@"]
    rng = random.Random(5)
    for _ in range(20_000):
        text = rng.choice(["$", "$$", "$.", ""]) + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        assert _read(text, True) == _read(text, False), text
