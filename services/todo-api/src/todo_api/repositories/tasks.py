"""Task queries: always scoped to the tenant, then narrowed to the owning user.

Every write of ``task`` is a change delta clients must learn of: it stamps the rows it
writes with the owner's next change number (``TaskRepository.write``, the one hook; see
``repositories.sync``), and a delete leaves a tombstone with it. A statement that writes
``task`` without binding ``change_seq`` is refused, like one without its tenant.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Delete,
    Select,
    Update,
    and_,
    any_,
    bindparam,
    false,
    func,
    literal,
    literal_column,
    not_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, insert
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record, Transaction
from platform_common.db.repository import (
    OWNER_PARAMETER,
    TENANT_PARAMETER,
    OwnedRepository,
    cached_statement,
)
from platform_common.db.statements import Statement
from platform_common.db.tables import table_of
from todo_api.models import Task, TaskTombstone
from todo_api.repositories.sync import CHANGE_PARAMETER, ChangeCounter
from todo_api.schemas.task import SortKey, TaskFilter

_TASK = table_of(Task)
_TOMBSTONE = table_of(TaskTombstone)
# A statement that inserts, updates or deletes rows of ``task`` (not ``task_tombstone``).
_WRITES_TASKS = re.compile(r"\b(?:INSERT INTO|UPDATE|DELETE FROM) task\b")
# What a statement returns of a task: every column but the search vector, which only
# PostgreSQL reads (sending it would cost more than the rest of the row).
_ROW = tuple(column for column in _TASK.c if column.name != "search_vector")
COLUMNS_BY_SORT_FIELD = {
    name: _TASK.c[name] for name in ("created_at", "updated_at", "due_at", "priority", "title")
}


def prefix_query(words: Sequence[str]) -> str:
    """The ``to_tsquery`` input for "every word begins a word of the task": each word one
    quoted operand (a quote and a backslash doubled, the syntax's two escapes), so nothing the
    user typed can act as an operator; ``:*`` makes it a prefix, ``&`` requires them all.
    Within an operand PostgreSQL's parser splits and lower-cases as it did the document
    ("e-mail" becomes the phrase e-mail <-> e <-> mail, matching what the title holds)."""
    return " & ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words)


class TaskRepository(OwnedRepository):
    """Tasks are private: besides the tenant, every statement is narrowed to the owner."""

    table = _TASK

    def __init__(self, transaction: Transaction, owner_id: uuid.UUID) -> None:
        super().__init__(transaction, owner_id)
        self.changes = ChangeCounter(transaction, owner_id)

    def _values(self, statement: Statement, values: Mapping[str, Any]) -> dict[str, Any]:
        if CHANGE_PARAMETER not in statement.names and writes_tasks(statement.sql):
            raise RuntimeError("a write of task must stamp change_seq: run it through TaskRepository.write")
        return super()._values(statement, values)

    async def get(self, task_id: uuid.UUID, *, for_update: bool = False) -> Record | None:
        return await self.fetchrow(_by_id(for_update), id=task_id)

    async def page(
        self, task_filter: TaskFilter, sort: Sequence[SortKey], *, limit: int, offset: int
    ) -> list[Record]:
        """One page of the owner's matching tasks; each row carries ``total``, the number of
        matches in all: the page and the count in one round trip (see ``page_statement``)."""
        shape, values = filter_values(task_filter)
        return await self.fetch(page_statement(shape, tuple(sort)), **values, limit=limit, offset=offset)

    async def count(self, task_filter: TaskFilter) -> int:
        shape, values = filter_values(task_filter)
        return int(await self.fetchval(count_statement(shape), **values))

    async def stats(self, *, now: datetime, day_start: datetime, day_end: datetime) -> Record:
        row = await self.fetchrow(_stats(), now=now, day_start=day_start, day_end=day_end)
        assert row is not None  # noqa: S101  # an aggregate always returns one row
        return row

    async def lock_creation(self) -> None:
        """Make the owner's task creations take turns until this transaction ends (a
        transaction-level advisory lock keyed by tenant and owner; other owners never wait,
        nor does anything else this owner does). A count taken after it, in a later
        statement, sees every task a finished turn created."""
        await self.fetchval(_lock_creation())

    async def count_owned(self, up_to: int) -> int:
        """How many tasks the owner has, counting no further than ``up_to``: an index scan
        that stops there, whatever the owner holds (``test_task_query_plans`` checks it never
        scans the table)."""
        return int(await self.fetchval(count_owned_statement(), up_to=up_to))

    async def insert(self, values: Mapping[str, Any]) -> Record:
        [row] = await self.write(_insert(tuple(sorted(values))), **values)
        return row

    async def update(self, task_id: uuid.UUID, changes: Mapping[str, Any]) -> Record | None:
        """Write ``changes`` and bump the version (the ETag) in the same statement."""
        rows = await self.write(_update(tuple(sorted(changes))), **changes, id=task_id)
        return rows[0] if rows else None

    async def delete(self, task_id: uuid.UUID) -> None:
        """Delete the task and leave its tombstone, in one statement."""
        await self.write(_delete(), id=task_id)

    async def write(self, statement: Statement, **values: Any) -> list[Record]:
        """Run a write of ``task`` as one change: the owner's next change number is bound as
        ``change_seq``, for the statement to stamp on every row it writes (or on the
        tombstones it leaves). Every write path goes through here: create, update, delete,
        and whatever comes next (a move, a trash, a restore, a bulk change)."""
        return await self.fetch(statement, **values, change_seq=await self.changes.next())


@cache
def writes_tasks(sql: str) -> bool:
    return _WRITES_TASKS.search(sql) is not None


StatementT = TypeVar("StatementT", Select[Any], Update, Delete)


def _owned(statement: StatementT) -> StatementT:
    return statement.where(_TASK.c.owner_id == bindparam(OWNER_PARAMETER, type_=_TASK.c.owner_id.type))


def _overdue() -> ColumnElement[bool]:
    return and_(_TASK.c.completed.is_(false()), _TASK.c.due_at < bindparam("now", type_=_TASK.c.due_at.type))


# Filter name -> the condition it adds (values bound by the same names).
_CONDITIONS: dict[str, Any] = {
    "completed": lambda: _TASK.c.completed == bindparam("completed", type_=_TASK.c.completed.type),
    "priorities": lambda: (
        _TASK.c.priority == any_(bindparam("priorities", type_=ARRAY(_TASK.c.priority.type)))
    ),
    "due_before": lambda: _TASK.c.due_at < bindparam("due_before", type_=_TASK.c.due_at.type),
    "due_after": lambda: _TASK.c.due_at > bindparam("due_after", type_=_TASK.c.due_at.type),
    "tags": lambda: _TASK.c.tags.contains(bindparam("tags", type_=_TASK.c.tags.type)),
    "search": lambda: _TASK.c.search_vector.bool_op("@@")(
        func.to_tsquery(literal_column("'simple'::regconfig", REGCONFIG), bindparam("search_query"))
    ),
    "overdue": _overdue,
    "not_overdue": lambda: not_(func.coalesce(_overdue(), literal(False))),
}


def filter_values(f: TaskFilter) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The filter's shape (which conditions apply) and the values they bind."""
    values: dict[str, Any] = {}
    if f.completed is not None:
        values["completed"] = f.completed
    if f.priorities:
        values["priorities"] = [priority.value for priority in f.priorities]
    if f.due_before is not None:
        values["due_before"] = f.due_before
    if f.due_after is not None:
        values["due_after"] = f.due_after
    if f.tags:
        values["tags"] = list(f.tags)
    if f.search:
        values["search_query"] = prefix_query(f.search)
    shape = [
        name for name in ("completed", "priorities", "due_before", "due_after", "tags") if name in values
    ]
    if f.search:
        shape.append("search")
    if f.overdue is not None:
        shape.append("overdue" if f.overdue else "not_overdue")
        values["now"] = f.now
    return tuple(shape), values


