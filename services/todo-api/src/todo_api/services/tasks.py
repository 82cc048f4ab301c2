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
from platform_common.errors import Conflict, ErrorSource, NotFound, PreconditionFailed, UnprocessableEntity
from platform_common.http.conditional import if_match_passes
from platform_common.pagination import PageQuery
from todo_api.core.config import DEFAULT_TASK_QUOTA_PER_USER
from todo_api.core.metrics import TASKS_COMPLETED, TASKS_CREATED
from todo_api.repositories.idempotency import IdempotencyRepository
from todo_api.repositories.lists import ListRepository
from todo_api.repositories.tasks import TaskRepository
from todo_api.schemas.task import SortKey, TaskCreate, TaskFilter, TaskMove, TaskRead, TaskStats, TaskUpdate
from todo_api.schemas.webhook import EventType
from todo_api.services.auth import Caller
from todo_api.services.errors import TaskQuotaExceeded
from todo_api.services.events import OwnEvents
from todo_api.services.ordering import jittered_key_after, key_between, keys_after
from todo_api.services.pages import rows_and_total
from todo_api.services.recurrence import next_due, occurrences_after_first

IDEMPOTENCY_TTL = timedelta(hours=24)
# What a recurring task's next occurrence takes from it; a column an occurrence inherits
# is one more name here.
OCCURRENCE_COPIES = ("title", "description", "priority", "tags", "recurrence", "list_id", "parent_id")
# Keys tried for a new task before giving up (each fails only on a random collision).
INSERT_ATTEMPTS = 3
# The quota of a task the server creates (an occurrence): more than any owner can hold.
UNLIMITED = 2**62
# Levels of nesting: a top-level task, its subtasks, theirs, and theirs.
MAX_DEPTH = 4


