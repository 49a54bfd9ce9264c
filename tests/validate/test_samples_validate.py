"""Every definition under samples/ is clean: no error and no warning, not even sfn's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from asl.loader import load_text
from asl.validate import validate

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TEMPLATES = sorted(SAMPLES.rglob("template.yaml"))
# A definition a SAM / CloudFormation template deploys holds its ${...} placeholders (a warning on
# its own, by design): `sfn run template.yaml` runs it with them substituted.
DEFINITIONS = sorted(p for p in SAMPLES.rglob("*") if p.name.endswith((".asl.json", ".asl.yaml", ".asl.yml"))
                     and not any(t.parent in p.parents for t in TEMPLATES))


def test_the_samples_are_found():
    assert len(DEFINITIONS) >= 8


@pytest.mark.parametrize("path", DEFINITIONS, ids=[str(p.relative_to(SAMPLES)) for p in DEFINITIONS])
def test_sample_has_no_diagnostics(path):
    text = path.read_text(encoding="utf-8")
    found = validate(load_text(text, str(path)), text)
    assert found == [], [d.format(str(path)) for d in found]
