"""A spread of the execution conformance corpus (plain and mocked) through the endpoint, judged by the
conformance runner's own code (`corpus_through_endpoint.py`; run it whole for the figures)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus_through_endpoint import run_corpus

SHARED = Path(os.environ.get("SFN_SHARED", Path(__file__).resolve().parents[3] / "shared"))


@pytest.mark.parametrize("corpus, every", [("conformance", 8), ("conformance/mocked", 3)])
def test_corpus_cases_through_the_endpoint_pass_as_through_sfn_run(corpus, every, capsys):
    folder = SHARED / corpus
    if not (folder / "cases").is_dir():
        pytest.skip("the shared conformance corpus is not beside the project")
    result, outcomes = run_corpus(folder, jobs=2, every=every)
    failed = [f"{o.case['id']}: {o.reason or o.history_diff}" for o in outcomes
              if not o.passed or (o.history_checked and not o.history_ok)]
    assert result["total"] >= 30 and result["history_checked"] >= 15
    assert failed == []