def invalid(pointer: str, detail: str) -> UnprocessableEntity:
    return UnprocessableEntity(detail, source=ErrorSource(pointer=pointer))


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
        self.lists = ListRepository(caller.transaction, caller.id)
        self.keys = IdempotencyRepository(caller.transaction, caller.id)
        self.events = OwnEvents(caller)
        # Recurring tasks' occurrences are computed in the owner's zone.
        self.zone = ZoneInfo(caller.user["time_zone"])
        self.default_list_id = caller.default_list_id  # loaded with the caller

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
        """A page of matching live tasks. A ``list_id`` or ``parent_id`` the caller cannot see
        is 404, not an empty page: another user's ids say nothing about their existence.
        Checked only when the page is empty: a row of the page is the caller's own task in
        that list or under that parent, which proves both are the caller's (one round trip
        less on every page with something in it)."""
        rows = await self.tasks.page(task_filter, sort, limit=params.limit, offset=params.offset)
        if not rows:
            if task_filter.list_id is not None:
                await self.list_of(task_filter.list_id)
            if task_filter.parent_id is not None:
                await self._get(task_filter.parent_id)
        rows, total = await rows_and_total(rows, params, lambda: self.tasks.count(task_filter))
        return [TaskRead.from_row(row) for row in rows], total

    async def get(self, task_id: uuid.UUID) -> TaskRead:
        return TaskRead.from_row(await self._get(task_id))

    async def update(self, task_id: uuid.UUID, request: TaskUpdate, if_match: str | None) -> TaskRead:
        """Write what the request changes. A request that changes nothing (``{}``, or the
        values the task already has, once normalised as a write would store them) writes
        nothing: the version, ``updated_at`` and the ETag stay, so other clients' ``If-Match``
        still holds.

        Completing may place a next occurrence beside the task (under its parent): like every
        placing path, it takes the owner's placement lock before the task's row."""
        if request.completed:
            await self.lock_placement()
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
        if read.completed and read.completed_at is not None and "completed" in changes:
            # A done task has no open subtasks: they are completed with it, in this transaction.
            for row in await self.tasks.complete_descendants(task_id, read.completed_at):
                TASKS_COMPLETED.inc()
                await self.events.emit(EventType.TASK_COMPLETED, TaskRead.from_row(row))
        return read

    async def delete(self, task_id: uuid.UUID, if_match: str | None) -> None:
        """To the trash, with the task's subtasks: 404 everywhere but the trash from now on."""
        await self.lock_placement()
        task = await self._get(task_id, for_update=True)
        self._check_precondition(task, if_match)
        await self._trashed(await self.tasks.trash(task_id, datetime.now(UTC)))

    async def move(self, task_id: uuid.UUID, request: TaskMove) -> TaskRead:
        """Place a task (and its subtasks with it): see ``TaskMove``. Only the task's own key
        is written; its siblings keep theirs."""
        await self.lock_placement()
        task = await self._get(task_id, for_update=True)
        list_id = task["list_id"]
        if request.list_id is not None:
            list_id = (await self.list_of(request.list_id))["id"]
        parent: Record | None = None
        if request.parent_id is not None:
            parent = await self._get(request.parent_id)
            if request.list_id is None:
                list_id = parent["list_id"]
        elif "parent_id" not in request.model_fields_set and list_id == task["list_id"]:
            parent = None if task["parent_id"] is None else await self._get(task["parent_id"])
        if parent is not None:
            await self._check_parent(parent, list_id, moving=task_id)
        parent_id = None if parent is None else parent["id"]
        position = await self._position(list_id, parent_id, request, moving=task_id)
        moved = await self.tasks.move(task_id, list_id=list_id, parent_id=parent_id, position=position)
        if moved is None:  # pragma: no cover - the row is locked above
            raise NotFound("Task not found")
        read = TaskRead.from_row(moved)
        await self.events.emit(EventType.TASK_MOVED, read)
        return read

    async def restore(self, task_id: uuid.UUID) -> TaskRead:
        """Bring a trashed task back with the subtasks trashed with it, last among its
        siblings: under its parent if that is live (and the nesting stays within
        ``MAX_DEPTH``), else at the top level of its list. A deleted list's trashed tasks
        were handed to the default list when it went, so the list is always there."""
        await self.lock_placement()
        task = await self.tasks.trashed(task_id)
        if task is None:
            raise NotFound("Task not found in the trash")
        parent_id = task["parent_id"]
        if parent_id is not None:
            parent = await self.tasks.get(parent_id)
            fits = (
                parent is not None
                and parent["list_id"] == task["list_id"]
                and await self.tasks.depth(parent_id)
                + await self.tasks.height(task_id, trashed_at=task["deleted_at"])
                <= MAX_DEPTH
            )
            if not fits:
                parent_id = None
        position = key_between(await self.tasks.last_position(task["list_id"], parent_id), None)
        rows = await self.tasks.restore(task, parent_id=parent_id, position=position)
        for row in rows:
            await self.events.emit(EventType.TASK_RESTORED, TaskRead.from_row(row))
        return TaskRead.from_row(rows[0])

    async def trash(self, params: PageQuery) -> tuple[Sequence[TaskRead], int]:
        rows = await self.tasks.trash_page(limit=params.limit, offset=params.offset)
        rows, total = await rows_and_total(rows, params, self.tasks.trash_count)
        return [TaskRead.from_row(row) for row in rows], total

    # The tasks of a list being deleted (the caller holds the placement lock).

    async def count_in_list(self, list_id: uuid.UUID) -> int:
        return await self.tasks.count_in_list(list_id)

    async def trash_list(self, list_id: uuid.UUID) -> None:
        await self._trashed(await self.tasks.trash_list(list_id, datetime.now(UTC)))

    async def move_list(self, from_list: uuid.UUID, to_list: uuid.UUID) -> None:
        """Every live task of a list to the end of another, top-level tasks in their order,
        each with its subtasks."""
        roots = await self.tasks.top_level(from_list)
        keys = keys_after(await self.tasks.last_position(to_list, None), len(roots)) if roots else []
        for root, key in zip(roots, keys, strict=True):
            moved = await self.tasks.move(root["id"], list_id=to_list, parent_id=None, position=key)
            if moved is not None:
                await self.events.emit(EventType.TASK_MOVED, TaskRead.from_row(moved))

    async def hand_over_trash(self, from_list: uuid.UUID, to_list: uuid.UUID) -> None:
        """A deleted list's trashed tasks now belong to ``to_list`` (the default list): where
        a restore brings them back."""
        await self.tasks.relist(from_list, to_list, live=False)

    async def lock_placement(self) -> Record:
        """The owner's placement lock (see ``ListRepository.lock_default``); their default list."""
        return await self._default_list(lock=True)

    async def default_list(self) -> Record:
        return await self._default_list(lock=False)

    async def _default_list(self, *, lock: bool) -> Record:
        """The owner's default list; made now for a user the previous release created."""
        for _ in range(2):
            default = await (self.lists.lock_default() if lock else self.lists.default())
            if default is not None:
                return default
            await self.lists.ensure_default()
        raise NotFound("Default list not found")  # pragma: no cover - made just above

    async def list_of(self, list_id: uuid.UUID) -> Record:
        found = await self.lists.get(list_id)
        if found is None:
            raise NotFound("List not found")
        return found

    async def _trashed(self, rows: Sequence[Record]) -> None:
        for row in rows:
            await self.events.emit(EventType.TASK_DELETED, TaskRead.from_row(row))

    async def _check_parent(self, parent: Record, list_id: uuid.UUID, *, moving: uuid.UUID | None) -> None:
        """422 at ``/parent_id`` for a parent in another list, inside the moving task's own
        subtree (a cycle), or too deep for the task's subtree."""
        if parent["list_id"] != list_id:
            raise invalid("/parent_id", "The parent is in another list")
        height = 1
        if moving is not None:
            if parent["id"] == moving or await self.tasks.in_subtree(moving, parent["id"]):
                raise invalid("/parent_id", "A task cannot be nested under itself or one of its subtasks")
            height = await self.tasks.height(moving)
        if await self.tasks.depth(parent["id"]) + height > MAX_DEPTH:
            raise invalid("/parent_id", f"Tasks nest at most {MAX_DEPTH} levels deep")

    async def _sibling(
        self,
        task_id: uuid.UUID,
        pointer: str,
        list_id: uuid.UUID,
        parent_id: uuid.UUID | None,
        moving: uuid.UUID,
    ) -> Record:
        if task_id == moving:
            raise invalid(pointer, "A task cannot be placed next to itself")
        sibling = await self._get(task_id)
        if sibling["list_id"] != list_id or sibling["parent_id"] != parent_id:
            raise invalid(pointer, "Not a task at the destination (same list and parent)")
        return sibling

    async def _position(
        self, list_id: uuid.UUID, parent_id: uuid.UUID | None, request: TaskMove, *, moving: uuid.UUID
    ) -> str:
        after = before = None
        if request.after_id is not None:
            after = await self._sibling(request.after_id, "/after_id", list_id, parent_id, moving)
        if request.before_id is not None:
            before = await self._sibling(request.before_id, "/before_id", list_id, parent_id, moving)
        if after is not None and before is not None and after["position"] >= before["position"]:
            raise invalid("/before_id", "before_id must come after after_id")
        # Right after ``after`` (so also before ``before``, however many tasks came between
        # them since the client looked), or right before ``before``: between actual neighbours,
        # so two moves to one place never compute the same key.
        if after is not None:
            following = await self.tasks.neighbour_position(after, after=True, exclude=moving)
            return key_between(after["position"], following)
        if before is not None:
            preceding = await self.tasks.neighbour_position(before, after=False, exclude=moving)
            return key_between(preceding, before["position"])
        return key_between(await self.tasks.last_position(list_id, parent_id), None)

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

    async def _insert(self, request: TaskCreate, enforce_quota: bool) -> TaskRead:
        """A new task goes last among its siblings: in its list (the default one unless
        named), under its parent if it has one.

        A subtask is placed under the owner's placement lock, like a move: its parent's
        nesting must not change meanwhile. A top-level task takes no placement lock (see
        ``_create``). Everything that only reads (the list, the parent, the last sibling's
        key) comes before the owner's turn (one statement: the quota, the change number and
        the insert), which the owner's other writes wait for: the less a turn holds, the
        sooner the next one starts."""
        if request.parent_id is not None:
            # Locks in one order everywhere: placement, then task rows, then the counter.
            await self.lock_placement()
        values = request.model_dump()
        values["completed_at"] = datetime.now(UTC) if request.completed else None
        values["occurrences_left"] = _occurrences_left(request.recurrence)
        if request.parent_id is not None:
            parent = await self._get(request.parent_id)
            list_id = (
                parent["list_id"] if request.list_id is None else (await self.list_of(request.list_id))["id"]
            )
            await self._check_parent(parent, list_id, moving=None)
        elif request.list_id is not None:
            list_id = (await self.list_of(request.list_id))["id"]
        else:
            list_id = self.default_list_id or (await self.default_list())["id"]
        values["list_id"] = list_id
        last = await self.tasks.last_position(list_id, request.parent_id)
        task = await self._create(values, last, quota=self.quota if enforce_quota else None)
        if request.completed:
            TASKS_COMPLETED.inc()
        return task

    async def _create(self, values: Mapping[str, Any], last: str | None, *, quota: int | None) -> TaskRead:
        """Insert a task last among its siblings (``values`` name its list and parent) and
        announce it: every new task, requested or a next occurrence. ``last``, the last
        sibling's key, may have been read before the owner's turn: a creation that held the
        turn meanwhile may have taken a key after it, and the new task then lands beside it
        (concurrent creations have no order of their own). The key is appended with random
        digits (``jittered_key_after``), so two such keys differ, and the one in 62^4
        collision is retried with the last key read again (under the turn by then).

        At most ``quota`` tasks per owner (None: no limit), every row counted, trashed ones
        too; the count is checked by the insert's own statement, under the owner's turn, so
        two creations at ``quota - 1`` cannot both pass.

        The event is emitted before the turn, with the task as it is about to be written
        (its id and timestamps chosen here): the turn then holds the insert and the COMMIT
        only. Should the row come back otherwise (a retried key), the event is amended to
        it in the same transaction, so what is announced is always what was written."""
        now = datetime.now(UTC)
        values = {**values, "id": uuid.uuid4(), "created_at": now, "updated_at": now}
        position = jittered_key_after(last)
        announced = TaskRead.model_validate(
            {**values, "position": position, "version": 1, "next_occurrence_id": None, "deleted_at": None}
        )
        event_id = await self.events.emit(EventType.TASK_CREATED, announced)
        row = None
        for _ in range(INSERT_ATTEMPTS):
            admitted, row = await self.tasks.create(
                {**values, "position": position}, quota=UNLIMITED if quota is None else quota
            )
            if not admitted:
                raise TaskQuotaExceeded(f"You already have the maximum of {quota} tasks; delete some first")
            if row is not None:
                break
            position = jittered_key_after(
                await self.tasks.last_position(values["list_id"], values["parent_id"])
            )
        if row is None:  # pragma: no cover - 62^-4 per concurrent pair, three times in a row
            raise Conflict("Too many tasks are being added to this place at once; try again")
        task = TaskRead.from_row(row)
        if task != announced:
            await self.events.amend(event_id, EventType.TASK_CREATED, task)
        TASKS_CREATED.inc()
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
        # The one place an occurrence is created. The server creates it, not the user: the
        # per-user task quota never refuses it.
        last = await self.tasks.last_position(values["list_id"], values["parent_id"])
        occurrence = await self._create(values, last, quota=None)
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
