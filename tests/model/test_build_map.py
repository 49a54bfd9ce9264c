"""A Map state's ItemReader, ItemBatcher and ResultWriter are compiled into the model once."""

from __future__ import annotations

import pytest

from asl.model import build_machine
from asl.model.build import BuildError
from asl.model.states import ItemBatcher, ItemReader, ResultWriter

PROCESSOR = {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def map_state(**fields):
    machine = build_machine({"StartAt": "M", "States": {"M": {"Type": "Map", "End": True,
                                                              "ItemProcessor": PROCESSOR, **fields}}})
    return machine.states["M"]


def test_reader_batcher_and_writer_become_dataclasses_with_compiled_paths():
    state = map_state(
        ItemReader={"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket.$": "$.b", "Key": "k"},
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a"],
                                     "CSVDelimiter": "PIPE", "MaxItemsPath": "$.n"}},
        ItemBatcher={"MaxItemsPerBatchPath": "$size", "BatchInput": {"x.$": "$.x"}},
        ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b"}})
    reader, batcher = state.item_reader, state.item_batcher
    assert isinstance(reader, ItemReader) and isinstance(batcher, ItemBatcher)
    assert isinstance(state.result_writer, ResultWriter)
    assert (reader.action, reader.input_type, reader.csv_headers, reader.csv_delimiter) == (
        "getObject", "CSV", ("a",), "PIPE")
    assert reader.max_items_path.text == "$.n" and batcher.max_items_path.text == "$size"
    assert not isinstance(reader.parameters, dict) and not isinstance(batcher.batch_input, dict)


def test_an_item_reader_resource_other_than_s3_is_a_build_error():
    with pytest.raises(BuildError, match="s3:getObject or s3:listObjectsV2"):
        map_state(ItemReader={"Resource": "arn:aws:states:::dynamodb:getItem", "ReaderConfig": {}})
