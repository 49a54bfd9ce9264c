"""A Distributed Map reading its items from the local S3 folder, batching them and writing results."""

from __future__ import annotations

import json

import pytest

from asl.errors import UserInputError
from tests.conftest import event_types

DISTRIBUTED = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
               "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def reader_map(config, resource="arn:aws:states:::s3:getObject", **fields):
    """A machine whose Map reads $.Bucket / $.Key with the given ReaderConfig."""
    return {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": fields.pop("processor", DISTRIBUTED),
        "ItemReader": {"Resource": resource, "ReaderConfig": config,
                       "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"}}, **fields}}}


@pytest.fixture
def s3(tmp_path):
    root = tmp_path / "S3"
    (root / "bkt").mkdir(parents=True)

    def put(key, text):
        path = root / "bkt" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    put.root = root
    return put


def run(execute, s3, definition, key="f", **input):
    return execute(definition, {"Bucket": "bkt", "Key": key, **input}, s3_dir=s3.root)


def test_a_json_array_object_gives_its_elements_and_items_path_is_not_applied(execute, s3):
    s3("f", '[{"a": 1}, [2], "x"]')
    result = run(execute, s3, reader_map({"InputType": "JSON"}, ItemsPath="$.nothing"))
    assert (result.status, result.output) == ("SUCCEEDED", [{"a": 1}, [2], "x"])
    started = result.history.to_aws()["events"][2]
    assert started["type"] == "MapStateStarted" and started["mapStateStartedEventDetails"] == {"length": 0}


@pytest.mark.parametrize("config,text,items", [
    ({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}, "a,b\n1,true\n,\n", [
        {"a": "1", "b": "true"}, {"a": "", "b": ""}]),
    ({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["x", "y"]}, "1\n2,3,4\n   \n", [
        {"x": "1", "y": ""}, {"x": "2", "y": "3"}, {"x": "   ", "y": ""}]),
    ({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "PIPE"}, "a|b\n1|2\n", [
        {"a": "1", "b": "2"}]),
    ({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "TAB"}, "a\tb\n1\t2\n", [
        {"a": "1", "b": "2"}]),
    ({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "SEMICOLON"}, "a;b\n1;2\n", [
        {"a": "1", "b": "2"}]),
    ({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "SPACE"}, "a b\n1 2\n", [
        {"a": "1", "b": "2"}]),
    ({"InputType": "JSONL"}, '{"n": 1}\n\n[2]\n', [{"n": 1}, [2]]),
    ({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 1}, "a\n1\n2\n", [{"a": "1"}]),
    ({"InputType": "JSON", "MaxItems": 0}, "[1, 2, 3]", [1, 2, 3]),
])
def test_readers_turn_the_object_into_items(execute, s3, config, text, items):
    s3("f", text)
    result = run(execute, s3, reader_map(config))
    assert (result.status, result.output) == ("SUCCEEDED", items)


def test_list_objects_v2_gives_one_item_per_object_in_key_order(execute, s3):
    s3("p/b.txt", "bb")
    s3("p/a.txt", "a")
    s3("q.txt", "")
    definition = reader_map({}, "arn:aws:states:::s3:listObjectsV2")
    definition["States"]["M"]["ItemReader"]["Parameters"] = {"Bucket": "bkt", "Prefix": "p/"}
    result = run(execute, s3, definition)
    assert [(o["Key"], o["Size"], o["StorageClass"]) for o in result.output] == [
        ("p/a.txt", 1, "STANDARD"), ("p/b.txt", 2, "STANDARD")]


