"""SNS and SQS stubs: `sns:publish` and `sqs:sendMessage` (optimized and `aws-sdk:` forms), in memory.

Topics, queues and subscriptions come from the resources file; a definition reaches nothing else:
an undeclared topic or queue fails the Task with the error AWS gives for a missing one.

    topics:
      orders: {}                              # arn:aws:sns:us-east-1:123456789012:orders
      payments.fifo: {content_based_deduplication: true}
    queues:
      order-events: {}                        # https://sqs.us-east-1.amazonaws.com/123456789012/order-events
      shipping: {consumer: handlers:ship}     # a handler consuming the queue Lambda-style
    subscriptions:
      orders:
        - queue: order-events
          filter_policy: {kind: [priority]}    # MessageAttributes scope (or filter_policy_scope: MessageBody)
          raw_message_delivery: false
        - handler: handlers:notify            # called with an SNS {"Records": [...]} event

Topics and queues are found by name (the last part of the ARN or URL). Every message is kept in
`Messaging.messages`, with the execution and state that sent it.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import math
import struct
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import StatesError, UserInputError
from ..source import pointer
from . import NotHandled, TaskCall

REGION = "us-east-1"
ACCOUNT = "123456789012"
DEDUP_WINDOW = datetime.timedelta(minutes=5)   # SNS FIFO and SQS FIFO deduplication interval
_PREFIX = "arn:aws:states:::"
_CALLBACK = ".waitForTaskToken"
_ACTIONS = {"sns:publish": "sns", "sqs:sendMessage": "sqs",
            "aws-sdk:sns:publish": "sns", "aws-sdk:sqs:sendMessage": "sqs"}


@dataclass
class Subscription:
    """A topic's subscriber: a queue or a handler, with an optional filter policy."""

    queue: str | None = None
    handler: Any = None                          # HandlerSpec
    filter_policy: dict | None = None
    filter_scope: str = "MessageAttributes"
    raw: bool = False

    @property
    def protocol(self) -> str:
        """'sqs' or 'lambda', the keys a MessageStructure=json message can target."""
        return "sqs" if self.queue else "lambda"


@dataclass
class Topic:
    """A declared SNS topic."""

    name: str
    arn: str
    content_based_deduplication: bool = False
    subscriptions: list[Subscription] = field(default_factory=list)

    @property
    def fifo(self) -> bool:
        """FIFO topics are named NAME.fifo."""
        return self.name.endswith(".fifo")


@dataclass
class Queue:
    """A declared SQS queue."""

    name: str
    url: str
    content_based_deduplication: bool = False
    consumer: Any = None                         # HandlerSpec

    @property
    def fifo(self) -> bool:
        """FIFO queues are named NAME.fifo."""
        return self.name.endswith(".fifo")

    @property
    def arn(self) -> str:
        """arn:aws:sqs:REGION:ACCOUNT:NAME, from the URL."""
        parts = self.url.rstrip("/").split("/")
        region = parts[2].split(".")[1] if parts[2].startswith("sqs.") else REGION
        return f"arn:aws:sqs:{region}:{parts[-2]}:{parts[-1]}"


@dataclass
class Message:
    """One message a topic or queue received (SMS too), as kept for inspection."""

    message_id: str
    service: str                                 # "sns" or "sqs"
    target: str                                  # topic or queue name, or the phone number
    body: str
    attributes: dict = field(default_factory=dict)
    subject: str | None = None
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    delay_seconds: int = 0
    sent_at: str = ""
    execution_arn: str | None = None
    state_name: str | None = None
    source: str | None = None                    # the topic a queue message was fanned out from
    deliveries: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """A JSON-ready view (what `sfn messages --output json` prints)."""
        return {k: v for k, v in self.__dict__.items()}


