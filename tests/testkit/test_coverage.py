"""asl.testkit.coverage: the items of a definition, hits from runs (observer + history), merged figures."""

import json

import pytest

from asl.api import machine_from_definition
from asl.testkit.coverage import Coverage, CoverageModel, transition_id
from asl.testkit.runner import Runner

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"

# 9 states, 8 transitions, 1 Retrier, 3 branches (two Parallel branches and a Map's ItemProcessor).
KNOWN = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericEquals": 1, "Next": "Work"},
            {"Variable": "$.n", "NumericEquals": 2, "Next": "Work"}], "Default": "Reject"},
        "Work": {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.work",
                 "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                 "Catch": [{"ErrorEquals": ["Declined"], "Next": "Reject"},
                           {"ErrorEquals": ["States.ALL"], "Next": "Reject"}],
                 "Next": "Fan"},
        "Fan": {"Type": "Parallel", "ResultPath": None, "Next": "Each", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": None, "Next": "Done",
                 "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}},
        "Done": {"Type": "Succeed"},
        "Reject": {"Type": "Fail", "Error": "Rejected"},
    },
}


def kinds(model):
    counts = {}
    for item in model.items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return counts


def test_model_lists_every_coverable_item_with_nested_states_qualified():
    model = CoverageModel(machine_from_definition(KNOWN), "known")
    assert kinds(model) == {"state": 9, "transition": 8, "retrier": 1, "branch": 3}
    ids = [item.id for item in model.items]
    assert {"Fan[0]/A", "Fan[1]/B", "Each/Item"} <= set(ids)
    assert [i for i in ids if i.startswith("Check ->")] == [
        "Check -> Work (Choices[0])", "Check -> Work (Choices[1])", "Check -> Reject (Default)"]
    assert [i for i in ids if i.startswith("Work ->")] == [
        "Work -> Fan", "Work -> Reject (Catch[0])", "Work -> Reject (Catch[1])"]
    assert "Work Retry[0]" in ids and {"Fan[0]", "Fan[1]", "Each ItemProcessor"} <= set(ids)


@pytest.mark.parametrize("args, expected", [
    (("A", "B"), "A -> B"),
    (("A", "B", "Choices", 2), "A -> B (Choices[2])"),
    (("A", "B", "Default"), "A -> B (Default)"),
    (("A", "B", "Catch", 0), "A -> B (Catch[0])"),
])
def test_transition_ids(args, expected):
    assert transition_id(*args) == expected


def run_known(coverage, n, work):
    return Runner(coverage).run(KNOWN, {"n": n, "items": [1, 2]}, mocks={"Work": work})


def test_exact_figures_after_one_and_two_runs():
    coverage = Coverage()
    run_known(coverage, 1, {"Return": {"ok": True}}).assert_succeeded()
    label = next(iter(coverage.models))
    figures = {kind: (f.covered, f.total) for kind in ("state", "transition", "retrier", "branch")
               for f in [coverage.figures(label, kind)]}
    assert figures == {"state": (8, 9), "transition": (4, 8), "retrier": (0, 1), "branch": (3, 3)}
    # Busy is retried, then Declined is caught by the first Catcher; rule 1 leads to Work as rule 0 does.
    run_known(coverage, 2, {"0": {"Throw": {"Error": "Busy"}}, "1": {"Throw": {"Error": "Declined"}}}) \
        .assert_failed("Rejected")
    assert coverage.figures(label, "transition").covered == 6
    assert coverage.figures(label, "state").covered == 9
    assert coverage.figures(label, "retrier").covered == 1
    assert coverage.total().percent == 75.0
    assert [item.id for item in coverage.uncovered(label)] == [
        "Check -> Reject (Default)", "Work -> Reject (Catch[1])"]


def test_hits_count_every_execution_and_map_iteration():
    coverage = Coverage()
    for _ in range(3):
        run_known(coverage, 1, {"Return": 1})
    hits = coverage.hits[next(iter(coverage.models))]
    assert hits["Check"] == 3 and hits["Each/Item"] == 6 and hits["Each ItemProcessor"] == 6
    assert hits["Check -> Work (Choices[0])"] == 3


def test_history_alone_credits_only_unambiguous_transitions():
    machine = machine_from_definition(KNOWN)
    result = Runner().run(KNOWN, {"n": 1, "items": []}, mocks={"Work": {"Return": 1}})
    coverage = Coverage()
    coverage.add_history(machine, "known", result.events)  # GetExecutionHistory dicts
    hits = coverage.hits["known"]
    assert hits["Work -> Fan"] == 1 and hits["Fan -> Each"] == 1
    # Two rules lead to Work: the history cannot say which matched.
    assert hits["Check -> Work (Choices[0])"] == 0 and hits["Check -> Work (Choices[1])"] == 0
    coverage.add_history(machine, "known", result.history)  # asl.history events count the same way
    assert hits["Work -> Fan"] == 2


def test_history_alone_credits_a_choice_rule_with_its_own_target():
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": "Y"}],
              "Default": "N"},
        "Y": {"Type": "Succeed"}, "N": {"Type": "Succeed"}}}
    coverage = Coverage()
    result = Runner().run(definition, {"x": False})
    coverage.add_history(machine_from_definition(definition), "d", result.events)
    assert [item.id for item in coverage.uncovered("d")] == ["Y", "C -> Y (Choices[0])"]


def test_merge_adds_hits_of_another_coverage():
    first, second = Coverage(), Coverage()
    run_known(first, 1, {"Return": 1})
    run_known(second, 5, {"Return": 1})  # Default -> Reject
    first.merge(second)
    label = next(iter(first.models))
    assert first.figures(label, "transition").covered == 5
    assert first.hits[label]["Check"] == 2


def test_json_form_has_figures_items_and_uncovered():
    coverage = Coverage()
    run_known(coverage, 1, {"Return": 1})
    data = json.loads(json.dumps(coverage.as_json()))
    (definition,) = data["definitions"]
    assert definition["transitions"] == {"covered": 4, "total": 8, "percent": 50.0}
    assert data["total"]["transitions"] == {"covered": 4, "total": 8, "percent": 50.0}
    catch = next(i for i in definition["items"] if i["id"] == "Work -> Reject (Catch[1])")
    assert catch == {"kind": "transition", "id": "Work -> Reject (Catch[1])", "state": "Work", "scope": "",
                     "from": "Work", "to": "Reject", "how": "Catch", "index": 1, "hits": 0}
    item = next(i for i in definition["items"] if i["id"] == "Each/Item")
    assert item["scope"] == "Each" and item["hits"] == 2
    assert "Check -> Reject (Default)" in definition["uncovered"]


def test_text_table_lists_figures_and_what_was_never_covered():
    coverage = Coverage()
    run_known(coverage, 1, {"Return": 1})
    lines = coverage.format().splitlines()
    assert lines[0].startswith("<definition ")
    assert lines[1].split() == ["states", "8/9", "88.9%"]
    assert lines[2].split() == ["transitions", "4/8", "50.0%"]
    assert "  never covered:" in lines
    missed = lines[lines.index("  never covered:") + 1:]
    assert missed[0].split() == ["state", "Reject"]
    assert missed[-1].split() == ["retrier", "Work", "Retry[0]", "['Busy']"]


def test_nothing_to_cover_is_full_coverage():
    coverage = Coverage()
    Runner(coverage).run({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    assert coverage.total().percent == 100.0 and coverage.total().total == 0
