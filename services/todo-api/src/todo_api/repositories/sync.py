"""Delta sync's queries: the change counter every task write calls, the page of an owner's
changes since a position, and the purge of old tombstones.

The order of changes is ``(change_seq, id)``: one change per write statement, so rows a
single statement writes share a number and ``id`` orders them. A position is such a pair;
a page holds what comes after it, read by one statement (one snapshot: the live tasks and
the tombstones agree with each other).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Table,
    Uuid,
    and_,
    bindparam,
    literal,
    not_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.elements import BindParameter

from platform_common.db.database import Record
from platform_common.db.repository import (
    OwnedRepository,
    TenantScope,
    cached_statement,
    owner_condition,
)
from platform_common.db.tables import table_of
from todo_api.models import SyncState, Task, TaskTombstone

_SYNC = table_of(SyncState)
_TASK = table_of(Task)
# What a statement returns of a task: every column but the search vector, which only
# PostgreSQL reads (sending it would cost more than the rest of the row).
TASK_ROW = tuple(column for column in _TASK.c if column.name != "search_vector")
_TOMBSTONE = table_of(TaskTombstone)
CHANGE_PARAMETER = "change_seq"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a client stands in its owner's changes: after ``(seq, task_id)``."""

    seq: int
    task_id: uuid.UUID


# Before every change, even a task's written outside the repository (``change_seq`` 0):
# ``(0, nil)`` precedes every ``(seq >= 0, id)`` but the nil id, which no task has.
START = Position(0, uuid.UUID(int=0))


def counts_as_deleted() -> ColumnElement[bool]:
    """Whether a row of ``task`` is reported to delta clients as deleted rather than
    changed: a trashed task (its trashing is a write like any other, stamped through
    ``ChangeCounter.next``); a restore writes it again, live. A purged task leaves a
    tombstone with the number it was trashed at."""
    return _TASK.c.deleted_at.is_not(None)


class ChangeCounter(OwnedRepository):
    """The owner's change counter: ``next()`` in the writing transaction, and the value
    stamped on every row the write touches (``change_seq``) or on its tombstone. Task writes
    reach it through ``TaskRepository.write``, the one hook.

    The upsert locks the owner's counter row until commit, so writers of one owner follow
    each other and numbers are committed in order. Call it after taking the row locks the
    write needs (``SELECT ... FOR UPDATE``), as the task service does: a transaction that
    held the counter while waiting for a task row could deadlock with one doing the reverse.
    """

    table = _SYNC

    async def next(self) -> int:
        await self.take_turn()
        return int(await self.fetchval(_next_seq()))

    async def take_turn(self) -> None:
        """Queue in the process, not on the row, behind this process's other writers of the
        owner: call it right before the statement that takes the counter (``next``, or one
        built on ``draw_change``)."""
        await self.transaction.take_turn((_SYNC.name, self.tenant_id, self.owner_id))

    async def purged_seq(self) -> int:
        """The highest change number of a purged tombstone (0 if none was)."""
        return int(await self.fetchval(_purged_seq()) or 0)


class DeltaRepository(OwnedRepository):
    table = _TASK

    async def changes(self, after: Position, *, limit: int, with_tombstones: bool) -> list[Record]:
        """Up to ``limit`` changes after ``after``, in order: each row has ``position_seq``,
        ``position_id``, ``deleted`` and, for a live task, its columns (NULL for a tombstone)."""
        return await self.fetch(
            changes_statement(with_tombstones), after_seq=after.seq, after_id=after.task_id, limit=limit
        )


def _owned_by_caller(table: Table) -> ColumnElement[bool]:
    return and_(TenantScope(table).condition(), owner_condition(table))


def draw_change(*, within_quota: bool = False) -> ReturningInsert[Any]:
    """The owner's counter upsert, ``RETURNING version``: the next change number. With
    ``within_quota`` it draws one only while the owner holds fewer than ``:quota`` tasks
    (``task_count``, kept by triggers on ``task``; migration ``7b1e5d3c9a24``) and returns
    no row otherwise. The row is locked either way, so the next creation sees this one's
    count: the check and the lock are one step."""
    upsert = TenantScope(_SYNC).insert(
        owner_id=bindparam("owner_id", type_=_SYNC.c.owner_id.type),
        version=literal(1, BigInteger),
        # Spelled out: SQLAlchemy leaves the model's defaults out of an insert inside a CTE.
        purged_seq=literal(0, BigInteger),
        task_count=literal(0, BigInteger),
    )
    return upsert.on_conflict_do_update(
        index_elements=[_SYNC.c.tenant_id, _SYNC.c.owner_id],
        set_={"version": _SYNC.c.version + 1},
        where=_SYNC.c.task_count < bindparam("quota", type_=BigInteger) if within_quota else None,
    ).returning(_SYNC.c.version)


def draws_change(sql: str) -> bool:
    """Whether a statement draws its change number itself (``draw_change`` inside it)."""
    return f"INSERT INTO {_SYNC.name} " in sql


@cached_statement
def _next_seq() -> ClauseElement:
    return draw_change()


@cached_statement
def _purged_seq() -> ClauseElement:
    return select(_SYNC.c.purged_seq).where(_owned_by_caller(_SYNC))


@cached_statement
def changes_statement(with_tombstones: bool) -> ClauseElement:
    after = tuple_(bindparam("after_seq", type_=BigInteger), bindparam("after_id", type_=Uuid))
    limit: BindParameter[int] = bindparam("limit")
    parts = [
        select(_TASK.c.id, _TASK.c.change_seq, counts_as_deleted().label("deleted"))
        .where(_owned_by_caller(_TASK), tuple_(_TASK.c.change_seq, _TASK.c.id) > after)
        .order_by(_TASK.c.change_seq, _TASK.c.id)
        .limit(limit)
    ]
    if with_tombstones:
        parts.append(
            select(_TOMBSTONE.c.task_id, _TOMBSTONE.c.change_seq, true().label("deleted"))
            .where(
                _owned_by_caller(_TOMBSTONE), tuple_(_TOMBSTONE.c.change_seq, _TOMBSTONE.c.task_id) > after
            )
            .order_by(_TOMBSTONE.c.change_seq, _TOMBSTONE.c.task_id)
            .limit(limit)
        )
    changed = union_all(*parts).subquery("changed")
    page = select(changed).order_by(changed.c.change_seq, changed.c.id).limit(limit).cte("page")
    live = and_(TenantScope(_TASK).condition(), _TASK.c.id == page.c.id, not_(page.c.deleted))
    return (
        select(
            page.c.change_seq.label("position_seq"),
            page.c.id.label("position_id"),
            page.c.deleted,
            *TASK_ROW,
        )
        .select_from(page.outerjoin(_TASK, live))
        .order_by(page.c.change_seq, page.c.id)
    )
