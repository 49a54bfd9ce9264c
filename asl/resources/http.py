"""The HTTP Task (`arn:aws:states:::http:invoke`): a real HTTP call, to the endpoints the resources file allows.

A definition is untrusted input: only URLs under a prefix of the resources file's `http: allow:`
are ever called (scheme, host, port and path compared after parsing, never as text), redirects
are not followed, and no proxy is used. The answer has AWS's shape (Headers, ResponseBody,
StatusCode, StatusText); a non-2xx status fails the Task with States.Http.StatusCode.<code> and
that shape, as JSON, as its cause. TestState's TRACE level reads the request and the response
this provider records on `call.trace`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

from ..aws import compact_json
from ..errors import StatesError
from . import NotHandled, TaskCall
from .config import Connection, HttpConfig

API = "http:invoke"
DEFAULT_TIMEOUT = 60.0              # AWS's limit on an HTTP Task's request
MAX_RESPONSE = 262144               # the Range AWS asks for, and its payload quota
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")
ARRAY_FORMATS = ("INDICES", "REPEAT", "COMMAS", "BRACKETS")
# Headers a definition may not set (the developer guide's list, and these prefixes).
_FORBIDDEN_PREFIXES = ("x-forwarded", "x-amz", "x-amzn")
_FORBIDDEN = frozenset({
    "a-im", "accept-charset", "accept-datetime", "accept-encoding", "authorization", "cache-control",
    "connection", "content-encoding", "content-md5", "date", "expect", "forwarded", "from", "host",
    "http2-settings", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
    "max-forwards", "origin", "pragma", "proxy-authorization", "referer", "server", "te", "trailer",
    "transfer-encoding", "upgrade", "via", "warning"})
_UNSUPPORTED_TYPES = ("application/octet-stream", "image/", "video/", "audio/")


def allowed(url: str, prefixes: list[str]) -> bool:
    """Whether a URL lies under one of the allowed prefixes (parsed: `http://h:80@evil/` is evil's)."""
    try:
        target = urlsplit(url)
        port = target.port or (443 if target.scheme == "https" else 80)
    except ValueError:
        return False
    if target.scheme not in ("http", "https") or not target.hostname or target.username is not None:
        return False
    # A dot segment (also percent-encoded) would climb out of the prefix once the server resolves it.
    if any(unquote(segment) in (".", "..") for segment in target.path.split("/")):
        return False
    for prefix in prefixes:
        rule = urlsplit(prefix)
        if (rule.scheme, (rule.hostname or "").lower()) != (target.scheme, target.hostname.lower()):
            continue
        if (rule.port or (443 if rule.scheme == "https" else 80)) != port:
            continue
        base, path = rule.path or "/", target.path or "/"
        # A path prefix ends at a segment: /api allows /api and /api/x, not /apix.
        if path == base or path.startswith(base if base.endswith("/") else base + "/"):
            return True
    return False


def static_endpoint(parameters: Any) -> str | None:
    """The ApiEndpoint a Task's Parameters / Arguments give as plain text (None when computed at run time).

    parameters: the raw object, or the root of its compiled template (a constant, or an object's members).
    """
    value = None
    if hasattr(parameters, "value"):            # a constant template: the whole object as written
        parameters = parameters.value
    if isinstance(parameters, dict):
        value = parameters.get("ApiEndpoint")
    elif hasattr(parameters, "members"):        # an object with computed members: ApiEndpoint's own node
        node = dict(parameters.members).get("ApiEndpoint")
        value = getattr(node, "value", None)
    if isinstance(value, str) and not value.strip().startswith("{%"):
        return value
    return None


def refusal(state_name: str, url: str) -> str:
    """Why an HTTP Task may not call this URL, naming the setting that would allow it."""
    return (f"state '{state_name}': the HTTP Task's endpoint {url} is not allowed; add a prefix of it under "
            f"'http: allow:' in a resources file (--resources), or mock the state (--mock-config)")


class HttpProvider:
    """Answers `arn:aws:states:::http:invoke` Tasks with a real call to an allowed endpoint."""

    def __init__(self, config: HttpConfig) -> None:
        self.config = config

    def can_handle(self, state_name: str, resource: Any, parameters: Any) -> bool:
        """HTTP Tasks whose endpoint is allowed, or computed at run time (then checked when called)."""
        if resource.api != API or resource.pattern != "":
            return False
        url = static_endpoint(parameters)
        return url is None or allowed(url, self.config.allow)

    def explain(self, state_name: str, resource: Any, parameters: Any) -> str | None:
        """The message for an HTTP Task refused before the run (its endpoint is not allowed)."""
        url = static_endpoint(parameters)
        if resource.api == API and url is not None and not allowed(url, self.config.allow):
            return refusal(state_name, url)
        return None

    def invoke(self, call: TaskCall) -> dict:
        """The response in AWS's shape, or the StatesError AWS would give."""
        if call.resource.api != API or call.resource.pattern != "":
            raise NotHandled()
        request = Request.build(call, self.config)
        if not allowed(request.url, self.config.allow):
            raise StatesError("States.Runtime", refusal(call.state_name, request.url))
        trace = call.trace if isinstance(call.trace, dict) else None
        if trace is not None:
            trace["request"] = request.inspection(bool(trace.get("revealSecrets")))
        timeout = min(call.timeout_seconds or DEFAULT_TIMEOUT, DEFAULT_TIMEOUT)
        status, reason, headers, body = request.send(timeout, call.timeout_seconds, _region(call))
        if trace is not None:
            trace["response"] = {"protocol": request.protocol, "statusCode": str(status), "statusMessage": reason,
                                 "headers": _header_text(headers), "body": body}
        result = {"Headers": _header_lists(headers), "ResponseBody": _parsed(body, headers),
                  "StatusCode": status, "StatusText": reason}
        if not 200 <= status < 300:
            raise StatesError(f"States.Http.StatusCode.{status}", compact_json(result))
        return result


class Request:
    """One HTTP Task's request: what the definition gives, merged with its connection's parameters."""

    def __init__(self, method: str, url: str, headers: list[tuple[str, str]], body: str,
                 secret_headers: list[tuple[str, str]], public_url: str, public_body: str) -> None:
        self.method, self.url, self.headers, self.body = method, url, headers, body
        self.secret_headers = secret_headers
        self.public_url, self.public_body = public_url, public_body    # without the connection's secrets

    @property
    def protocol(self) -> str:
        """http or https, as TestState shows it."""
        return urlsplit(self.url).scheme

    @classmethod
    def build(cls, call: TaskCall, config: HttpConfig) -> "Request":
        """Check the Task's arguments and merge the connection's (States.Runtime naming a bad one)."""
        params = call.parameters if isinstance(call.parameters, dict) else {}
        url = params.get("ApiEndpoint")
        if not isinstance(url, str) or not url:
            raise StatesError("States.Runtime", "The HTTP Task's ApiEndpoint must be a URL (text)")
        method = params.get("Method")
        if method not in METHODS:
            raise StatesError("States.Runtime", f"The HTTP Task's Method must be one of {', '.join(METHODS)} "
                                                f"(got {compact_json(method)})")
        conn = _connection(params, config)
        headers = _headers(params.get("Headers"))
        query = _pairs(params.get("QueryParameters"), "QueryParameters")
        encoding, array_format = _transform(params.get("Transform"))
        body_value = params.get("RequestBody")
        merged = body_value
        if conn.body_parameters:
            if body_value is not None and not isinstance(body_value, dict):
                raise StatesError("States.Runtime", "The HTTP Task's RequestBody must be an object to merge "
                                                    "the connection's body parameters into it")
            merged = {**(body_value or {}), **conn.body_parameters}
        body, public_body = _body(merged, encoding, array_format), _body(body_value, encoding, array_format)
        if body and not any(k.lower() == "content-type" for k, _ in headers):
            kind = "application/x-www-form-urlencoded" if encoding == "URL_ENCODED" else "application/json"
            headers.append(("Content-Type", kind))
        # The connection's values win over the definition's (they carry the credentials).
        secret = [*conn.headers.items(), *([conn.auth_header] if conn.auth_header else [])]
        names = {k.lower() for k, _ in secret}
        headers = [(k, v) for k, v in headers if k.lower() not in names]
        public_url = _with_query(url, query)
        query_names = set(conn.query_parameters)
        full_query = [(k, v) for k, v in query if k not in query_names] + list(conn.query_parameters.items())
        return cls(method, _with_query(url, full_query), headers, body, secret, public_url, public_body)

    def inspection(self, reveal: bool) -> dict:
        """TestState's inspectionData.request: the connection's additions only when secrets are revealed."""
        headers = self.headers + (self.secret_headers if reveal else [])
        return {"protocol": self.protocol, "method": self.method, "url": self.url if reveal else self.public_url,
                "headers": "[" + ", ".join(f"{k}: {v}" for k, v in headers) + "]",
                "body": self.body if reveal else self.public_body}

    def send(self, timeout: float, task_timeout: float | None,
             region: str) -> tuple[int, str, list[tuple[str, str]], str]:
        """Status, reason, headers and body text (http.client: no redirects followed, no proxy)."""
        import http.client  # here, not at the top: only runs with HTTP Tasks pay for importing it
        import socket

        parts = urlsplit(self.url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        conn = kind(parts.hostname, parts.port, timeout=timeout)
        headers = {"User-Agent": f"Amazon|StepFunctions|HttpInvoke|{region}", "Range": f"bytes=0-{MAX_RESPONSE}"}
        headers.update(self.headers + self.secret_headers)
        try:
            conn.request(self.method, target, body=self.body.encode() if self.body else None, headers=headers)
            answer = conn.getresponse()
            data = answer.read(MAX_RESPONSE + 1)
            status, reason, got = answer.status, answer.reason, answer.getheaders()
        except (socket.timeout, TimeoutError):
            if task_timeout is not None and task_timeout <= DEFAULT_TIMEOUT:
                raise StatesError("States.Timeout", None) from None
            raise StatesError("States.Http.Socket", f"The HTTP request to {self.url} timed out") from None
        except ValueError as exc:  # http.client refuses a header or path holding control characters
            raise StatesError("States.Runtime", f"The HTTP Task's request is not valid: {exc}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise StatesError("States.Http.Socket", f"The HTTP request to {self.url} failed: "
                                                    f"{exc.__class__.__name__}: {exc}") from None
        finally:
            conn.close()
        kind_header = next((v for k, v in got if k.lower() == "content-type"), "").lower()
        if kind_header.startswith(_UNSUPPORTED_TYPES):
            raise StatesError("States.Runtime", f"The HTTP Task's response has a content type Step Functions "
                                                f"does not support: {kind_header}")
        if len(data) > MAX_RESPONSE:
            raise StatesError("States.DataLimitExceeded", "The HTTP Task's response exceeds the maximum size of "
                                                          f"{MAX_RESPONSE} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise StatesError("States.Runtime", "The HTTP Task's response body is not text") from None
        return status, reason, got, text


def _region(call: TaskCall) -> str:
    """The execution's region (its ARN's), which AWS names in the User-Agent it sends."""
    execution = call.context.get("Execution") if isinstance(call.context, dict) else None
    arn = execution.get("Id") if isinstance(execution, dict) else None
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


def _connection(params: dict, config: HttpConfig) -> Connection:
    """The connection the Task names (Authentication or InvocationConfig); one the file does not
    describe adds nothing."""
    for key in ("Authentication", "InvocationConfig"):
        holder = params.get(key)
        if isinstance(holder, dict) and isinstance(holder.get("ConnectionArn"), str):
            arn = holder["ConnectionArn"]
            return config.connections.get(arn) or Connection(arn)
    return Connection("")


def _scalar(value: Any) -> str:
    """A header, query or form value as text (JSON's spelling for true / false / null)."""
    if isinstance(value, str):
        return value
    return compact_json(value)


def _headers(raw: Any) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise StatesError("States.Runtime", "The HTTP Task's Headers must be an object")
    headers = []
    for name, value in raw.items():
        lower = name.lower()
        if lower in _FORBIDDEN or lower.startswith(_FORBIDDEN_PREFIXES):
            raise StatesError("States.Runtime", f"The HTTP Task may not set the header '{name}'")
        values = value if isinstance(value, list) else [value]
        headers.append((name, ",".join(_scalar(v) for v in values)))
    return headers


def _pairs(raw: Any, field: str) -> list[tuple[str, str]]:
    """QueryParameters as name / value pairs (an array repeats its name)."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise StatesError("States.Runtime", f"The HTTP Task's {field} must be an object")
    pairs = []
    for name, value in raw.items():
        for item in (value if isinstance(value, list) else [value]):
            pairs.append((name, _scalar(item)))
    return pairs


def _transform(raw: Any) -> tuple[str, str]:
    """RequestBodyEncoding (NONE, URL_ENCODED) and its ArrayFormat (INDICES by default)."""
    if raw is None:
        return "NONE", "INDICES"
    if not isinstance(raw, dict):
        raise StatesError("States.Runtime", "The HTTP Task's Transform must be an object")
    encoding = raw.get("RequestBodyEncoding", "NONE")
    if encoding not in ("NONE", "URL_ENCODED"):
        raise StatesError("States.Runtime", f"RequestBodyEncoding must be NONE or URL_ENCODED "
                                            f"(got {compact_json(encoding)})")
    options = raw.get("RequestEncodingOptions") or {}
    array_format = options.get("ArrayFormat", "INDICES") if isinstance(options, dict) else None
    if array_format not in ARRAY_FORMATS:
        raise StatesError("States.Runtime", f"ArrayFormat must be one of {', '.join(ARRAY_FORMATS)} "
                                            f"(got {compact_json(array_format)})")
    return encoding, array_format


def _body(value: Any, encoding: str, array_format: str) -> str:
    """The request body as sent: text as it is, JSON otherwise, or a URL-encoded form."""
    if value is None:
        return ""
    if encoding == "URL_ENCODED":
        if isinstance(value, str):
            return value
        if not isinstance(value, dict):
            raise StatesError("States.Runtime", "A URL_ENCODED RequestBody must be an object")
        pairs: list[tuple[str, str]] = []
        for name, item in value.items():
            _form(name, item, array_format, pairs)
        return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    return value if isinstance(value, str) else compact_json(value)


def _form(name: str, value: Any, array_format: str, pairs: list[tuple[str, str]]) -> None:
    """One form field; objects nest as name[key], arrays as ArrayFormat says."""
    if isinstance(value, dict):
        for key, item in value.items():
            _form(f"{name}[{key}]", item, array_format, pairs)
    elif isinstance(value, list):
        if array_format == "COMMAS":
            pairs.append((name, ",".join(_scalar(v) for v in value)))
            return
        for i, item in enumerate(value):
            key = {"INDICES": f"{name}[{i}]", "BRACKETS": f"{name}[]"}.get(array_format, name)
            _form(key, item, array_format, pairs)
    else:
        pairs.append((name, _scalar(value)))


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(pairs)


def _header_lists(headers: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The response's headers as AWS gives them: each name with the list of its values."""
    out: dict[str, list[str]] = {}
    for name, value in headers:
        out.setdefault(name, []).append(value)
    return out


def _header_text(headers: list[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{k}: {v}" for k, v in headers) + "]"


def _parsed(body: str, headers: list[tuple[str, str]]) -> Any:
    """A JSON response's body as JSON; any other body (or JSON that does not parse) as text."""
    kind = next((v for k, v in headers if k.lower() == "content-type"), "").split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body
