"""Pagination as the API does it: maxResults (0 means the default), opaque nextToken, InvalidToken."""

from __future__ import annotations

import base64
import json
from typing import Any, Sequence

from .errors import invalid_token

DEFAULT_PAGE = 100


def page(items: Sequence[Any], request: dict, scope: str, key: str) -> dict:
    """`{key: [...], "nextToken": ...}` for the page the request asks for; a token only fits its own list."""
    size = request.get("maxResults") or DEFAULT_PAGE
    start = 0
    token = request.get("nextToken")
    if token is not None:
        start = _offset(token, scope)
    chunk = list(items[start:start + size])
    result: dict[str, Any] = {key: chunk}
    if start + size < len(items):
        result["nextToken"] = _token(scope, start + size)
    return result


def _token(scope: str, offset: int) -> str:
    raw = json.dumps([scope, offset], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _offset(token: str, scope: str) -> int:
    try:
        found_scope, offset = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError, UnicodeError):
        raise invalid_token() from None
    if found_scope != scope or not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise invalid_token()
    return offset
