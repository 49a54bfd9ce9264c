"""The values of a stored history: each large or shared dict / list written once, its parents linking to it.

A ResultPath merge copies only the path down to the result and shares everything else with the
input, so a long history of a 50 KB document holds hundreds of distinct documents that differ in a
few members. Written whole, each would cost its full text; here a dict / list whose JSON is at least
NODE_BYTES long, or that has a member written already, is a value of its own, numbered like the
events' values, and its parent's text holds `null` in its place with a link [parent, key or index,
child] beside it. Reading sets each link back (`relink`), so shared parts are again one object.
Smaller values are encoded whole by one json call: what they share is not worth a Python walk.
An event's value that holds no dict / list (a scalar, or a flat dict / list of any size) is encoded
with its neighbours, FLAT_BATCH to a json call, and one object met again (by id, scalars too) is
the value numbered already.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from itertools import accumulate, chain, compress, count, repeat
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from operator import is_, not_
from typing import Any

from .. import deepjson

NODE_BYTES = 2048   # a dict / list this long in JSON (or longer) is a value of its own
FLAT_ITEMS = 64     # a member of at most this many scalars is written inside its parent, not looked into
FLAT_BATCH = 256    # new event values holding no dict / list: at most this many in one json call
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_CONTAINERS = frozenset((dict, list))
# json's C encoder as JSONEncoder.encode makes it for each call (no check for cycles: values are trees)
_C_ENCODE = (c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, True)
             if c_make_encoder is not None else lambda value, _: (_ENCODER.encode(value),))


class NodeEncoder:
    """Numbers and encodes the values of one history, in order; new values' texts gather in `pieces`.

    Sound because the interpreter never changes a value in place once it is recorded: an object
    written once is the same document whenever it is met again (it is kept alive, so its id is
    not reused).
    """

    def __init__(self, first: int = 0) -> None:
        self.seen: dict[int, int] = {}    # id of a value written (an event's, or a part of its own) -> its index
        self.kept: list[Any] = []         # those objects (alive, so their ids are not reused)
        self.inline: dict[int, Any] = {}  # small dicts / lists written whole inside a parent (id -> it)
        self.count = first                # values numbered so far
        self.pieces: list[tuple[int, str]] = []  # (n, the comma-separated texts of the next n new values)
        self.links: list[list] = []       # [value, key or index, value it holds there]

    def refs(self, data: list) -> list[int]:
        """The index of each event's value; new ones are numbered (and encoded, flat ones many to a json call) now.

        A Map of 10k items records ~80k values, so the common case is done by C-level bulk operations
        rather than a Python step per value: values met already are found by id in `seen`, and new
        scalars and flat dicts / lists (no dict or list inside) are numbered in event order and encoded
        FLAT_BATCH to a json call. Only a new value holding a dict / list takes `_whole`'s walk.
        """
        seen = self.seen
        ids = list(map(id, data))
        new = dict.fromkeys(ids)  # ids in order of first occurrence
        for known in seen.keys() & new.keys():
            del new[known]
        if new:
            objects = dict(zip(ids, data))
            values = list(map(objects.__getitem__, new))
            start = 0
            for position in _nested(values):
                self._add_flat(values[start:position], start > 0)
                value = values[position]
                if id(value) not in seen:  # else a part of a value before it in this batch
                    self._whole(value, type(value))
                start = position + 1
            self._add_flat(values[start:], start > 0)
        return list(map(seen.__getitem__, ids))

    def take(self) -> tuple[list[tuple[int, str]], list[list]]:
        """The new values' texts and links since the last `take`."""
        taken = self.pieces, self.links
        self.pieces, self.links = [], []
        return taken

    def _add_flat(self, values: list, recheck: bool) -> None:
        """Number and encode new scalars and flat dicts / lists (recheck: some may be numbered already)."""
        seen = self.seen
        if recheck:  # a value before them in the batch may have made some of them values of their own
            values = list(compress(values, map(not_, map(seen.__contains__, map(id, values)))))
        if not values:
            return
        # kept alive with their ids in `seen` (scalars too: one object met twice is one value)
        seen.update(zip(map(id, values), count(self.count)))
        self.kept.extend(values)
        self.count += len(values)
        for start in range(0, len(values), FLAT_BATCH):
            batch = values[start:start + FLAT_BATCH]
            self.pieces.append((len(batch), _dumps(batch)[1:-1]))

    def _add(self, value: Any, text: str) -> int:
        ref = self.count
        self.count += 1
        self.seen[id(value)] = ref
        self.kept.append(value)
        self.pieces.append((1, text))
        return ref

    def _whole(self, value: Any, kind: type) -> int:
        """A new event value that is no small flat one: numbered, with the parts that are values of their own."""
        text, ref = self._part(value, kind, 0)
        return ref if ref is not None else self._add(value, text)

    def _part(self, value: Any, kind: type, depth: int) -> tuple[str, int | None]:
        """A new dict / list's JSON, and its index if it is a value of its own (its parent then holds `null`).

        Encoded whole by one json call unless it holds a value written already or is large; then its
        members that may hold one are looked into, and those that are values of their own become
        None in a shallow copy that one json call encodes.
        """
        if depth > deepjson.DEPTH:
            return deepjson.dumps(value), None  # no values of their own this deep
        seen, inline, isdisjoint = self.seen, self.inline, _CONTAINERS.isdisjoint
        links: list[tuple[Any, int]] = []
        deeper = []  # members that may hold a value written already, or be large
        for step, child in (value.items() if kind is dict else enumerate(value)):
            ck = type(child)
            if ck is dict or ck is list:
                ref = seen.get(id(child))
                if ref is not None:
                    links.append((step, ref))
                elif id(child) not in inline and (len(child) > FLAT_ITEMS or not isdisjoint(
                        map(type, child.values() if ck is dict else child))):
                    deeper.append((step, child, ck))
        text = None
        if not links:
            try:
                text = "".join(_C_ENCODE(value, 0))
            except RecursionError:  # nested too deep for json: written whole, not looked into
                return deepjson.dumps(value), None
            if len(text) < NODE_BYTES:
                return text, None  # small: what it shares is not worth a link
        for step, child, ck in deeper:
            ref = self._part(child, ck, depth + 1)[1]
            if ref is not None:
                links.append((step, ref))
            else:  # written inside its parent: the next parent that holds it need not look into it again
                inline[id(child)] = child
        if links:
            copy: Any = dict(value) if kind is dict else list(value)
            for step, _ in links:
                copy[step] = None
            text = _dumps(copy)
        ref = self._add(value, text)
        self.links.extend([ref, step, child] for step, child in links)
        return "null", ref


