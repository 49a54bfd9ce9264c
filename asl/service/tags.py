"""Tags on state machines and activities: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from typing import Any

from . import arns
from .errors import ApiError, resource_missing, validation

MAX_TAGS = 50   # AWS's quota of tags per resource


def tag_statements(arn: str, tags: list) -> list[tuple[str, tuple]]:
    """The writes that tag a resource: a key keeps its first position, a repeated key takes the later value."""
    statements = []
    for tag in tags:
        if not isinstance(tag, dict) or not isinstance(tag.get("key"), str):
            raise validation("1 validation error detected: Value null at 'tags.member.key' failed to satisfy "
                             "constraint: Member must not be null")
        key, value = tag["key"], tag.get("value", "")
        if not 1 <= len(key) <= 128 or not isinstance(value, str) or len(value) > 256:
            raise validation(f"1 validation error detected: Value '{key}' at 'tags.member.key' failed to satisfy "
                             "constraint: Member must have length between 1 and 128")
        statements.append(("INSERT INTO api_tags (resource_arn, key, value) VALUES (?, ?, ?) "
                           "ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value", (arn, key, value)))
    return statements


class Tags:
    """The tagging operations, for the resources the API keeps."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def _existing(self, arn: str) -> None:
        parsed = arns.parse(arn, "stateMachine", "activity")
        table = "api_activities" if parsed.kind == "activity" else (
            "api_aliases" if len(parsed.parts) == 2 else "api_state_machines")
        if self.db.one(f"SELECT 1 FROM {table} WHERE arn = ?", (arn,)) is None:
            raise resource_missing(f"Resource not found: '{arn}'")

    def tag_resource(self, req: dict) -> dict:
        arn = req["resourceArn"]
        self._existing(arn)
        statements = tag_statements(arn, req["tags"])
        with self.db.lock:
            known = {r["key"] for r in self.db.query("SELECT key FROM api_tags WHERE resource_arn = ?", (arn,))}
            if len(known | {t["key"] for t in req["tags"]}) > MAX_TAGS:
                raise ApiError("TooManyTags", f"Too many tags: '{arn}'")
            self.db.write(*statements)
        return {}

    def untag_resource(self, req: dict) -> dict:
        arn = req["resourceArn"]
        self._existing(arn)
        self.db.write(*[("DELETE FROM api_tags WHERE resource_arn = ? AND key = ?", (arn, key))
                        for key in req["tagKeys"] if isinstance(key, str)])
        return {}

    def list_tags_for_resource(self, req: dict) -> dict:
        arn = req["resourceArn"]
        self._existing(arn)
        rows = self.db.query("SELECT key, value FROM api_tags WHERE resource_arn = ? ORDER BY rowid", (arn,))
        return {"tags": [{"key": r["key"], "value": r["value"]} for r in rows]}
