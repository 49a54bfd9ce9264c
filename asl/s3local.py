"""A local folder standing in for Amazon S3: `DIR/<bucket>/<key>` is the object `s3://bucket/key`.

Each folder directly under DIR is a bucket (an empty folder an empty bucket, a missing one a
bucket that does not exist); the key is the path below it with `/` between folders.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from .errors import StatesError, UserInputError


class S3Error(StatesError):
    """What S3 answers for a missing bucket or key (`S3.NoSuchBucket`, `S3.NoSuchKey`)."""

def sdk_cause(message: str, status: int) -> str:
    """An S3 error as the AWS SDK for Java v2 words it: S3 adds an Extended Request ID (recorded)."""
    import base64
    import secrets  # here, not at the top: it imports hmac and OpenSSL, ~2.5 ms of every start

    request = secrets.token_hex(8).upper()
    extended = base64.b64encode(secrets.token_bytes(56)).decode()
    return f"{message} (Service: S3, Status Code: {status}, Request ID: {request}, Extended Request ID: {extended})"


class S3Folder:
    """Objects of the local S3: get, list and put by bucket and key."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.exists():
            raise UserInputError(f"--s3-dir {root}: no such folder (each folder in it stands for an S3 bucket)")
        if not self.root.is_dir():
            raise UserInputError(f"--s3-dir {root}: not a folder (each folder in it stands for an S3 bucket)")
        if not os.access(self.root, os.R_OK | os.X_OK):
            raise UserInputError(f"--s3-dir {root}: the folder cannot be read (permission denied)")

    def _bucket(self, bucket: str) -> Path:
        path = self.root / bucket
        if not bucket or "/" in bucket or bucket in (".", "..") or not path.is_dir():
            raise S3Error("S3.NoSuchBucket", "The specified bucket does not exist")
        return path

    def _object(self, bucket: str, key: str) -> Path:
        base = self._bucket(bucket)
        path = base / key
        # A key never leaves its bucket's folder ("a/../../x" is not an object of the bucket).
        if not key or any(part in ("", ".", "..") for part in key.split("/")) or not path.is_file():
            raise S3Error("S3.NoSuchKey", "The specified key does not exist.")
        return path

    def get(self, bucket: str, key: str) -> bytes:
        """The object's bytes (S3Error when the bucket or key does not exist)."""
        return self._object(bucket, key).read_bytes()

    def head(self, bucket: str, key: str) -> dict:
        """The object's size, ETag and modification time (S3Error when it does not exist)."""
        path = self._object(bucket, key)
        return self._entry(path, key)

    def put(self, bucket: str, key: str, body: bytes) -> None:
        """Write an object (its folders are made; the bucket must exist)."""
        base = self._bucket(bucket)
        if not key or any(part in ("", ".", "..") for part in key.split("/")):
            raise S3Error("S3.InvalidArgument", f"Invalid key: {key!r}")
        path = base / key
        if path.is_dir():  # a folder holding other keys cannot also be an object here
            raise S3Error("S3.InvalidArgument", f"Key {key!r} is a folder of the local S3 and cannot be an object")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    def delete(self, bucket: str, key: str) -> None:
        """Remove an object; like S3, a key that does not exist is no error (the bucket must exist)."""
        base = self._bucket(bucket)
        try:
            path = self._object(bucket, key)
        except S3Error:
            return
        path.unlink()
        # Folders emptied by the delete go too: S3 has no folders, only keys.
        parent = path.parent
        while parent != base and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def list(self, bucket: str, prefix: str = "") -> list[dict]:
        """listObjectsV2's Contents: one entry per object under the prefix, in key order."""
        base = self._bucket(bucket)
        keys = sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())
        return [self._entry(base / key, key) for key in keys if key.startswith(prefix)]

    @staticmethod
    def _entry(path: Path, key: str) -> dict:
        stat = os.stat(path)
        modified = datetime.datetime.fromtimestamp(stat.st_mtime, datetime.timezone.utc)
        import hashlib  # here, not at the top: loading OpenSSL costs every start ~2 ms
        etag = '"' + hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest() + '"'
        return {"Etag": etag, "Key": key, "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "Size": stat.st_size, "StorageClass": "STANDARD"}
