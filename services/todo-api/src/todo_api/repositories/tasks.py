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
    CTE,
    BindParameter,
    ColumnElement,
    Delete,
    FromClause,
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
    null,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG
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
from todo_api.repositories.sync import CHANGE_PARAMETER, TASK_ROW, ChangeCounter, draw_change, draws_change
from todo_api.schemas.task import SortKey, TaskFilter

_TASK = table_of(Task)
_TOMBSTONE = table_of(TaskTombstone)
# A statement that inserts, updates or deletes rows of ``task`` (not ``task_tombstone``).
_WRITES_TASKS = re.compile(r"\b(?:INSERT INTO|UPDATE|DELETE FROM) task\b")
COLUMNS_BY_SORT_FIELD = {
    name: _TASK.c[name] for name in ("created_at", "updated_at", "due_at", "priority", "title", "position")
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
        if (
            CHANGE_PARAMETER not in statement.names
            and writes_tasks(statement.sql)
            and not draws_change(statement.sql)
        ):
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

    async def create(self, values: Mapping[str, Any], *, quota: int) -> tuple[bool, Record | None]:
        """Insert a task as the owner's next change, in one statement (``create_statement``): draw
        the change number, unless the owner already holds ``quota`` tasks, and insert with
        it. ``(False, None)``: the quota is reached, nothing written. ``(True, None)``: a live
        sibling already holds the position (a concurrent creation got there first: the
        caller picks another key). ``(True, row)``: the new task.

        The owner's creations take turns on the counter row (``ChangeCounter.take_turn``,
        then the row lock until commit), so two at ``quota - 1`` cannot both pass: the
        second's upsert reads the count the first's commit left."""
        await self.changes.take_turn()
        row = await self.fetchrow(create_statement(tuple(sorted(values))), **values, quota=quota)
        if row is None:
            return False, None
        return True, (row if row["id"] is not None else None)

    async def update(self, task_id: uuid.UUID, changes: Mapping[str, Any]) -> Record | None:
        """Write ``changes`` and bump the version (the ETag) in the same statement."""
        rows = await self.write(_update(tuple(sorted(changes))), **changes, id=task_id)
        return rows[0] if rows else None

    # Order and nesting. Positions are compared among live siblings: the tasks of one list
    # with the same parent (or none).

    async def last_position(self, list_id: uuid.UUID, parent_id: uuid.UUID | None) -> str | None:
        position: str | None = await self.fetchval(
            _sibling_position(parent_id is None, "last"), list_id=list_id, parent_id=parent_id
        )
        return position

    async def neighbour_position(self, sibling: Record, *, after: bool, exclude: uuid.UUID) -> str | None:
        """The key of the live sibling right after (or before) ``sibling``, other than ``exclude``."""
        position: str | None = await self.fetchval(
            _sibling_position(sibling["parent_id"] is None, "next" if after else "previous"),
            list_id=sibling["list_id"],
            parent_id=sibling["parent_id"],
            position=sibling["position"],
            exclude=exclude,
        )
        return position

    async def depth(self, task_id: uuid.UUID) -> int:
        """The level of a live task: 1 at the top of its list, 2 for a subtask, ..."""
        return int(await self.fetchval(_depth(), id=task_id))

    async def height(self, task_id: uuid.UUID, *, trashed_at: datetime | None = None) -> int:
        """The levels of a live task's live subtree (1 for a task without subtasks); with
        ``trashed_at``, of a trashed task's subtree trashed with it."""
        if trashed_at is None:
            return int(await self.fetchval(_height("live"), id=task_id))
        return int(await self.fetchval(_height("trashed"), id=task_id, deleted_at=trashed_at))

    async def in_subtree(self, root_id: uuid.UUID, task_id: uuid.UUID) -> bool:
        return bool(await self.fetchval(_in_subtree(), id=root_id, candidate=task_id))

    async def move(
        self, task_id: uuid.UUID, *, list_id: uuid.UUID, parent_id: uuid.UUID | None, position: str
    ) -> Record | None:
        """Place a live task, and take its subtree into its list."""
        _, placed = await self.write_as_one(
            (_relist_descendants(), {"id": task_id, "list_id": list_id}),
            (_place(), {"id": task_id, "list_id": list_id, "parent_id": parent_id, "position": position}),
        )
        return placed[0] if placed else None

    async def complete_descendants(self, task_id: uuid.UUID, now: datetime) -> list[Record]:
        """Complete the open live descendants of a task (one statement: one transaction)."""
        return await self.write(_complete_descendants(), id=task_id, now=now)

    async def trash(self, task_id: uuid.UUID, now: datetime) -> list[Record]:
        """Move a live task and its live descendants to the trash, all stamped ``now``."""
        return await self.write(_trash(), id=task_id, now=now)

    async def trashed(self, task_id: uuid.UUID) -> Record | None:
        return await self.fetchrow(_trashed_by_id(), id=task_id)

    async def restore(self, task: Record, *, parent_id: uuid.UUID | None, position: str) -> list[Record]:
        """Bring back a trashed task, placed anew, with the descendants trashed with it (the
        same ``deleted_at``); descendants trashed before it stay in the trash. The task first."""
        descendants, [root] = await self.write_as_one(
            (_restore_descendants(), {"id": task["id"], "deleted_at": task["deleted_at"]}),
            (_restore(), {"id": task["id"], "parent_id": parent_id, "position": position}),
        )
        return [root, *descendants]

    async def trash_page(self, *, limit: int, offset: int) -> list[Record]:
        """The owner's trash, most recently trashed first; rows carry ``total``."""
        return await self.fetch(_trash_page(), limit=limit, offset=offset)

    async def trash_count(self) -> int:
        return int(await self.fetchval(_trash_count()))

    async def count_in_list(self, list_id: uuid.UUID) -> int:
        return int(await self.fetchval(count_statement(("list_id",)), list_id=list_id))

    async def trash_list(self, list_id: uuid.UUID, now: datetime) -> list[Record]:
        """Every live task of a list to the trash, stamped ``now``."""
        return await self.write(_trash_list(), list_id=list_id, now=now)

    async def top_level(self, list_id: uuid.UUID) -> list[Record]:
        """A list's live top-level tasks, in order."""
        return await self.fetch(_top_level(), list_id=list_id)

    async def relist(self, from_list: uuid.UUID, to_list: uuid.UUID, *, live: bool) -> list[Record]:
        """Point a list's live (or trashed) tasks at another list, keeping their positions:
        for subtasks, whose order is among their parent's children, and for the trash."""
        return await self.write(_relist(live), from_list=from_list, to_list=to_list)

    async def write(self, statement: Statement, **values: Any) -> list[Record]:
        """Run a write of ``task`` as one change: the owner's next change number is bound as
        ``change_seq``, for the statement to stamp on every row it writes (or on the
        tombstones it leaves). Every write path goes through here: create, update, delete,
        and whatever comes next (a move, a trash, a restore, a bulk change)."""
        return await self.fetch(statement, **values, change_seq=await self.changes.next())

    async def write_as_one(self, *writes: tuple[Statement, Mapping[str, Any]]) -> list[list[Record]]:
        """Several statements that make one change (a move, a restore): one change number,
        stamped by each of them."""
        change = await self.changes.next()
        return [await self.fetch(statement, **values, change_seq=change) for statement, values in writes]


@cache
def writes_tasks(sql: str) -> bool:
    return _WRITES_TASKS.search(sql) is not None


StatementT = TypeVar("StatementT", Select[Any], Update, Delete)


def _owned(statement: StatementT) -> StatementT:
    """The owner's tasks, in the trash or not (the trash's own statements start here)."""
    return statement.where(_TASK.c.owner_id == bindparam(OWNER_PARAMETER, type_=_TASK.c.owner_id.type))


def _live(statement: StatementT) -> StatementT:
    """The owner's tasks outside the trash: every statement but the trash's starts here, so
    a trashed task is 404 to every other route and counts nowhere."""
    return _owned(statement).where(_TASK.c.deleted_at.is_(None))


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
    "list_id": lambda: _TASK.c.list_id == bindparam("list_id", type_=_TASK.c.list_id.type),
    "parent_id": lambda: _TASK.c.parent_id == bindparam("parent_id", type_=_TASK.c.parent_id.type),
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
    if f.list_id is not None:
        values["list_id"] = f.list_id
    if f.parent_id is not None:
        values["parent_id"] = f.parent_id
    shape = [
        name
        for name in ("list_id", "parent_id", "completed", "priorities", "due_before", "due_after", "tags")
        if name in values
    ]
    if f.search:
        shape.append("search")
    if f.overdue is not None:
        shape.append("overdue" if f.overdue else "not_overdue")
        values["now"] = f.now
    return tuple(shape), values


def _filtered(statement: Select[Any], shape: tuple[str, ...]) -> Select[Any]:
    return _live(statement).where(*(_CONDITIONS[name]() for name in shape))


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
    statement = TaskRepository.scope.select(*TASK_ROW, total.label("total"))
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
    statement = _live(TaskRepository.scope.select(*TASK_ROW).where(_TASK.c.id == bindparam("id")))
    return statement.with_for_update() if for_update else statement


@cached_statement
def _stats() -> ClauseElement:
    open_ = _TASK.c.completed.is_(false())
    day_start = bindparam("day_start", type_=_TASK.c.due_at.type)
    day_end = bindparam("day_end", type_=_TASK.c.due_at.type)
    due_today = and_(open_, _TASK.c.due_at >= day_start, _TASK.c.due_at < day_end)
    return _live(
        TaskRepository.scope.select(
            func.count().label("total"),
            func.count().filter(_TASK.c.completed.is_(True)).label("completed"),
            func.count().filter(_overdue()).label("overdue"),
            func.count().filter(due_today).label("due_today"),
        )
    )


@cached_statement
def create_statement(columns: tuple[str, ...]) -> ClauseElement:
    """``WITH change AS (<the counter's upsert within the quota>), created AS (INSERT INTO
    task ... SELECT ..., change.version FROM change ON CONFLICT DO NOTHING RETURNING ...)
    SELECT ... FROM change LEFT JOIN created``: no row when the quota refused the change, a
    row of NULLs when the position was taken, else the new task."""
    scope = TaskRepository.scope
    change = draw_change(within_quota=True).cte("change")
    created = (
        scope.insert_from_select(
            {**scope.bound(*columns, OWNER_PARAMETER), CHANGE_PARAMETER: change.c.version}, change
        )
        # No conflict target: a live sibling's key is unique in two indexes while the
        # previous release's stands (migration 9e4c2b7d1f30), and a target naming one would
        # turn a concurrent collision on the other into an error instead of a retry.
        .on_conflict_do_nothing()
        .returning(*TASK_ROW)
        .cte("created")
    )
    return select(*created.c).select_from(change.outerjoin(created, true()))


@cached_statement
def _update(columns: tuple[str, ...]) -> ClauseElement:
    scope = TaskRepository.scope
    return (
        _live(scope.update().where(_TASK.c.id == bindparam("id")))
        .values(**scope.bound(*columns, CHANGE_PARAMETER), version=_TASK.c.version + 1)
        .returning(*TASK_ROW)
    )


# Trees: a task and its descendants, each with its level below the task (1 for the task).


def _same_owner(table: FromClause) -> ColumnElement[bool]:
    return and_(
        table.c.tenant_id == bindparam(TENANT_PARAMETER, type_=table.c.tenant_id.type),
        table.c.owner_id == bindparam(OWNER_PARAMETER, type_=table.c.owner_id.type),
    )


def _tree(which: str) -> CTE:
    """The task ``:id`` and its descendants: ``"live"`` ones, or the ones ``"trashed"``
    together with it (``deleted_at = :deleted_at``)."""

    def kept(table: FromClause) -> ColumnElement[bool]:
        if which == "live":
            return table.c.deleted_at.is_(None)
        return table.c.deleted_at == bindparam("deleted_at", type_=table.c.deleted_at.type)

    base = _owned(
        TaskRepository.scope.select(_TASK.c.id, literal(1).label("level")).where(
            _TASK.c.id == bindparam("id"), kept(_TASK)
        )
    ).cte(f"{which}_tree", recursive=True)
    child = _TASK.alias("child")
    step = select(child.c.id, base.c.level + 1).where(
        child.c.parent_id == base.c.id, _same_owner(child), kept(child)
    )
    return base.union_all(step)


def _descendants(which: str) -> ColumnElement[bool]:
    tree = _tree(which)
    return and_(_TASK.c.id.in_(select(tree.c.id)), _TASK.c.id != bindparam("id"))


def _change() -> BindParameter[int]:
    """The change number ``TaskRepository.write`` binds, for a write to stamp on its rows."""
    return bindparam(CHANGE_PARAMETER, type_=_TASK.c.change_seq.type)


@cached_statement
def _sibling_position(top_level: bool, which: str) -> ClauseElement:
    """The last key among live siblings, or the one right after (before) ``:position``."""
    position = _TASK.c.position
    aggregate = func.min(position) if which == "next" else func.max(position)
    statement = _live(
        TaskRepository.scope.select(aggregate).where(
            _TASK.c.list_id == bindparam("list_id", type_=_TASK.c.list_id.type),
            _TASK.c.parent_id.is_(None)
            if top_level
            else _TASK.c.parent_id == bindparam("parent_id", type_=_TASK.c.parent_id.type),
        )
    )
    if which == "next":
        statement = statement.where(position > bindparam("position"), _TASK.c.id != bindparam("exclude"))
    elif which == "previous":
        statement = statement.where(position < bindparam("position"), _TASK.c.id != bindparam("exclude"))
    return statement


@cached_statement
def _depth() -> ClauseElement:
    ancestors = _live(
        TaskRepository.scope.select(_TASK.c.id, _TASK.c.parent_id, literal(1).label("level")).where(
            _TASK.c.id == bindparam("id")
        )
    ).cte("ancestors", recursive=True)
    parent = _TASK.alias("parent")
    ancestors = ancestors.union_all(
        select(parent.c.id, parent.c.parent_id, ancestors.c.level + 1).where(
            parent.c.id == ancestors.c.parent_id, _same_owner(parent)
        )
    )
    return select(func.coalesce(func.max(ancestors.c.level), 0))


@cached_statement
def _height(which: str) -> ClauseElement:
    tree = _tree(which)
    return select(func.coalesce(func.max(tree.c.level), 0))


@cached_statement
def _in_subtree() -> ClauseElement:
    tree = _tree("live")
    return select(select(tree.c.id).where(tree.c.id == bindparam("candidate")).exists())


@cached_statement
def _relist_descendants() -> ClauseElement:
    list_id = bindparam("list_id", type_=_TASK.c.list_id.type)
    return (
        _live(TaskRepository.scope.update())
        .where(_descendants("live"), _TASK.c.list_id != list_id)
        .values(list_id=list_id, version=_TASK.c.version + 1, change_seq=_change())
    )


@cached_statement
def _place() -> ClauseElement:
    scope = TaskRepository.scope
    return (
        _live(scope.update().where(_TASK.c.id == bindparam("id")))
        .values(
            **scope.bound("list_id", "parent_id", "position"),
            version=_TASK.c.version + 1,
            change_seq=_change(),
        )
        .returning(*TASK_ROW)
    )


@cached_statement
def _complete_descendants() -> ClauseElement:
    now = bindparam("now", type_=_TASK.c.completed_at.type)
    return (
        _live(TaskRepository.scope.update())
        .where(_descendants("live"), _TASK.c.completed.is_(false()))
        .values(completed=True, completed_at=now, version=_TASK.c.version + 1, change_seq=_change())
        .returning(*TASK_ROW)
    )


@cached_statement
def _trash() -> ClauseElement:
    tree = _tree("live")
    return (
        _live(TaskRepository.scope.update())
        .where(_TASK.c.id.in_(select(tree.c.id)))
        .values(
            deleted_at=bindparam("now", type_=_TASK.c.deleted_at.type),
            version=_TASK.c.version + 1,
            change_seq=_change(),
        )
        .returning(*TASK_ROW)
    )


def _in_trash(statement: StatementT) -> StatementT:
    return _owned(statement).where(_TASK.c.deleted_at.is_not(None))


@cached_statement
def _trashed_by_id() -> ClauseElement:
    return _in_trash(TaskRepository.scope.select(*TASK_ROW).where(_TASK.c.id == bindparam("id")))


@cached_statement
def _restore_descendants() -> ClauseElement:
    return (
        _in_trash(TaskRepository.scope.update())
        .where(_descendants("trashed"))
        .values(deleted_at=null(), version=_TASK.c.version + 1, change_seq=_change())
        .returning(*TASK_ROW)
    )


@cached_statement
def _restore() -> ClauseElement:
    scope = TaskRepository.scope
    return (
        _in_trash(scope.update().where(_TASK.c.id == bindparam("id")))
        .values(
            **scope.bound("parent_id", "position"),
            deleted_at=null(),
            version=_TASK.c.version + 1,
            change_seq=_change(),
        )
        .returning(*TASK_ROW)
    )


@cached_statement
def _trash_page() -> ClauseElement:
    total = _in_trash(TaskRepository.scope.select(func.count())).correlate(None).scalar_subquery()
    return (
        _in_trash(TaskRepository.scope.select(*TASK_ROW, total.label("total")))
        .order_by(_TASK.c.deleted_at.desc(), _TASK.c.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cached_statement
def _trash_count() -> ClauseElement:
    return _in_trash(TaskRepository.scope.select(func.count()))


@cached_statement
def _trash_list() -> ClauseElement:
    return (
        _live(TaskRepository.scope.update())
        .where(_TASK.c.list_id == bindparam("list_id", type_=_TASK.c.list_id.type))
        .values(
            deleted_at=bindparam("now", type_=_TASK.c.deleted_at.type),
            version=_TASK.c.version + 1,
            change_seq=_change(),
        )
        .returning(*TASK_ROW)
    )


@cached_statement
def _top_level() -> ClauseElement:
    return (
        _live(TaskRepository.scope.select(*TASK_ROW))
        .where(
            _TASK.c.list_id == bindparam("list_id", type_=_TASK.c.list_id.type), _TASK.c.parent_id.is_(None)
        )
        .order_by(_TASK.c.position)
    )


@cached_statement
def _relist(live: bool) -> ClauseElement:
    statement = _live(TaskRepository.scope.update()) if live else _in_trash(TaskRepository.scope.update())
    return (
        statement.where(_TASK.c.list_id == bindparam("from_list", type_=_TASK.c.list_id.type))
        .values(
            list_id=bindparam("to_list", type_=_TASK.c.list_id.type),
            version=_TASK.c.version + 1,
            change_seq=_change(),
        )
        .returning(*TASK_ROW)
    )
