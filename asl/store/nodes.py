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

import orjson

from .. import deepjson

NODE_BYTES = 2048   # a dict / list this long in JSON (or longer) is a value of its own
FLAT_ITEMS = 64     # a dict / list of at most this many scalars is encoded with its neighbours
FLAT_BATCH = 256    # and at most this many such values in one json call
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
# json's C encoder as JSONEncoder.encode makes it for each call (no check for cycles: values are trees)
_C_ENCODE = (c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, True)
             if c_make_encoder is not None else lambda value, _: (_ENCODER.encode(value),))


_NOTHING = object()  # no value met yet

# Put in a copy of a value in place of one member: where its text is, the member's is in the value's.
_MARK = "\x00sfn:member\x00"


class NodeEncoder:
    """Numbers and encodes the values of one history, in order; new values' texts gather in `pieces`.

    Sound because the interpreter never changes a value in place once it is recorded: an object
    written once is the same document whenever it is met again (it is kept alive, so its id is
    not reused).
    """

    def __init__(self, first: int = 0) -> None:
        self.seen: dict[int, int] = {}    # id of a dict / list written -> its index
        self.kept: list[Any] = []         # those objects (alive, so their ids are not reused)
        self.inline: dict[int, Any] = {}  # small dicts / lists written whole inside a parent (id -> it)
        self.count = first                # values numbered so far
        self.pieces: list[tuple[int, str]] = []  # (n, the comma-separated texts of the next n new values)
        self.links: list[list] = []       # [value, key or index, value it holds there]
        self._flat: list[Any] = []        # new small values numbered, not yet encoded (one call for many)
        self._floats = False              # whether one of them holds a float

    def refs(self, data: list) -> list[int]:
        """The index of each event's value; new ones are numbered (and encoded, flat ones many to a call) now."""
        seen, kept, flat = self.seen, self.kept, self._flat
        plain = deepjson.NOT_FLAT.isdisjoint
        out: list[int] = []
        append = out.append
        count = self.count  # a local while no `_whole` runs: a Map of 10k items records ~80k values
        # The dict / list met last and its index: a state's output is usually the next events' value
        # too (a Choice's, the next state's input), met again at once.
        last, last_ref = _NOTHING, 0
        for value in data:
            if value is last:
                append(last_ref)
                continue
            kind = type(value)
            if kind is dict or kind is list:
                key = id(value)
                ref = seen.get(key)
                if ref is not None:
                    append(ref)
                    last, last_ref = value, ref
                    continue
                members = value.values() if kind is dict else value
                if len(value) > FLAT_ITEMS or not plain(map(type, members)):
                    if len(value) > FLAT_ITEMS or not self._small_nested(members):
                        self.count = count
                        ref = self._whole(value, kind)
                        append(ref)
                        last, last_ref = value, ref
                        count = self.count
                        continue
                seen[key] = count
                kept.append(value)
                last, last_ref = value, count
            elif kind is float:
                self._floats = True
            flat.append(value)
            append(count)
            count += 1
        self.count = count
        return out

    def _small_nested(self, members: Any) -> bool:
        """Whether a value holding floats or dicts / lists is written whole, with the batch: its dicts /
        lists are new, small and flat (a caught error under ResultPath: {"i": 1, "err": {"Error": ...,
        "Cause": ...}}), as `_whole` would write it whole too, one value of its own."""
        seen, flat, floats = self.seen, deepjson.CONTAINERS.isdisjoint, False
        for member in members:
            kind = type(member)
            if kind is dict or kind is list:
                if id(member) in seen or len(member) > FLAT_ITEMS:
                    return False
                types = set(map(type, member.values() if kind is dict else member))
                if not flat(types):
                    return False
                floats = floats or float in types
            elif kind is float:
                floats = True
        if floats:
            self._floats = True
        return True

    def take(self) -> tuple[list[tuple[int, str]], list[list]]:
        """The new values' texts and links since the last `take`."""
        self._flush()
        taken = self.pieces, self.links
        self.pieces, self.links = [], []
        return taken

    def _flush(self) -> None:
        """Encode the small values numbered and not encoded yet, FLAT_BATCH to a call (orjson if none holds a float)."""
        flat = self._flat
        dumps = _dumps if self._floats else fast_dumps
        for start in range(0, len(flat), FLAT_BATCH):
            batch = flat[start:start + FLAT_BATCH]
            self.pieces.append((len(batch), dumps(batch)[1:-1]))
        flat.clear()
        self._floats = False

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

    def _part(self, value: Any, kind: type, depth: int,
              told: str | bool | None = None) -> tuple[str | None, int | None]:
        """A new dict / list's JSON, and its index if it is a value of its own (its parent then holds `null`).

        Encoded whole by one json call unless it holds a value written already or is large; then its
        members that may hold one are looked into, and those that are values of their own become
        None in a shallow copy that one json call encodes. told: what its parent's text told, its
        own text (cut out of it) or whether it is small; a text not asked for is then not returned.
        """
        if depth > deepjson.DEPTH:
            return deepjson.dumps(value), None  # no values of their own this deep
        links, deeper = self._scan(value, kind)
        text = told if type(told) is str else None
        if not links:
            if told is None:
                try:
                    text = "".join(_C_ENCODE(value, 0))
                except RecursionError:  # nested too deep for json: written whole, not looked into
                    return deepjson.dumps(value), None
            if (len(text) < NODE_BYTES) if text is not None else told:
                return text, None  # small: what it shares is not worth a link
        hollow = None  # its text with the members looked into as null
        member_told: str | bool | None = None
        if text is not None and deeper and len(value) - len(deeper) <= FLAT_ITEMS:
            # Its text tells its members', without encoding them again: a wrapper of a large value
            # ({"input": {"items": [10k items]}}) is encoded once, not once per level. Not worth it
            # when the rest of it is large.
            copy: Any = dict(value) if kind is dict else list(value)
            if len(deeper) == 1:  # its text is the member's between the same prefix and suffix
                copy[deeper[0][0]] = _MARK
                marked = _dumps(copy)
                at = marked.find(_MARK_TEXT)
                if marked.find(_MARK_TEXT, at + 1) < 0:  # else the mark is met in another member too
                    end = len(text) - (len(marked) - at - len(_MARK_TEXT))
                    member_told = text[at:end]
                    hollow = marked[:at] + "null" + marked[at + len(_MARK_TEXT):]
            else:  # their share of it tells whether all are small
                for step, _, _ in deeper:
                    copy[step] = None
                hollow = _dumps(copy)
                if len(text) - len(hollow) + 4 * len(deeper) < NODE_BYTES:  # 4: each "null"
                    member_told = True
        inline = self.inline
        all_linked = not links
        for step, child, ck in deeper:
            ref = self._part(child, ck, depth + 1, member_told)[1]
            if ref is not None:
                links.append((step, ref))
            else:  # written inside its parent: the next parent that holds it need not look into it again
                inline[id(child)] = child
                all_linked = False
        if links:
            if hollow is not None and all_linked:
                text = hollow  # every member looked into is a value of its own
            else:
                copy = dict(value) if kind is dict else list(value)
                for step, _ in links:
                    copy[step] = None
                text = _dumps(copy)
        elif text is None:  # large (its parent told) and nothing in it written already
            text = _dumps(value)
        ref = self._add(value, text)
        self.links.extend([ref, step, child] for step, child in links)
        return "null", ref

    def _scan(self, value: Any, kind: type) -> tuple[list[tuple[Any, int]], list[tuple[Any, Any, type]]]:
        """A new dict / list's members written already ((key or index, their index)), and those to look into.

        Looked into: a dict / list member not written inside a parent before, of more than FLAT_ITEMS
        members or holding a dict / list.
        """
        seen, inline, isdisjoint = self.seen, self.inline, deepjson.CONTAINERS.isdisjoint
        links: list[tuple[Any, int]] = []
        deeper = []
        for step, child in (value.items() if kind is dict else enumerate(value)):
            ck = type(child)
            if ck is dict or ck is list:
                ref = seen.get(id(child))
                if ref is not None:
                    links.append((step, ref))
                elif id(child) not in inline and (len(child) > FLAT_ITEMS or not isdisjoint(
                        map(type, child.values() if ck is dict else child))):
                    deeper.append((step, child, ck))
        return links, deeper


def _dumps(value: Any) -> str:
    """Compact JSON text, as deepjson.dumps gives it (one C call without json.dumps' set-up)."""
    try:
        return "".join(_C_ENCODE(value, 0))
    except RecursionError:
        return deepjson.dumps(value)


def fast_dumps(value: Any) -> str:
    """_dumps' text of a value holding no float, by orjson (about ten times json's speed on small values).

    What orjson refuses (an integer past 64 bits, a lone surrogate, deep nesting) json writes.
    """
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _dumps(value)


_MARK_TEXT = _dumps(_MARK)


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
