"""The SNS stub: `sns:publish` (optimized and `aws-sdk:` forms) to declared topics or to a phone number.

A message published to a topic fans out to its subscriptions (SQS queues through the SQS stub,
or handlers called with an SNS event), each through its filter policy.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from .. import aws
from ..aws import http_metadata, iso_millis, last_part, request_id
from . import TaskCall
from .config import Topic
from .filter_policy import accepts
from .messages import Message, MessageLog, MessageStub, ServiceErrors, call_now, check_attributes, deliver, message_text
from .sqs import SqsStub


class SnsStub(MessageStub):
    """Answers Publish against declared topics; every message goes to the run's MessageLog."""

    ACTIONS = ("sns:publish", "aws-sdk:sns:publish")

    def __init__(self, topics: dict[str, Topic], sqs: SqsStub, log: MessageLog, handlers: Any = None) -> None:
        self.topics = topics
        self.sqs = sqs                           # queues that subscribe to a topic
        self.log = log
        self.handlers = handlers                 # LocalHandlers calling subscriber handlers

    def send(self, params: dict, sdk: bool, now: datetime.datetime, call: TaskCall) -> dict:
        """MessageStub's request: publish."""
        return self.publish(params, sdk=sdk, now=now, call=call)

    def publish(self, params: dict, sdk: bool = False, now: datetime.datetime | None = None,
                call: TaskCall | None = None) -> dict:
        """SNS Publish: to a topic (fanned out to its subscribers) or to a phone number."""
        now = now or call_now(None)
        err = ServiceErrors("sns", sdk)
        target = params.get("TopicArn") or params.get("TargetArn")
        phone = params.get("PhoneNumber")
        if "Message" not in params or params["Message"] is None:
            raise err.fail("InvalidParameter", 400, "Invalid parameter: Empty message", "InvalidParameterException")
        message = message_text(params["Message"])
        attributes = params.get("MessageAttributes") or {}
        check_attributes(attributes, err)
        structured = params.get("MessageStructure") == "json"
        if structured:
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
            record = self.log.keep(Message(str(uuid.uuid4()), "sns", str(phone), message, attributes,
                                           params.get("Subject"), sent_at=iso_millis(now)), call)
            return sns_result(record, sdk, now)
        topic = self.topics.get(last_part(str(target), ":"))
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
            import hashlib  # here, not at the top: loading OpenSSL costs every start ~2 ms
            dedup = dedup or hashlib.sha256(message.encode()).hexdigest()
        elif dedup:
            raise err.fail("InvalidParameter", 400, "Invalid parameter: MessageDeduplicationId Reason: The "
                           "request includes MessageDeduplicationId parameter that is not valid for this topic "
                           "type", "InvalidParameterException")
        record = Message(str(uuid.uuid4()), "sns", topic.name, message, attributes, params.get("Subject"),
                         group, dedup if topic.fifo else None, sent_at=iso_millis(now))
        if topic.fifo:
            earlier = self.log.admit(record, dedup, now)
            if earlier is not None:
                return sns_result(earlier, sdk, now)   # accepted again, delivered once
        self.log.keep(record, call)
        self._fan_out(topic, record, structured, now, call)
        return sns_result(record, sdk, now)

    def _fan_out(self, topic: Topic, record: Message, structured: bool, now: datetime.datetime,
                 call: TaskCall | None) -> None:
        for sub in topic.subscriptions:
            body = record.body
            if structured:
                choices = json.loads(record.body)
                body = message_text(choices.get(sub.protocol, choices["default"]))
            if not accepts(sub.filter_policy, sub.filter_scope, body, record.attributes):
                record.deliveries.append({"endpoint": sub.queue or sub.handler.target, "status": "FILTERED"})
                continue
            envelope = _envelope(topic, record, body, now)
            if sub.queue:
                queue = self.sqs.queues[sub.queue]
                queued = Message(str(uuid.uuid4()), "sqs", queue.name, body if sub.raw else json.dumps(envelope),
                                 record.attributes if sub.raw else {}, group_id=record.group_id,
                                 deduplication_id=record.deduplication_id, sent_at=iso_millis(now), source=topic.name)
                if queue.fifo:
                    self.log.sequence(queued, None, now)
                self.sqs.enqueue(queue, queued, call)
                record.deliveries.append({"endpoint": queue.name, "status": "DELIVERED", "message_id": queued.message_id})
            else:
                event = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                                      "EventSubscriptionArn": f"{topic.arn}:{uuid.uuid4()}",
                                      "Sns": {**envelope, "SigningCertUrl": envelope.pop("SigningCertURL"),
                                              "UnsubscribeUrl": envelope.pop("UnsubscribeURL")}}]}
                record.deliveries.append(deliver(self.handlers, sub.handler, event, call))


def sns_result(record: Message, sdk: bool, now: datetime.datetime) -> dict:
    """Publish's response: bare for aws-sdk, with the SDK's HTTP metadata (of SNS's XML) for the optimized form."""
    result = {"MessageId": record.message_id}
    if record.sequence_number:
        result["SequenceNumber"] = record.sequence_number
    if sdk:
        return result
    request = request_id()
    sequence = f"    <SequenceNumber>{record.sequence_number}</SequenceNumber>\n" if record.sequence_number else ""
    # SNS answers in XML: Content-Length is the length of that document.
    xml = (f'<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">\n  <PublishResult>\n'
           f"    <MessageId>{record.message_id}</MessageId>\n{sequence}  </PublishResult>\n  <ResponseMetadata>\n"
           f"    <RequestId>{request}</RequestId>\n  </ResponseMetadata>\n</PublishResponse>\n")
    return {**result, **http_metadata("text/xml", len(xml), request, now)}


def _envelope(topic: Topic, record: Message, body: str, now: datetime.datetime) -> dict:
    """The JSON an SNS subscriber receives (unless raw message delivery is on)."""
    envelope = {"Type": "Notification", "MessageId": record.message_id}
    if record.sequence_number:
        envelope["SequenceNumber"] = record.sequence_number
    envelope["TopicArn"] = topic.arn
    if record.subject is not None:
        envelope["Subject"] = record.subject
    envelope.update({
        "Message": body, "Timestamp": iso_millis(now), "SignatureVersion": "1", "Signature": "LOCAL",
        "SigningCertURL": f"https://sns.{aws.REGION}.amazonaws.com/SimpleNotificationService-local.pem",
        "UnsubscribeURL": f"https://sns.{aws.REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic.arn}"})
    if record.attributes:
        envelope["MessageAttributes"] = {n: {"Type": a.get("DataType"), "Value": a.get("StringValue", a.get("BinaryValue"))}
                                         for n, a in record.attributes.items()}
    return envelope
