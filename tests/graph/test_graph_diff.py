"""asl.graph.diff: one graph of the new version with added, removed and changed states marked."""

import xml.etree.ElementTree as ET

import pydot

from asl.graph.diff import diff_graphs
from asl.graph.dot import to_dot
from asl.graph.model import build_graph
from asl.graph.svg import to_svg

OLD = {"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Next": "P"},
    "P": {"Type": "Parallel", "Next": "Gone", "Branches": [
        {"StartAt": "In", "States": {"In": {"Type": "Pass", "End": True}}}]},
    "Gone": {"Type": "Wait", "Seconds": 1, "Next": "Z"},
    "Z": {"Type": "Succeed"}}}
NEW = {"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Result": 1, "Next": "New"},
    "New": {"Type": "Pass", "Next": "Z"},
    "Z": {"Type": "Succeed"}}}


def test_statuses_of_states_and_transitions():
    graph, marks = diff_graphs(build_graph(OLD, "old"), build_graph(NEW, "new"))
    assert marks.status == {"/A": "changed", "/New": "added", "/P": "removed", "/P/0/In": "removed",
                            "/Gone": "removed"}
    status = {(graph.edges[i].src, graph.edges[i].dst): s for i, s in marks.edge_status.items()}
    assert status == {("/A", "/New"): "added", ("/New", "/Z"): "added", ("/A", "/P"): "removed",
                      ("/P", "/Gone"): "removed", ("/Gone", "/Z"): "removed",
                      ("/P/0#start", "/P/0/In"): "removed", ("/P/0/In", "/P/0#end"): "removed"}
    assert graph.scopes[""].nodes[-1] == "#end"      # removed states go before the scope's End
    assert "/P/0" in graph.scopes and graph.nodes["/P"].groups == ("/P/0",)


def test_unchanged_definitions_mark_nothing():
    graph, marks = diff_graphs(build_graph(OLD, "a"), build_graph(OLD, "a"))
    assert not marks.status and not marks.edge_status


def test_the_merged_graph_draws_in_every_format():
    graph, marks = diff_graphs(build_graph(OLD, "old"), build_graph(NEW, "new"))
    svg = ET.fromstring(to_svg(graph, marks).split("\n", 1)[1])
    drawn = {g.get("data-node"): g.get("class") for g in svg.iter("{http://www.w3.org/2000/svg}g")
             if g.get("data-node")}
    assert drawn["/Gone"] == "node Wait removed" and drawn["/New"] == "node Pass added"
    assert pydot.graph_from_dot_data(to_dot(graph, marks))
