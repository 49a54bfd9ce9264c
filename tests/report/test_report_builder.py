"""asl.report.builder and `sfn report`: one self-contained page with the run's data."""

import json
import re

import pytest
from click.testing import CliRunner

from asl.errors import UserInputError
from asl.report.builder import build_report
from asl.store import Store
from cli.main import sfn
from outcome_run import stored_run  # noqa: F401 (a fixture)


def page_data(page: str) -> dict:
    text = re.search(r'<script type="application/json" id="run-data">(.*?)</script>', page, re.S).group(1)
    return json.loads(text)


@pytest.fixture(scope="module")
def page(stored_run):
    _, store_path, name = stored_run
    store = Store(store_path, write=False)
    found = store.find_execution(name)
    return build_report(found, store.events(found["arn"]))


def test_summary_and_visits(page):
    data = page_data(page)
    ex = data["execution"]
    assert (ex["name"], ex["status"], ex["error"], ex["cause"]) == (
        "every-outcome", "FAILED", "GaveUp", "recovered, then gave up")
    assert ex["transitions"] == 9 and ex["duration"] >= 3000   # 8 states entered, 1 retry; the Retry waited 3 s
    names = [v["name"] for v in data["visits"]]
    assert names == ["Flaky", "Items", "Work", "Work", "Work", "Risky", "Recover", "GiveUp"]
    flaky = data["visits"][0]
    assert [a[2] for a in flaky["attempts"]] == ["Busy", None] and flaky["status"] == "retried"
    assert flaky["attempts"][1][0] - flaky["attempts"][0][1] == 3000    # the backoff, visible
    works = [v for v in data["visits"] if v["name"] == "Work"]
    assert [(v["lane"], v["status"]) for v in works] == [(0, "succeeded"), (1, "failed"), (2, "succeeded")]
    assert data["visits"][1]["iterations"] == {"Succeeded": 2, "Failed": 1}
    assert data["states"]["/Done"]["status"] == "not-entered"
    entered = data["events"][works[1]["entered"]]
    assert entered[3] == "TaskStateEntered" and json.loads(entered[5]["input"]) == "bad"


def test_page_is_self_contained(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and 'data-node="/Items/0/Work"' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page
    assert "default-src 'none'" in page   # the browser itself refuses any request


def test_script_end_tags_in_values_do_not_break_the_page(stored_run):
    _, store_path, name = stored_run
    store = Store(store_path, write=False)
    found = dict(store.find_execution(name), cause="</script><script>alert(1)</script>")
    page = build_report(found, store.events(found["arn"]))
    assert page_data(page)["execution"]["cause"] == "</script><script>alert(1)</script>"
    assert page.count("</script>") == 2


def test_no_stored_definition_is_a_clear_error():
    with pytest.raises(UserInputError, match="the store holds no definition for execution 'x'"):
        build_report({"name": "x", "definition": None}, [])


def test_cli_writes_the_page(stored_run, tmp_path):
    _, store_path, name = stored_run
    out = tmp_path / "r.html"
    result = CliRunner().invoke(sfn, ["report", "every", "--store", str(store_path), "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0 and result.stderr == f"wrote {out}\n"
    assert page_data(out.read_text())["execution"]["name"] == name


def test_cli_default_file_name_and_errors(stored_run, tmp_path, monkeypatch):
    _, store_path, name = stored_run
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(sfn, ["report", name, "--store", str(store_path)], catch_exceptions=False)
    assert result.exit_code == 0 and (tmp_path / f"{name}.html").is_file()
    missing = CliRunner().invoke(sfn, ["report", "nope", "--store", str(store_path)])
    assert missing.exit_code == 2 and missing.stderr == f"no execution 'nope' in {store_path}\n"
    no_store = CliRunner().invoke(sfn, ["report", name])
    assert no_store.exit_code == 2 and "no store here" in no_store.stderr


def test_the_report_and_the_trace_count_the_same_transitions(stored_run, page):
    _, store_path, name = stored_run
    trace = CliRunner().invoke(sfn, ["history", name, "--trace", "--store", str(store_path)])
    count = page_data(page)["execution"]["transitions"]
    assert f"{count} state transitions" in trace.output, trace.output
