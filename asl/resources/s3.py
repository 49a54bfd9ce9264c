"""The S3 stub: `aws-sdk:s3` getObject, putObject, headObject, deleteObject, listObjectsV2 and listObjects
over the local S3 folder a run is given (`--s3-dir`, `RunEnvironment.s3`).

Step Functions has no optimized S3 integration (only the ItemReader / ResultWriter resources), so
these are the `aws-sdk:` forms: responses in the AWS SDK for Java v2's shape, errors named
`S3.<Code>Exception` with the SDK v2 cause S3 gives (it adds an Extended Request ID).
"""

from __future__ import annotations

import base64
import datetime
import zlib
from typing import Any

from ..aws import compact_json
from ..errors import StatesError
from ..s3local import sdk_cause
from . import NotHandled, TaskCall

ACTIONS = ("getObject", "putObject", "headObject", "deleteObject", "listObjectsV2", "listObjects")
MAX_KEYS = 1000                     # S3's page size when MaxKeys is not given
DEFAULT_CONTENT_TYPE = "binary/octet-stream"   # what S3 reports for an object stored without one

# The local folder's errors (asl.s3local) as S3 answers them: exception name suffix, HTTP status, message.
_ERRORS = {
    "S3.NoSuchBucket": ("NoSuchBucketException", 404, "The specified bucket does not exist"),
    "S3.NoSuchKey": ("NoSuchKeyException", 404, "The specified key does not exist."),
}


def s3_error(code: str, status: int, message: str) -> StatesError:
    """An `aws-sdk:s3` failure as Step Functions reports it (recorded: S3.NoSuchBucketException ...)."""
    return StatesError(f"S3.{code}", sdk_cause(message, status))


def sdk_time(text: str) -> str:
    """An object's LastModified as the SDK integrations print instants (seconds, `Z`)."""
    moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class S3Stub:
    """Answers the `aws-sdk:s3` actions above against `call.env`'s local S3 folder."""

    needs_s3_folder = True   # without --s3-dir, a Task it owns cannot run (checked before the run)

    def can_handle(self, state_name: str, resource: Any, parameters: Any) -> bool:
        """The S3 SDK actions sfn stands in for (request-response only)."""
        return resource.sdk and resource.service == "s3" and resource.action in ACTIONS and resource.pattern == ""

    def invoke(self, call: TaskCall) -> dict:
        """The action's response, or the StatesError S3 would cause."""
        if not self.can_handle(call.state_name, call.resource, call.parameters):
            raise NotHandled()
        folder = call.env.s3 if call.env is not None else None
        if folder is None:
            raise StatesError("States.Runtime", f"state '{call.state_name}': {call.resource} reaches Amazon S3, which "
                                                "sfn stands in for with a local folder: give one with --s3-dir DIR "
                                                "(SFN_S3_DIR)")
        params = call.parameters if isinstance(call.parameters, dict) else {}
        action = call.resource.action
        bucket = _required(params, "Bucket")
        try:
            if action in ("listObjectsV2", "listObjects"):
                return _list(folder, bucket, params, v2=action == "listObjectsV2")
            key = _required(params, "Key")
            if action == "putObject":
                return _put(folder, bucket, key, params)
            if action == "deleteObject":
                folder.delete(bucket, key)
                return {}
            if action == "headObject":
                try:
                    return _head(folder.head(bucket, key))
                except StatesError:
                    # A HEAD response has no body to name the error: the SDK reports any 404 as NoSuchKey.
                    raise s3_error("NoSuchKeyException", 404, "null") from None
            head = _head(folder.head(bucket, key))
            body = folder.get(bucket, key).decode("utf-8", "replace")
            return {"AcceptRanges": head["AcceptRanges"], "Body": body, **{k: v for k, v in head.items()
                                                                             if k != "AcceptRanges"}}
        except StatesError as err:
            known = _ERRORS.get(err.name)
            if known is None:
                if err.name.startswith("S3.") and "(Service: S3" not in (err.cause or ""):
                    raise s3_error("S3Exception", 400, err.cause or "") from None
                raise
            raise s3_error(*known) from None


def _required(params: dict, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        # The SDK refuses the request before sending it.
        raise StatesError("S3.SdkClientException", f"Parameter '{name}' must not be null")
    return value


def _head(entry: dict) -> dict:
    """HeadObject's response for a local object (what GetObject adds its Body to)."""
    return {"AcceptRanges": "bytes", "ContentLength": entry["Size"], "ContentType": DEFAULT_CONTENT_TYPE,
            "ETag": entry["Etag"], "LastModified": sdk_time(entry["LastModified"]), "Metadata": {},
            "ServerSideEncryption": "AES256"}


def _put(folder: Any, bucket: str, key: str, params: dict) -> dict:
    """PutObject: the Body is stored as its JSON text (recorded: "text data" is stored with its quotes)."""
    body = compact_json(params["Body"]).encode() if "Body" in params else b""
    folder.put(bucket, key, body)
    import hashlib  # here, not at the top: loading OpenSSL costs every start ~2 ms

    crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
    return {"ChecksumCRC32": crc, "ChecksumType": "FULL_OBJECT", "ETag": etag, "ServerSideEncryption": "AES256"}


def _list(folder: Any, bucket: str, params: dict, v2: bool) -> dict:
    """ListObjectsV2 / ListObjects: one page of keys in order, with Delimiter's CommonPrefixes."""
    prefix = params.get("Prefix") or ""
    delimiter = params.get("Delimiter") or ""
    max_keys = params.get("MaxKeys", MAX_KEYS)
    max_keys = max_keys if type(max_keys) is int and 0 <= max_keys <= MAX_KEYS else MAX_KEYS
    after = params.get("StartAfter") or "" if v2 else params.get("Marker") or ""
    token = params.get("ContinuationToken") if v2 else None
    if token:
        after = max(after, base64.b64decode(token).decode())
    contents, prefixes, truncated, last = [], [], False, ""
    for entry in folder.list(bucket, prefix):
        key = entry["Key"]
        if after and key <= after:
            continue
        common = None
        if delimiter:
            cut = key.find(delimiter, len(prefix))
            common = key[:cut + len(delimiter)] if cut >= 0 else None
        if common is not None and prefixes and prefixes[-1]["Prefix"] == common:
            continue
        if len(contents) + len(prefixes) >= max_keys:
            truncated = True
            break
        last = common or key
        if common is not None:
            prefixes.append({"Prefix": common})
        else:
            contents.append({"ETag": entry["Etag"], "Key": key, "LastModified": sdk_time(entry["LastModified"]),
                             "Size": entry["Size"], "StorageClass": entry["StorageClass"]})
    result: dict[str, Any] = {}
    if prefixes:
        result["CommonPrefixes"] = prefixes
    if contents:
        result["Contents"] = contents
    if delimiter:
        result["Delimiter"] = delimiter
    result["IsTruncated"] = truncated
    if v2:
        result["KeyCount"] = len(contents) + len(prefixes)
    else:
        result["Marker"] = params.get("Marker") or ""
    result["MaxKeys"] = max_keys
    result["Name"] = bucket
    if truncated:
        if v2:
            result["NextContinuationToken"] = base64.b64encode(last.encode()).decode()
        elif delimiter:
            result["NextMarker"] = last
    result["Prefix"] = prefix
    if v2 and params.get("StartAfter"):
        result["StartAfter"] = params["StartAfter"]
    if v2 and token:
        result["ContinuationToken"] = token
    return result
