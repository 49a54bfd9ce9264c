"""The resources file, parsed into typed specs: which local code, topics, queues and machines a run reaches.

    handlers:                                   # Resource ARN or Lambda function name
      ValidateOrder: handlers:validate_order     #   -> module:function (module beside this file)
      arn:aws:lambda:us-east-1:123456789012:function:Charge: handlers:charge
    topics:
      orders: {}                                # arn:aws:sns:us-east-1:123456789012:orders
      payments.fifo: {content_based_deduplication: true}
    queues:
      order-events: {}                          # https://sqs.us-east-1.amazonaws.com/123456789012/order-events
      shipping: {consumer: handlers:ship}       # a handler consuming the queue Lambda-style
    subscriptions:
      orders:
        - queue: order-events
          filter_policy: {kind: [priority]}     # MessageAttributes scope (or filter_policy_scope: MessageBody)
        - handler: handlers:notify              # called with an SNS {"Records": [...]} event
    machines:
      Approval: approval.asl.json               # arn:aws:states:us-east-1:123456789012:stateMachine:Approval
    http:                                       # what HTTP Tasks (arn:aws:states:::http:invoke) may call
      allow: [http://127.0.0.1:8080/]           #   URL prefixes; nothing else is ever called
      connections:                              #   what an EventBridge connection adds to the request
        arn:aws:events:us-east-1:123456789012:connection/Orders/1:
          api_key: {name: x-api-key, value: s3cret}   # or basic: {username: U, password: P}
          headers: {X-Tenant: acme}             # also query_parameters, body_parameters

Found with `--resources FILE`, or automatically as `resources.yaml` / `.yml` / `.json` (or
`STEM.resources.yaml` ...) beside the definition. Parsing imports nothing: the providers built
from these specs (`compose.py`) import the handlers.
"""

from __future__ import annotations

import os
from dataclasses import field
from typing import TYPE_CHECKING, Any

from ..record import record
from ..aws import arn_account, arn_region, queue_arn, queue_url, state_machine_arn, topic_arn
from ..errors import Location, UserInputError
from ..loader import Document, load_text, read_text
from ..prestart import find_resources  # noqa: F401  (where sfn and its users look for it)
from ..source import SourceMap, pointer
from .filter_policy import filter_policy_problem, show_json

if TYPE_CHECKING:  # pathlib only for a file that names handlers or machines (~4 ms of a run's start)
    from pathlib import Path

DEFAULT_TIMEOUT = 3.0
MAX_TIMEOUT = 900.0                      # Lambda's longest function timeout (15 minutes)
SECTIONS = ("handlers", "topics", "queues", "subscriptions", "machines", "http")


@record
class HandlerSpec:
    """`package.module:function`, and where the resources file said it."""

    target: str
    location: Location
    timeout: float = DEFAULT_TIMEOUT     # the function's timeout: a new Lambda function's default
    in_process: bool = False             # run in sfn's own process instead of a worker process


@record
class Subscription:
    """A topic's subscriber: a queue or a handler, with an optional filter policy."""

    queue: str | None = None
    handler: HandlerSpec | None = None
    filter_policy: dict | None = None
    filter_scope: str = "MessageAttributes"
    raw: bool = False

    @property
    def protocol(self) -> str:
        """'sqs' or 'lambda', the keys a MessageStructure=json message can target."""
        return "sqs" if self.queue else "lambda"


@record
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


@record
class Queue:
    """A declared SQS queue."""

    name: str
    url: str
    content_based_deduplication: bool = False
    consumer: HandlerSpec | None = None

    @property
    def fifo(self) -> bool:
        """FIFO queues are named NAME.fifo."""
        return self.name.endswith(".fifo")

    @property
    def arn(self) -> str:
        """arn:aws:sqs:REGION:ACCOUNT:NAME, from the URL."""
        return queue_arn(self.url)


@record
class MachineSpec:
    """A state machine the resources file declares: its name, ARN and definition (loaded and built)."""

    name: str
    arn: str
    path: Path
    machine: Any
    text: str
    location: Location

    @property
    def region(self) -> str:
        """The region part of the ARN."""
        return arn_region(self.arn)

    @property
    def account(self) -> str:
        """The account part of the ARN."""
        return arn_account(self.arn)


@record
class Connection:
    """What an EventBridge connection adds to an HTTP Task's request (its secrets included)."""

    arn: str
    headers: dict[str, str] = field(default_factory=dict)
    query_parameters: dict[str, str] = field(default_factory=dict)
    body_parameters: dict[str, str] = field(default_factory=dict)
    auth_header: tuple[str, str] | None = None      # basic or API key authorization, as a header


@record
class HttpConfig:
    """The endpoints HTTP Tasks may call (URL prefixes) and the connections they name."""

    allow: list[str] = field(default_factory=list)
    connections: dict[str, Connection] = field(default_factory=dict)


