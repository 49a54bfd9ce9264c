"""asl.graph.visits / overlay: a stored run's events attributed to states, outcomes, edges taken."""

import pytest

from asl.errors import UserInputError
from asl.graph.model import build_graph
from asl.graph.overlay import overlay
from asl.graph.visits import read_run
from asl.store import Store
from outcome_run import DEFINITION, stored_run  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def run_data(stored_run):
    _, store_path, name = stored_run
    store = Store(store_path, write=False)
    found = store.find_execution(name)
    return found, store.events(found["arn"])


@pytest.fixture(scope="module")
def graph():
    return build_graph(DEFINITION, "outcomes")


def test_outcomes(graph, run_data):
    marks = overlay(graph, run_data[1], run_data[0])
    assert marks.status == {
        "/Flaky": "retried", "/Items": "succeeded", "/Items/0/Work": "failed", "/Risky": "caught",
        "/Recover": "succeeded", "/GiveUp": "failed", "/Done": "not-entered"}
    assert marks.title == "execution every-outcome: FAILED"
    assert marks.notes["/Flaky"] == ["retried ×1"]
    assert marks.notes["/Items"] == ["iterations: 2 succeeded, 1 failed"]
    assert marks.notes["/Items/0/Work"] == ["entered ×3: 1 failed, 2 succeeded", "✖ Bad: cannot work on bad"]
    assert marks.notes["/GiveUp"] == ["✖ GaveUp: recovered, then gave up"]


def test_edges_taken_with_counts(graph, run_data):
    marks = overlay(graph, run_data[1], run_data[0])
    taken = {(graph.edges[i].src, graph.edges[i].dst, graph.edges[i].kind): n for i, n in marks.edge_counts.items()}
    assert taken == {
        ("#start", "/Flaky", "start"): 1, ("/Flaky", "/Items", "next"): 1, ("/Items", "/Risky", "next"): 1,
        ("/Items/0#start", "/Items/0/Work", "start"): 3, ("/Items/0/Work", "/Items/0#end", "end"): 2,
        ("/Risky", "/Recover", "catch"): 1, ("/Recover", "/GiveUp", "next"): 1, ("/GiveUp", "#end", "end"): 1}


def test_visits_hold_attempts_iterations_and_events(graph, run_data):
    run = read_run(graph, run_data[1])
    flaky = next(v for v in run.visits if v.name == "Flaky")
    assert [a.error for a in flaky.attempts] == ["Busy", None]
    assert flaky.retries == 1 and flaky.outcome() == "retried"
    work = [v for v in run.visits if v.name == "Work"]
    assert [v.lane for v in work] == [0, 1, 2] and all(v.parent == work[0].parent for v in work)
    assert run.visits[work[0].parent].name == "Items"
    assert run.status == "FAILED" and run.error == "GaveUp"
    assert run.visits[run.failed_visit].name == "GiveUp"
    # Every event but the execution's own belongs to a visit.
    unowned = [e["type"] for e, owner in zip(run.events, run.owner) if owner is None]
    assert unowned == ["ExecutionStarted", "ExecutionFailed"]


def test_parallel_branches_with_the_same_state_names_and_a_parallel_retry():
    # AWS's own history of a retried Parallel (conformance case test_parallel_state_retry), trimmed.
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Next": "Final", "Branches": [
        {"StartAt": "B", "States": {"B": {"Type": "Fail", "Error": "X"}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
        "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": 1}]}, "Final": {"Type": "Pass", "End": True}}}
    events = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": "t1"},
        {"id": 2, "previousEventId": 0, "type": "ParallelStateEntered", "timestamp": "t2",
         "stateEnteredEventDetails": {"name": "P", "input": "{}"}},
        {"id": 3, "previousEventId": 2, "type": "ParallelStateStarted", "timestamp": "t3"},
        {"id": 4, "previousEventId": 3, "type": "FailStateEntered", "timestamp": "t4",
         "stateEnteredEventDetails": {"name": "B", "input": "{}"}},
        {"id": 5, "previousEventId": 3, "type": "PassStateEntered", "timestamp": "t4",
         "stateEnteredEventDetails": {"name": "B", "input": "{}"}},
        {"id": 6, "previousEventId": 5, "type": "PassStateExited", "timestamp": "t5",
         "stateExitedEventDetails": {"name": "B", "output": "{}"}},
        {"id": 7, "previousEventId": 4, "type": "ParallelStateStarted", "timestamp": "t6"},
        {"id": 8, "previousEventId": 7, "type": "FailStateEntered", "timestamp": "t7",
         "stateEnteredEventDetails": {"name": "B", "input": "{}"}},
        {"id": 9, "previousEventId": 8, "type": "ParallelStateFailed", "timestamp": "t8",
         "parallelStateFailedEventDetails": {"error": "X", "cause": "c"}},
        {"id": 10, "previousEventId": 9, "type": "ExecutionFailed", "timestamp": "t9",
         "executionFailedEventDetails": {"error": "X", "cause": "c"}},
    ]
    graph = build_graph(definition, "p")
    run = read_run(graph, events)
    assert [(v.node, v.lane) for v in run.visits] == [
        ("/P", None), ("/P/0/B", 0), ("/P/1/B", 1), ("/P/0/B", 0)]
    assert run.visits[0].retries == 1 and run.visits[run.failed_visit].name == "P"
    marks = overlay(graph, events)
    assert marks.status == {"/P": "failed", "/P/0/B": "failed", "/P/1/B": "succeeded", "/Final": "not-entered"}
    assert marks.notes["/P"] == ["retried ×1", "✖ X: c"]


