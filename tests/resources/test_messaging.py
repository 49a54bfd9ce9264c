"""SNS / SQS stubs: request and result shapes, AWS's errors, FIFO rules, fan-out and filter policies."""

import hashlib
import json

import pytest

from asl.api import machine_from_definition, run_machine
from asl.errors import StatesError, UserInputError
from asl.aws import parse_resource
from asl.resources.compose import build_services
from asl.resources.config import ResourcesConfig, load_resources
from asl.resources.filter_policy import filter_policy_problem, policy_matches
from asl.resources.sns import SnsStub
from asl.resources.sqs import SqsStub, attributes_md5


class Stubs:
    """The SNS and SQS stubs of one resources file, as a run builds them (asl.resources.compose)."""

    def __init__(self, config: ResourcesConfig) -> None:
        self.config = config
        self.services = services = build_services(config)
        self.log = services.messages
        self.sns = next(p for p in services.dispatcher.providers if isinstance(p, SnsStub))
        self.sqs = next(p for p in services.dispatcher.providers if isinstance(p, SqsStub))
        self.publish, self.send_message = self.sns.publish, self.sqs.send_message
        self.messages, self.messages_for, self.listeners = self.log.messages, self.log.messages_for, self.log.listeners

    def can_handle(self, state_name, resource, parameters):
        return any(stub.can_handle(state_name, parse_resource(resource), parameters) for stub in (self.sns, self.sqs))


def messaging_from_config(config, handlers=None):
    return Stubs(config)

RESOURCES = """
handlers:
  notify: subscribers:notify
topics:
  orders: {}
  payments.fifo: {}
  audit.fifo: {content_based_deduplication: true}
queues:
  order-events: {}
  priority: {}
  raw: {}
  ledger.fifo: {}
  shipping: {consumer: subscribers:ship}
subscriptions:
  orders:
    - queue: order-events
    - queue: priority
      filter_policy: {kind: [priority], amount: [{numeric: [">", 100]}]}
    - queue: raw
      raw_message_delivery: true
    - handler: notify
  payments.fifo:
    - queue: ledger.fifo
"""

# Subscribers append what they receive to a file beside them (each test has its own folder).
SUBSCRIBERS = """
import json, os

def _keep(who, event):
    with open(os.path.join(os.path.dirname(__file__), "received.jsonl"), "a") as out:
        out.write(json.dumps([who, event]) + "\\n")

def notify(event, context):
    _keep("notify", event)

def ship(event, context):
    _keep("ship", event)
"""


@pytest.fixture
def messaging(tmp_path):
    (tmp_path / "subscribers.py").write_text(SUBSCRIBERS)
    (tmp_path / "resources.yaml").write_text(RESOURCES)
    config = load_resources(tmp_path / "resources.yaml")
    stub = Stubs(config)
    stub.folder = tmp_path
    return stub


def received(stub):
    path = stub.folder / "received.jsonl"
    return [tuple(json.loads(line)) for line in path.read_text().splitlines()] if path.exists() else []


