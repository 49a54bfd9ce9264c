"""Stored values with links: what is read back is what was recorded, large shared parts written once."""

import json
import random

import pytest

from asl.store.nodes import NODE_BYTES, NodeEncoder, relink


def _parsed(encoder, data):
    """Refs of data, and every value numbered so far as read back (rows parsed, links set)."""
    refs = encoder.refs(data)
    pieces, links = encoder.take()
    values = json.loads("[" + ",".join(text for _, text in pieces) + "]")
    assert sum(count for count, _ in pieces) == len(values) == encoder.count
    relink(values, json.loads(json.dumps(links)))  # as stored: JSON
    return refs, values


def _random_value(rng, shared, depth=0):
    kind = rng.random()
    if shared and kind < 0.15:
        return rng.choice(shared)
    if depth > 4 or kind < 0.45:
        return rng.choice([None, True, False, 0, -7, 2.5, 1e300, "", "é\u2603", "x" * rng.randrange(300), "\ud800"])
    if kind < 0.75:
        return {f"k{i}é": _random_value(rng, shared, depth + 1) for i in range(rng.randrange(8))}
    if kind < 0.8:  # a long list of scalars or of small dicts
        return [rng.choice([i, {"i": i}]) for i in range(rng.randrange(300))]
    return [_random_value(rng, shared, depth + 1) for _ in range(rng.randrange(6))]


@pytest.mark.parametrize("seed", range(40))
def test_values_read_back_are_the_values_recorded(seed):
    rng = random.Random(seed)
    shared = [_random_value(rng, []) for _ in range(6)]  # parts of several values (holding none themselves)
    shared += [{"big": shared[0], "pad": "p" * NODE_BYTES}, [shared[1]] * 40]
    data = []
    for _ in range(30):
        value = _random_value(rng, shared)
        if rng.random() < 0.3:  # a ResultPath merge: a new top level over shared members
            value = {"a": rng.choice(shared), "b": value, "c": [rng.choice(shared), 1]}
        data.append(value)
    encoder = NodeEncoder()
    refs, values = _parsed(encoder, data)
    assert [values[ref] for ref in refs] == data
    dumps = [json.dumps(values[ref]) for ref in refs]
    assert dumps == [json.dumps(value) for value in data]


def test_large_shared_parts_are_written_once_and_read_back_as_one_object():
    document = {"orders": [{"id": i, "items": [{"sku": f"S{i}-{j}"} for j in range(5)]} for i in range(40)]}
    data = [document]
    for i in range(20):  # each state adds a member to a new top level, sharing the rest
        data.append({**data[-1], f"step{i}": {"i": i}})
    encoder = NodeEncoder()
    refs, values = _parsed(encoder, data)
    assert [values[ref] for ref in refs] == data
    text = json.dumps(document["orders"], separators=(",", ":"))
    assert len(text) >= NODE_BYTES
    pieces = "".join(text for _, text in encoder.pieces)  # taken already: all of it was in `_parsed`
    assert pieces == ""
    assert all(values[ref]["orders"] is values[refs[0]]["orders"] for ref in refs)


def test_segments_go_on_numbering_and_link_to_earlier_segments():
    big = {"list": list(range(NODE_BYTES))}
    encoder = NodeEncoder(first=5)
    first, _ = encoder.refs([big, "s"]), encoder.take()
    second = encoder.refs([{"big": big, "n": 1}, big])
    pieces, links = encoder.take()
    assert first == [6, 7] and second == [8, 6]  # 5: big's long list, a value of its own too
    assert links == [[8, "big", 6]]
    assert pieces == [(1, '{"big":null,"n":1}')]


@pytest.mark.parametrize("limit", [1000, 10_000])
def test_deep_values_are_encoded_past_the_recursion_limit(limit):
    import sys

    from asl import deepjson

    deep: list = []
    node = deep
    for _ in range(5000):
        node.append([])
        node = node[0]
    value = {"deep": deep, "pad": "x" * NODE_BYTES}
    encoder = NodeEncoder()
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)  # jsonata raises it: json then reaches deeper
    try:
        refs = encoder.refs([value])
    finally:
        sys.setrecursionlimit(before)
    pieces, links = encoder.take()
    values = deepjson.loads("[" + ",".join(text for _, text in pieces) + "]")
    relink(values, links)
    assert deepjson.dumps(values[refs[0]]) == deepjson.dumps(value)
    assert len(links) <= deepjson.DEPTH + 1  # values of their own only near the top