@pytest.mark.parametrize("key,text,config,cause", [
    ("missing", None, {"InputType": "JSON"}, "The specified key does not exist. (Service: S3, Status Code: 404"),
    ("f", 'a,b\n"1,2\n', {"InputType": "CSV"}, "malformed"),
    ("f", '{"a": 1}', {"InputType": "JSON"}, "non-iterable"),
    ("f", "[1,", {"InputType": "JSON"}, "not valid JSON"),
    ("f", "{}\n{bad\n", {"InputType": "JSONL"}, "Line 2"),
    ("f", "1\n", {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a", "a"]}, "duplicates"),
    ("f", "[1]", {"InputType": "JSON", "MaxItems": -1}, "field MaxItems must be positive"),
])
def test_a_failed_read_fails_the_map_run_with_item_reader_failed(execute, s3, key, text, config, cause):
    if text is not None:
        s3("f", text)
    result = run(execute, s3, reader_map(config), key=key)
    assert (result.status, result.error) == ("FAILED", "States.ItemReaderFailed")
    assert cause in result.cause
    assert event_types(result)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]


@pytest.mark.parametrize("value,items", [(2, [1, 2]), ("2", [1, 2]), (0, [1, 2, 3]), (100000001, [1, 2, 3])])
def test_max_items_path_reads_the_input_or_a_variable(execute, s3, value, items):
    s3("f", "[1, 2, 3]")
    result = run(execute, s3, reader_map({"InputType": "JSON", "MaxItemsPath": "$.max"}), max=value)
    assert result.output == items
    definition = {"StartAt": "S", "States": {"S": {"Type": "Pass", "Assign": {"max": value}, "Next": "M"},
                                             **reader_map({"InputType": "JSON", "MaxItemsPath": "$max"})["States"]}}
    assert run(execute, s3, definition).output == items


def test_a_max_items_path_that_is_no_integer_fails_the_state_before_the_map_run(execute, s3):
    s3("f", "[1]")
    result = run(execute, s3, reader_map({"InputType": "JSON", "MaxItemsPath": "$.max"}), max=1.5)
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause.endswith('The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.max')
    assert event_types(result) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "ExecutionFailed"]


def test_item_batcher_paths_take_numeric_texts_and_batch_input_is_evaluated(execute, s3):
    s3("f", "[1, 2, 3]")
    definition = reader_map({"InputType": "JSON"}, ItemBatcher={
        "MaxItemsPerBatchPath": "$.size", "BatchInput": {"tag.$": "$.tag"}})
    result = run(execute, s3, definition, size="2", tag="t")
    assert result.output == [{"Items": [1, 2], "BatchInput": {"tag": "t"}}, {"Items": [3], "BatchInput": {"tag": "t"}}]


def test_max_input_bytes_per_batch_splits_by_size(execute, s3):
    s3("f", '["aaaa", "bbbb", "cccc"]')  # each item is 6 bytes as JSON
    result = run(execute, s3, reader_map({"InputType": "JSON"}, ItemBatcher={"MaxInputBytesPerBatch": 12}))
    assert result.output == [{"Items": ["aaaa", "bbbb"]}, {"Items": ["cccc"]}]


def test_an_item_read_from_s3_names_its_object_as_source(execute, s3):
    s3("f", "[7]")
    definition = reader_map({"InputType": "JSON"}, ItemSelector={"src.$": "$$.Map.Item.Source",
                                                                  "v.$": "$$.Map.Item.Value"})
    assert run(execute, s3, definition).output == [{"src": "s3://bkt/f", "v": 7}]


def test_jsonata_arguments_and_max_items(execute, s3):
    s3("f", "[1, 2, 3]")
    definition = reader_map({"InputType": "JSON", "MaxItems": "{% $states.input.n %}"})
    definition["QueryLanguage"] = "JSONata"
    definition["States"]["M"]["ItemReader"].pop("Parameters")
    definition["States"]["M"]["ItemReader"]["Arguments"] = {"Bucket": "{% $states.input.Bucket %}", "Key": "f"}
    assert run(execute, s3, definition, n=2).output == [1, 2]


def test_result_writer_writes_the_manifest_and_result_files(execute, s3):
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "Label": "L", "ItemProcessor": DISTRIBUTED,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "bkt", "Prefix": "out"}}}}}
    result = execute(definition, ["a", "b"], s3_dir=s3.root)
    run_arn = result.output["MapRunArn"]
    assert ":mapRun:StateMachine/L:" in run_arn
    run_id = run_arn.rsplit(":", 1)[-1]
    assert result.output["ResultWriterDetails"] == {"Bucket": "bkt", "Key": f"out/{run_id}/manifest.json"}
    folder = s3.root / "bkt" / "out" / run_id
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["MapRunArn"] == run_arn and manifest["DestinationBucket"] == "bkt"
    assert manifest["ResultFiles"]["FAILED"] == [] and manifest["ResultFiles"]["PENDING"] == []
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    assert succeeded["Key"] == f"out/{run_id}/SUCCEEDED_0.json"
    children = json.loads((folder / "SUCCEEDED_0.json").read_text())
    assert [(c["Input"], c["Output"], c["Status"]) for c in children] == [('"a"', '"a"', "SUCCEEDED"),
                                                                          ('"b"', '"b"', "SUCCEEDED")]


