"""asl.record behaves as @dataclass does for the options sfn uses."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import pytest

from asl.record import record


def _pair(frozen: bool):
    def make(decorate):
        @decorate
        class Point:
            """A point."""

            x: int
            tags: list = field(default_factory=list)
            kind: str = field(init=False, default="p")
            later: int = field(init=False)
            note: str = field(default="", compare=False)
            y: int = 3

            def __post_init__(self) -> None:
                object.__setattr__(self, "later", self.x * 2)

        return Point

    return make(record(frozen=frozen)), make(dataclasses.dataclass(frozen=frozen))


CALLS = [((1,), {}), ((1, [2]), {"y": 4}), ((), {"x": 1, "note": "n"}), ((), {}), ((1, [], "", 4, 5), {}),
         ((1,), {"x": 2}), ((1,), {"nope": 1}), ((), {"kind": "q"})]


@pytest.mark.parametrize("frozen", [False, True])
def test_a_record_is_built_compared_and_shown_as_a_dataclass(frozen):
    ours, theirs = _pair(frozen)
    for args, kwargs in CALLS:
        built = []
        for cls in (ours, theirs):
            try:
                obj = cls(*args, **kwargs)
            except TypeError:
                built.append("TypeError")
            else:
                built.append((sorted(vars(obj).items()), repr(obj).split("(", 1)[1], obj.kind))
        assert built[0] == built[1], (args, kwargs)
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(theirs)]
    assert ours(1, note="a") == ours(1, note="b") and ours(1) != ours(2) and ours(1).tags is not ours(1).tags
    assert (ours.__hash__ is None) == (theirs.__hash__ is None) and ours.__match_args__ == theirs.__match_args__
    if frozen:
        assert hash(ours(1, (), note="a")) == hash(ours(1, (), note="b")) == hash(theirs(1, ()))
        with pytest.raises(dataclasses.FrozenInstanceError):
            ours(1).x = 2
    assert dataclasses.replace(ours(1), y=9).y == 9


def test_a_python_with_other_dataclass_internals_gets_real_dataclasses(monkeypatch):
    import asl.record as module

    class Params:  # as Python 3.12 has it: four more required parameters
        def __init__(self, init, repr, eq, order, unsafe_hash, frozen, match_args, kw_only, slots, weakref_slot):
            pass

    with monkeypatch.context() as patch:
        patch.setattr(dataclasses, "_DataclassParams", Params)
        assert module._params(False) is None
    monkeypatch.setattr(module, "_params", lambda frozen: None)
    ours, _ = _pair(True)
    assert "__init__" in ours.__dict__ and ours.__init__.__module__ != module.__name__   # dataclass's own
    point = ours(1)
    assert (point.x, point.later, point.y) == (1, 2, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 5