@pytest.mark.parametrize("links, message", [
    ([[1, "a", 1]], "out of order"),
    ([[1, "a", 2]], "out of order"),
    ([[0, "a", -1]], "out of order"),
    ([[1, "b", 0]], "no member"),
    ([[1, 0, 0]], "no member"),
    ([["1", "a", 0]], "out of order"),
])
def test_a_damaged_link_is_a_value_error(links, message):
    with pytest.raises(ValueError, match=message):
        relink([{"x": 1}, {"a": None}], links)


# ------------------------------------------------------------------ `refs` against the plain walk

def _written(encoder, refs):
    """What an encoder wrote: refs, the values' texts joined, links, and the values read back (as JSON)."""
    from asl import deepjson

    pieces, links = encoder.take()
    texts = ",".join(text for _, text in pieces)
    values = deepjson.loads("[" + texts + "]")
    assert sum(count for count, _ in pieces) == len(values) == encoder.count
    relink(values, json.loads(json.dumps(links)))
    return refs, texts, links, [deepjson.dumps(values[ref]) for ref in refs]  # text: == recurses


def _plain_part(encoder, value, kind, depth):
    """NodeEncoder._part as it was first written: every member looked into encodes itself."""
    from asl import deepjson

    if depth > deepjson.DEPTH:
        return deepjson.dumps(value), None
    links, deeper = encoder._scan(value, kind)
    if not links:
        try:
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        except RecursionError:
            return deepjson.dumps(value), None
        if len(text) < NODE_BYTES:
            return text, None
    for step, child, child_kind in deeper:
        ref = _plain_part(encoder, child, child_kind, depth + 1)[1]
        if ref is not None:
            links.append((step, ref))
        else:
            encoder.inline[id(child)] = child
    if links:
        copy = dict(value) if kind is dict else list(value)
        for step, _ in links:
            copy[step] = None
        text = deepjson.dumps(copy)
    ref = encoder._add(value, text)
    encoder.links.extend([ref, step, child] for step, child in links)
    return "null", ref


def _plain(data):
    """data numbered one value at a time by the plain walk (no batches in `refs`, nothing told a member)."""
    from asl import deepjson

    encoder = NodeEncoder()
    refs = []
    for value in data:
        ref = encoder.seen.get(id(value)) if type(value) in (dict, list) else None
        if ref is None:
            if type(value) in (dict, list):
                text, ref = _plain_part(encoder, value, type(value), 0)
                ref = ref if ref is not None else encoder._add(value, text)
            else:
                ref = encoder._add(value, deepjson.dumps(value))
        refs.append(ref)
    return _written(encoder, refs)


_SHARED = {"orders": [{"id": i, "sku": "é" * 3} for i in range(200)]}  # ≥ NODE_BYTES: a value of its own
_SMALL = {"k": [1, 2]}
_TEXT = "ünïcødé \u2603 \ud800 \"quoted\" {[brackets]}"
_FLAT_BIG = list(range(NODE_BYTES))
_ERR = {"Error": "Custom.Error", "Cause": _TEXT}


def _deep(levels):
    node: list = []
    top = node
    for _ in range(levels):
        node.append([])
        node = node[0]
    return top