class Messaging:
    """The SNS / SQS provider: answers publish and sendMessage against declared topics and queues."""

    def __init__(self, topics: dict[str, Topic] | None = None, queues: dict[str, Queue] | None = None,
                 handlers: Any = None) -> None:
        self.topics = topics or {}
        self.queues = queues or {}
        self.handlers = handlers                 # LocalHandlers for subscribers and consumers
        self.messages: list[Message] = []
        self.listeners: list[Callable[[Message], None]] = []
        self._sequence = 10000000000000000000
        self._dedup: dict[tuple[str, str], tuple[datetime.datetime, Message]] = {}
        self._subscribers: Any = None            # LocalHandlers calling subscribers, made on first delivery

    # -------------------------------------------------------------- provider interface

    def can_handle(self, state_name: str, resource: str, parameters: Any) -> bool:
        """sns:publish and sqs:sendMessage, optimized or aws-sdk, with or without .waitForTaskToken."""
        return _action(resource) is not None

    def invoke(self, call: TaskCall) -> Any:
        """Publish or send; the result has AWS's shape for the integration's form."""
        service = _action(call.resource)
        if service is None:
            raise NotHandled()
        sdk = call.resource.startswith(_PREFIX + "aws-sdk:")
        params = call.parameters if isinstance(call.parameters, dict) else {}
        now = _now(call)
        if service == "sns":
            result = self.publish(params, sdk=sdk, now=now, call=call)
        else:
            result = self.send_message(params, sdk=sdk, now=now, call=call)
        if call.resource.endswith(_CALLBACK):
            from ..callbacks import Submitted

            # Sent: the Task now waits for SendTaskSuccess / Failure with the token in the message.
            return Submitted(result)
        return result

    def messages_for(self, target: str | None = None, execution_arn: str | None = None) -> list[Message]:
        """The kept messages, optionally of one topic or queue and of one execution."""
        return [m for m in self.messages
                if (target is None or m.target == target) and (execution_arn is None or m.execution_arn == execution_arn)]

    # -------------------------------------------------------------- SNS

    def publish(self, params: dict, sdk: bool = False, now: datetime.datetime | None = None,
                call: TaskCall | None = None) -> dict:
        """SNS Publish: to a topic (fanned out to its subscribers) or to a phone number."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        err = _Errors("sns", sdk)
        target = params.get("TopicArn") or params.get("TargetArn")
        phone = params.get("PhoneNumber")
        if "Message" not in params or params["Message"] is None:
            raise err.fail("InvalidParameter", 400, "Invalid parameter: Empty message", "InvalidParameterException")
        message = _text(params["Message"])
        attributes = params.get("MessageAttributes") or {}
        _check_attributes(attributes, err)
        if params.get("MessageStructure") == "json":
            try:
                structure = json.loads(message)
            except ValueError:
                structure = None
            if not isinstance(structure, dict) or "default" not in structure:
                raise err.fail("InvalidParameter", 400, "Invalid parameter: Message Structure - No default entry "
                               "in JSON message body", "InvalidParameterException")
        if not target:
            if not phone:
                raise err.fail("InvalidParameter", 400, "Invalid parameter: TopicArn or TargetArn Reason: no value "
                               "for required parameter", "InvalidParameterException")
            record = self._keep(Message(str(uuid.uuid4()), "sns", str(phone), message, attributes,
                                        params.get("Subject"), sent_at=_iso(now)), call)
            return _sns_result(record, sdk, now)
        topic = self.topics.get(_last(str(target), ":"))
        if topic is None:
            raise err.fail("NotFound", 404, "Topic does not exist", "NotFoundException")
        group, dedup = params.get("MessageGroupId"), params.get("MessageDeduplicationId")
        if topic.fifo:
            if not group:
                raise err.fail("InvalidParameter", 400, "Invalid parameter: The MessageGroupId parameter is "
                               "required for FIFO topics", "InvalidParameterException")
            if not dedup and not topic.content_based_deduplication:
                raise err.fail("InvalidParameter", 400, "Invalid parameter: The topic should either have "
                               "ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                               "InvalidParameterException")
            dedup = dedup or hashlib.sha256(message.encode()).hexdigest()
        elif dedup:
            raise err.fail("InvalidParameter", 400, "Invalid parameter: MessageDeduplicationId Reason: The "
                           "request includes MessageDeduplicationId parameter that is not valid for this topic "
                           "type", "InvalidParameterException")
        record = Message(str(uuid.uuid4()), "sns", topic.name, message, attributes, params.get("Subject"),
                         group, dedup if topic.fifo else None, sent_at=_iso(now))
        if topic.fifo:
            earlier = self._duplicate(topic.name, dedup, now)
            if earlier is not None:
                return _sns_result(earlier, sdk, now)   # accepted again, delivered once
            record.sequence_number = self._next_sequence()
            self._dedup[(topic.name, dedup)] = (now, record)
        self._keep(record, call)
        self._fan_out(topic, record, params.get("MessageStructure") == "json", now, call)
        return _sns_result(record, sdk, now)

    def _fan_out(self, topic: Topic, record: Message, structured: bool, now: datetime.datetime,
                 call: TaskCall | None) -> None:
        for sub in topic.subscriptions:
            body = record.body
            if structured:
                choices = json.loads(record.body)
                body = _text(choices.get(sub.protocol, choices["default"]))
            if not _accepts(sub, body, record.attributes):
                record.deliveries.append({"endpoint": sub.queue or sub.handler.target, "status": "FILTERED"})
                continue
            envelope = _envelope(topic, record, body, now)
            if sub.queue:
                queue = self.queues[sub.queue]
                queued = Message(str(uuid.uuid4()), "sqs", queue.name, body if sub.raw else json.dumps(envelope),
                                 record.attributes if sub.raw else {}, group_id=record.group_id,
                                 deduplication_id=record.deduplication_id, sent_at=_iso(now), source=topic.name)
                if queue.fifo:
                    queued.sequence_number = self._next_sequence()
                self._keep(queued, call)
                self._consume(queue, queued, call)
                record.deliveries.append({"endpoint": queue.name, "status": "DELIVERED", "message_id": queued.message_id})
            else:
                event = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                                      "EventSubscriptionArn": f"{topic.arn}:{uuid.uuid4()}",
                                      "Sns": {**envelope, "SigningCertUrl": envelope.pop("SigningCertURL"),
                                              "UnsubscribeUrl": envelope.pop("UnsubscribeURL")}}]}
                record.deliveries.append(self._deliver(sub.handler, event, call))

    # -------------------------------------------------------------- SQS

    def send_message(self, params: dict, sdk: bool = False, now: datetime.datetime | None = None,
                     call: TaskCall | None = None) -> dict:
        """SQS SendMessage to a declared queue (FIFO ordering and deduplication included)."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        err = _Errors("sqs", sdk)
        url = params.get("QueueUrl")
        if not url:
            raise err.fail("MissingParameter", 400, "The request must contain the parameter QueueUrl.")
        queue = self.queues.get(_last(str(url).rstrip("/"), "/"))
        if queue is None:
            raise err.fail("AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.",
                           "QueueDoesNotExistException")
        if params.get("MessageBody") in (None, ""):
            raise err.fail("MissingParameter", 400, "The request must contain the parameter MessageBody.")
        body = _text(params["MessageBody"])
        attributes = params.get("MessageAttributes") or {}
        _check_attributes(attributes, err)
        delay = params.get("DelaySeconds", 0)
        group, dedup = params.get("MessageGroupId"), params.get("MessageDeduplicationId")
        if type(delay) is not int or not 0 <= delay <= 900:
            raise err.fail("InvalidParameterValue", 400, f"Value {delay} for parameter DelaySeconds is invalid. "
                           f"Reason: Must be >= 0 and <= 900.")
        if queue.fifo:
            if not group:
                raise err.fail("MissingParameter", 400, "The request must contain the parameter MessageGroupId.")
            if not dedup and not queue.content_based_deduplication:
                raise err.fail("InvalidParameterValue", 400, "The queue should either have ContentBasedDeduplication "
                               "enabled or MessageDeduplicationId provided explicitly")
            if delay:
                raise err.fail("InvalidParameterValue", 400, f"Value {delay} for parameter DelaySeconds is invalid. "
                               f"Reason: The request include parameter that is not valid for this queue type.")
            dedup = dedup or hashlib.sha256(body.encode()).hexdigest()
        elif dedup:
            raise err.fail("InvalidParameterValue", 400, f"Value {dedup} for parameter MessageDeduplicationId is "
                           f"invalid. Reason: The request include parameter that is not valid for this queue type.")
        record = Message(str(uuid.uuid4()), "sqs", queue.name, body, attributes, None, group,
                         dedup if queue.fifo else None, delay_seconds=delay, sent_at=_iso(now))
        if queue.fifo:
            earlier = self._duplicate(queue.name, dedup, now)
            if earlier is not None:
                return _sqs_result(earlier, sdk, now)   # accepted, not enqueued again
            record.sequence_number = self._next_sequence()
            self._dedup[(queue.name, dedup)] = (now, record)
        self._keep(record, call)
        self._consume(queue, record, call)
        return _sqs_result(record, sdk, now)

    def _consume(self, queue: Queue, record: Message, call: TaskCall | None) -> None:
        """Hand a queued message to the queue's consumer handler, if it has one (as Lambda's SQS poller does)."""
        if queue.consumer is None:
            return
        attributes = {"ApproximateReceiveCount": "1", "SentTimestamp": str(_epoch_ms(record.sent_at)),
                      "SenderId": ACCOUNT, "ApproximateFirstReceiveTimestamp": str(_epoch_ms(record.sent_at))}
        if queue.fifo:
            attributes.update({"MessageGroupId": record.group_id, "SequenceNumber": record.sequence_number,
                               "MessageDeduplicationId": record.deduplication_id})
        event = {"Records": [{
            "messageId": record.message_id, "receiptHandle": str(uuid.uuid4()), "body": record.body,
            "attributes": attributes,
            "messageAttributes": {name: {"stringValue": a.get("StringValue"), "binaryValue": a.get("BinaryValue"),
                                         "stringListValues": [], "binaryListValues": [], "dataType": a.get("DataType")}
                                  for name, a in record.attributes.items()},
            "md5OfBody": _md5(record.body), "eventSource": "aws:sqs", "eventSourceARN": queue.arn,
            "awsRegion": REGION}]}
        record.deliveries.append(self._deliver(queue.consumer, event, call))

    # -------------------------------------------------------------- shared

    def _deliver(self, spec: Any, event: dict, call: TaskCall | None) -> dict:
        """Call a subscriber / consumer handler; its failure is recorded, not raised (delivery is async in AWS)."""
        from .local import LocalHandlers

        key = f"subscriber:{spec.target}"
        if self._subscribers is None:
            self._subscribers = LocalHandlers({}, getattr(self.handlers, "base_dir", None))
        self._subscribers.handlers[key] = spec
        sub_call = TaskCall(call.state_name if call else "", key, event, 0,
                            call.context if call else {}, None, None, None, call.interpreter if call else None)
        try:
            self._subscribers.invoke(sub_call)
        except StatesError as exc:
            return {"endpoint": spec.target, "status": "FAILED", "error": exc.name, "cause": exc.cause}
        return {"endpoint": spec.target, "status": "DELIVERED"}

    def _keep(self, record: Message, call: TaskCall | None) -> Message:
        if call is not None:
            record.execution_arn = (call.context.get("Execution") or {}).get("Id")
            record.state_name = call.state_name
        self.messages.append(record)
        for listener in self.listeners:
            listener(record)
        return record

    def _duplicate(self, target: str, dedup: str, now: datetime.datetime) -> Message | None:
        seen = self._dedup.get((target, dedup))
        if seen is not None and now - seen[0] < DEDUP_WINDOW:
            return seen[1]
        return None

    def _next_sequence(self) -> str:
        self._sequence += 1
        return f"{self._sequence:020d}"


