"""Map rules from the guide: ResultWriter field combinations, and which language a Map's
ItemReader / ItemBatcher fields and its ItemProcessor's states are read in."""

from __future__ import annotations

import pytest

from asl.validate import validate_definition

PROCESSOR = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
             "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
BUCKET = {"Bucket": "results", "Prefix": "run"}


def _errors(map_fields: dict, machine: dict | None = None, processor: dict | None = None) -> list[tuple[str, str]]:
    state = {"Type": "Map", "End": True, "ItemProcessor": processor or PROCESSOR, **map_fields}
    data = {"StartAt": "M", "States": {"M": state}, **(machine or {})}
    return [(d.pointer, d.message) for d in validate_definition(data) if d.severity == "ERROR"]


@pytest.mark.parametrize("writer,language,valid", [
    ({"WriterConfig": {"OutputType": "JSON", "Transformation": "FLATTEN"}}, "JSONPath", True),
    ({"Resource": "arn:aws:states:::s3:putObject", "Parameters": BUCKET}, "JSONPath", True),
    ({"Resource": "arn:aws:states:::s3:putObject", "Parameters": BUCKET,
      "WriterConfig": {"OutputType": "JSONL", "Transformation": "NONE"}}, "JSONPath", True),
    ({"Resource": "arn:aws:states:::s3:putObject", "Arguments": BUCKET}, "JSONata", True),
    ({"Resource": "arn:aws:states:::s3:putObject"}, "JSONPath", False),
    ({"Resource": "arn:aws:states:::s3:putObject", "WriterConfig": {"OutputType": "JSON"}}, "JSONPath", False),
    ({"Parameters": BUCKET, "WriterConfig": {"OutputType": "JSON"}}, "JSONPath", False),
    ({"Resource": "arn:aws:states:::s3:putObject", "Parameters": BUCKET}, "JSONata", False),   # Arguments there
    ({}, "JSONPath", False),
])
def test_result_writer_field_combinations(writer, language, valid):
    errors = _errors({"ResultWriter": writer, "QueryLanguage": language})
    assert (errors == []) is valid, errors


@pytest.mark.parametrize("parents,name", [(("ItemBatcher",), "MaxItemsPerBatch"),
                                          (("ItemBatcher",), "MaxInputBytesPerBatch"),
                                          (("ItemReader", "ReaderConfig"), "MaxItems")])
def test_item_reader_and_batcher_fields_follow_the_map_state_language(parents, name):
    def fields(value):
        inner = {name: value}
        for parent in reversed(parents[1:]):
            inner = {parent: inner}
        holder = dict(inner)
        if parents[0] == "ItemReader":
            holder["Resource"] = "arn:aws:states:::s3:getObject"
        return {parents[0]: holder}

    pointer = "/States/M/" + "/".join(parents) + "/" + name
    jsonpath = _errors(fields("{% 5 %}"))
    assert [p for p, _ in jsonpath] == [pointer], jsonpath
    assert "only in JSONata states" in jsonpath[0][1]
    # A JSONata Map in a JSONPath machine: its own fields are JSONata.
    assert _errors({**fields("{% 5 %}"), "QueryLanguage": "JSONata", "Items": [1]}) == []


def test_processor_states_inherit_the_top_level_language_not_the_map_state_one():
    jsonata_pass = {**PROCESSOR, "States": {"P": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}}}
    # A JSONata Map in a JSONPath machine: the processor's states are JSONPath unless they say otherwise.
    errors = _errors({"QueryLanguage": "JSONata", "Items": [1]}, processor=jsonata_pass)
    assert [p for p, _ in errors] == ["/States/M/ItemProcessor/States/P/Output"]
    own = {**PROCESSOR, "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONata",
                                         "Output": "{% $states.input %}", "End": True}}}
    assert _errors({"QueryLanguage": "JSONata", "Items": [1]}, processor=own) == []
    assert _errors({}, machine={"QueryLanguage": "JSONata"}, processor=jsonata_pass) == []


# AWS ran MaxItems 0 as "no limit" (../shared/conformance/distributed, csv_max_items(0)), whatever
# statelint's suite says; negative and too large values stay refused.
@pytest.mark.parametrize("max_items,valid", [(0, True), (1, True), (100_000_000, True), (-1, False),
                                             (100_000_001, False)])
def test_reader_max_items_range(max_items, valid):
    reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON", "MaxItems": max_items},
              "Parameters": BUCKET}
    errors = _errors({"ItemReader": reader})
    assert (errors == []) is valid, errors