def _nested(values: list) -> list[int]:
    """The positions, in order, of the dicts / lists among values that hold a dict / list.

    In bulk (a Python step per dict / list found inside, none per value): each kind's members are
    chained, their types listed, and the owner of each dict / list among them found by bisection.
    """
    kinds = list(map(type, values))
    found: set[int] = set()
    for kind, members in ((dict, dict.values), (list, iter)):
        where = list(compress(count(), map(is_, kinds, repeat(kind))))
        if not where:
            continue
        holders = list(map(values.__getitem__, where))
        if not _CONTAINERS.isdisjoint(map(type, chain.from_iterable(map(members, holders)))):
            ends = list(accumulate(map(len, holders)))
            types = map(type, chain.from_iterable(map(members, holders)))
            inside = compress(count(), map(_CONTAINERS.__contains__, types))
            found.update(map(where.__getitem__, map(bisect_right, repeat(ends), inside)))
    return sorted(found)


def _dumps(value: Any) -> str:
    """Compact JSON text, as deepjson.dumps gives it (one C call without json.dumps' set-up)."""
    try:
        return "".join(_C_ENCODE(value, 0))
    except RecursionError:
        return deepjson.dumps(value)


def relink(values: list[Any], links: list[list]) -> None:
    """Put each linked value back in its parent (ValueError if a link does not fit the values)."""
    count = len(values)
    for parent, step, child in links:
        if not (type(parent) is int and type(child) is int and 0 <= child < parent < count):
            raise ValueError(f"link {parent} -> {child} is out of order or range")
        holder = values[parent]
        if not (type(holder) is dict and type(step) is str and step in holder
                or type(holder) is list and type(step) is int and 0 <= step < len(holder)):
            raise ValueError(f"value {parent} has no member {step!r} to link")
        holder[step] = values[child]
