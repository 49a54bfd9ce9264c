"""`construct(cls, values)` makes the very record `cls(**values)` makes, for every state the corpus builds."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import pytest

from asl.model import build as build_module
from asl.model.build import BuildError, build_machine
from asl.model.states import PassState, construct

SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.mark.skipif(not (SHARED / "conformance" / "cases").is_dir(), reason="../shared (the yardsticks' corpus) is absent")
def test_construct_matches_the_records_own_init(monkeypatch):
    built = []

    def both(cls, values):
        fast, plain = construct(cls, dict(values)), cls(**values)
        assert type(fast) is type(plain) and vars(fast) == vars(plain) and fast == plain
        built.append(cls)
        return fast

    monkeypatch.setattr(build_module, "construct", both)
    for name in sorted(glob.glob(str(SHARED / "conformance" / "cases" / "*.json"))
                       + glob.glob(str(SHARED / "validation" / "cases" / "*.json"))):
        try:
            data = json.loads(Path(name).read_text(encoding="utf-8"))
        except ValueError:
            continue  # the validation corpus holds some files that are not JSON on purpose
        data = data.get("definition", data) if isinstance(data, dict) else data
        try:
            build_machine(data)
        except (BuildError, TypeError, AttributeError, KeyError, ValueError):
            pass  # invalid definitions of the validation corpus
    assert len(set(built)) >= 7  # every state type went through it


def test_construct_lets_init_report_unknown_or_missing_fields():
    with pytest.raises(TypeError):
        construct(PassState, {"name": "A", "type": "Pass", "nope": 1})
    with pytest.raises(TypeError):
        construct(PassState, {"type": "Pass"})
