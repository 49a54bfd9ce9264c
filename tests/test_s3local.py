"""The local S3 folder: buckets are folders, keys paths below them."""

from __future__ import annotations

import os

import pytest

from asl.errors import UserInputError
from asl.s3local import S3Error, S3Folder


@pytest.fixture
def s3(tmp_path):
    (tmp_path / "bucket" / "dir").mkdir(parents=True)
    (tmp_path / "bucket" / "dir" / "b.json").write_text("[1]")
    (tmp_path / "bucket" / "a.csv").write_text("x,y\n")
    (tmp_path / "empty").mkdir()
    return S3Folder(tmp_path)


def test_get_reads_the_object_at_bucket_and_key(s3):
    assert s3.get("bucket", "dir/b.json") == b"[1]"


@pytest.mark.parametrize("bucket,key,error", [
    ("nope", "a.csv", "S3.NoSuchBucket"),
    ("bucket", "missing.json", "S3.NoSuchKey"),
    ("bucket", "dir", "S3.NoSuchKey"),            # a folder is no object
    ("bucket", "../bucket/a.csv", "S3.NoSuchKey"),  # a key never leaves its bucket
    ("..", "bucket/a.csv", "S3.NoSuchBucket"),
])
def test_missing_buckets_and_keys_are_s3_errors(s3, bucket, key, error):
    with pytest.raises(S3Error) as caught:
        s3.get(bucket, key)
    assert caught.value.name == error


def test_list_gives_every_object_in_key_order_under_the_prefix(s3):
    listed = s3.list("bucket")
    assert [o["Key"] for o in listed] == ["a.csv", "dir/b.json"]
    assert listed[0]["Size"] == 4 and listed[0]["StorageClass"] == "STANDARD"
    assert set(listed[0]) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}
    assert [o["Key"] for o in s3.list("bucket", "dir/")] == ["dir/b.json"]
    assert s3.list("empty") == []


def test_put_writes_below_the_bucket_making_folders(s3, tmp_path):
    s3.put("empty", "p/q/r.json", b"{}")
    assert (tmp_path / "empty" / "p" / "q" / "r.json").read_bytes() == b"{}"
    with pytest.raises(S3Error):
        s3.put("nope", "k", b"")


def test_a_folder_that_does_not_exist_is_a_user_input_error(tmp_path):
    with pytest.raises(UserInputError, match="--s3-dir"):
        S3Folder(tmp_path / "absent")


def test_head_gives_the_entry_and_delete_removes_emptied_folders(s3, tmp_path):
    assert s3.head("bucket", "a.csv")["Size"] == 4
    s3.delete("bucket", "dir/b.json")
    assert not (tmp_path / "bucket" / "dir").exists() and (tmp_path / "bucket").is_dir()
    s3.delete("bucket", "dir/b.json")  # already gone: no error, as in S3
    with pytest.raises(S3Error) as caught:
        s3.delete("nope", "k")
    assert caught.value.name == "S3.NoSuchBucket"


def test_a_file_or_an_unreadable_folder_is_refused(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(UserInputError, match="not a folder"):
        S3Folder(tmp_path / "file")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o000)
    try:
        if os.access(locked, os.R_OK):  # root reads anything: nothing to refuse
            pytest.skip("running as a user who can read any folder")
        with pytest.raises(UserInputError, match="cannot be read"):
            S3Folder(locked)
    finally:
        locked.chmod(0o755)
