"""The values of a stored history: each large or shared dict / list written once, its parents linking to it.

A ResultPath merge copies only the path down to the result and shares everything else with the
input, so a long history of a 50 KB document holds hundreds of distinct documents that differ in a
few members. Written whole, each would cost its full text; here a dict / list whose JSON is at least
NODE_BYTES long, or that has a member written already, is a value of its own, numbered like the
events' values, and its parent's text holds `null` in its place with a link [parent, key or index,
child] beside it. Reading sets each link back (`relink`), so shared parts are again one object.
Smaller values are encoded whole by one json call: what they share is not worth a Python walk.
"""

from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from .. import deepjson

NODE_BYTES = 2048   # a dict / list this long in JSON (or longer) is a value of its own
FLAT_ITEMS = 64     # a dict / list of at most this many scalars is encoded with its neighbours
FLAT_BATCH = 256    # and at most this many such values in one json call
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
        self.seen: dict[int, int] = {}    # id of a dict / list written -> its index
        self.kept: list[Any] = []         # those objects
        self.inline: dict[int, Any] = {}  # small dicts / lists written whole inside a parent (id -> it)
        self.count = first                # values numbered so far
        self.pieces: list[tuple[int, str]] = []  # (n, the comma-separated texts of the next n new values)
        self.links: list[list] = []       # [value, key or index, value it holds there]
        self._flat: list[Any] = []        # new small values not yet encoded (one json call for many)

    def refs(self, data: list) -> list[int]:
        """The index of each event's value; new ones are numbered (and encoded, small ones a batch at a time) now."""
        seen, kept, pending = self.seen, self.kept, self._flat
        isdisjoint = _CONTAINERS.isdisjoint
        out = []
        for value in data:  # one pass per event: a Map of 10k items records ~80k of them
            kind = type(value)
            if kind is dict or kind is list:
                ref = seen.get(id(value))
                if ref is None:
                    if len(value) <= FLAT_ITEMS and isdisjoint(map(type, value.values() if kind is dict else value)):
                        ref = seen[id(value)] = self.count
                        kept.append(value)
                    else:
                        out.append(self._whole(value, kind))
                        continue
                else:
                    out.append(ref)
                    continue
            else:
                ref = self.count
            self.count += 1
            pending.append(value)
            if len(pending) >= FLAT_BATCH:
                self._flush()
            out.append(ref)
        return out

    def take(self) -> tuple[list[tuple[int, str]], list[list]]:
        """The new values' texts and links since the last `take`."""
        self._flush()
        taken = self.pieces, self.links
        self.pieces, self.links = [], []
        return taken

    def _flush(self) -> None:
        if self._flat:
            self.pieces.append((len(self._flat), _dumps(self._flat)[1:-1]))
            self._flat.clear()

    def _add(self, value: Any, text: str) -> int:
        self._flush()  # texts stay in the order of their indexes
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