# ------------------------------------------------------------------ AWS's errors and result shapes

class _Errors:
    """Error names and causes as Step Functions reports them: SDK v1 style for optimized, v2 for aws-sdk."""

    def __init__(self, service: str, sdk: bool) -> None:
        self.service = service
        self.sdk = sdk

    def fail(self, code: str, status: int, message: str, exception: str | None = None) -> StatesError:
        request_id = str(uuid.uuid4())
        if self.sdk:
            prefix = self.service.capitalize()
            return StatesError(f"{prefix}.{exception or prefix + 'Exception'}",
                               f"{message} (Service: {prefix}, Status Code: {status}, Request ID: {request_id})")
        prefix = self.service.upper()
        # SendMessage models no errors in the SDK Step Functions uses, so every SQS failure is AmazonSQSException.
        name = exception if exception and self.service == "sns" else f"Amazon{prefix}Exception"
        return StatesError(f"{prefix}.{name}", f"{message} (Service: Amazon{prefix}; Status Code: {status}; "
                                               f"Error Code: {code}; Request ID: {request_id}; Proxy: null)")


def _http_metadata(content_type: str, length: int, request_id: str, now: datetime.datetime | None = None) -> dict:
    date = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {"x-amzn-RequestId": [request_id], "connection": ["keep-alive"],
                               "Content-Length": [str(length)], "Date": [date], "Content-Type": [content_type]},
            "HttpHeaders": {"connection": "keep-alive", "Content-Length": str(length), "Content-Type": content_type,
                            "Date": date, "x-amzn-RequestId": request_id},
            "HttpStatusCode": 200},
        "SdkResponseMetadata": {"RequestId": request_id}}


