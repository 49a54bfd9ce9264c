"""Definitions real AWS ran must validate without errors (`sfn run` refuses on any ERROR)."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import pytest

from asl.validate import validate_definition

SHARED = Path(__file__).resolve().parents[3] / "shared" / "conformance"
FILES = sorted(glob.glob(str(SHARED / "cases" / "*.json")) + glob.glob(str(SHARED / "mocked" / "cases" / "*.json")))


@pytest.mark.skipif(not FILES, reason="../shared/conformance is absent")
def test_every_conformance_definition_validates_without_error():
    failures = []
    for name in FILES:
        definition = json.loads(Path(name).read_text(encoding="utf-8"))["definition"]
        errors = [d for d in validate_definition(definition) if d.severity == "ERROR"]
        if errors:
            failures.append(f"{Path(name).name}: {errors[0].code} {errors[0].pointer} {errors[0].message}")
    assert not failures, "\n".join(failures[:20])
    assert len(FILES) >= 593