@record
class ResourcesConfig:
    """A parsed resources file (or none: every section empty)."""

    document: Document | None = None
    handlers: dict[str, HandlerSpec] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    machines: dict[str, MachineSpec] = field(default_factory=dict)   # by ARN and by name
    http: HttpConfig = field(default_factory=HttpConfig)

    @property
    def base_dir(self) -> str | None:
        """The folder handler modules are imported from."""
        return os.path.dirname(os.path.realpath(self.document.file)) if self.document else None

    def location(self, ptr: str) -> Location:
        """FILE:LINE:COLUMN of a part of the file."""
        if self.document is None:
            return Location("<resources>")
        pos = self.document.source_map.value(ptr)
        return Location(self.document.file, pos.line if pos else 0, pos.column if pos else 0)

    def section(self, name: str) -> dict:
        """A top-level mapping of the file ({} when absent, or when the file is empty)."""
        if self.document is None or not isinstance(self.document.data, dict):
            return {}
        value = self.document.data.get(name)
        if value is None:  # `topics:` with nothing under it, like no topics section
            return {}
        if not isinstance(value, dict):
            raise UserInputError(f"'{name}' must be a mapping", self.location(f"/{name}"))
        return value

    def subscriber_specs(self) -> list[HandlerSpec]:
        """Every handler a topic or queue delivers to (imported before the run, like Task handlers)."""
        specs = [q.consumer for q in self.queues.values() if q.consumer is not None]
        specs += [s.handler for t in self.topics.values() for s in t.subscriptions if s.handler is not None]
        return specs


def load_resources(path: str | Path | None) -> ResourcesConfig:
    """Parse a resources file; errors are `FILE:LINE:COLUMN: message`."""
    if path is None:
        return ResourcesConfig()
    text = read_text(path)
    if not text.strip():
        # An empty file (even a .json one, which JSON would refuse) declares no resources.
        document = Document(None, SourceMap(lambda: ({}, {}, [])), str(path))
    else:
        document = load_text(text, str(path))
    config = ResourcesConfig(document)
    if document.data is None:  # only comments, or `~`: no resources either
        return config
    if not isinstance(document.data, dict):
        kinds = {"list": "a list", "str": "a string", "bool": "a boolean", "int": "a number", "float": "a number"}
        kind = kinds.get(type(document.data).__name__, type(document.data).__name__)
        raise UserInputError(f"a resources file must be a mapping of sections (handlers, topics, ...), not {kind}",
                             config.location(""))
    for key in document.data:
        if key not in SECTIONS:
            raise UserInputError(f"unknown section '{key}' (known: {', '.join(sorted(SECTIONS))})",
                                 config.location(f"/{key}"))
    for key, target in config.section("handlers").items():
        config.handlers[str(key)] = _handler_spec(config, str(key), target)
    _Sections(config).parse()
    return config


def _handler_spec(config: ResourcesConfig, key: str, raw: Any) -> HandlerSpec:
    """`module:function`, or `{handler: module:function, timeout: SECONDS, in_process: BOOL}`."""
    where = config.location(pointer("handlers", key))
    if isinstance(raw, dict):
        for option in raw:
            if option not in ("handler", "timeout", "in_process"):
                raise UserInputError(f"unknown option '{option}' (known: handler, in_process, timeout)",
                                     config.location(pointer("handlers", key, str(option))))
        target = raw.get("handler")
        timeout, in_process = raw.get("timeout", DEFAULT_TIMEOUT), raw.get("in_process", False)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
            raise UserInputError(f"timeout must be a number of seconds above 0, at most {MAX_TIMEOUT:g} "
                                 f"(got {show_json(timeout)})", config.location(pointer("handlers", key, "timeout")))
        if not isinstance(in_process, bool):
            raise UserInputError(f"in_process must be true or false (got {show_json(in_process)})",
                                 config.location(pointer("handlers", key, "in_process")))
    else:
        target, timeout, in_process = raw, DEFAULT_TIMEOUT, False
    if not isinstance(target, str) or ":" not in target:
        raise UserInputError(f"handler for '{key}' must be 'module:function'", where)
    return HandlerSpec(target, where, float(timeout), in_process)