def _sns_result(record: Message, sdk: bool, now: datetime.datetime) -> dict:
    result = {"MessageId": record.message_id}
    if record.sequence_number:
        result["SequenceNumber"] = record.sequence_number
    if sdk:
        return result
    request_id = str(uuid.uuid4())
    sequence = f"    <SequenceNumber>{record.sequence_number}</SequenceNumber>\n" if record.sequence_number else ""
    # SNS answers in XML: Content-Length is the length of that document.
    xml = (f'<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">\n  <PublishResult>\n'
           f"    <MessageId>{record.message_id}</MessageId>\n{sequence}  </PublishResult>\n  <ResponseMetadata>\n"
           f"    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</PublishResponse>\n")
    return {**result, **_http_metadata("text/xml", len(xml), request_id, now)}


def _sqs_result(record: Message, sdk: bool, now: datetime.datetime) -> dict:
    result = {"MD5OfMessageBody": _md5(record.body), "MessageId": record.message_id}
    if record.attributes:
        result = {"MD5OfMessageAttributes": attributes_md5(record.attributes), **result}
    if record.sequence_number:
        result["SequenceNumber"] = record.sequence_number
    if sdk:
        return result
    request_id = str(uuid.uuid4())
    length = len(json.dumps(result, separators=(",", ":")))
    return {**result, **_http_metadata("application/x-amz-json-1.0", length, request_id, now)}


