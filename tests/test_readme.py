"""The README's Python examples run as written (from the repository root, as a reader would)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


SERVE_URL = "http://127.0.0.1:8083"


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_python_example_runs(code, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    server = None
    if f'endpoint_url="{SERVE_URL}"' in code:
        # An `sfn serve` example talks to a server started for it (on a free port instead of 8083).
        from asl.service import Service
        from asl.service.http import ApiServer

        server = ApiServer(Service(tmp_path / "sfn.db", clock="virtual"), "127.0.0.1", 0).start()
        code = code.replace(SERVE_URL, server.url)
    try:
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    finally:
        if server is not None:
            server.stop()
            server.service.close()


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 2 and os.path.isfile(ROOT / "README.md")