class _Sections:
    """The topics, queues, subscriptions and machines sections of one file."""

    def __init__(self, config: ResourcesConfig) -> None:
        self.config = config

    def fail(self, message: str, ptr: str) -> UserInputError:
        return UserInputError(message, self.config.location(ptr))

    def parse(self) -> None:
        self.topics()
        self.queues()
        self.subscriptions()
        self.machines()
        self.http()

    def options(self, section: str, name: str, raw: Any, allowed: set[str]) -> dict:
        raw = {} if raw is None else raw
        if not isinstance(raw, dict):
            raise self.fail(f"{section[:-1]} '{name}' must be a mapping of options", f"/{section}/{name}")
        for key in raw:
            if key not in allowed:
                raise self.fail(f"unknown option '{key}' (known: {', '.join(sorted(allowed))})",
                                f"/{section}/{name}/{key}")
        return raw

    def flag(self, opts: dict, key: str, ptr: str) -> bool:
        value = opts.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):  # 'yes' / 'false' as text would silently mean true
            raise self.fail(f"{key} must be true or false (got {show_json(value)})", f"{ptr}/{key}")
        return value

    def handler(self, target: Any, ptr: str) -> HandlerSpec:
        if isinstance(target, str) and target in self.config.handlers:
            return self.config.handlers[target]
        if not isinstance(target, str) or ":" not in target:
            raise self.fail("a handler must be 'module:function' or a name from the handlers section", ptr)
        return HandlerSpec(target, self.config.location(ptr))

    def topics(self) -> None:
        for name, raw in self.config.section("topics").items():
            ptr = f"/topics/{name}"
            opts = self.options("topics", name, raw, {"arn", "content_based_deduplication"})
            arn = opts.get("arn")
            if arn is not None and not (isinstance(arn, str) and arn.startswith("arn:")):
                raise self.fail(f"arn must be a topic ARN, arn:aws:sns:REGION:ACCOUNT:NAME (got {show_json(arn)})",
                                f"{ptr}/arn")
            self.config.topics[str(name)] = Topic(str(name), arn or topic_arn(str(name)),
                                                  self.flag(opts, "content_based_deduplication", ptr))

    def queues(self) -> None:
        for name, raw in self.config.section("queues").items():
            ptr = f"/queues/{name}"
            opts = self.options("queues", name, raw, {"url", "content_based_deduplication", "consumer"})
            url = opts.get("url")
            # Queue.arn reads the region from the host and the account and name from the path.
            if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))
                                        and len(url.rstrip("/").split("/")) == 5):
                raise self.fail(f"url must be a queue URL, https://sqs.REGION.amazonaws.com/ACCOUNT/NAME "
                                f"(got {show_json(url)})", f"{ptr}/url")
            consumer = (self.handler(opts["consumer"], f"{ptr}/consumer")
                        if opts.get("consumer") is not None else None)
            self.config.queues[str(name)] = Queue(str(name), url or queue_url(str(name)),
                                                  self.flag(opts, "content_based_deduplication", ptr), consumer)

    def subscriptions(self) -> None:
        for topic_name, subs in self.config.section("subscriptions").items():
            ptr = f"/subscriptions/{topic_name}"
            topic = self.config.topics.get(str(topic_name))
            if topic is None:
                raise self.fail(f"subscriptions to '{topic_name}', which the topics section does not declare", ptr)
            if not isinstance(subs, list):
                raise self.fail("subscriptions of a topic must be a list", ptr)
            for i, raw in enumerate(subs):
                topic.subscriptions.append(self.subscription(topic, raw, f"{ptr}/{i}", f"{topic_name}/{i}"))

    def subscription(self, topic: Topic, raw: Any, ptr: str, name: str) -> Subscription:
        opts = self.options("subscriptions", name, raw,
                            {"queue", "handler", "filter_policy", "filter_policy_scope", "raw_message_delivery"})
        if ("queue" in opts) == ("handler" in opts):
            raise self.fail("a subscription names exactly one of queue or handler", ptr)
        scope = opts.get("filter_policy_scope", "MessageAttributes")
        if scope not in ("MessageAttributes", "MessageBody"):
            raise self.fail("filter_policy_scope is MessageAttributes or MessageBody", f"{ptr}/filter_policy_scope")
        policy = opts.get("filter_policy")
        if policy is not None:
            problem = filter_policy_problem(policy, scope)
            if problem is not None:
                where, message = problem
                raise self.fail(f"filter_policy: {message}", f"{ptr}/filter_policy{where}")
        sub = Subscription(filter_policy=policy, filter_scope=scope,
                           raw=self.flag(opts, "raw_message_delivery", ptr))
        if "queue" in opts:
            queue = self.config.queues.get(str(opts["queue"]))
            if queue is None:
                raise self.fail(f"queue '{opts['queue']}' is not declared in the queues section", f"{ptr}/queue")
            if topic.fifo and not queue.fifo:
                raise self.fail("a FIFO topic delivers only to FIFO queues", f"{ptr}/queue")
            sub.queue = queue.name
        else:
            sub.handler = self.handler(opts["handler"], f"{ptr}/handler")
        return sub

    def machines(self) -> None:
        section = self.config.section("machines")
        if not section:
            return
        from pathlib import Path

        from ..definition import load_machine

        base = Path(self.config.base_dir or ".")
        for key, raw in section.items():
            ptr = f"/machines/{key}"
            where = self.config.location(ptr)
            if not isinstance(raw, str) or not raw:
                raise self.fail(f"machine '{key}' must name its definition file", ptr)
            key = str(key)
            if key.startswith("arn:"):
                parts = key.split(":")
                if len(parts) < 7 or parts[2] != "states" or parts[5] != "stateMachine" or not parts[6]:
                    raise self.fail(f"'{key}' is not a state machine ARN "
                                    f"(arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)", ptr)
                name, arn = parts[6], key
            else:
                name, arn = key, state_machine_arn(key)
            path = (base / raw).resolve()
            if not path.is_file():
                raise self.fail(f"machine '{key}': no definition file {raw}", ptr)
            _, machine = load_machine(path)
            spec = MachineSpec(name, arn, path, machine, read_text(path), where)
            self.config.machines[arn] = spec
            self.config.machines.setdefault(name, spec)


    def http(self) -> None:
        section = self.config.section("http")
        for key in section:
            if key not in ("allow", "connections"):
                raise self.fail(f"unknown option '{key}' (known: allow, connections)", f"/http/{key}")
        allow = section.get("allow") or []
        if not isinstance(allow, list):
            raise self.fail("allow must be a list of URL prefixes (http://HOST:PORT/PATH)", "/http/allow")
        for i, prefix in enumerate(allow):
            problem = allow_problem(prefix)
            if problem:
                raise self.fail(f"allow: {problem}", f"/http/allow/{i}")
            self.config.http.allow.append(prefix)
        connections = section.get("connections") or {}
        if not isinstance(connections, dict):
            raise self.fail("connections must be a mapping of connection ARNs", "/http/connections")
        for arn, raw in connections.items():
            arn = str(arn)
            ptr = pointer("http", "connections", arn)
            if not arn.startswith("arn:") or ":connection/" not in arn:
                raise self.fail(f"'{arn}' is not a connection ARN "
                                f"(arn:aws:events:REGION:ACCOUNT:connection/NAME/ID)", ptr)
            self.config.http.connections[arn] = self.connection(arn, raw, ptr)

    def connection(self, arn: str, raw: Any, ptr: str) -> Connection:
        known = ("api_key", "basic", "body_parameters", "headers", "query_parameters")
        raw = {} if raw is None else raw
        if not isinstance(raw, dict):
            raise self.fail("a connection must be a mapping of options", ptr)
        for key in raw:
            if key not in known:
                raise self.fail(f"unknown option '{key}' (known: {', '.join(known)})", f"{ptr}/{key}")
        if "api_key" in raw and "basic" in raw:
            raise self.fail("a connection has one authorization: api_key or basic, not both", ptr)
        conn = Connection(arn)
        for name in ("headers", "query_parameters", "body_parameters"):
            setattr(conn, name, self.strings(raw.get(name), f"{ptr}/{name}", name, None))
        if "api_key" in raw:
            key = self.strings(raw["api_key"], f"{ptr}/api_key", "api_key", ("name", "value"))
            conn.auth_header = (key["name"], key["value"])
        elif "basic" in raw:
            import base64

            user = self.strings(raw["basic"], f"{ptr}/basic", "basic", ("username", "password"))
            token = base64.b64encode(f"{user['username']}:{user['password']}".encode()).decode()
            conn.auth_header = ("Authorization", "Basic " + token)
        return conn

    def strings(self, raw: Any, ptr: str, name: str, required: tuple[str, ...] | None) -> dict[str, str]:
        """A mapping of names to text (EventBridge keeps connection parameters as strings)."""
        if raw is None and required is None:
            return {}
        if not isinstance(raw, dict):
            want = " and ".join(required) if required else "names to values"
            raise self.fail(f"{name} must be a mapping of {want}", ptr)
        for key, value in raw.items():
            if required is not None and key not in required:
                raise self.fail(f"unknown option '{key}' (known: {', '.join(required)})", f"{ptr}/{key}")
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise self.fail(f"{name}: '{key}' must be text (got {show_json(value)})", f"{ptr}/{key}")
        for key in required or ():
            if key not in raw:
                raise self.fail(f"{name} needs {key}", ptr)
        return {str(k): str(v) for k, v in raw.items()}


def allow_problem(prefix: Any) -> str | None:
    """Why a URL prefix of http.allow cannot be used, or None."""
    from urllib.parse import urlsplit

    if not isinstance(prefix, str) or not prefix.startswith(("http://", "https://")):
        return f"an entry must be an http:// or https:// URL prefix (got {show_json(prefix)})"
    try:
        parts = urlsplit(prefix)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return f"'{prefix}' is not a URL"
    if not parts.hostname or parts.username is not None or parts.query or parts.fragment:
        return f"'{prefix}' must be scheme://HOST[:PORT][/PATH] (no user, query or fragment)"
    return None