def attributes_md5(attributes: dict) -> str:
    """MD5OfMessageAttributes as SQS computes it (sorted names; length-prefixed name, type, value)."""
    digest = hashlib.md5()

    def put(data: bytes) -> None:
        digest.update(struct.pack(">I", len(data)) + data)

    for name in sorted(attributes):
        attr = attributes[name]
        data_type = str(attr.get("DataType", ""))
        put(name.encode())
        put(data_type.encode())
        if "BinaryValue" in attr and not data_type.startswith(("String", "Number")):
            digest.update(b"\x02")
            value = attr["BinaryValue"]
            put(base64.b64decode(value) if isinstance(value, str) else bytes(value))
        else:
            digest.update(b"\x01")
            put(str(attr.get("StringValue", "")).encode())
    return digest.hexdigest()


def _check_attributes(attributes: Any, err: _Errors) -> None:
    if not isinstance(attributes, dict):
        raise err.fail("InvalidParameterValue", 400, "MessageAttributes must be a map", "InvalidParameterException")
    for name, attr in attributes.items():
        if not isinstance(attr, dict) or not attr.get("DataType"):
            raise err.fail("InvalidParameterValue", 400, f"The message attribute '{name}' must contain non-empty "
                           f"message attribute type.", "InvalidParameterException")
        if "StringValue" not in attr and "BinaryValue" not in attr:
            raise err.fail("InvalidParameterValue", 400, f"The message attribute '{name}' must contain non-empty "
                           f"message attribute value.", "InvalidParameterException")


