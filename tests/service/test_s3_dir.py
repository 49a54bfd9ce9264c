"""`sfn serve --s3-dir`: executions the server runs reach the local S3 folder."""

from __future__ import annotations

import json

import pytest

from asl.errors import UserInputError
from asl.service import Service
from serve_helpers import create, wait_done

READER = json.dumps({"StartAt": "M", "States": {"M": {
    "Type": "Map", "End": True,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                      "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
    "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                   "Parameters": {"Bucket": "bkt", "Key": "items.json"}}}}})
PUT = json.dumps({"StartAt": "T", "States": {"T": {
    "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject", "End": True,
    "Parameters": {"Bucket": "bkt", "Key": "out.json", "Body.$": "$"}}}})


def test_executions_read_and_write_the_folder(start_server, tmp_path):
    (tmp_path / "S3" / "bkt").mkdir(parents=True)
    (tmp_path / "S3" / "bkt" / "items.json").write_text("[1, 2]")
    sfn = start_server(s3_dir=tmp_path / "S3")[2]
    started = sfn.start_execution(stateMachineArn=create(sfn, READER, name="reader"))
    assert json.loads(wait_done(sfn, started["executionArn"])["output"]) == [1, 2]
    started = sfn.start_execution(stateMachineArn=create(sfn, PUT, name="put"), input='{"n": 1}')
    assert wait_done(sfn, started["executionArn"])["status"] == "SUCCEEDED"
    assert (tmp_path / "S3" / "bkt" / "out.json").read_text() == '{"n":1}'


def test_a_bad_folder_is_refused_before_serving(tmp_path):
    with pytest.raises(UserInputError, match="--s3-dir"):
        Service(tmp_path / "sfn.db", s3_dir=tmp_path / "absent")
