"""The local AWS account and AWS's shapes: ARNs, queue URLs, request ids, HTTP metadata, errors.

Everything that names or shapes something as AWS would is built here, once; a Task's `Resource`
is parsed here into a `Resource` value when the model is built, so nothing else tests resource
strings.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from .record import record

PARTITION = "aws"
REGION = "us-east-1"
ACCOUNT = "123456789012"


def configure(region: str | None = None, account: str | None = None) -> None:
    """Use another local region or account in every ARN from now on (sfn serve's AWS_DEFAULT_REGION /
    AWS_ACCOUNT_ID); None keeps the current one."""
    global REGION, ACCOUNT
    REGION = region or REGION
    ACCOUNT = account or ACCOUNT


# ------------------------------------------------------------------ names and ARNs

def request_id() -> str:
    """A fresh request id (x-amzn-RequestId), as AWS makes them."""
    return str(uuid.uuid4())


def state_machine_arn(name: str, region: str | None = None, account: str | None = None) -> str:
    """arn:aws:states:REGION:ACCOUNT:stateMachine:NAME (the local region and account by default)."""
    return f"arn:{PARTITION}:states:{region or REGION}:{account or ACCOUNT}:stateMachine:{name}"


def execution_arn(machine: str, name: str, region: str | None = None, account: str | None = None,
                  express_id: str | None = None) -> str:
    """A Standard execution's ARN, or an Express one's (`express:MACHINE:NAME:ID`) given its run id."""
    region, account = region or REGION, account or ACCOUNT
    if express_id is not None:
        return f"arn:{PARTITION}:states:{region}:{account}:express:{machine}:{name}:{express_id}"
    return f"arn:{PARTITION}:states:{region}:{account}:execution:{machine}:{name}"


def map_run_arn(machine: str, label: str, region: str | None = None, account: str | None = None) -> str:
    """A Distributed Map's Map Run ARN (a fresh run id each time)."""
    region, account = region or REGION, account or ACCOUNT
    return f"arn:{PARTITION}:states:{region}:{account}:mapRun:{machine}/{label}:{uuid.uuid4()}"


def role_arn(machine: str, account: str | None = None) -> str:
    """The (local, fictional) role an execution of a machine runs as."""
    account = account or ACCOUNT
    return f"arn:{PARTITION}:iam::{account}:role/service-role/StepFunctions-{machine}-role"


def arn_region(arn: str) -> str:
    """The region part of an ARN (the local region when it has none)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else REGION


def arn_account(arn: str) -> str:
    """The account part of an ARN (the local account when it has none)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else ACCOUNT


def function_arn(name: str) -> str:
    """A Lambda function name as its ARN (ARNs pass through)."""
    if name.startswith("arn:"):
        return name
    return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{name}"


def function_name(resource_or_name: str) -> str:
    """The function name inside a Lambda ARN (`...:function:NAME[:alias]`), or the name itself."""
    if ":function:" in resource_or_name:
        return resource_or_name.split(":function:", 1)[1].split(":", 1)[0]
    return resource_or_name


def topic_arn(name: str) -> str:
    """arn:aws:sns:REGION:ACCOUNT:NAME."""
    return f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{name}"


def queue_url(name: str) -> str:
    """https://sqs.REGION.amazonaws.com/ACCOUNT/NAME."""
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"


def queue_arn(url: str) -> str:
    """arn:aws:sqs:REGION:ACCOUNT:NAME, from a queue URL."""
    parts = url.rstrip("/").split("/")
    region = parts[2].split(".")[1] if parts[2].startswith("sqs.") else REGION
    return f"arn:{PARTITION}:sqs:{region}:{parts[-2]}:{parts[-1]}"


def last_part(text: str, sep: str) -> str:
    """What follows the last separator: a topic name in its ARN, a queue name in its URL."""
    return text.rsplit(sep, 1)[-1]


# ------------------------------------------------------------------ time and JSON