def _envelope(topic: Topic, record: Message, body: str, now: datetime.datetime) -> dict:
    """The JSON an SNS subscriber receives (unless raw message delivery is on)."""
    envelope = {"Type": "Notification", "MessageId": record.message_id}
    if record.sequence_number:
        envelope["SequenceNumber"] = record.sequence_number
    envelope["TopicArn"] = topic.arn
    if record.subject is not None:
        envelope["Subject"] = record.subject
    envelope.update({
        "Message": body, "Timestamp": _iso(now), "SignatureVersion": "1", "Signature": "LOCAL",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-local.pem",
        "UnsubscribeURL": f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic.arn}"})
    if record.attributes:
        envelope["MessageAttributes"] = {n: {"Type": a.get("DataType"), "Value": a.get("StringValue", a.get("BinaryValue"))}
                                         for n, a in record.attributes.items()}
    return envelope


# ------------------------------------------------------------------ filter policies

def _accepts(sub: Subscription, body: str, attributes: dict) -> bool:
    if not sub.filter_policy:
        return True
    if sub.filter_scope == "MessageBody":
        try:
            payload = json.loads(body)
        except ValueError:
            return False
        return isinstance(payload, dict) and policy_matches(sub.filter_policy, payload)
    values = {}
    for name, attr in attributes.items():
        value = attr.get("StringValue")
        data_type = str(attr.get("DataType", ""))
        if data_type.startswith("Number"):
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass
        elif data_type.startswith("String.Array"):
            try:
                value = json.loads(value)
            except (TypeError, ValueError, RecursionError):  # not an array: matched as the text it is
                pass
        values[name] = value
    return policy_matches(sub.filter_policy, values)


_MISSING = object()


def policy_matches(policy: dict, payload: dict) -> bool:
    """Whether an SNS filter policy accepts a message (attributes, or a JSON body with nested keys)."""
    for key, rule in policy.items():
        if key == "$or":
            if not any(policy_matches(p, payload) for p in rule):
                return False
            continue
        value = payload.get(key, _MISSING) if isinstance(payload, dict) else _MISSING
        if isinstance(rule, dict):   # nested keys (MessageBody scope)
            if not isinstance(value, dict) or not policy_matches(rule, value):
                return False
            continue
        conditions = rule if isinstance(rule, list) else [rule]
        if not any(_condition(c, value) for c in conditions):
            return False
    return True


def _condition(condition: Any, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if not isinstance(condition, dict):
        return value is not _MISSING and any(_equal(condition, v) for v in values)
    if len(condition) != 1:
        return False
    op, arg = next(iter(condition.items()))
    if op == "exists":
        return (value is not _MISSING) == bool(arg)
    if value is _MISSING:
        return False
    if op == "prefix":
        return any(isinstance(v, str) and v.startswith(arg) for v in values)
    if op == "suffix":
        return any(isinstance(v, str) and v.endswith(arg) for v in values)
    if op == "equals-ignore-case":
        return any(isinstance(v, str) and v.lower() == str(arg).lower() for v in values)
    if op == "anything-but":
        if isinstance(arg, dict):
            return not any(_condition(arg, v) for v in values)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_equal(e, v) for e in excluded for v in values)
    if op == "numeric":
        return any(_numeric(arg, v) for v in values)
    return False


def _equal(expected: Any, value: Any) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return float(value) == float(expected)
        except (TypeError, ValueError):
            return False
    return expected == value


def _numeric(ops: list, value: Any) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    checks = {"=": number.__eq__, "<": number.__lt__, "<=": number.__le__, ">": number.__gt__, ">=": number.__ge__}
    try:
        return all(checks[ops[i]](float(ops[i + 1])) for i in range(0, len(ops) - 1, 2))
    except (KeyError, TypeError, ValueError):  # a policy built in Python, not checked by filter_policy_problem
        return False


_STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case")
_OPERATORS = ("anything-but", "equals-ignore-case", "exists", "numeric", "prefix", "suffix")
_LOWER, _UPPER = (">", ">="), ("<", "<=")


def filter_policy_problem(policy: Any, scope: str = "MessageAttributes") -> tuple[str, str] | None:
    """What SNS would refuse in a filter policy (or what sfn cannot evaluate): (JSON pointer, message), or None."""
    try:
        _check_policy(policy, scope, ())
    except _PolicyProblem as problem:
        return pointer(*problem.where), problem.message
    except RecursionError:
        return "", "a filter policy nested too deeply"
    return None


class _PolicyProblem(Exception):
    """Where in a filter policy (JSON pointer tokens) the first problem is, and what it is."""

    def __init__(self, where: tuple, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def _check_policy(policy: Any, scope: str, where: tuple) -> None:
    if not isinstance(policy, dict):
        raise _PolicyProblem(where, "a filter policy must be a mapping of keys to lists of conditions")
    for key, rule in policy.items():
        at = (*where, key)
        if key == "$or":
            if not isinstance(rule, list) or not rule:
                raise _PolicyProblem(at, "'$or' takes a list of filter policies")
            for i, alternative in enumerate(rule):
                _check_policy(alternative, scope, (*at, i))
        elif isinstance(rule, dict):
            if scope != "MessageBody":
                raise _PolicyProblem(at, f"nested keys under '{key}' need filter_policy_scope: MessageBody "
                                         f"(message attributes are not nested)")
            if not rule:
                raise _PolicyProblem(at, f"'{key}' has no keys under it")
            _check_policy(rule, scope, at)
        elif isinstance(rule, list):
            if not rule:
                raise _PolicyProblem(at, f"'{key}' has an empty list of conditions (it would match nothing)")
            for i, condition in enumerate(rule):
                _check_condition(condition, (*at, i))
        else:
            raise _PolicyProblem(at, f"the value of '{key}' must be a list of conditions, such as "
                                     f"[{_show(rule)}]")


def _show(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_condition(condition: Any, where: tuple) -> None:
    if condition is None or isinstance(condition, (str, bool)) or _is_number(condition):
        return  # an exact value
    if not isinstance(condition, dict):
        raise _PolicyProblem(where, "a condition is a string, a number, true, false, null or an "
                                    "{operator: value} mapping")
    if len(condition) != 1:
        raise _PolicyProblem(where, f"a condition mapping holds exactly one operator (got {len(condition)})")
    op, arg = next(iter(condition.items()))
    at = (*where, op)
    if op in _STRING_OPERATORS:
        if not isinstance(arg, str):
            raise _PolicyProblem(at, f"'{op}' takes a string")
    elif op == "exists":
        if not isinstance(arg, bool):
            raise _PolicyProblem(at, "'exists' takes true or false")
    elif op == "numeric":
        _check_numeric(arg, at)
    elif op == "anything-but":
        if isinstance(arg, dict):
            inner = next(iter(arg), None)
            if len(arg) != 1 or inner not in _STRING_OPERATORS or not isinstance(arg[inner], str):
                raise _PolicyProblem(at, "'anything-but' takes a value, a list of values, or one of "
                                         "{prefix: STRING}, {suffix: STRING}, {equals-ignore-case: STRING}")
        elif isinstance(arg, list):
            if not arg:
                raise _PolicyProblem(at, "'anything-but' has an empty list")
            for i, value in enumerate(arg):
                if not (isinstance(value, str) or _is_number(value)):
                    raise _PolicyProblem((*at, i), "'anything-but' lists strings or numbers")
        elif not (isinstance(arg, str) or _is_number(arg)):
            raise _PolicyProblem(at, "'anything-but' takes a string, a number or a list of them")
    else:
        raise _PolicyProblem(at, f"unsupported filter operator '{op}' (sfn evaluates: {', '.join(_OPERATORS)})")


def _check_numeric(ops: Any, at: tuple) -> None:
    shape = "'numeric' takes [OPERATOR, NUMBER] or a range [\">\"|\">=\", NUMBER, \"<\"|\"<=\", NUMBER]"
    if not isinstance(ops, list) or len(ops) not in (2, 4):
        raise _PolicyProblem(at, shape)
    for i in range(0, len(ops), 2):
        if not _is_number(ops[i + 1]):
            raise _PolicyProblem((*at, i + 1), f"'numeric' compares with numbers (got {_show(ops[i + 1])})")
    allowed = [("=", *_LOWER, *_UPPER)] if len(ops) == 2 else [_LOWER, _UPPER]
    for i, operators in zip(range(0, len(ops), 2), allowed):
        if ops[i] not in operators:
            raise _PolicyProblem((*at, i), f"{shape} (got {_show(ops[i])})")


# ------------------------------------------------------------------ helpers

def _action(resource: str) -> str | None:
    if not resource.startswith(_PREFIX):
        return None
    action = resource[len(_PREFIX):]
    return _ACTIONS.get(action[:-len(_CALLBACK)] if action.endswith(_CALLBACK) else action)


def _text(value: Any) -> str:
    """A Message / MessageBody as sent: JSON values other than strings are serialised."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _last(text: str, sep: str) -> str:
    return text.rsplit(sep, 1)[-1]


def _now(call: TaskCall) -> datetime.datetime:
    clock = getattr(call.interpreter, "clock", None)
    return clock.now() if clock is not None else datetime.datetime.now(datetime.timezone.utc)


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _epoch_ms(iso_text: str) -> int:
    moment = datetime.datetime.strptime(iso_text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp() * 1000)


# ------------------------------------------------------------------ the resources file's sections

def messaging_from_config(config: Any, handlers: Any = None) -> Messaging:
    """Topics, queues and subscriptions of a ResourcesConfig; errors are `FILE:LINE:COLUMN: message`.

    Subscriber and consumer handlers are imported now, as Task handlers are: a bad one fails before the run.
    """
    from .local import HandlerSpec, LocalHandlers

    topics: dict[str, Topic] = {}
    queues: dict[str, Queue] = {}
    if handlers is None:
        handlers = config.local_handlers()
    # Imports subscribers now; the stub then calls them through it (each imported once).
    importer = LocalHandlers({}, getattr(handlers, "base_dir", config.base_dir))

    def options(section: str, name: str, raw: Any, allowed: set[str]) -> dict:
        raw = {} if raw is None else raw
        if not isinstance(raw, dict):
            raise UserInputError(f"{section[:-1]} '{name}' must be a mapping of options", config.location(f"/{section}/{name}"))
        for key in raw:
            if key not in allowed:
                raise UserInputError(f"unknown option '{key}' (known: {', '.join(sorted(allowed))})",
                                     config.location(f"/{section}/{name}/{key}"))
        return raw

    def flag(opts: dict, key: str, ptr: str) -> bool:
        value = opts.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):  # 'yes' / 'false' as text would silently mean true
            raise UserInputError(f"{key} must be true or false (got {_show(value)})", config.location(f"{ptr}/{key}"))
        return value

    def handler(target: Any, ptr: str) -> HandlerSpec:
        where = config.location(ptr)
        if isinstance(target, str) and target in config.handlers:
            spec = config.handlers[target]
        elif not isinstance(target, str) or ":" not in target:
            raise UserInputError("a handler must be 'module:function' or a name from the handlers section", where)
        else:
            spec = HandlerSpec(target, where)
        importer.function(spec)
        return spec

    for name, raw in config.section("topics").items():
        ptr = f"/topics/{name}"
        opts = options("topics", name, raw, {"arn", "content_based_deduplication"})
        arn = opts.get("arn")
        if arn is not None and not (isinstance(arn, str) and arn.startswith("arn:")):
            raise UserInputError(f"arn must be a topic ARN, arn:aws:sns:REGION:ACCOUNT:NAME (got {_show(arn)})",
                                 config.location(f"{ptr}/arn"))
        topics[str(name)] = Topic(str(name), arn or f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}",
                                  flag(opts, "content_based_deduplication", ptr))
    for name, raw in config.section("queues").items():
        ptr = f"/queues/{name}"
        opts = options("queues", name, raw, {"url", "content_based_deduplication", "consumer"})
        url = opts.get("url")
        # Queue.arn reads the region from the host and the account and name from the path.
        if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))
                                    and len(url.rstrip("/").split("/")) == 5):
            raise UserInputError(f"url must be a queue URL, https://sqs.REGION.amazonaws.com/ACCOUNT/NAME "
                                 f"(got {_show(url)})", config.location(f"{ptr}/url"))
        consumer = handler(opts["consumer"], f"{ptr}/consumer") if opts.get("consumer") is not None else None
        queues[str(name)] = Queue(str(name), url or f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}",
                                  flag(opts, "content_based_deduplication", ptr), consumer)
    for topic_name, subs in config.section("subscriptions").items():
        ptr = f"/subscriptions/{topic_name}"
        topic = topics.get(str(topic_name))
        if topic is None:
            raise UserInputError(f"subscriptions to '{topic_name}', which the topics section does not declare",
                                 config.location(ptr))
        if not isinstance(subs, list):
            raise UserInputError("subscriptions of a topic must be a list", config.location(ptr))
        for i, raw in enumerate(subs):
            sptr = f"{ptr}/{i}"
            opts = options("subscriptions", f"{topic_name}/{i}", raw,
                           {"queue", "handler", "filter_policy", "filter_policy_scope", "raw_message_delivery"})
            if ("queue" in opts) == ("handler" in opts):
                raise UserInputError("a subscription names exactly one of queue or handler", config.location(sptr))
            scope = opts.get("filter_policy_scope", "MessageAttributes")
            if scope not in ("MessageAttributes", "MessageBody"):
                raise UserInputError("filter_policy_scope is MessageAttributes or MessageBody",
                                     config.location(f"{sptr}/filter_policy_scope"))
            policy = opts.get("filter_policy")
            if policy is not None:
                problem = filter_policy_problem(policy, scope)
                if problem is not None:
                    where, message = problem
                    raise UserInputError(f"filter_policy: {message}", config.location(f"{sptr}/filter_policy{where}"))
            sub = Subscription(filter_policy=policy, filter_scope=scope, raw=flag(opts, "raw_message_delivery", sptr))
            if "queue" in opts:
                queue = queues.get(str(opts["queue"]))
                if queue is None:
                    raise UserInputError(f"queue '{opts['queue']}' is not declared in the queues section",
                                         config.location(f"{sptr}/queue"))
                if topic.fifo and not queue.fifo:
                    raise UserInputError("a FIFO topic delivers only to FIFO queues", config.location(f"{sptr}/queue"))
                sub.queue = queue.name
            else:
                sub.handler = handler(opts["handler"], f"{sptr}/handler")
            topic.subscriptions.append(sub)
    stub = Messaging(topics, queues, handlers)
    stub._subscribers = importer
    return stub
