"""What the SNS and SQS stubs share: the log of every message sent, FIFO bookkeeping, AWS's error
shapes for both services, and delivery to subscriber / consumer handlers.
"""

from __future__ import annotations

import datetime
import json
import threading
from dataclasses import field
from typing import Any, Callable

from ..record import record
from ..aws import sdk_v1_cause, sdk_v2_cause, utc_now
from ..errors import StatesError
from . import TaskCall

DEDUP_WINDOW = datetime.timedelta(minutes=5)   # SNS FIFO and SQS FIFO deduplication interval


@record
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


class MessageLog:
    """Every message the stubs of one run accepted, in order; listeners see each as it is kept."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.listeners: list[Callable[[Message], None]] = []
        self._sequence = 10000000000000000000
        self._dedup: dict[tuple[str, str], tuple[datetime.datetime, Message]] = {}
        self._lock = threading.RLock()

    def keep(self, record: Message, call: TaskCall | None) -> Message:
        """Log a message with the execution and state that sent it."""
        if call is not None:
            record.execution_arn = call.env.execution_arn if call.env is not None else None
            record.state_name = call.state_name
        self.messages.append(record)
        for listener in self.listeners:
            listener(record)
        return record

    def messages_for(self, target: str | None = None, execution_arn: str | None = None) -> list[Message]:
        """The kept messages, optionally of one topic or queue and of one execution."""
        return [m for m in self.messages
                if (target is None or m.target == target) and (execution_arn is None or m.execution_arn == execution_arn)]

    def duplicate(self, target: str, dedup: str, now: datetime.datetime) -> Message | None:
        """The message a FIFO target took with this deduplication id in the last five minutes."""
        seen = self._dedup.get((target, dedup))
        if seen is not None and now - seen[0] < DEDUP_WINDOW:
            return seen[1]
        return None

    def sequence(self, record: Message, dedup: str | None, now: datetime.datetime) -> None:
        """Give a FIFO message its sequence number (and remember its deduplication id)."""
        with self._lock:
            self._sequence += 1
            record.sequence_number = f"{self._sequence:020d}"
            if dedup is not None:
                self._dedup[(record.target, dedup)] = (now, record)

    def admit(self, record: Message, dedup: str, now: datetime.datetime) -> Message | None:
        """A FIFO send: the earlier message with this deduplication id, else None and the record sequenced.

        One step under the log's lock: Map lanes in threads may send at the same moment.
        """
        with self._lock:
            earlier = self.duplicate(record.target, dedup, now)
            if earlier is None:
                self.sequence(record, dedup, now)
            return earlier


class MessageStub:
    """What the SNS and SQS providers share: which resources they answer, and the callback pattern.

    A subclass names its `ACTIONS` (`sns:publish`, `aws-sdk:sns:publish`) and implements `send`.
    """

    ACTIONS: tuple[str, ...] = ()

    def can_handle(self, state_name: str, resource: Any, parameters: Any) -> bool:
        """The stub's actions, optimized or aws-sdk, with or without .waitForTaskToken."""
        return resource.api in self.ACTIONS and resource.pattern in ("", ".waitForTaskToken")

    def invoke(self, call: TaskCall) -> Any:
        """Send; the result has AWS's shape for the integration's form."""
        from . import NotHandled

        if not self.can_handle(call.state_name, call.resource, call.parameters):
            raise NotHandled()
        params = call.parameters if isinstance(call.parameters, dict) else {}
        result = self.send(params, sdk=call.resource.sdk, now=call_now(call), call=call)
        if call.resource.callback:
            from ..callbacks import Submitted

            # Sent: the Task now waits for SendTaskSuccess / Failure with the token in the message.
            return Submitted(result)
        return result

    def send(self, params: dict, sdk: bool, now: datetime.datetime, call: TaskCall) -> dict:
        """The service's request, answered as AWS answers it."""
        raise NotImplementedError


class ServiceErrors:
    """Error names and causes as Step Functions reports them: SDK v1 style for optimized, v2 for aws-sdk."""

    def __init__(self, service: str, sdk: bool) -> None:
        self.service = service
        self.sdk = sdk

    def fail(self, code: str, status: int, message: str, exception: str | None = None) -> StatesError:
        """The StatesError of one refused request."""
        if self.sdk:
            prefix = self.service.capitalize()
            return StatesError(f"{prefix}.{exception or prefix + 'Exception'}", sdk_v2_cause(prefix, message, status))
        prefix = self.service.upper()
        # SendMessage models no errors in the SDK Step Functions uses, so every SQS failure is AmazonSQSException.
        name = exception if exception and self.service == "sns" else f"Amazon{prefix}Exception"
        return StatesError(f"{prefix}.{name}", sdk_v1_cause(f"Amazon{prefix}", message, status, code))


def check_attributes(attributes: Any, err: ServiceErrors) -> None:
    """MessageAttributes as both services refuse them: every attribute needs a type and a value."""
    if not isinstance(attributes, dict):
        raise err.fail("InvalidParameterValue", 400, "MessageAttributes must be a map", "InvalidParameterException")
    for name, attr in attributes.items():
        if not isinstance(attr, dict) or not attr.get("DataType"):
            raise err.fail("InvalidParameterValue", 400, f"The message attribute '{name}' must contain non-empty "
                           f"message attribute type.", "InvalidParameterException")
        if "StringValue" not in attr and "BinaryValue" not in attr:
            raise err.fail("InvalidParameterValue", 400, f"The message attribute '{name}' must contain non-empty "
                           f"message attribute value.", "InvalidParameterException")


def deliver(handlers: Any, spec: Any, event: dict, call: TaskCall | None) -> dict:
    """Call a subscriber / consumer handler; its failure is recorded, not raised (delivery is async in AWS)."""
    from ..aws import parse_resource

    key = f"subscriber:{spec.target}"
    handlers.handlers[key] = spec
    sub_call = TaskCall(call.state_name if call else "", parse_resource(key), event, 0,
                        call.context if call else {}, env=call.env if call else None)
    try:
        handlers.invoke(sub_call)
    except StatesError as exc:
        return {"endpoint": spec.target, "status": "FAILED", "error": exc.name, "cause": exc.cause}
    return {"endpoint": spec.target, "status": "DELIVERED"}


def message_text(value: Any) -> str:
    """A Message / MessageBody as sent: JSON values other than strings are serialised."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def md5(text: str) -> str:
    """MD5 of a message body, as SQS reports it."""
    import hashlib  # here, not at the top: loading OpenSSL costs every start ~2 ms
    return hashlib.md5(text.encode()).hexdigest()


def call_now(call: TaskCall | None) -> datetime.datetime:
    """The execution's time for a call (its clock), else the wall clock."""
    return call.env.now() if call is not None and call.env is not None else utc_now()
