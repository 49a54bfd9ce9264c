"""Activities: Create / Describe / Delete / ListActivities, GetActivityTask, and the Task provider that
hands an activity's work to the workers polling it."""

from __future__ import annotations

import dataclasses
import datetime
import json
import queue
import threading
import time
from typing import Any

from ..aws import ACTIVITY
from ..callbacks import DEFAULT_TASK_TIMEOUT
from ..errors import StateEvaluationError, StatesError
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
                claim = tasks.get(timeout=min(max(deadline - time.monotonic(), 0), 0.5))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    break
                continue
            if claim.take(req.get("workerName")):  # else the Task ended (timed out, aborted) before a worker came
                return {"taskToken": claim.token, "input": json.dumps(claim.input, separators=(",", ":"))}
        return {}


class Claim:
    """One scheduled activity task: taken by one worker (GetActivityTask), or given up by its Task first."""

    def __init__(self, token: str, value: Any) -> None:
        self.token, self.input = token, value
        self.worker: str | None = None
        self.taken = threading.Event()
        self._lock = threading.Lock()
        self._abandoned = False

    def take(self, worker: str | None) -> bool:
        """A worker takes the task; False when its Task gave up first."""
        with self._lock:
            if self._abandoned:
                return False
            self.worker = worker
            self.taken.set()
            return True

    def abandon(self) -> bool:
        """The Task stops waiting for a worker; False when one took the task meanwhile."""
        with self._lock:
            if self.taken.is_set():
                return False
            self._abandoned = True
            return True


class ActivityTasks:
    """The Task provider for activity ARNs: the task waits in its activity's queue for GetActivityTask
    (ActivityScheduled, then ActivityStarted with the worker's name), then for the worker's
    SendTaskSuccess / Failure. TimeoutSeconds runs from scheduling, HeartbeatSeconds once a worker has it."""

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
            # AWS's words; the interpreter prefixes the state, and no activity event is recorded.
            raise StateEvaluationError(f"The activity {arn} does not exist.")
        if call.activity is not None:
            call.activity.schedule()
        token = call.task_token or new_token()
        store = call.env.callbacks.store if call.env is not None else None
        if call.task_token is None:
            open_task(token, call.env.execution_arn if call.env else None, call.state_name, store)
        try:
            claim = Claim(token, call.parameters)
            self.activities.queue(arn).put(claim)
            left = self._wait_for_worker(call, claim)
            if call.activity is not None:
                call.activity.start(claim.worker)
            return wait_for_task_token(dataclasses.replace(call, task_token=token, timeout_seconds=left))
        finally:
            if call.task_token is None:
                close_task(token)

    def _wait_for_worker(self, call: Any, claim: Claim) -> float:
        """Block until a worker takes the task; the seconds of TimeoutSeconds left, or States.Timeout."""
        env = call.env
        start = env.now()
        limit = call.timeout_seconds or DEFAULT_TASK_TIMEOUT
        due = start + datetime.timedelta(seconds=limit)
        real_end = time.monotonic() + max(env.callbacks.virtual_wait, 0)
        while not claim.taken.wait(0.05):
            env.check_time()   # aborted, or the execution's own timeout
            if env.virtual:
                if time.monotonic() < real_end:
                    continue
                # Nobody came in real time: simulated time runs on to the Task's timeout.
                env.sleep((due - env.now()).total_seconds())
            elif env.now() < due:
                continue
            if claim.abandon():
                raise StatesError("States.Timeout", None)
        return max(limit - (env.now() - start).total_seconds(), 0.001)