def test_a_run_of_another_definition_is_refused(graph, run_data):
    other = build_graph({"StartAt": "Flaky", "States": {"Flaky": {"Type": "Succeed"}}}, "other")
    with pytest.raises(UserInputError, match="entered a state 'Items' that other does not have there"):
        overlay(other, run_data[1], run_data[0])


def test_cli_overlay_from_the_default_store(stored_run, monkeypatch):
    from click.testing import CliRunner

    from cli.main import sfn

    definition, store_path, name = stored_run
    monkeypatch.setenv("SFN_STORE", str(store_path))  # the store every command uses by default
    result = CliRunner().invoke(sfn, ["graph", str(definition), "--execution", name], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "execution every-outcome: FAILED" in result.output
    assert "⚠ Risky  Task · λ risky" in result.output and "⚠ catch Boom → Recover  ×1" in result.output
    assert "· Done  Succeed" in result.output
    svg = CliRunner().invoke(sfn, ["graph", str(definition), "--execution", "every", "--store", str(store_path),
                                   "--format", "svg"], catch_exceptions=False)
    assert svg.exit_code == 0 and 'class="node Task caught"' in svg.output
    missing = CliRunner().invoke(sfn, ["graph", str(definition), "--execution", "nope"])
    assert missing.exit_code == 2 and missing.stderr == f"no execution 'nope' in {store_path}\n"


def test_evaluation_failed_shares_its_states_previous_event_as_on_aws():
    # AWS (conformance case test_undefined_reference): EvaluationFailed's previousEventId is the
    # event before its state's StateEntered.
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}}
    events = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": "t"},
        {"id": 2, "previousEventId": 0, "type": "PassStateEntered", "stateEnteredEventDetails": {"name": "A"}},
        {"id": 3, "previousEventId": 2, "type": "PassStateExited", "stateExitedEventDetails": {"name": "A"}},
        {"id": 4, "previousEventId": 3, "type": "PassStateEntered", "stateEnteredEventDetails": {"name": "B"}},
        {"id": 5, "previousEventId": 3, "type": "EvaluationFailed",
         "evaluationFailedEventDetails": {"error": "States.QueryEvaluationError", "cause": "x"}},
        {"id": 6, "previousEventId": 5, "type": "ExecutionFailed",
         "executionFailedEventDetails": {"error": "States.QueryEvaluationError", "cause": "x"}},
    ]
    graph = build_graph(definition, "m")
    run = read_run(graph, events)
    assert [run.visits[o].name if o is not None else None for o in run.owner] == [None, "A", "A", "B", "B", None]
    assert run.visits[run.failed_visit].name == "B"
    assert overlay(graph, events).status == {"/A": "succeeded", "/B": "failed"}


def test_odd_event_ids_do_not_break_the_reading():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    events = [{"id": [0], "previousEventId": None, "type": "PassStateEntered", "stateEnteredEventDetails": {"name": "A"}},
              {"id": "x", "previousEventId": [0], "type": "PassStateExited", "stateExitedEventDetails": {"name": "A"}}]
    run = read_run(build_graph(definition, "m"), events)
    assert [v.node for v in run.visits] == ["/A"]
