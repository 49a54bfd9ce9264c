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


# ------------------------------------------------------------------ providers built when asked

def _kinds(dispatcher) -> list[str]:
    return [type(provider).__name__ for provider in dispatcher.providers]


def test_the_lazy_dispatcher_builds_the_providers_once_in_their_order():
    from asl.resources.compose import build_services
    from asl.resources.config import ResourcesConfig

    services = build_services(ResourcesConfig())
    first = services.dispatcher.providers
    assert _kinds(services.dispatcher) == ["LocalHandlers", "SnsStub", "SqsStub", "S3Stub", "HttpProvider",
                                           "NestedExecutions", "TaskTokenApi"]
    assert services.dispatcher.providers is first
    sns, sqs = first[1], first[2]
    assert sns.sqs is sqs and sns.log is services.messages and sqs.log is services.messages


def test_threads_asking_at_once_share_one_set_of_providers():
    import threading

    from asl.resources.compose import build_services
    from asl.resources.config import ResourcesConfig

    services = build_services(ResourcesConfig())
    seen, start = [], threading.Barrier(8)

    def ask():
        start.wait()
        seen.append(services.dispatcher.providers)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(providers) for providers in seen}) == 1


def test_a_mock_provider_is_asked_first_and_left_out_of_a_child():
    from asl.resources.compose import build_services
    from asl.resources.config import ResourcesConfig
    from asl.resources.mocks import MockProvider

    mocks = MockProvider.__new__(MockProvider)
    services = build_services(ResourcesConfig(), mocks)
    assert services.dispatcher.providers[0] is mocks
    assert _kinds(services.for_child()) == _kinds(services.dispatcher)[1:]


def test_a_machine_without_tasks_is_checked_without_building_the_providers():
    from asl.errors import Location
    from asl.resources.compose import build_services, check_before_run
    from asl.resources.config import ResourcesConfig

    services = build_services(ResourcesConfig())
    machine = machine_from_definition(one_state({"Type": "Pass"}))
    check_before_run(machine, services, Location("m.json"))
    assert services.dispatcher._built == []   # nothing asked for them yet


def test_a_task_the_first_provider_owns_builds_no_other(tmp_path):
    from asl.errors import Location
    from asl.resources.compose import build_services, check_before_run
    from asl.resources.config import load_resources
    from asl.resources.local import LocalHandlers

    (tmp_path / "h.py").write_text("def f(event, context):\n    return event\n", encoding="utf-8")
    (tmp_path / "resources.yaml").write_text("handlers:\n  f: {handler: 'h:f', in_process: true}\n")
    services = build_services(load_resources(tmp_path / "resources.yaml"))
    machine = machine_from_definition(one_state({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f"}))
    check_before_run(machine, services, Location("m.json"))
    assert [type(p) for p in services.dispatcher._built] == [LocalHandlers]
    # An SNS Task passes the handlers by, and builds the providers up to its own.
    sns = one_state({"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                     "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"}})
    check_before_run(machine_from_definition(sns), services, Location("m.json"))
    assert [type(p).__name__ for p in services.dispatcher._built] == ["LocalHandlers", "SnsStub"]


def test_providers_set_on_a_lazy_dispatcher_replace_the_built_ones():
    from asl.resources.compose import LazyDispatcher

    dispatcher = LazyDispatcher([lambda: pytest.fail("not built once providers are set")])
    dispatcher.providers = ["p"]
    assert dispatcher.providers == ["p"] and list(dispatcher.each()) == ["p"]


def test_handler_imports_go_on_meanwhile_and_a_failure_shows_at_ready(tmp_path):
    from asl.errors import UserInputError
    from asl.resources.compose import build_services
    from asl.resources.config import load_resources

    (tmp_path / "h.py").write_text("raise ValueError('broken at import')\n", encoding="utf-8")
    (tmp_path / "resources.yaml").write_text("handlers:\n  f: h:f\n", encoding="utf-8")
    services = build_services(load_resources(tmp_path / "resources.yaml"), wait=False)  # returns at once
    assert len(services.pending) == 2   # the Tasks' handlers and the (no) subscribers
    with pytest.raises(UserInputError, match="broken at import") as raised:
        services.ready()
    assert raised.value.location.file == str(tmp_path / "resources.yaml") and services.pending == []
    with pytest.raises(UserInputError, match="broken at import"):   # the default waits itself
        build_services(load_resources(tmp_path / "resources.yaml"))
