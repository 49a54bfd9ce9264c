"""Checks made before a run: what an Express workflow cannot run."""

import pytest

from asl.api import machine_from_definition
from asl.resources.compose import express_problems


def one_state(state: dict) -> dict:
    return {"StartAt": "S", "States": {"S": {**state, "End": True}}}


EXPRESS = [
    ("request-response", {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}, None),
    ("inline-map", {"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}},
     None),
    ("sync", {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2"}, "cannot wait with .sync"),
    ("callback", {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken"},
     "cannot wait with .waitForTaskToken"),
    ("activity", {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:review"},
     "cannot run activities"),
    ("distributed-map", {"Type": "Map", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}, "cannot run a Distributed Map"),
    ("nested-in-parallel", {"Type": "Parallel", "Branches": [{"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": True}}}]}, "state 'T'"),
]


@pytest.mark.parametrize("state,problem", [c[1:] for c in EXPRESS], ids=[c[0] for c in EXPRESS])
def test_what_an_express_workflow_cannot_run(state, problem):
    problems = express_problems(machine_from_definition(one_state(state), validate=False))
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]


# ------------------------------------------------------------------ where a problem is

NESTED = """{
  "StartAt": "Fan",
  "States": {
    "Fan": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "Charge", "States": {
          "Charge": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:charge", "End": true}
        }}}
      }}
    ]}
  }
}
"""


def test_the_model_keeps_each_states_pointer():
    from asl.api import machine_from_definition

    machine = machine_from_definition(NESTED)
    charge = machine.states["Fan"].branches[0].states["Each"].processor.states["Charge"]
    assert charge.pointer == "/States/Fan/Branches/0/States/Each/ItemProcessor/States/Charge"


@pytest.mark.parametrize("as_document", [True, False], ids=["document", "path"])
def test_a_task_nothing_answers_is_named_with_its_line_and_column(tmp_path, as_document):
    from asl.api import load_machine, run_machine
    from asl.errors import UserInputError

    path = tmp_path / "nested.asl.json"
    path.write_text(NESTED)
    document, machine = load_machine(path)
    with pytest.raises(UserInputError) as raised:
        run_machine(machine, {}, source=document if as_document else path)
    assert str(raised.value).startswith(f"{path}:7:11: state 'Charge': no handler, stub or mock for the resource")


def test_a_started_machine_that_cannot_run_is_named_in_its_own_file(tmp_path):
    from asl.api import machine_from_definition, run_machine
    from asl.errors import UserInputError

    (tmp_path / "child.asl.json").write_text(NESTED)
    (tmp_path / "resources.yaml").write_text("machines:\n  Child: child.asl.json\n")
    parent = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    with pytest.raises(UserInputError) as raised:
        run_machine(machine_from_definition(parent), {}, resources=tmp_path / "resources.yaml")
    assert str(raised.value).startswith(f"{tmp_path / 'child.asl.json'}:7:11: state 'Charge': no handler")
