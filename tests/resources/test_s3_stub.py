"""The aws-sdk:s3 Task integrations over the local S3 folder: shapes and errors as AWS answers."""

from __future__ import annotations

import hashlib
import re

import pytest

from asl.errors import UserInputError

SDK = "arn:aws:states:::aws-sdk:s3:"


def task(action, **parameters):
    """A one-Task machine calling an S3 action with static Parameters."""
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": SDK + action,
                                             "Parameters": parameters, "End": True}}}


@pytest.fixture
def s3(tmp_path):
    root = tmp_path / "S3"
    (root / "bkt" / "dir").mkdir(parents=True)
    (root / "bkt" / "a.txt").write_text("hello")
    (root / "bkt" / "dir" / "b.json").write_text("[1]")
    (root / "bkt" / "dir" / "c.json").write_text("[2]")
    return root


def call(execute, s3, action, **parameters):
    return execute(task(action, **parameters), {}, s3_dir=s3)


def test_put_object_stores_the_body_as_json_text_and_answers_as_recorded(execute, s3):
    # Recorded against AWS: {"Dict": "Value"} -> ETag 49e31cee..., ChecksumCRC32 hnEfWw==; "text data" -> KUmHvQ==.
    result = call(execute, s3, "putObject", Bucket="bkt", Key="new/x.json", Body={"Dict": "Value"})
    assert result.output == {"ChecksumCRC32": "hnEfWw==", "ChecksumType": "FULL_OBJECT",
                             "ETag": '"49e31cee5aec8faf3345893addb14346"', "ServerSideEncryption": "AES256"}
    assert (s3 / "bkt" / "new" / "x.json").read_text() == '{"Dict":"Value"}'
    result = call(execute, s3, "putObject", Bucket="bkt", Key="t", Body="text data")
    assert result.output["ChecksumCRC32"] == "KUmHvQ==" and (s3 / "bkt" / "t").read_text() == '"text data"'


def test_get_object_gives_the_body_as_text_with_the_object_metadata(execute, s3):
    output = call(execute, s3, "getObject", Bucket="bkt", Key="a.txt").output
    assert output["Body"] == "hello"
    assert output["ContentLength"] == 5
    assert output["ETag"] == '"' + hashlib.md5(b"hello").hexdigest() + '"'
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", output["LastModified"])
    assert (output["AcceptRanges"], output["Metadata"], output["ServerSideEncryption"]) == ("bytes", {}, "AES256")
    head = call(execute, s3, "headObject", Bucket="bkt", Key="a.txt").output
    assert head == {k: v for k, v in output.items() if k != "Body"}


def test_a_workflow_writes_an_object_and_reads_it_back(execute, s3):
    definition = {"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": SDK + "putObject", "ResultPath": None,
                "Parameters": {"Bucket": "bkt", "Key": "k.json", "Body.$": "$"}, "Next": "Get"},
        "Get": {"Type": "Task", "Resource": SDK + "getObject", "Parameters": {"Bucket": "bkt", "Key": "k.json"},
                "ResultSelector": {"Value.$": "States.StringToJson($.Body)"}, "End": True}}}
    assert execute(definition, {"n": [1, 2]}, s3_dir=s3).output == {"Value": {"n": [1, 2]}}


def test_list_objects_v2_lists_keys_in_order_with_prefix_delimiter_and_pages(execute, s3):
    output = call(execute, s3, "listObjectsV2", Bucket="bkt").output
    assert [c["Key"] for c in output["Contents"]] == ["a.txt", "dir/b.json", "dir/c.json"]
    assert set(output["Contents"][0]) == {"ETag", "Key", "LastModified", "Size", "StorageClass"}
    assert (output["KeyCount"], output["IsTruncated"], output["Name"], output["MaxKeys"]) == (3, False, "bkt", 1000)
    output = call(execute, s3, "listObjectsV2", Bucket="bkt", Delimiter="/").output
    assert output["CommonPrefixes"] == [{"Prefix": "dir/"}] and [c["Key"] for c in output["Contents"]] == ["a.txt"]
    first = call(execute, s3, "listObjectsV2", Bucket="bkt", Prefix="dir/", MaxKeys=1).output
    assert [c["Key"] for c in first["Contents"]] == ["dir/b.json"] and first["IsTruncated"]
    rest = call(execute, s3, "listObjectsV2", Bucket="bkt", Prefix="dir/",
                ContinuationToken=first["NextContinuationToken"]).output
    assert [c["Key"] for c in rest["Contents"]] == ["dir/c.json"] and not rest["IsTruncated"]


def test_delete_object_removes_it_and_a_missing_key_is_no_error(execute, s3):
    assert call(execute, s3, "deleteObject", Bucket="bkt", Key="dir/b.json").output == {}
    assert not (s3 / "bkt" / "dir" / "b.json").exists()
    assert call(execute, s3, "deleteObject", Bucket="bkt", Key="never").status == "SUCCEEDED"


CAUSE = r" \(Service: S3, Status Code: 404, Request ID: [0-9A-F]{16}, Extended Request ID: \S+\)"


@pytest.mark.parametrize("action,bucket,key,error,message", [
    ("getObject", "bkt", "missing", "S3.NoSuchKeyException", "The specified key does not exist."),
    ("getObject", "nope", "a.txt", "S3.NoSuchBucketException", "The specified bucket does not exist"),
    ("listObjectsV2", "nope", None, "S3.NoSuchBucketException", "The specified bucket does not exist"),
    ("listObjects", "nope", None, "S3.NoSuchBucketException", "The specified bucket does not exist"),
    ("putObject", "nope", "k", "S3.NoSuchBucketException", "The specified bucket does not exist"),
    ("deleteObject", "nope", "k", "S3.NoSuchBucketException", "The specified bucket does not exist"),
    ("headObject", "bkt", "missing", "S3.NoSuchKeyException", "null"),
])
def test_missing_buckets_and_keys_fail_with_s3s_errors(execute, s3, action, bucket, key, error, message):
    params = {"Bucket": bucket, **({"Key": key} if key else {})}
    result = call(execute, s3, action, **params)
    assert (result.status, result.error) == ("FAILED", error)
    assert re.fullmatch(re.escape(message) + CAUSE, result.cause)


def test_an_s3_task_is_caught_by_its_error_name(execute, s3):
    definition = task("getObject", Bucket="bkt", Key="missing")
    definition["States"]["T"]["Catch"] = [{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Caught"}]
    definition["States"]["Caught"] = {"Type": "Pass", "Result": "caught", "End": True}
    assert execute(definition, {}, s3_dir=s3).output == "caught"


def test_without_a_folder_an_s3_task_is_refused_before_the_run(execute):
    with pytest.raises(UserInputError, match="--s3-dir"):
        execute(task("getObject", Bucket="b", Key="k"), {}, strict=True)


def test_a_mocked_s3_task_needs_no_folder(execute, tmp_path):
    mocks = tmp_path / "mocks.json"
    mocks.write_text('{"StateMachines": {"M": {"TestCases": {"T1": {"T": "R"}}}},'
                     ' "MockedResponses": {"R": {"0": {"Return": {"Body": "x"}}}}}')
    result = execute(task("getObject", Bucket="b", Key="k"), {}, mocks=(mocks, "T1"), name="M")
    assert result.output == {"Body": "x"}
