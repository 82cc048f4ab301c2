"""Task rules: private to their owner, versioned for conditional requests, idempotent creation."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from platform_common.db.database import Record
from platform_common.errors import ErrorSource, NotFound, PreconditionFailed, UnprocessableEntity
from platform_common.http.conditional import if_match_passes
from platform_common.pagination import PageQuery
from todo_api.core.config import DEFAULT_TASK_QUOTA_PER_USER
from todo_api.core.metrics import TASKS_COMPLETED, TASKS_CREATED
from todo_api.repositories.idempotency import IdempotencyRepository
from todo_api.repositories.tasks import TaskRepository
from todo_api.schemas.task import SortKey, TaskCreate, TaskFilter, TaskRead, TaskStats, TaskUpdate
from todo_api.schemas.webhook import EventType
from todo_api.services.auth import Caller
from todo_api.services.errors import TaskQuotaExceeded
from todo_api.services.events import OwnEvents
from todo_api.services.pages import rows_and_total
from todo_api.services.recurrence import next_due, occurrences_after_first

IDEMPOTENCY_TTL = timedelta(hours=24)
# What a recurring task's next occurrence takes from it; a column an occurrence inherits
# is one more name here.
OCCURRENCE_COPIES = ("title", "description", "priority", "tags", "recurrence")


def etag_for(task: Record | TaskRead) -> str:
    """A strong validator: the version changes with every write of the task."""
    version = task.version if isinstance(task, TaskRead) else task["version"]
    return f'"{version}"'


@dataclass(frozen=True)
class Created:
    task: TaskRead
    replayed: bool


class TaskService:
    def __init__(self, caller: Caller, *, quota: int = DEFAULT_TASK_QUOTA_PER_USER) -> None:
        self.quota = quota  # TASK_QUOTA_PER_USER
        self.tasks = TaskRepository(caller.transaction, caller.id)
        self.keys = IdempotencyRepository(caller.transaction, caller.id)
        self.events = OwnEvents(caller)
        # Recurring tasks' occurrences are computed in the owner's zone.
        self.zone = ZoneInfo(caller.user["time_zone"])

    async def create(
        self, request: TaskCreate, idempotency_key: str | None = None, *, enforce_quota: bool = True
    ) -> Created:
        """Create a task, or replay the first answer to ``idempotency_key``. A replay is
        never refused for the quota: the task it answers with exists already.
        ``enforce_quota=False`` is for tasks the service itself must create whatever the
        owner holds (the next occurrence of a recurring task)."""
        if idempotency_key is None:
            return Created(await self._insert(request, enforce_quota), replayed=False)
        request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
        if await self.keys.claim(idempotency_key, request_hash, datetime.now(UTC) + IDEMPOTENCY_TTL):
            task = await self._insert(request, enforce_quota)
            await self.keys.record(idempotency_key, task.model_dump(mode="json"))
            return Created(task, replayed=False)
        previous = await self.keys.find(idempotency_key)
        if previous is None or previous["response_body"] is None:  # pragma: no cover - claim() excludes it
            raise UnprocessableEntity("The Idempotency-Key is in use")
        if previous["request_hash"] != request_hash:
            raise UnprocessableEntity("This Idempotency-Key was used with a different request body")
        return Created(TaskRead.model_validate(previous["response_body"]), replayed=True)

    async def list(
        self, task_filter: TaskFilter, sort: Sequence[SortKey], params: PageQuery
    ) -> tuple[list[TaskRead], int]:
        rows = await self.tasks.page(task_filter, sort, limit=params.limit, offset=params.offset)
        rows, total = await rows_and_total(rows, params, lambda: self.tasks.count(task_filter))
        return [TaskRead.from_row(row) for row in rows], total

    async def get(self, task_id: uuid.UUID) -> TaskRead:
        return TaskRead.from_row(await self._get(task_id))

    async def update(self, task_id: uuid.UUID, request: TaskUpdate, if_match: str | None) -> TaskRead:
        """Write what the request changes. A request that changes nothing (``{}``, or the
        values the task already has, once normalised as a write would store them) writes
        nothing: the version, ``updated_at`` and the ETag stay, so other clients' ``If-Match``
        still holds."""
        task = await self._get(task_id, for_update=True)
        self._check_precondition(task, if_match)
        current = TaskRead.from_row(task)
        changes = {
            name: value for name, value in request.changes().items() if getattr(current, name) != value
        }
        if not changes:
            return current
        after = {**task, **changes}
        if after["recurrence"] is not None and after["due_at"] is None:
            pointer = "/recurrence" if "recurrence" in changes else "/due_at"
            raise UnprocessableEntity("A recurring task needs a due_at", source=ErrorSource(pointer=pointer))
        if "recurrence" in changes:
            changes["occurrences_left"] = _occurrences_left(request.recurrence)
        if "completed" in changes:
            changes["completed_at"] = datetime.now(UTC) if changes["completed"] else None
            if changes["completed"]:
                TASKS_COMPLETED.inc()
                changes |= await self._follow_up({**after, **changes})
        updated = await self.tasks.update(task_id, changes)
        if updated is None:  # pragma: no cover - the row is locked above
            raise NotFound("Task not found")
        read = TaskRead.from_row(updated)
        await self.events.emit(
            EventType.TASK_COMPLETED if changes.get("completed") else EventType.TASK_UPDATED, read
        )
        return read

    async def delete(self, task_id: uuid.UUID, if_match: str | None) -> None:
        task = await self._get(task_id, for_update=True)
        self._check_precondition(task, if_match)
        await self.tasks.delete(task_id)
        await self.events.emit(EventType.TASK_DELETED, TaskRead.from_row(task))

    async def stats(self, timezone: ZoneInfo) -> TaskStats:
        now = datetime.now(UTC)
        day_start = datetime.combine(now.astimezone(timezone).date(), time.min, tzinfo=timezone)
        row = await self.tasks.stats(now=now, day_start=day_start, day_end=day_start + timedelta(days=1))
        return TaskStats(
            total=row["total"],
            completed=row["completed"],
            open=row["total"] - row["completed"],
            overdue=row["overdue"],
            due_today=row["due_today"],
        )

    async def _check_quota(self) -> None:
        """At most ``quota`` tasks per owner, every row counted (trashed ones too). The
        owner's creations take turns (``lock_creation``), so two at ``quota - 1`` cannot
        both pass; the count stops at the quota, so its cost is bounded."""
        await self.tasks.lock_creation()
        if await self.tasks.count_owned(up_to=self.quota) >= self.quota:
            raise TaskQuotaExceeded(f"You already have the maximum of {self.quota} tasks; delete some first")

    async def _insert(self, request: TaskCreate, enforce_quota: bool) -> TaskRead:
        if enforce_quota:
            await self._check_quota()
        values = request.model_dump()
        values["completed_at"] = datetime.now(UTC) if request.completed else None
        values["occurrences_left"] = _occurrences_left(request.recurrence)
        if request.completed:
            TASKS_COMPLETED.inc()
        return await self._create(values)

    async def _create(self, values: Mapping[str, Any]) -> TaskRead:
        """Insert a task and announce it: every new task, requested or a next occurrence."""
        task = TaskRead.from_row(await self.tasks.insert(values))
        TASKS_CREATED.inc()
        await self.events.emit(EventType.TASK_CREATED, task)
        return task

    async def _follow_up(self, task: Mapping[str, Any]) -> dict[str, object]:
        """A recurring task being completed (its row locked): create its next occurrence,
        unless it has created one before (a retry, a reopened and re-completed task) or the
        series has ended (COUNT used up, UNTIL passed). The changes that link the task to it."""
        if task["recurrence"] is None or task["occurrence_spawned"] or task["occurrences_left"] == 0:
            return {}
        due_at = next_due(task["recurrence"], task["due_at"], self.zone)
        if due_at is None:
            return {}
        left = task["occurrences_left"]
        values = {name: task[name] for name in OCCURRENCE_COPIES} | {
            "due_at": due_at,
            "completed": False,
            "completed_at": None,
            "occurrences_left": None if left is None else left - 1,
        }
        # The one place an occurrence is created. The server creates it, not the user: a
        # per-user task quota must not refuse it (pass that here once quotas exist).
        occurrence = await self._create(values)
        return {"next_occurrence_id": occurrence.id, "occurrence_spawned": True}

    async def _get(self, task_id: uuid.UUID, *, for_update: bool = False) -> Record:
        task = await self.tasks.get(task_id, for_update=for_update)
        if task is None:
            raise NotFound("Task not found")
        return task

    @staticmethod
    def _check_precondition(task: Record, if_match: str | None) -> None:
        if if_match is not None and not if_match_passes(if_match, etag_for(task)):
            raise PreconditionFailed(
                "The task has changed since it was read", headers={"ETag": etag_for(task)}
            )


def _occurrences_left(rule: str | None) -> int | None:
    return None if rule is None else occurrences_after_first(rule)