def test_without_a_folder_an_item_reader_is_refused_before_the_run(execute):
    with pytest.raises(UserInputError, match="--s3-dir"):
        execute(reader_map({"InputType": "JSON"}), {"Bucket": "bkt", "Key": "f"})


def test_a_bad_batch_size_fails_the_state_before_the_map_run(execute, s3):
    s3("f", "[1]")
    definition = reader_map({"InputType": "JSON"}, ItemBatcher={"MaxItemsPerBatchPath": "$.size"})
    result = run(execute, s3, definition, size="two")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "MaxItemsPerBatchPath" in result.cause
    assert event_types(result)[-2:] == ["MapStateStarted", "ExecutionFailed"]


@pytest.mark.parametrize("tolerated,status", [(1, "SUCCEEDED"), (0, "FAILED")])
def test_result_writer_lists_failed_children_whether_or_not_the_run_fails(execute, s3, tolerated, status):
    processor = {**DISTRIBUTED, "States": {"P": {"Type": "Fail", "Error": "Boom", "Cause": "c"}}}
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": processor, "ToleratedFailureCount": tolerated,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "bkt"}}}}}
    result = execute(definition, ["a"], s3_dir=s3.root)
    assert result.status == status
    [failed_file] = (s3.root / "bkt").glob("*/FAILED_0.json")
    [child] = json.loads(failed_file.read_text())
    assert (child["Input"], child["Error"], child["Cause"], child["Status"]) == ('"a"', "Boom", "c", "FAILED")
    assert (failed_file.parent / "manifest.json").is_file()


def _inventory(s3, files, schema="Bucket, Key, Size", file_format="CSV"):
    """An S3 inventory: its manifest (in bkt) naming data files (in the `inv` bucket)."""
    import gzip

    (s3.root / "inv").mkdir(exist_ok=True)
    entries = []
    for key, text in files.items():
        path = s3.root / "inv" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(text.encode()) if key.endswith(".gz") else text.encode())
        entries.append({"key": key, "size": path.stat().st_size, "MD5checksum": "x"})
    s3("inventory/manifest.json", json.dumps({
        "sourceBucket": "src", "destinationBucket": "arn:aws:s3:::inv", "version": "2016-11-30",
        "creationTimestamp": "1668560400000", "fileFormat": file_format, "fileSchema": schema,
        "files": entries}))


def test_a_manifest_gives_the_lines_of_every_inventory_data_file(execute, s3):
    _inventory(s3, {"data/1.csv.gz": '"src","a.csv","3"\n"src","b/c.csv","10"\n', "data/2.csv": '"src","d","0"\n'})
    result = run(execute, s3, reader_map({"InputType": "MANIFEST"}), key="inventory/manifest.json")
    assert result.output == [{"Bucket": "src", "Key": "a.csv", "Size": "3"},
                             {"Bucket": "src", "Key": "b/c.csv", "Size": "10"},
                             {"Bucket": "src", "Key": "d", "Size": "0"}]
    limited = run(execute, s3, reader_map({"InputType": "MANIFEST", "MaxItems": 2}), key="inventory/manifest.json")
    assert [item["Key"] for item in limited.output] == ["a.csv", "b/c.csv"]


@pytest.mark.parametrize("files,file_format,cause", [
    ({"data/1.csv": "x"}, "ORC", "only CSV"),
    ({}, "CSV", None),
])
def test_a_manifest_the_reader_cannot_follow_fails_the_map_run(execute, s3, files, file_format, cause):
    _inventory(s3, files, file_format=file_format)
    if cause is None:  # a data file the manifest names is missing
        manifest = json.loads((s3.root / "bkt" / "inventory" / "manifest.json").read_text())
        manifest["files"] = [{"key": "data/gone.csv.gz"}]
        s3("inventory/manifest.json", json.dumps(manifest))
        cause = "The specified key does not exist."
    result = run(execute, s3, reader_map({"InputType": "MANIFEST"}), key="inventory/manifest.json")
    assert (result.status, result.error) == ("FAILED", "States.ItemReaderFailed")
    assert cause in result.cause


def test_a_missing_bucket_fails_the_map_run_with_s3s_message(execute, s3):
    definition = reader_map({"InputType": "JSON"})
    result = execute(definition, {"Bucket": "nope", "Key": "f"}, s3_dir=s3.root)
    assert result.error == "States.ItemReaderFailed"
    assert result.cause.startswith("The specified bucket does not exist (Service: S3, Status Code: 404")
