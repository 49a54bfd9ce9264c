"""Mermaid's own parser (mermaid.min.js from npm, in headless Chromium) accepts every graph we emit."""

import os
from pathlib import Path

import pytest

from asl.graph.diff import diff_graphs
from asl.graph.marks import Marks
from asl.graph.mermaid import to_mermaid
from asl.graph.model import build_graph
from headless import MISSING, chrome, required
from test_graph_emitters import ALL, IDS, SHAPES

# .ci/run installs the npm package `mermaid` there and sets SFN_MERMAID_JS.
MERMAID_JS = Path(os.environ.get("SFN_MERMAID_JS") or Path.home() / ".cache" / "sfn-ci" / "mermaid" /
                  "node_modules" / "mermaid" / "dist" / "mermaid.min.js")
NO_MERMAID = "" if MERMAID_JS.is_file() else (
    f"no {MERMAID_JS}: `npm install --prefix {MERMAID_JS.parents[3]} mermaid@12` (.ci/run does)")
REASON = MISSING or NO_MERMAID
pytestmark = pytest.mark.skipif(bool(required(REASON)), reason=REASON)

PARSE = """const [text, done] = arguments;
mermaid.parse(text).then(() => done("ok"), e => done(String((e && e.message) || e)));"""


@pytest.fixture(scope="module")
def parse(tmp_path_factory):
    page = tmp_path_factory.mktemp("mermaid") / "parse.html"
    page.write_text(f'<!DOCTYPE html><html><body><script src="{MERMAID_JS.as_uri()}"></script></body></html>')
    driver = chrome()
    driver.get(page.as_uri())
    yield lambda source: driver.execute_async_script(PARSE, source)
    driver.quit()


@pytest.mark.parametrize("name, graph", ALL, ids=IDS)
def test_mermaid_parses_every_graph(parse, name, graph):
    assert parse(to_mermaid(graph)) == "ok"


def test_mermaid_parses_marks_and_diffs(parse):
    graph = build_graph(SHAPES["choice"], "choice")
    marks = Marks(status={"/C": "succeeded", "/A": "failed", "/B": "not-entered"},
                  notes={"/A": ['✖ Boom: "quoted" <tag> #1 | pipe']}, edge_counts={1: 3}, title="run: FAILED")
    assert parse(to_mermaid(graph, marks)) == "ok"
    merged, changes = diff_graphs(build_graph(SHAPES["nested"], "old"), build_graph(SHAPES["catch-loop"], "new"))
    assert parse(to_mermaid(merged, changes)) == "ok"


def test_the_parser_rejects_a_broken_flowchart(parse):
    assert parse('flowchart TD\n  n0["unclosed\n') != "ok"