@pytest.mark.parametrize("name, data", [
    ("scalars, one object met twice", [None, True, 0, 2.5, _TEXT, _TEXT, "", -7, None]),
    ("flat dicts and lists", [{"a": 1, "b": "x"}, [1, "y", None], {}, [], {"é": _TEXT}]),
    ("one object met twice", [_SMALL, _SMALL, {"a": 1}, _SMALL]),
    ("met again at once, scalars between", [None, _SMALL, _SMALL, _SMALL, None, None, _SHARED, _SHARED, {"a": 1},
                                            {"a": 1}, _FLAT_BIG, _FLAT_BIG, _SMALL, 2.5, 2.5]),
    ("a large flat value", [_FLAT_BIG, {"n": 1}, _FLAT_BIG]),
    ("nested, small", [{"a": {"b": [1, {"c": 2}]}}, [[1], [2, [3]]]]),
    ("a large shared part", [_SHARED, {**_SHARED, "x": 1}, {"in": _SHARED, "y": [_SHARED]}, _SHARED["orders"]]),
    ("a part of an earlier value met alone", [{"big": _SHARED["orders"], "n": 1}, _SHARED["orders"], 3]),
    ("a flat part of an earlier value met alone", [{"big": _FLAT_BIG}, 1, _FLAT_BIG, {"big": _FLAT_BIG}]),
    ("a small member met before", [_SMALL, {"m": _SMALL, "n": 2}, [_SMALL, 1]]),
    ("flat values around nested ones", [1, {"a": 1}, {"b": {"c": 1}}, "s", [2], [[3]], None, {"d": 4}]),
    ("wrappers around a large list", [{"input": {"items": [{"i": i} for i in range(400)]}, "role": "r"}]),
    ("wrappers in lists, non-ASCII", [[{"é": [[{"\u2603": _TEXT, "n": [i]} for i in range(60)]]}], "x"]),
    ("a wrapper whose other member holds the mark", [{"note": "\x00sfn:member\x00", "in": {"l": _FLAT_BIG}},
                                                     {"\x00sfn:member\x00": 1, "in": {"l": _FLAT_BIG}}]),
    ("a wrapper of a large member holding one met before", [_SMALL, {"in": {"s": _SMALL, "pad": _TEXT * 60}}]),
    ("a large value, its nested members small", [{"pad": "p" * NODE_BYTES, "a": {"b": [1]}, "c": [[2]]}]),
    ("a large value, one small nested member", [{"pad": "p" * NODE_BYTES, "a": {"b": [1]}}]),
    ("large nested members", [{"a": {"x": _TEXT * 100, "y": [1]}, "b": [{"z": _TEXT * 100}], "c": _SMALL},
                              {"a": [_FLAT_BIG, [1]], "b": {"c": {"d": {"e": _TEXT * 200}}}}]),
    ("one nested member large, one small", [{"big": {"x": _TEXT * 100, "y": [1]}, "small": {"z": [1]}}]),
    ("a nested member NODE_BYTES long", [{"m": {"s": "x" * (NODE_BYTES - 15), "t": []}},  # just large
                                         {"m": {"s": "x" * (NODE_BYTES - 16), "t": []}}]),  # just small
    ("two nested members, one NODE_BYTES long", [{"m": {"s": "x" * (NODE_BYTES - 15), "t": []}, "n": [[]]}]),
    ("deeper than json reaches", [{"deep": _deep(5000), "pad": "x" * NODE_BYTES}, _deep(3000), 1]),
    ("many, past a batch", [{"i": i, "s": _TEXT} for i in range(600)] + [{"in": {"i": 1}}] + list(range(300))),
    # flat values are written by orjson unless json must: it writes NaN and the infinities as null and
    # refuses integers past 64 bits and lone surrogates
    ("non-finite floats in flat values", [{"n": float("nan")}, [float("inf"), -float("inf")], float("nan"), {"i": 1}]),
    ("a float after a batch of plain values", [{"i": i} for i in range(300)] + [{"x": -float("inf")}, {"i": 2}]),
    ("what orjson refuses", [{"big": 2 ** 70}, [-(2 ** 64)], {"s": "\ud800"}, "\udfff", {"ok": "é\u2603\x7f"}]),
    ("finite floats (orjson would write 1e-7 for 1e-07)", [{"f": 2.5, "g": 1e300, "h": -0.0, "k": 1e-7}, [0.1, 100.0]]),
    # two levels, flat below, written whole in the batch: a caught error, floats a level down, a long member
    ("a caught error under ResultPath", [{"i": i, "err": _ERR} for i in range(3)] + [_ERR, {"i": 9, "err": _ERR}]),
    ("floats a level down", [{"a": {"f": 1e-07}, "b": [2.5]}, {"i": 1}, [[float("inf")], {}], {"s": "x"}]),
    ("a long flat member", [{"m": {"s": "x" * (2 * NODE_BYTES)}, "n": [1, "é"]}, {"m": ["\ud800"], "k": {}}]),
    ("a member met before, or too long to be flat", [_SMALL, {"m": _SMALL, "n": [1]}, {"m": list(range(65))}]),
])
def test_refs_write_what_the_plain_walk_writes(name, data):
    from asl import deepjson

    encoder = NodeEncoder()
    written = _written(encoder, encoder.refs(data))
    assert written == _plain(data)
    assert written[3] == [deepjson.dumps(value) for value in data]
    for i, value in enumerate(data):  # one dict / list met again is one value
        for j in range(i):
            if data[j] is value and type(value) in (dict, list):
                assert written[0][i] == written[0][j]


def test_a_part_of_an_earlier_value_in_the_same_call_is_not_written_again():
    # flat (no dict / list inside) but large: a value of its own inside its parent, then met alone
    encoder = NodeEncoder()
    refs = encoder.refs([{"big": _FLAT_BIG, "n": 1}, _FLAT_BIG, {"big": _FLAT_BIG, "n": 2}, "s"])
    pieces, links = encoder.take()
    assert sum(count for count, _ in pieces) == 4  # the list, the two dicts linking to it, "s"
    assert refs == [1, 0, 2, 3] and links == [[1, "big", 0], [2, "big", 0]]
