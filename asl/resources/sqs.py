"""The SQS stub: `sqs:sendMessage` (optimized and `aws-sdk:` forms) to the queues a resources file declares.

An undeclared queue fails the Task with the error AWS gives for a missing one. A queue with a
`consumer` hands each message to that handler as Lambda's SQS poller would.
"""

from __future__ import annotations

import base64
import datetime
import struct
import uuid
from typing import Any

from .. import aws
from ..aws import compact_json, http_metadata, iso_millis, last_part, request_id
from . import TaskCall
from .config import Queue
from .messages import Message, MessageLog, MessageStub, ServiceErrors, call_now, check_attributes, deliver, md5, message_text


class SqsStub(MessageStub):
    """Answers SendMessage against declared queues; every message goes to the run's MessageLog."""

    ACTIONS = ("sqs:sendMessage", "aws-sdk:sqs:sendMessage")

    def __init__(self, queues: dict[str, Queue], log: MessageLog, handlers: Any = None) -> None:
        self.queues = queues
        self.log = log
        self.handlers = handlers                 # LocalHandlers calling queue consumers

    def send(self, params: dict, sdk: bool, now: datetime.datetime, call: TaskCall) -> dict:
        """MessageStub's request: send_message."""
        return self.send_message(params, sdk=sdk, now=now, call=call)

    def send_message(self, params: dict, sdk: bool = False, now: datetime.datetime | None = None,
                     call: TaskCall | None = None) -> dict:
        """SQS SendMessage to a declared queue (FIFO ordering and deduplication included)."""
        now = now or call_now(None)
        err = ServiceErrors("sqs", sdk)
        url = params.get("QueueUrl")
        if not url:
            raise err.fail("MissingParameter", 400, "The request must contain the parameter QueueUrl.")
        queue = self.queues.get(last_part(str(url).rstrip("/"), "/"))
        if queue is None:
            raise err.fail("AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.",
                           "QueueDoesNotExistException")
        if params.get("MessageBody") in (None, ""):
            raise err.fail("MissingParameter", 400, "The request must contain the parameter MessageBody.")
        body = message_text(params["MessageBody"])
        attributes = params.get("MessageAttributes") or {}
        check_attributes(attributes, err)
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
            import hashlib  # here, not at the top: loading OpenSSL costs every start ~2 ms
            dedup = dedup or hashlib.sha256(body.encode()).hexdigest()
        elif dedup:
            raise err.fail("InvalidParameterValue", 400, f"Value {dedup} for parameter MessageDeduplicationId is "
                           f"invalid. Reason: The request include parameter that is not valid for this queue type.")
        record = Message(str(uuid.uuid4()), "sqs", queue.name, body, attributes, None, group,
                         dedup if queue.fifo else None, delay_seconds=delay, sent_at=iso_millis(now))
        if queue.fifo:
            earlier = self.log.admit(record, dedup, now)
            if earlier is not None:
                return sqs_result(earlier, sdk, now)   # accepted, not enqueued again
        self.enqueue(queue, record, call)
        return sqs_result(record, sdk, now)

    def enqueue(self, queue: Queue, record: Message, call: TaskCall | None) -> None:
        """Keep a message the queue took and hand it to the queue's consumer (a send, or an SNS fan-out)."""
        self.log.keep(record, call)
        if queue.consumer is None:
            return
        attributes = {"ApproximateReceiveCount": "1", "SentTimestamp": str(_epoch_ms(record.sent_at)),
                      "SenderId": aws.ACCOUNT, "ApproximateFirstReceiveTimestamp": str(_epoch_ms(record.sent_at))}
        if queue.fifo:
            attributes.update({"MessageGroupId": record.group_id, "SequenceNumber": record.sequence_number,
                               "MessageDeduplicationId": record.deduplication_id})
        event = {"Records": [{
            "messageId": record.message_id, "receiptHandle": str(uuid.uuid4()), "body": record.body,
            "attributes": attributes,
            "messageAttributes": {name: {"stringValue": a.get("StringValue"), "binaryValue": a.get("BinaryValue"),
                                         "stringListValues": [], "binaryListValues": [], "dataType": a.get("DataType")}
                                  for name, a in record.attributes.items()},
            "md5OfBody": md5(record.body), "eventSource": "aws:sqs", "eventSourceARN": queue.arn,
            "awsRegion": aws.REGION}]}
        record.deliveries.append(deliver(self.handlers, queue.consumer, event, call))


def sqs_result(record: Message, sdk: bool, now: datetime.datetime) -> dict:
    """SendMessage's response: bare for aws-sdk, with the SDK's HTTP metadata for the optimized form."""
    result = {"MD5OfMessageBody": md5(record.body), "MessageId": record.message_id}
    if record.attributes:
        result = {"MD5OfMessageAttributes": attributes_md5(record.attributes), **result}
    if record.sequence_number:
        result["SequenceNumber"] = record.sequence_number
    if sdk:
        return result
    length = len(compact_json(result))
    return {**result, **http_metadata("application/x-amz-json-1.0", length, request_id(), now)}


def attributes_md5(attributes: dict) -> str:
    """MD5OfMessageAttributes as SQS computes it (sorted names; length-prefixed name, type, value)."""
    import hashlib
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


def _epoch_ms(iso_text: str) -> int:
    moment = datetime.datetime.strptime(iso_text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp() * 1000)
