"""Every sample and shape in every format: DOT parses (pydot), SVG is well-formed XML with every
state, Mermaid follows the flowchart grammar, text names every state; the layout is deterministic."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pydot
import pytest

from asl.graph.dot import to_dot
from asl.graph.html import to_html
from asl.graph.layout import layout
from asl.graph.marks import Marks
from asl.graph.mermaid import escape, to_mermaid
from asl.graph.model import build_graph
from asl.graph.source import load_definition
from asl.graph.svg import to_svg
from asl.graph.text import plain, text_lines

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "samples").rglob("*.asl.*"))

PASS = {"Type": "Pass", "End": True}
SHAPES = {
    "choice": {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.kind", "StringEquals": 'say "hi" <b> #1 | x', "Next": "A"},
            {"Condition": "{% $x > 1 %}", "Next": "C"}], "Default": "B"},
        "A": {"Type": "Succeed"}, "B": {"Type": "Fail", "Error": "E"}}},
    "catch-loop": {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "W",
              "Retry": [{"ErrorEquals": ["States.Timeout"]}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
              "Catch": [{"ErrorEquals": ["Oops", "Other"], "Next": "Recover"}]},
        "Recover": {"Type": "Pass", "Next": "T"},
        "W": {"Type": "Wait", "Seconds": 5, "End": True}}},
    "nested": {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Next": "Done", "Branches": [
        {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
            "StartAt": "Inner", "States": {"Inner": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "Deep", "States": {"Deep": PASS}}]}}}}}},
        {"StartAt": "Deep", "States": {"Deep": PASS}}]},
        "Done": {"Type": "Succeed"}}},
    "self-loop": {"StartAt": "Again", "States": {"Again": {"Type": "Choice", "Choices": [
        {"Variable": "$.n", "NumericLessThan": 3, "Next": "Again"}], "Default": "End"}, "End": PASS}},
    "odd-names": {"StartAt": "a/b~c \"q\" <x> & end", "States": {
        "a/b~c \"q\" <x> & end": {"Type": "Pass", "Next": "subgraph"}, "subgraph": PASS}},
}


def graphs():
    for path in SAMPLES:
        yield path, build_graph(*reversed(load_definition(str(ROOT / path))))
    for name, definition in SHAPES.items():
        yield name, build_graph(definition, name)


ALL = list(graphs())
IDS = [name for name, _ in ALL]


def test_every_sample_is_drawn():
    assert len(SAMPLES) >= 7


# Mermaid flowchart statements as this emitter writes them: quoted labels, no raw quotes inside.
_LABEL = r'"[^"]*"'
_SHAPE = r"(\(\(\(%s\)\)\)|\(\(%s\)\)|\(\[%s\]\)|\{\{%s\}\}|\{%s\}|\(%s\)|\[%s\])" % ((_LABEL,) * 7)
_MERMAID = [
    re.compile(r"^flowchart TD$"),
    re.compile(r"^\s*%%.*$"),
    re.compile(r"^\s*n\d+" + _SHAPE + r"$"),
    re.compile(r"^\s*subgraph n\d+(_\d+)?\[" + _LABEL + r"\]$"),
    re.compile(r"^\s*direction TB$"),
    re.compile(r"^\s*end$"),
    re.compile(r"^\s*n\d+ (-->|-\.->)(\|" + _LABEL + r"\|)? n\d+$"),
    re.compile(r"^\s*classDef [a-z_]+ [\w#:,. -]+$"),
    re.compile(r"^\s*class n\d+(,n\d+)* [a-z_]+$"),
    re.compile(r"^\s*linkStyle \d+(,\d+)* [\w#:,. -]+$"),
]


def check_mermaid(source: str) -> None:
    depth = 0
    for line in source.splitlines():
        assert any(p.match(line) for p in _MERMAID), f"not Mermaid flowchart syntax: {line!r}"
        depth += line.strip().startswith("subgraph ") - (line.strip() == "end")
        assert depth >= 0
    assert depth == 0


@pytest.mark.parametrize("name, graph", ALL, ids=IDS)
def test_mermaid_is_flowchart_syntax(name, graph):
    source = to_mermaid(graph)
    check_mermaid(source)
    for state in graph.states():
        assert f'"{escape(state.name)}' in source, state.name


@pytest.mark.parametrize("name, graph", ALL, ids=IDS)
def test_dot_parses(name, graph):
    source = to_dot(graph)
    parsed = pydot.graph_from_dot_data(source)
    assert parsed and len(parsed) == 1
    labels = source.count("label=")
    assert labels >= len(graph.states())


@pytest.mark.parametrize("name, graph", ALL, ids=IDS)
def test_svg_is_well_formed_and_has_every_state(name, graph):
    root = ET.fromstring(to_svg(graph).split("\n", 1)[1])
    drawn = {g.get("data-node") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("data-node")}
    assert drawn == {s.id for s in graph.states()}
    paths = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("data-edge")]
    assert len(paths) == len(graph.edges)


@pytest.mark.parametrize("name, graph", ALL, ids=IDS)
def test_text_names_every_state(name, graph):
    text = plain(text_lines(graph))
    for state in graph.states():
        assert state.name in text


@pytest.mark.parametrize("name, graph", ALL, ids=IDS)
def test_layout_boxes_do_not_overlap_within_a_scope(name, graph):
    lay = layout(graph)
    for scope in graph.scopes.values():
        boxes = [lay.boxes[n] for n in scope.nodes]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                apart = a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
                assert apart, (name, a, b)
    # Nested boxes sit inside their container.
    for node in graph.states():
        for scope in graph.children(node.id):
            outer, frame = lay.boxes[node.id], lay.frames[scope.id]
            assert outer.x <= frame.x and frame.x + frame.w <= outer.x + outer.w + 0.01
            assert outer.y <= frame.y and frame.y + frame.h <= outer.y + outer.h + 0.01


def test_svg_is_deterministic():
    graph = build_graph(SHAPES["nested"], "nested")
    assert to_svg(graph) == to_svg(build_graph(SHAPES["nested"], "nested"))


def test_back_edges_go_round_the_right_and_forward_edges_go_down():
    graph = build_graph(SHAPES["catch-loop"], "loop")
    lay = layout(graph)
    back = next(i for i, e in enumerate(graph.edges) if e.src == "/Recover" and e.dst == "/T")
    route = lay.routes[back]
    assert route[1][0] > lay.boxes["/Recover"].x + lay.boxes["/Recover"].w
    forward = next(i for i, e in enumerate(graph.edges) if e.src == "/T" and e.dst == "/W")
    assert lay.routes[forward][0][1] < lay.routes[forward][-1][1]


def test_marks_colour_every_format():
    graph = build_graph(SHAPES["choice"], "choice")
    marks = Marks(status={"/C": "succeeded", "/A": "failed", "/B": "not-entered"},
                  notes={"/A": ["✖ Boom: it broke"]}, edge_counts={1: 3}, title="run r1: FAILED")
    svg = to_svg(graph, marks)
    assert 'class="node Choice succeeded"' in svg and "✖ Boom: it broke" in svg and "×3" in svg
    assert "failed, caught" not in svg and "not entered" in svg   # the legend lists the statuses used
    mermaid = to_mermaid(graph, marks)
    check_mermaid(mermaid)
    assert "class n2 succeeded" in mermaid and "linkStyle 1 " in mermaid
    dot = to_dot(graph, marks)
    assert pydot.graph_from_dot_data(dot) and "penwidth=2.5" in dot and 'fillcolor="#fde2e1"' in dot
    assert "✖ Boom: it broke" in plain(text_lines(graph, marks))


def test_html_page_inlines_the_svg_and_fetches_nothing():
    graph = build_graph(SHAPES["nested"], "nested <x>")
    page = to_html(graph)
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<title>nested &lt;x&gt;</title>" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
