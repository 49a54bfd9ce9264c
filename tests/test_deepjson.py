"""deepjson: json's text and values at any depth, whatever the recursion limit."""

import json
import random
import sys

import pytest

from asl import deepjson
from asl.deepjson import _parse, _stacked, dumps, loads
from asl.history import SharedTexts


def sample(rng, depth=0):
    roll = rng.random()
    if depth < 5 and roll < 0.3:
        return {f"k{i}é\"\n": sample(rng, depth + 1) for i in range(rng.randint(0, 3))}
    if depth < 5 and roll < 0.6:
        return [sample(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return rng.choice([0, -2.5, 1e300, 3.14e-10, -0.0, 10**30, "x\u2028\x00", "", True, False, None])


def test_the_same_text_and_values_as_json():
    rng = random.Random(7)
    for _ in range(500):
        value = sample(rng)
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        assert _stacked(value) == dumps(value) == SharedTexts().encode(value) == text
        spaced = json.dumps(value, indent=2)
        assert repr(_parse(text)) == repr(json.loads(text)) and _parse(spaced) == json.loads(spaced)


def nested(depth):
    value: list = []
    for level in range(depth):
        value = [level, {"k": value}] if level % 2 else [value]
    return value


def test_any_depth_under_a_low_recursion_limit():
    value = nested(20_000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(500)  # Python's own is 1000; jsonata sets 10000
    try:
        text = dumps(value)
        back = loads(text)
        assert SharedTexts().encode(value) == text
    finally:
        sys.setrecursionlimit(limit)
    assert text.startswith('[19999,{"k":[[19997,{"k":[[') and _stacked(back) == text


@pytest.mark.parametrize("text", ["", "[", "[1,]", '{"a" 1}', "[1] x", "{,}", "nul", "[01]", '{"a":1,}',
                                  "-", "[1 2]", '{"a":1]', "[}", '{1:2}'])
def test_what_json_refuses_is_refused(text):
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        _parse(text)


def test_recursive_coders_hand_over_well_before_the_limit():
    assert deepjson.DEPTH * 3 < sys.getrecursionlimit()
