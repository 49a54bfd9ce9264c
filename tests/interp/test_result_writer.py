"""ResultWriter: WriterConfig's transformations and output types, the child records, PENDING children."""

from __future__ import annotations

import json
import re

import pytest

from tests.interp.test_item_reader import DISTRIBUTED

ECHO = {**DISTRIBUTED, "States": {"P": {"Type": "Pass", "End": True}}}
FAIL_ON_B = {**DISTRIBUTED, "StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$", "StringEquals": "b", "Next": "F"}], "Default": "P"},
    "F": {"Type": "Fail", "Error": "Boom", "Cause": "bad b"},
    "P": {"Type": "Pass", "End": True}}}


def writer_map(writer, processor=ECHO, **fields):
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "Label": "L", "ItemProcessor": processor,
                                             "ResultWriter": writer, **fields}}}


EXPORT = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "bkt", "Prefix": "out"}}


@pytest.fixture
def s3(tmp_path):
    (tmp_path / "S3" / "bkt").mkdir(parents=True)
    return tmp_path / "S3"


def files(s3, result):
    """The manifest and result files a run wrote, by name."""
    key = result.output["ResultWriterDetails"]["Key"]
    folder = (s3 / "bkt" / key).parent
    return {p.name: p.read_text() for p in folder.iterdir()}


@pytest.mark.parametrize("transformation,output", [
    ("COMPACT", [[1, 2], {"k": 3}]),
    ("FLATTEN", [1, 2, {"k": 3}]),
])
def test_writer_config_alone_transforms_the_result_and_exports_nothing(execute, s3, transformation, output):
    definition = writer_map({"WriterConfig": {"OutputType": "JSON", "Transformation": transformation}})
    result = execute(definition, [[1, 2], {"k": 3}])
    assert result.output == output


def test_writer_config_none_gives_each_child_record(execute, s3):
    definition = writer_map({"WriterConfig": {"OutputType": "JSON", "Transformation": "NONE"}})
    [record] = execute(definition, [{"a": 1}]).output
    assert list(record) == sorted(record)  # AWS lists the fields alphabetically
    assert set(record) == {"ExecutionArn", "Input", "InputDetails", "Name", "Output", "OutputDetails",
                           "RedriveCount", "RedriveStatus", "RedriveStatusReason", "StartDate",
                           "StateMachineArn", "Status", "StopDate"}
    assert (record["Input"], record["Output"], record["Status"]) == ('{"a":1}', '{"a":1}', "SUCCEEDED")
    assert re.fullmatch(r"arn:aws:states:[\w-]+:\d+:stateMachine:StateMachine/L", record["StateMachineArn"])
    assert record["ExecutionArn"] == record["StateMachineArn"].replace(":stateMachine:", ":execution:") + \
        ":" + record["Name"]
    assert (record["RedriveCount"], record["RedriveStatus"]) == (0, "NOT_REDRIVABLE")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["StartDate"])
    assert record["StartDate"] <= record["StopDate"]


def test_children_have_names_of_their_own(execute, s3):
    definition = writer_map({"WriterConfig": {"OutputType": "JSON", "Transformation": "NONE"}})
    records = execute(definition, [1, 2, 3]).output
    assert len({r["Name"] for r in records}) == 3 and len({r["ExecutionArn"] for r in records}) == 3


def test_a_failed_child_stays_a_record_whatever_the_transformation(execute, s3):
    definition = writer_map({"WriterConfig": {"OutputType": "JSON", "Transformation": "COMPACT"}},
                            FAIL_ON_B, ToleratedFailurePercentage=100)
    output = execute(definition, ["a", "b"]).output
    assert output[0] == "a"
    assert (output[1]["Error"], output[1]["Cause"], output[1]["Status"]) == ("Boom", "bad b", "FAILED")
    assert "Output" not in output[1] and output[1]["RedriveStatus"] == "REDRIVABLE"


