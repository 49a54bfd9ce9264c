"""Activities: Create / Describe / Delete / ListActivities, GetActivityTask, and the Task provider that
hands an activity's work to the workers polling it."""

from __future__ import annotations

import dataclasses
import json
import queue
import threading
import time
from typing import Any

from ..aws import ACTIVITY
from ..errors import StatesError
from . import arns
from .errors import activity_missing
from .machines import ENCRYPTION
from .paging import page
from .tags import tag_statements

POLL_SECONDS = 60   # GetActivityTask waits this long for work, as AWS does


class Activities:
    """The activity operations, and each activity's queue of scheduled tasks."""

    def __init__(self, db: Any, poll_seconds: float = POLL_SECONDS) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self._queues: dict[str, queue.Queue] = {}
        self._lock = threading.Lock()
        self.closing = threading.Event()

    def queue(self, arn: str) -> queue.Queue:
        """The tasks waiting for a worker of one activity."""
        with self._lock:
            return self._queues.setdefault(arn, queue.Queue())

    def exists(self, arn: str) -> bool:
        return self.db.one("SELECT 1 FROM api_activities WHERE arn = ?", (arn,)) is not None

    def create_activity(self, req: dict) -> dict:
        name = req["name"]
        arns.check_name(name)
        arn = arns.activity_arn(name)
        with self.db.lock:
            row = self.db.one("SELECT created FROM api_activities WHERE arn = ?", (arn,))
            if row is not None:  # idempotent, as AWS's CreateActivity is
                return {"activityArn": arn, "creationDate": row["created"]}
            created = time.time()
            self.db.write(("INSERT INTO api_activities (arn, name, created) VALUES (?, ?, ?)", (arn, name, created)),
                          *tag_statements(arn, req.get("tags") or []))
        return {"activityArn": arn, "creationDate": created}

    def describe_activity(self, req: dict) -> dict:
        arn = req["activityArn"]
        arns.parse(arn, "activity")
        row = self.db.one("SELECT * FROM api_activities WHERE arn = ?", (arn,))
        if row is None:
            raise activity_missing(arn)
        return {"activityArn": arn, "name": row["name"], "creationDate": row["created"],
                "encryptionConfiguration": dict(ENCRYPTION)}

    def delete_activity(self, req: dict) -> dict:
        arn = req["activityArn"]
        arns.parse(arn, "activity")
        self.db.write(("DELETE FROM api_activities WHERE arn = ?", (arn,)),
                      ("DELETE FROM api_tags WHERE resource_arn = ?", (arn,)))
        return {}

    def list_activities(self, req: dict) -> dict:
        rows = self.db.query("SELECT arn, name, created FROM api_activities ORDER BY created, rowid")
        items = [{"activityArn": r["arn"], "name": r["name"], "creationDate": r["created"]} for r in rows]
        return page(items, req, "ListActivities", "activities")

    def get_activity_task(self, req: dict) -> dict:
        arn = req["activityArn"]
        arns.parse(arn, "activity")
        if not self.exists(arn):
            raise activity_missing(arn)
        deadline = time.monotonic() + self.poll_seconds
        tasks = self.queue(arn)
        while not self.closing.is_set():
            try:
                token, value = tasks.get(timeout=min(max(deadline - time.monotonic(), 0), 0.5))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    break
                continue
            from ..callbacks import pending_task

            if pending_task(token) is not None:  # else the Task ended (timed out, aborted) before a worker came
                return {"taskToken": token, "input": json.dumps(value, separators=(",", ":"))}
        return {}


class ActivityTasks:
    """The Task provider for activity ARNs: the task waits in its activity's queue for GetActivityTask,
    then for the worker's SendTaskSuccess / Failure (HeartbeatSeconds and TimeoutSeconds apply)."""

    def __init__(self, activities: Activities) -> None:
        self.activities = activities

    def can_handle(self, state_name: str, resource: Any, parameters: Any) -> bool:
        return resource.kind == ACTIVITY

    def invoke(self, call: Any) -> Any:
        from ..callbacks import close_task, new_token, open_task, wait_for_task_token
        from ..resources import NotHandled

        if call.resource.kind != ACTIVITY:
            raise NotHandled()
        arn = call.resource.arn
        if not self.activities.exists(arn):
            raise StatesError("States.Runtime", f"Activity Does Not Exist: '{arn}'")
        token = call.task_token or new_token()
        store = call.env.callbacks.store if call.env is not None else None
        if call.task_token is None:
            open_task(token, call.env.execution_arn if call.env else None, call.state_name, store)
        try:
            self.activities.queue(arn).put((token, call.parameters))
            return wait_for_task_token(dataclasses.replace(call, task_token=token))
        finally:
            if call.task_token is None:
                close_task(token)
