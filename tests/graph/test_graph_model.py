"""asl.graph.model / conditions / source: states, transitions and scopes of a definition."""

import json
from pathlib import Path

import pytest

from asl.errors import DefinitionError, UserInputError
from asl.graph.conditions import condition_text, resource_text, retry_text
from asl.graph.model import build_graph
from asl.graph.source import load_definition

ORDER = str(Path(__file__).resolve().parents[2] / "samples" / "order" / "order.asl.json")


def edges(graph):
    return {(e.src, e.dst, e.kind, e.label) for e in graph.edges}


def test_order_sample_states_edges_and_scopes():
    graph = build_graph(*reversed(load_definition(ORDER)))
    assert graph.name == "order"
    assert [n.name for n in graph.states()] == [
        "ValidateOrder", "ChargeCard", "CheckStock", "Warehouse", "Supplier", "Notify", "RefundCharge",
        "RejectOrder"]
    assert {
        ("#start", "/ValidateOrder", "start", ""),
        ("/ValidateOrder", "/ChargeCard", "next", ""),
        ("/ValidateOrder", "/RejectOrder", "catch", "InvalidOrder"),
        ("/CheckStock", "/RefundCharge", "catch", "OutOfStock"),
        ("/CheckStock/0#start", "/CheckStock/0/Warehouse", "start", ""),
        ("/CheckStock/1/Supplier", "/CheckStock/1#end", "end", ""),
        ("/RejectOrder", "#end", "end", ""),
        ("/Notify", "#end", "end", ""),
    } <= edges(graph)
    assert graph.nodes["/ChargeCard"].retry == ("PaymentGatewayBusy ×3 (2s, backoff 2)",)
    assert [s.label for s in graph.children("/CheckStock")] == ["Branch 1", "Branch 2"]
    assert graph.nodes["/RejectOrder"].terminal and graph.nodes["/RejectOrder"].detail == "OrderRejected"


def test_sibling_branches_may_reuse_a_name_nested_map_in_parallel():
    step = {"StartAt": "Step", "States": {"Step": {"Type": "Pass", "End": True}}}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        step, {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": step}}}]}}}
    graph = build_graph(definition)
    assert {n.id for n in graph.states()} == {"/P", "/P/0/Step", "/P/1/M", "/P/1/M/0/Step"}
    assert graph.scopes["/P/1/M/0"].owner == "/P/1/M"
    assert graph.scopes["/P/1/M/0"].label == "Iterations"


def test_choice_edges_carry_conditions_and_default():
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Default": "D", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 3, "Next": "A"},
            {"Not": {"Variable": "$.s", "StringEquals": "x"}, "Next": "D"}]},
        "A": {"Type": "Succeed"}, "D": {"Type": "Fail", "Error": "E"}}}
    graph = build_graph(definition)
    assert {("/C", "/A", "choice", "$.n > 3"), ("/C", "/D", "choice", "not $.s == 'x'"),
            ("/C", "/D", "default", "Default")} <= edges(graph)


@pytest.mark.parametrize("rule, text", [
    ({"Variable": "$.a", "StringEquals": "EUR"}, "$.a == 'EUR'"),
    ({"Variable": "$.a", "NumericLessThanEqualsPath": "$.b"}, "$.a <= $.b"),
    ({"Variable": "$.a", "BooleanEquals": True}, "$.a == true"),
    ({"Variable": "$.a", "TimestampGreaterThan": "2024-01-01T00:00:00Z"}, "$.a > '2024-01-01T00:00:00Z'"),
    ({"Variable": "$.a", "IsPresent": False}, "$.a is not present"),
    ({"Variable": "$.a", "IsNull": True}, "$.a is null"),
    ({"Variable": "$.a", "StringMatches": "log-*"}, "$.a matches 'log-*'"),
    ({"Or": [{"Variable": "$.a", "NumericEquals": 1},
             {"And": [{"Variable": "$.b", "IsString": True}, {"Variable": "$.c", "NumericLessThan": 2}]}]},
     "$.a == 1 or ($.b is a string and $.c < 2)"),
    ({"Condition": "{% $states.input.n > 1 %}"}, "$states.input.n > 1"),
    ({"Variable": "$.a", "StringEquals": "x" * 80}, "$.a == '" + "x" * 51 + "…"),
])
def test_condition_text(rule, text):
    assert condition_text(rule) == text


@pytest.mark.parametrize("resource, text", [
    ("arn:aws:lambda:us-east-1:123456789012:function:Charge", "λ Charge"),
    ("arn:aws:lambda:us-east-1:123456789012:function:Charge:$LATEST", "λ Charge"),
    ("arn:aws:states:::sqs:sendMessage.waitForTaskToken", "sqs:sendMessage.waitForTaskToken"),
    ("arn:aws-us-gov:states:::lambda:invoke", "lambda:invoke"),
    ("arn:aws:states:us-east-1:123456789012:activity:Approve", "activity Approve"),
    ("{% $resource %}", "$resource"),
])
def test_resource_text(resource, text):
    assert resource_text(resource) == text


def test_retry_text_shows_defaults_and_options():
    assert retry_text({"ErrorEquals": ["States.ALL"]}) == "States.ALL ×3 (1s, backoff 2.0)"
    assert retry_text({"ErrorEquals": ["A", "B"], "MaxAttempts": 0, "BackoffRate": 1, "IntervalSeconds": 5,
                       "MaxDelaySeconds": 9, "JitterStrategy": "FULL"}) == "A, B ×0 (5s, max 9s, jitter)"


def test_lambda_invoke_shows_the_function_name():
    definition = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
        "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:Fn"}}}}
    assert build_graph(definition).nodes["/T"].detail == "λ Fn"


def test_unreachable_states_come_last_and_keep_their_edges():
    definition = {"StartAt": "A", "States": {"Z": {"Type": "Pass", "Next": "A"}, "A": {"Type": "Succeed"}}}
    graph = build_graph(definition)
    assert graph.scopes[""].nodes == ("#start", "/A", "/Z", "#end")
    assert ("/Z", "/A", "next", "") in edges(graph)


TEMPLATE = {"Resources": {
    "First": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": {
        "StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}}}},
    "Second": {"Type": "AWS::Serverless::StateMachine", "Properties": {"Definition": {
        "StartAt": "Two", "States": {"Two": {"Type": "Succeed"}}}}}}}


def test_template_machines_by_logical_id(tmp_path):
    path = tmp_path / "template.json"
    path.write_text(json.dumps(TEMPLATE))
    assert load_definition(str(path), "Second") == ("Second", TEMPLATE["Resources"]["Second"]["Properties"]["Definition"])
    with pytest.raises(UserInputError, match=r"2 state machines \(First, Second\): pick one with --machine"):
        load_definition(str(path))
    with pytest.raises(UserInputError, match="no state machine 'Third'"):
        load_definition(str(path), "Third")


def test_yaml_template_with_short_form_tags(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                    "      RoleArn: !GetAtt Role.Arn\n      DefinitionString: !Sub |\n"
                    '        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}\n')
    name, definition = load_definition(str(path))
    assert name == "Machine" and definition["StartAt"] == "A"


def test_invalid_definition_raises_its_diagnostics(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}')
    with pytest.raises(DefinitionError) as info:
        load_definition(str(path))
    assert any(d.code == "MISSING_TRANSITION_TARGET" for d in info.value.diagnostics)


def test_machine_option_on_a_plain_definition_is_refused():
    with pytest.raises(UserInputError, match="--machine picks a state machine of a CloudFormation"):
        load_definition(ORDER, "X")