def iso_millis(moment: datetime.datetime) -> str:
    """2024-01-02T03:04:05.678Z, as AWS prints timestamps in messages."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch_millis(moment: datetime.datetime) -> int:
    """Milliseconds since the epoch (the SDK's timestamps in responses)."""
    return int(moment.timestamp() * 1000)


def utc_now() -> datetime.datetime:
    """The wall clock, in UTC."""
    return datetime.datetime.now(datetime.timezone.utc)


def compact_json(value: Any) -> str:
    """JSON text as AWS prints values inside messages and events: no spaces."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ------------------------------------------------------------------ responses and errors

def http_metadata(content_type: str, length: int, request: str, now: datetime.datetime | None = None) -> dict:
    """The SdkHttpMetadata / SdkResponseMetadata an optimized integration adds to a response."""
    date = (now or utc_now()).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {"x-amzn-RequestId": [request], "connection": ["keep-alive"],
                               "Content-Length": [str(length)], "Date": [date], "Content-Type": [content_type]},
            "HttpHeaders": {"connection": "keep-alive", "Content-Length": str(length), "Content-Type": content_type,
                            "Date": date, "x-amzn-RequestId": request},
            "HttpStatusCode": 200},
        "SdkResponseMetadata": {"RequestId": request}}


def sdk_v1_cause(service: str, message: str, status: int, code: str) -> str:
    """The cause of an optimized integration's service error (AWS SDK for Java v1 wording)."""
    return (f"{message} (Service: {service}; Status Code: {status}; Error Code: {code}; "
            f"Request ID: {request_id()}; Proxy: null)")


def sdk_v2_cause(service: str, message: str, status: int) -> str:
    """The cause of an `aws-sdk:` integration's service error (AWS SDK for Java v2 wording)."""
    return f"{message} (Service: {service}, Status Code: {status}, Request ID: {request_id()})"


# ------------------------------------------------------------------ Task resources

_STATES = "arn:aws:states:::"
PATTERNS = (".sync:2", ".sync", ".waitForTaskToken")   # longest first: ".sync:2" before ".sync"
FUNCTION, INTEGRATION, ACTIVITY, UNKNOWN = "function", "integration", "activity", "unknown"


@record(frozen=True)
class Resource:
    """A Task's Resource, parsed once: what it reaches and how the Task waits for it.

    `arn:aws:lambda:REGION:ACCOUNT:function:NAME` is a function; `arn:aws:states:::SERVICE:ACTION`
    (or `aws-sdk:SERVICE:ACTION`) an integration with a `pattern` of "", ".sync", ".sync:2" or
    ".waitForTaskToken"; `arn:aws:states:REGION:ACCOUNT:activity:NAME` an activity.
    """

    arn: str
    kind: str
    service: str = ""               # "lambda", "sns", "states", "s3" (the SDK's service for aws-sdk)
    action: str = ""                # "invoke", "publish", "startExecution", "putObject"
    sdk: bool = False               # an `aws-sdk:` integration
    pattern: str = ""
    function: str | None = None     # a function's name

    def __str__(self) -> str:
        return self.arn

    @property
    def api(self) -> str:
        """`service:action` without the pattern (`aws-sdk:` kept) of an integration, the key providers
        match on; "" for functions, activities and unknown resources."""
        if self.kind != INTEGRATION:
            return ""
        return f"aws-sdk:{self.service}:{self.action}" if self.sdk else f"{self.service}:{self.action}"

    @property
    def resource_type(self) -> str:
        """TaskScheduled's resourceType: `lambda`, `aws-sdk:s3`, `activity`."""
        if self.kind == INTEGRATION:
            return f"aws-sdk:{self.service}" if self.sdk else self.service
        return self.kind if self.kind == ACTIVITY else "unknown"

    @property
    def event_resource(self) -> str:
        """TaskScheduled's resource: the action with its pattern (`invoke.waitForTaskToken`), else the ARN."""
        return self.action + self.pattern if self.kind == INTEGRATION else self.arn

    @property
    def callback(self) -> bool:
        """`.waitForTaskToken`: the Task waits for SendTaskSuccess / Failure."""
        return self.pattern == ".waitForTaskToken"

    @property
    def job(self) -> bool:
        """`.sync` / `.sync:2`: the Task waits for the job it started."""
        return self.pattern.startswith(".sync")

    @property
    def has_token(self) -> bool:
        """Whether the Task gets `$$.Task.Token` (callbacks, and `.sync` as AWS gives it one)."""
        return self.pattern != ""


def parse_resource(arn: str) -> Resource:
    """The Resource a Task's ARN names (never raises: validation reports malformed ones)."""
    if arn.startswith(_STATES):
        rest = arn[len(_STATES):]
        pattern = next((p for p in PATTERNS if rest.endswith(p)), "")
        rest = rest[: len(rest) - len(pattern)]
        sdk = rest.startswith("aws-sdk:")
        if sdk:
            rest = rest[len("aws-sdk:"):]
        service, _, action = rest.partition(":")
        return Resource(arn, INTEGRATION, service, action, sdk, pattern)
    parts = arn.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[2] == "lambda" and parts[5] == "function":
        return Resource(arn, FUNCTION, "lambda", "invoke", function=parts[6])
    if len(parts) >= 7 and parts[0] == "arn" and parts[2] == "states" and parts[5] == "activity":
        return Resource(arn, ACTIVITY, "states", "activity")
    return Resource(arn, UNKNOWN)


def start_execution_response(arn: str, started: datetime.datetime) -> dict:
    """StartExecution's response as the optimized integration returns it (TaskSubmitted's output)."""
    request = request_id()
    body = compact_json({"executionArn": arn, "startDate": round(started.timestamp(), 3)})
    return {"ExecutionArn": arn, **http_metadata("application/x-amz-json-1.0", len(body), request, started),
            "StartDate": epoch_millis(started)}
