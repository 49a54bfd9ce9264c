"""The `asl.expr.jsonata` package: its public names, and jsonata-python loaded only for a definition
that uses JSONata."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import asl.expr.jsonata as package

JSONPATH = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"v": 1}, "End": True}}}
JSONATA = {"QueryLanguage": "JSONata", "StartAt": "A",
           "States": {"A": {"Type": "Pass", "Output": "{% 1 + 1 %}", "End": True}}}


def test_every_listed_name_is_exported():
    assert [name for name in package.__all__ if not hasattr(package, name)] == []


@pytest.mark.parametrize("definition, loaded", [(JSONPATH, False), (JSONATA, True)],
                         ids=["JSONPath", "JSONata"])
def test_jsonata_python_is_imported_only_for_jsonata(tmp_path, definition, loaded):
    # A fresh interpreter: what `sfn validate` then `sfn run` import, with nothing loaded before.
    path = tmp_path / "m.asl.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    probe = ("import sys\nfrom click.testing import CliRunner\nfrom cli.main import sfn\n"
             f"codes = [CliRunner().invoke(sfn, args).exit_code for args in (['validate', {str(path)!r}], "
             f"['run', {str(path)!r}, '--clock', 'virtual', '--output', 'json'])]\n"
             "print(codes, 'jsonata' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == f"[0, 0] {loaded}"