def run(messaging, resource, parameters, input=None, **extra):
    machine = machine_from_definition({"StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True, **extra}}})
    return run_machine(machine, input or {}, clock="virtual", resources=messaging.services)


QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/"
TOPIC = "arn:aws:sns:us-east-1:123456789012:"


# ------------------------------------------------------------------ SQS

def test_send_message_result_shape(messaging):
    result = run(messaging, "arn:aws:states:::sqs:sendMessage",
                 {"QueueUrl": QUEUE + "order-events", "MessageBody.$": "$"}, {"id": 7})
    assert result.status == "SUCCEEDED"
    out = result.output
    assert set(out) == {"MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    assert out["MD5OfMessageBody"] == hashlib.md5(b'{"id":7}').hexdigest()
    headers = out["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    # Content-Length is the length of SQS's JSON answer: {"MD5OfMessageBody":"...","MessageId":"..."}.
    assert headers["Content-Length"] == "106"
    assert out["SdkResponseMetadata"]["RequestId"] == headers["x-amzn-RequestId"]
    [message] = messaging.messages_for("order-events")
    assert message.body == '{"id":7}' and message.state_name == "S"
    assert message.execution_arn.startswith("arn:aws:states:us-east-1:123456789012:execution:")


def test_send_message_attributes_md5():
    # The documented SQS algorithm, checked against the value AWS returns for this attribute.
    attributes = {"a": {"DataType": "String", "StringValue": "b"}}
    expected = hashlib.md5(b"\x00\x00\x00\x01a\x00\x00\x00\x06String\x01\x00\x00\x00\x01b").hexdigest()
    assert attributes_md5(attributes) == expected


def test_send_message_with_attributes_adds_their_md5(messaging):
    result = run(messaging, "arn:aws:states:::sqs:sendMessage", {
        "QueueUrl": QUEUE + "order-events", "MessageBody": "hi",
        "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}})
    assert result.output["MD5OfMessageAttributes"] == attributes_md5({"k": {"DataType": "String", "StringValue": "v"}})
    assert result.output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "166"


def test_aws_sdk_form_returns_the_bare_api_response(messaging):
    result = run(messaging, "arn:aws:states:::aws-sdk:sqs:sendMessage",
                 {"QueueUrl": QUEUE + "order-events", "MessageBody": "hi"})
    assert set(result.output) == {"MD5OfMessageBody", "MessageId"}
    result = run(messaging, "arn:aws:states:::aws-sdk:sns:publish", {"TopicArn": TOPIC + "orders", "Message": "m"})
    assert set(result.output) == {"MessageId"}


SQS_ERRORS = [
    # resource suffix, parameters, error, cause starts with
    ("sqs:sendMessage", {"QueueUrl": QUEUE + "nope", "MessageBody": "x"}, "SQS.AmazonSQSException",
     "The specified queue does not exist. (Service: AmazonSQS; Status Code: 400; "
     "Error Code: AWS.SimpleQueueService.NonExistentQueue; Request ID: "),
    ("aws-sdk:sqs:sendMessage", {"QueueUrl": QUEUE + "nope", "MessageBody": "x"},
     "Sqs.QueueDoesNotExistException", "The specified queue does not exist. (Service: Sqs, Status Code: 400,"),
    ("sqs:sendMessage", {"QueueUrl": QUEUE + "ledger.fifo", "MessageBody": "x"}, "SQS.AmazonSQSException",
     "The request must contain the parameter MessageGroupId."),
    ("sqs:sendMessage", {"QueueUrl": QUEUE + "ledger.fifo", "MessageBody": "x", "MessageGroupId": "g"},
     "SQS.AmazonSQSException", "The queue should either have ContentBasedDeduplication enabled or "
                               "MessageDeduplicationId provided explicitly"),
    ("sqs:sendMessage", {"QueueUrl": QUEUE + "order-events", "MessageBody": "x", "MessageDeduplicationId": "d"},
     "SQS.AmazonSQSException", "Value d for parameter MessageDeduplicationId is invalid."),
    ("sqs:sendMessage", {"QueueUrl": QUEUE + "order-events", "MessageBody": "x", "DelaySeconds": 901},
     "SQS.AmazonSQSException", "Value 901 for parameter DelaySeconds is invalid."),
    ("sqs:sendMessage", {"QueueUrl": QUEUE + "order-events"}, "SQS.AmazonSQSException",
     "The request must contain the parameter MessageBody."),
    ("sns:publish", {"TopicArn": TOPIC + "nope", "Message": "x"}, "SNS.NotFoundException",
     "Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: "),
    ("aws-sdk:sns:publish", {"TopicArn": TOPIC + "nope", "Message": "x"}, "Sns.NotFoundException",
     "Topic does not exist (Service: Sns, Status Code: 404, Request ID: "),
    ("sns:publish", {"TopicArn": TOPIC + "payments.fifo", "Message": "x"}, "SNS.InvalidParameterException",
     "Invalid parameter: The MessageGroupId parameter is required for FIFO topics (Service: AmazonSNS; "
     "Status Code: 400; Error Code: InvalidParameter;"),
    ("sns:publish", {"TopicArn": TOPIC + "payments.fifo", "Message": "x", "MessageGroupId": "g"},
     "SNS.InvalidParameterException", "Invalid parameter: The topic should either have ContentBasedDeduplication"),
    ("sns:publish", {"Message": "x"}, "SNS.InvalidParameterException", "Invalid parameter: TopicArn or TargetArn"),
    ("sns:publish", {"TopicArn": TOPIC + "orders", "Message": "x", "MessageStructure": "json"},
     "SNS.InvalidParameterException", "Invalid parameter: Message Structure - No default entry"),
    ("sns:publish", {"TopicArn": TOPIC + "orders", "Message": "x", "MessageAttributes": {"a": {"StringValue": "v"}}},
     "SNS.InvalidParameterException", "The message attribute 'a' must contain non-empty message attribute type."),
]


@pytest.mark.parametrize("action,parameters,error,cause", SQS_ERRORS)
def test_errors_as_aws_reports_them(messaging, action, parameters, error, cause):
    result = run(messaging, "arn:aws:states:::" + action, parameters)
    assert result.status == "FAILED"
    assert result.error == error
    assert result.cause.startswith(cause), result.cause
    assert not messaging.messages


def test_missing_queue_is_catchable(messaging):
    machine = machine_from_definition({"StartAt": "S", "States": {
        "S": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
              "Parameters": {"QueueUrl": QUEUE + "nope", "MessageBody": "x"},
              "Catch": [{"ErrorEquals": ["SQS.AmazonSQSException"], "ResultPath": "$.error", "Next": "C"}],
              "End": True},
        "C": {"Type": "Pass", "End": True}}})
    result = run_machine(machine, {}, clock="virtual", resources=messaging.services)
    assert result.status == "SUCCEEDED" and result.output["error"]["Error"] == "SQS.AmazonSQSException"


# ------------------------------------------------------------------ FIFO

def test_fifo_queue_sequence_and_deduplication(messaging):
    params = {"QueueUrl": QUEUE + "ledger.fifo", "MessageBody": "x", "MessageGroupId": "g",
              "MessageDeduplicationId": "d1"}
    first = messaging.send_message(params)
    again = messaging.send_message(params)
    other = messaging.send_message({**params, "MessageDeduplicationId": "d2"})
    assert again["MessageId"] == first["MessageId"] and again["SequenceNumber"] == first["SequenceNumber"]
    assert int(other["SequenceNumber"]) > int(first["SequenceNumber"]) and len(first["SequenceNumber"]) == 20
    assert [m.deduplication_id for m in messaging.messages_for("ledger.fifo")] == ["d1", "d2"]


def test_fifo_dedup_window_is_five_minutes(messaging):
    import datetime

    params = {"QueueUrl": QUEUE + "ledger.fifo", "MessageBody": "x", "MessageGroupId": "g",
              "MessageDeduplicationId": "d"}
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    messaging.send_message(params, now=start)
    messaging.send_message(params, now=start + datetime.timedelta(minutes=4))
    messaging.send_message(params, now=start + datetime.timedelta(minutes=6))
    assert len(messaging.messages_for("ledger.fifo")) == 2


def test_content_based_deduplication_topic(messaging):
    first = messaging.publish({"TopicArn": TOPIC + "audit.fifo", "Message": "same", "MessageGroupId": "g"})
    second = messaging.publish({"TopicArn": TOPIC + "audit.fifo", "Message": "same", "MessageGroupId": "g"})
    assert first["MessageId"] == second["MessageId"] and "SequenceNumber" in first
    # SNS answers in XML; Content-Length is that document's length (352 with a SequenceNumber).
    assert first["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "352"
    assert len(messaging.messages_for("audit.fifo")) == 1


def test_fifo_topic_fans_out_group_and_dedup_ids(messaging):
    messaging.publish({"TopicArn": TOPIC + "payments.fifo", "Message": "p", "MessageGroupId": "g",
                       "MessageDeduplicationId": "d"})
    [queued] = messaging.messages_for("ledger.fifo")
    assert queued.group_id == "g" and queued.deduplication_id == "d" and queued.source == "payments.fifo"


# ------------------------------------------------------------------ SNS fan-out

def test_publish_result_shape_and_fan_out(messaging):
    result = run(messaging, "arn:aws:states:::sns:publish", {
        "TopicArn": TOPIC + "orders", "Message.$": "$", "Subject": "New order",
        "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "standard"}}}, {"order": 1})
    out = result.output
    assert set(out) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    assert out["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"] == "text/xml"
    assert out["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "294"
    [published] = messaging.messages_for("orders")
    assert published.body == '{"order":1}' and published.subject == "New order"
    # order-events gets the SNS envelope, priority is filtered out, raw gets the bare message.
    [enveloped] = messaging.messages_for("order-events")
    envelope = json.loads(enveloped.body)
    assert envelope["Type"] == "Notification" and envelope["Message"] == '{"order":1}'
    assert envelope["TopicArn"] == TOPIC + "orders" and envelope["Subject"] == "New order"
    assert envelope["MessageAttributes"] == {"kind": {"Type": "String", "Value": "standard"}}
    assert messaging.messages_for("priority") == []
    [raw] = messaging.messages_for("raw")
    assert raw.body == '{"order":1}' and raw.attributes["kind"]["StringValue"] == "standard"
    statuses = {d["endpoint"]: d["status"] for d in published.deliveries}
    assert statuses == {"order-events": "DELIVERED", "priority": "FILTERED", "raw": "DELIVERED",
                        "subscribers:notify": "DELIVERED"}
    [(who, event)] = received(messaging)
    assert who == "notify" and event["Records"][0]["EventSource"] == "aws:sns"
    assert event["Records"][0]["Sns"]["Message"] == '{"order":1}'


def test_filter_policy_admits_matching_attributes(messaging):
    messaging.publish({"TopicArn": TOPIC + "orders", "Message": "m", "MessageAttributes": {
        "kind": {"DataType": "String", "StringValue": "priority"},
        "amount": {"DataType": "Number", "StringValue": "250"}}})
    assert len(messaging.messages_for("priority")) == 1


POLICIES = [
    # policy, payload, matches
    ({"a": ["x", "y"]}, {"a": "y"}, True),
    ({"a": ["x"]}, {"a": "z"}, False),
    ({"a": ["x"]}, {}, False),
    ({"a": [{"prefix": "ord"}]}, {"a": "order"}, True),
    ({"a": [{"suffix": ".png"}]}, {"a": "a.jpg"}, False),
    ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "z"}, True),
    ({"a": [{"anything-but": "x"}]}, {"a": "x"}, False),
    ({"a": [{"anything-but": {"prefix": "test"}}]}, {"a": "testing"}, False),
    ({"a": [{"numeric": [">=", 10, "<", 20]}]}, {"a": 15}, True),
    ({"a": [{"numeric": ["=", 3]}]}, {"a": 4}, False),
    ({"a": [{"exists": True}]}, {"a": "v"}, True),
    ({"a": [{"exists": False}]}, {"a": "v"}, False),
    ({"a": [{"exists": False}]}, {}, True),
    ({"a": [{"equals-ignore-case": "BLUE"}]}, {"a": "blue"}, True),
    ({"a": [1]}, {"a": 1.0}, True),
    ({"a": ["red"]}, {"a": ["blue", "red"]}, True),          # String.Array attribute
    ({"a": ["x"], "b": ["y"]}, {"a": "x", "b": "z"}, False),  # all keys must match
    ({"$or": [{"a": ["x"]}, {"b": ["y"]}]}, {"b": "y"}, True),
    ({"order": {"kind": ["gift"]}}, {"order": {"kind": "gift", "n": 1}}, True),   # MessageBody nesting
    ({"order": {"kind": ["gift"]}}, {"order": "gift"}, False),
]


@pytest.mark.parametrize("policy,payload,matches", POLICIES)
def test_filter_policies(policy, payload, matches):
    assert policy_matches(policy, payload) is matches


def test_message_body_scope_and_message_structure(tmp_path):
    (tmp_path / "r.yaml").write_text("""
topics: {t: {}}
queues: {gifts: {}, all: {}}
subscriptions:
  t:
    - queue: gifts
      filter_policy_scope: MessageBody
      filter_policy: {kind: [gift]}
    - queue: all
""")
    stub = messaging_from_config(load_resources(tmp_path / "r.yaml"))
    stub.publish({"TopicArn": TOPIC + "t", "Message": {"kind": "gift"}})
    stub.publish({"TopicArn": TOPIC + "t", "Message": {"kind": "other"}})
    assert [json.loads(json.loads(m.body)["Message"])["kind"] for m in stub.messages_for("gifts")] == ["gift"]
    stub.publish({"TopicArn": TOPIC + "t", "MessageStructure": "json",
                  "Message": json.dumps({"default": "plain", "sqs": {"kind": "gift"}})})
    assert json.loads(stub.messages_for("all")[-1].body)["Message"] == '{"kind":"gift"}'


def test_queue_consumer_gets_lambda_sqs_event(messaging):
    messaging.send_message({"QueueUrl": QUEUE + "shipping", "MessageBody": "box",
                            "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}})
    [(who, event)] = received(messaging)
    record = event["Records"][0]
    assert who == "ship" and record["body"] == "box" and record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:us-east-1:123456789012:shipping"
    assert record["md5OfBody"] == hashlib.md5(b"box").hexdigest()
    assert record["messageAttributes"]["k"]["stringValue"] == "v"


def test_failing_subscriber_is_recorded_not_raised(tmp_path):
    (tmp_path / "bad_subscriber.py").write_text("def f(event, context):\n    raise ValueError('nope')\n")
    (tmp_path / "r.yaml").write_text("topics: {t: {}}\nsubscriptions:\n  t:\n    - handler: bad_subscriber:f\n")
    config = load_resources(tmp_path / "r.yaml")
    stub = Stubs(config)
    stub.publish({"TopicArn": TOPIC + "t", "Message": "m"})
    [delivery] = stub.messages[0].deliveries
    assert delivery["status"] == "FAILED" and delivery["error"] == "ValueError"


def test_sms_to_a_phone_number_is_kept(messaging):
    messaging.publish({"PhoneNumber": "+15555550100", "Message": "code 1234"})
    assert messaging.messages_for("+15555550100")[0].body == "code 1234"


def test_listeners_see_every_message(messaging):
    seen = []
    messaging.listeners.append(seen.append)
    messaging.publish({"TopicArn": TOPIC + "orders", "Message": "m"})
    assert [m.target for m in seen] == ["orders", "order-events", "raw"]


def test_unknown_resources_are_not_handled():
    stub = Stubs(ResourcesConfig())
    assert stub.can_handle("S", "arn:aws:states:::sns:publish", {})
    assert stub.can_handle("S", "arn:aws:states:::aws-sdk:sqs:sendMessage", {})
    assert stub.can_handle("S", "arn:aws:states:::sqs:sendMessage.waitForTaskToken", {})  # callbacks: asl.callbacks
    assert not stub.can_handle("S", "arn:aws:states:::sqs:receiveMessage", {})


# ------------------------------------------------------------------ the resources file

BAD_RESOURCES = [
    ("topics: [a]\n", "'topics' must be a mapping", 1),
    ("topics:\n  t: {fifo: true}\n", "unknown option 'fifo'", 2),
    ("queues:\n  q: 3\n", "queue 'q' must be a mapping", 2),
    ("topics: {t: {}}\nsubscriptions:\n  nope:\n    - queue: q\n", "subscriptions to 'nope'", 4),
    ("topics: {t: {}}\nsubscriptions:\n  t: {queue: q}\n", "must be a list", 3),
    ("topics: {t: {}}\nsubscriptions:\n  t:\n    - queue: q\n", "queue 'q' is not declared", 4),
    ("topics: {t: {}}\nqueues: {q: {}}\nsubscriptions:\n  t:\n    - {queue: q, handler: 'm:f'}\n",
     "exactly one of queue or handler", 5),
    ("topics: {t.fifo: {}}\nqueues: {q: {}}\nsubscriptions:\n  t.fifo:\n    - queue: q\n",
     "FIFO topic delivers only to FIFO queues", 5),
    ("topics: {t: {}}\nsubscriptions:\n  t:\n    - handler: nohandler\n", "must be 'module:function'", 4),
    ("topics: {t: {}}\nqueues: {q: {}}\nsubscriptions:\n  t:\n    - {queue: q, filter_policy_scope: Body}\n",
     "MessageAttributes or MessageBody", 5),
    # options are typed: text where a boolean belongs would silently mean true
    ("topics: {t: {}}\nqueues: {q: {}}\nsubscriptions:\n  t:\n    - queue: q\n      raw_message_delivery: 'yes'\n",
     "raw_message_delivery must be true or false (got \"yes\")", 6),
    ("topics:\n  t: {content_based_deduplication: 'no'}\n", "content_based_deduplication must be true or false", 2),
    ("queues:\n  q:\n    content_based_deduplication: 1\n", "content_based_deduplication must be true or false", 3),
    ("queues:\n  q: {url: x}\n", "url must be a queue URL", 2),
    ("queues:\n  q: {url: 5}\n", "url must be a queue URL", 2),
    ("topics:\n  t: {arn: [a]}\n", "arn must be a topic ARN", 2),
]

# Subscriptions whose filter policy SNS would refuse, or sfn could not evaluate: (policy lines, message, line).
SUB = "topics: {t: {}}\nqueues: {q: {}}\nsubscriptions:\n  t:\n    - queue: q\n"
BAD_POLICIES = [
    ("      filter_policy: {attr: [{numeric: ['>', x]}]}\n", "'numeric' compares with numbers (got \"x\")", 6),
    ("      filter_policy:\n        a: 5\n", "the value of 'a' must be a list of conditions, such as [5]", 7),
    ("      filter_policy:\n        a: [{prefix: 5}]\n", "'prefix' takes a string", 7),
    ("      filter_policy:\n        a: [{suffix: [x]}]\n", "'suffix' takes a string", 7),
    ("      filter_policy:\n        a: [{equals-ignore-case: 1}]\n", "'equals-ignore-case' takes a string", 7),
    ("      filter_policy:\n        a: [{exists: 'yes'}]\n", "'exists' takes true or false", 7),
    ("      filter_policy:\n        a: [{numeric: ['<', 1, '>', 0]}]\n", "'numeric' takes [OPERATOR, NUMBER] or a range", 7),
    ("      filter_policy:\n        a: [{numeric: ['>', 1, '<']}]\n", "'numeric' takes [OPERATOR, NUMBER] or a range", 7),
    ("      filter_policy:\n        a: [{numeric: ['~', 1]}]\n", "(got \"~\")", 7),
    ("      filter_policy:\n        a: [{numeric: ['>', true]}]\n", "'numeric' compares with numbers", 7),
    ("      filter_policy:\n        a: [{cidr: 10.0.0.0/8}]\n", "unsupported filter operator 'cidr'", 7),
    ("      filter_policy:\n        a: [{wildcard: 'a*'}]\n", "unsupported filter operator 'wildcard'", 7),
    ("      filter_policy:\n        a: [{prefix: x, suffix: y}]\n", "exactly one operator (got 2)", 7),
    ("      filter_policy:\n        a: [[x]]\n", "a condition is a string, a number", 7),
    ("      filter_policy:\n        a: []\n", "empty list of conditions", 7),
    ("      filter_policy:\n        a: [{anything-but: []}]\n", "'anything-but' has an empty list", 7),
    ("      filter_policy:\n        a: [{anything-but: [{x: 1}]}]\n", "'anything-but' lists strings or numbers", 7),
    ("      filter_policy:\n        a: [{anything-but: {numeric: ['>', 1]}}]\n", "'anything-but' takes a value", 7),
    ("      filter_policy:\n        a: {b: [x]}\n", "nested keys under 'a' need filter_policy_scope: MessageBody", 7),
    ("      filter_policy:\n        $or: {a: [x]}\n", "'$or' takes a list of filter policies", 7),
    ("      filter_policy:\n        $or:\n          - a: [x]\n          - b: 3\n", "the value of 'b'", 9),
    ("      filter_policy: [a]\n", "a filter policy must be a mapping", 6),
    ("      filter_policy_scope: MessageBody\n      filter_policy:\n        a: {b: {c: 1}}\n", "the value of 'c'", 8),
]


@pytest.mark.parametrize("policy,message,line", BAD_POLICIES)
def test_bad_filter_policies_are_refused_at_load_naming_file_and_line(tmp_path, policy, message, line):
    path = tmp_path / "resources.yaml"
    path.write_text(SUB + policy)
    with pytest.raises(UserInputError) as info:
        messaging_from_config(load_resources(path))
    assert str(info.value).startswith(f"{path}:{line}:")
    assert "filter_policy: " in str(info.value) and message in str(info.value)


@pytest.mark.parametrize("policy,payload,matches", POLICIES)
def test_every_policy_the_matcher_evaluates_passes_the_check(policy, payload, matches):
    assert filter_policy_problem(policy, "MessageBody") is None


def test_attribute_scope_refuses_nested_keys_body_scope_takes_them():
    policy = {"order": {"kind": ["gift"]}}
    assert filter_policy_problem(policy, "MessageBody") is None
    assert filter_policy_problem(policy) == ("/order", "nested keys under 'order' need filter_policy_scope: "
                                                       "MessageBody (message attributes are not nested)")


def test_unchecked_numeric_policy_does_not_match_rather_than_crash():
    assert policy_matches({"a": [{"numeric": [">", "x"]}]}, {"a": 1}) is False
    assert policy_matches({"a": [{"numeric": ["~", 1]}]}, {"a": 1}) is False


@pytest.mark.parametrize("text,line", [
    ("topics: {t: {}}\nsubscriptions:\n  t:\n    - handler: nomod_sfn_test:f\n", 4),
    ("queues:\n  q: {consumer: 'nomod_sfn_test:g'}\n", 2),
    ("handlers:\n  notify: nomod_sfn_test:f\ntopics: {t: {}}\nsubscriptions:\n  t:\n    - handler: notify\n", 2),
])
def test_subscribers_and_consumers_that_cannot_be_imported_fail_at_load(tmp_path, text, line):
    path = tmp_path / "resources.yaml"
    path.write_text(text)
    with pytest.raises(UserInputError) as info:
        messaging_from_config(load_resources(path))
    assert str(info.value).startswith(f"{path}:{line}:")
    assert "cannot import handler module 'nomod_sfn_test'" in str(info.value)


def test_subscriber_without_the_function_fails_at_load(tmp_path):
    (tmp_path / "sfn_test_sub_nofn.py").write_text("def other(event, context):\n    pass\n")
    path = tmp_path / "resources.yaml"
    path.write_text("topics: {t: {}}\nsubscriptions:\n  t:\n    - handler: sfn_test_sub_nofn:missing\n")
    with pytest.raises(UserInputError, match="has no function 'missing'"):
        messaging_from_config(load_resources(path))


def test_subscribers_import_beside_the_resources_file_without_a_handlers_provider(tmp_path):
    (tmp_path / "sfn_test_sub_beside.py").write_text(SUBSCRIBERS)
    path = tmp_path / "resources.yaml"
    path.write_text("topics: {t: {}}\nsubscriptions:\n  t:\n    - handler: sfn_test_sub_beside:notify\n")
    stub = messaging_from_config(load_resources(path))   # as README's library example calls it
    stub.publish({"TopicArn": TOPIC + "t", "Message": "m"})
    assert [d["status"] for d in stub.messages[0].deliveries] == ["DELIVERED"]


@pytest.mark.parametrize("text,message,line", BAD_RESOURCES)
def test_bad_resources_name_file_and_line(tmp_path, text, message, line):
    path = tmp_path / "resources.yaml"
    path.write_text(text)
    with pytest.raises(UserInputError) as info:
        messaging_from_config(load_resources(path))
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}")


def test_direct_calls_raise_states_errors():
    with pytest.raises(StatesError) as info:
        Stubs(ResourcesConfig()).send_message({"QueueUrl": QUEUE + "q", "MessageBody": "x"})
    assert info.value.name == "SQS.AmazonSQSException"


def test_a_string_array_attribute_too_deep_to_parse_is_matched_as_text():
    from asl.resources.filter_policy import accepts

    policy = {"a": ["x"]}
    deep = {"a": {"DataType": "String.Array", "StringValue": "[" * 100_000}}
    assert accepts(policy, "MessageAttributes", "{}", deep) is False
    assert accepts(policy, "MessageAttributes", "{}", {"a": {"DataType": "String.Array", "StringValue": '["x"]'}}) is True


def test_fifo_sends_from_threads_get_unique_sequence_numbers_and_deduplicate_once(messaging):
    import threading

    def send(index):
        messaging.send_message({"QueueUrl": QUEUE + "ledger.fifo", "MessageBody": "x", "MessageGroupId": "g",
                                "MessageDeduplicationId": f"d{index % 10}"})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = messaging.messages_for("ledger.fifo")
    assert sorted(m.deduplication_id for m in kept) == [f"d{i}" for i in range(10)]
    assert len({m.sequence_number for m in kept}) == 10