def _filtered(statement: Select[Any], shape: tuple[str, ...]) -> Select[Any]:
    return _owned(statement).where(*(_CONDITIONS[name]() for name in shape))


def _order(sort: Sequence[SortKey]) -> list[Any]:
    """The requested keys, then ``id`` in the first key's direction (stable and index-friendly)."""
    order: list[Any] = [
        COLUMNS_BY_SORT_FIELD[k.field].desc() if k.descending else COLUMNS_BY_SORT_FIELD[k.field].asc()
        for k in sort
    ]
    order.append(_TASK.c.id.desc() if sort and sort[0].descending else _TASK.c.id.asc())
    return order


@cached_statement
def page_statement(shape: tuple[str, ...], sort: tuple[SortKey, ...]) -> ClauseElement:
    """The page, with the count of all matches as an uncorrelated subquery (run once, an
    index-only count). ``count(*) OVER ()`` would say the same in one statement, but makes
    PostgreSQL fetch every matching row before the first of the page: 4x the database time
    for a user with a thousand tasks."""
    total = _filtered(TaskRepository.scope.select(func.count()), shape).correlate(None).scalar_subquery()
    statement = TaskRepository.scope.select(*_ROW, total.label("total"))
    return (
        _filtered(statement, shape)
        .order_by(*_order(sort))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cached_statement
def count_statement(shape: tuple[str, ...]) -> ClauseElement:
    return _filtered(TaskRepository.scope.select(func.count()), shape)


@cached_statement
def _by_id(for_update: bool) -> ClauseElement:
    statement = _owned(TaskRepository.scope.select(*_ROW).where(_TASK.c.id == bindparam("id")))
    return statement.with_for_update() if for_update else statement


@cached_statement
def _stats() -> ClauseElement:
    open_ = _TASK.c.completed.is_(false())
    day_start = bindparam("day_start", type_=_TASK.c.due_at.type)
    day_end = bindparam("day_end", type_=_TASK.c.due_at.type)
    due_today = and_(open_, _TASK.c.due_at >= day_start, _TASK.c.due_at < day_end)
    return _owned(
        TaskRepository.scope.select(
            func.count().label("total"),
            func.count().filter(_TASK.c.completed.is_(True)).label("completed"),
            func.count().filter(_overdue()).label("overdue"),
            func.count().filter(due_today).label("due_today"),
        )
    )


# Separates this lock's keys from any other advisory lock's ("task" in ASCII).
_CREATION_LOCK_SEED = 0x7461736B


@cached_statement
def _lock_creation() -> ClauseElement:
    tenant = bindparam(TENANT_PARAMETER, type_=_TASK.c.tenant_id.type)
    owner = bindparam(OWNER_PARAMETER, type_=_TASK.c.owner_id.type)
    key = func.hashtextextended(func.concat(tenant, "/", owner), _CREATION_LOCK_SEED)
    return select(func.pg_advisory_xact_lock(key))


@cached_statement
def count_owned_statement() -> ClauseElement:
    owned = _owned(TaskRepository.scope.select(literal(1))).limit(bindparam("up_to")).subquery()
    return select(func.count()).select_from(owned)


@cached_statement
def _insert(columns: tuple[str, ...]) -> ClauseElement:
    scope = TaskRepository.scope
    return scope.insert(**scope.bound(*columns, OWNER_PARAMETER, CHANGE_PARAMETER)).returning(*_ROW)


@cached_statement
def _update(columns: tuple[str, ...]) -> ClauseElement:
    scope = TaskRepository.scope
    return (
        _owned(scope.update().where(_TASK.c.id == bindparam("id")))
        .values(**scope.bound(*columns, CHANGE_PARAMETER), version=_TASK.c.version + 1)
        .returning(*_ROW)
    )


@cached_statement
def _delete() -> ClauseElement:
    gone = (
        _owned(TaskRepository.scope.delete().where(_TASK.c.id == bindparam("id")))
        .returning(_TASK.c.tenant_id, _TASK.c.owner_id, _TASK.c.id)
        .cte("gone")
    )
    change = bindparam(CHANGE_PARAMETER, type_=_TOMBSTONE.c.change_seq.type)
    tombstone = (
        insert(_TOMBSTONE)
        .add_cte(gone)
        .from_select(
            ["tenant_id", "owner_id", "task_id", "change_seq"],
            select(gone.c.tenant_id, gone.c.owner_id, gone.c.id, change),
        )
    )
    return tombstone.on_conflict_do_update(
        index_elements=[_TOMBSTONE.c.tenant_id, _TOMBSTONE.c.task_id],
        set_={"change_seq": tombstone.excluded.change_seq, "deleted_at": func.now()},
    )
