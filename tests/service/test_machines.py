"""State machines, versions, aliases and tags through boto3, as AWS answers them."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from serve_helpers import PASS, ROLE, create, error_of


def test_create_describe_update(sfn):
    arn = create(sfn)
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert (described["name"], described["status"], described["type"], described["roleArn"]) == \
        ("machine", "ACTIVE", "STANDARD", ROLE)
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert "revisionId" not in described
    updated = sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE + "2")
    again = sfn.describe_state_machine(stateMachineArn=arn)
    assert again["revisionId"] == updated["revisionId"] and again["roleArn"] == ROLE + "2"


def test_create_is_idempotent_only_for_the_same_request(sfn):
    arn = create(sfn)
    assert create(sfn) == arn
    with pytest.raises(ClientError) as excinfo:
        create(sfn, definition=json.dumps(json.loads(PASS), indent=2))
    assert error_of(excinfo) == ("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")


@pytest.mark.parametrize("definition, message", [
    ('{"StartAt": "A", "States": {}}', "SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States"),
    ("{nope", "INVALID_JSON_DESCRIPTION"),
])
def test_invalid_definitions_are_refused(sfn, definition, message):
    with pytest.raises(ClientError) as excinfo:
        create(sfn, definition=definition)
    code, text = error_of(excinfo)
    assert code == "InvalidDefinition" and text.startswith(f"Invalid State Machine Definition: '{message}")


def test_express_refuses_callbacks_at_creation(sfn):
    definition = json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True}}})
    with pytest.raises(ClientError) as excinfo:
        create(sfn, definition=definition, type="EXPRESS")
    assert error_of(excinfo)[1] == ("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state "
                                    "machine does not support '.waitForTaskToken' service integration  at "
                                    "/States/T/Resource'")


def test_versions_publish_idempotently_and_page_newest_first(sfn):
    arn = create(sfn)
    first = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == first == arn + ":1"
    for i in range(3):
        sfn.update_state_machine(stateMachineArn=arn, definition=PASS.replace('"ok"', f'"v{i}"'), publish=True)
    page = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=3)
    assert [v["stateMachineVersionArn"][-1] for v in page["stateMachineVersions"]] == ["4", "3", "2"]
    rest = sfn.list_state_machine_versions(stateMachineArn=arn, nextToken=page["nextToken"])
    assert [v["stateMachineVersionArn"] for v in rest["stateMachineVersions"]] == [first]
    sfn.delete_state_machine_version(stateMachineVersionArn=arn + ":4")
    sfn.update_state_machine(stateMachineArn=arn, definition=PASS, publish=True)
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"][0][
        "stateMachineVersionArn"] == arn + ":5"   # numbers are never reused


def test_aliases_route_to_versions(sfn):
    arn = create(sfn, publish=True)
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": arn + ":1", "weight": 100}])["stateMachineAliasArn"]
    assert alias == arn + ":live"
    execution = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    from serve_helpers import wait_done

    found = wait_done(sfn, execution)
    assert (found["stateMachineAliasArn"], found["stateMachineVersionArn"]) == (alias, arn + ":1")
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine_alias(name="half", routingConfiguration=[
            {"stateMachineVersionArn": arn + ":1", "weight": 50}])
    assert error_of(excinfo) == ("ValidationException", "Sum of routing configuration weights must be equal to 100")
    with pytest.raises(ClientError) as excinfo:
        sfn.list_state_machine_aliases(stateMachineArn=arn, nextToken="garbage")
    assert error_of(excinfo) == ("InvalidToken", "Invalid Token: 'Invalid token'")


def test_tags_keep_their_order_and_take_the_last_value(sfn):
    arn = create(sfn, tags=[{"key": "b", "value": "1"}])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "2"}, {"key": "b", "value": "3"}])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "3"},
                                                                   {"key": "a", "value": "2"}]
    sfn.untag_resource(resourceArn=arn, tagKeys=["b"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "2"}]
    with pytest.raises(ClientError) as excinfo:
        sfn.list_tags_for_resource(resourceArn=arn + "x")
    assert error_of(excinfo)[0] == "ResourceNotFound"


def test_variable_references_are_described(sfn):
    definition = json.dumps({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($x, $y)", "lit": "$z"}, "Next": "C"},
        "C": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $x & $string($states.input) %}",
              "End": True}}})
    described = sfn.describe_state_machine(stateMachineArn=create(sfn, definition=definition))
    assert described["variableReferences"] == {"B": ["x", "y"], "C": ["x"]}


def test_validate_state_machine_definition_gives_sfn_validates_diagnostics(sfn):
    found = sfn.validate_state_machine_definition(definition='{"States": {"A": {"Type": "Pass", "End": true}}}')
    assert found["result"] == "FAIL" and found["truncated"] is False
    assert found["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert sfn.validate_state_machine_definition(definition=PASS)["result"] == "OK"


@pytest.mark.parametrize("definition, location", [
    ('{"States": {"A": {"Type": "Pass", "End": true}}}', "/"),     # a missing field: the object lacking it
    ('{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, '
     '"QueryLanguage": "JSONPath"}}}', "/States/A"),                 # a conflict with the machine: the state
])
def test_validate_state_machine_definition_locates_as_aws_does(sfn, definition, location):
    found = sfn.validate_state_machine_definition(definition=definition)
    assert [d["location"] for d in found["diagnostics"]] == [location]