def test_express_children_have_express_arns_and_are_redriven_by_their_map_run(execute, s3):
    processor = {**FAIL_ON_B, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}}
    definition = writer_map({"WriterConfig": {"OutputType": "JSON", "Transformation": "NONE"}},
                            processor, ToleratedFailureCount=1)
    ok, failed = execute(definition, ["a", "b"]).output
    assert ":express:StateMachine/L:" in ok["ExecutionArn"] and ok["ExecutionArn"].count(":") == 8
    assert failed["RedriveStatus"] == "REDRIVABLE_BY_MAP_RUN"


@pytest.mark.parametrize("config,name,parse", [
    (None, "SUCCEEDED_0.json", json.loads),
    ({"OutputType": "JSONL", "Transformation": "COMPACT"}, "SUCCEEDED_0.json",
     lambda text: [json.loads(line) for line in text.splitlines()]),
    ({"OutputType": "JSON", "Transformation": "FLATTEN"}, "SUCCEEDED_0.json", json.loads),
])
def test_exported_files_follow_the_writer_config(execute, s3, config, name, parse):
    writer = {**EXPORT, **({"WriterConfig": config} if config else {})}
    result = execute(writer_map(writer), [[1, 2], [3]], s3_dir=s3)
    assert set(result.output) == {"MapRunArn", "ResultWriterDetails"}
    written = files(s3, result)
    manifest = json.loads(written["manifest.json"])
    assert [f["Key"].rsplit("/", 1)[-1] for f in manifest["ResultFiles"]["SUCCEEDED"]] == [name]
    values = parse(written[name])
    if config is None:  # NONE: records with the input and output as JSON text
        assert [(v["Input"], v["Output"]) for v in values] == [("[1,2]", "[1,2]"), ("[3]", "[3]")]
    elif config["Transformation"] == "COMPACT":
        assert values == [[1, 2], [3]]
    else:
        assert values == [1, 2, 3]


# On the fast clock the children run as lanes in threads (asl/interp/lanes.py): the same records.
@pytest.mark.parametrize("clock", ["virtual", "fast"])
def test_items_a_failed_run_never_started_are_written_as_pending(s3, clock):
    from asl.api import machine_from_definition, run_machine

    machine = machine_from_definition(writer_map(EXPORT, FAIL_ON_B, MaxConcurrency=1), validate=False)
    result = run_machine(machine, ["a", "b", "c", "d"], clock=clock, s3_dir=s3, strict=False)
    assert (result.status, result.error) == ("FAILED", "Boom")
    [folder] = [p for p in (s3 / "bkt" / "out").iterdir()]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert all(len(manifest["ResultFiles"][s]) == 1 for s in ("FAILED", "PENDING", "SUCCEEDED"))
    pending = json.loads((folder / "PENDING_0.json").read_text())
    assert [(p["Input"], p["Status"]) for p in pending] == [('"c"', "PENDING"), ('"d"', "PENDING")]
    assert all("StartDate" not in p and "Output" not in p for p in pending)


def test_writer_config_alone_needs_no_s3_folder(execute):
    definition = writer_map({"WriterConfig": {"OutputType": "JSON", "Transformation": "COMPACT"}})
    assert execute(definition, [1], strict=True).output == [1]


def test_pending_children_fill_the_gaps_lanes_left_in_item_order():
    from asl.interp.writer import ChildRecords

    records = ChildRecords("arn:aws:states:us-east-1:123456789012:mapRun:m/Map:" + "0" * 8 + "-0000-0000-0000-" + "0" * 12)
    records.add(2, "c", "SUCCEEDED", "c")   # lanes in threads can end out of item order
    records.add(0, "a", "FAILED", ("Boom", None))
    records.pending(["a", "b", "c", "d"])
    assert [(c.index, c.status) for c in records.children] == \
        [(0, "FAILED"), (1, "PENDING"), (2, "SUCCEEDED"), (3, "PENDING")]
