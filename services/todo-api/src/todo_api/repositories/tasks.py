"""Task queries: always scoped to the tenant and to the owning user."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, not_, or_
from sqlalchemy.sql import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_common.repository import TenantScopedRepository
from todo_api.models import Task
from todo_api.schemas.task import SortKey, TaskFilter

COLUMNS_BY_SORT_FIELD = {
    "created_at": col(Task.created_at),
    "updated_at": col(Task.updated_at),
    "due_at": col(Task.due_at),
    "priority": col(Task.priority),
    "title": col(Task.title),
}


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _is_overdue(now: datetime) -> ColumnElement[bool]:
    return and_(col(Task.completed).is_(False), col(Task.due_at) < now)


class TaskRepository(TenantScopedRepository[Task]):
    model = Task

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, owner_id: uuid.UUID) -> None:
        super().__init__(session, tenant_id)
        self.owner_id = owner_id

    def select(self, *columns: Any) -> Select[Any]:
        """Narrows the tenant chokepoint to the owner: tasks are private to their user."""
        return super().select(*columns).where(col(Task.owner_id) == self.owner_id)

    async def create(self, values: dict[str, Any]) -> Task:  # type: ignore[override]
        return await super().create({**values, "owner_id": self.owner_id})

    async def search(
        self, task_filter: TaskFilter, sort: Sequence[SortKey], *, limit: int, offset: int
    ) -> tuple[Sequence[Task], int]:
        return await self.list(
            where=self._conditions(task_filter), order_by=self._order(sort), limit=limit, offset=offset
        )

    async def stats(self, *, now: datetime, day_start: datetime, day_end: datetime) -> dict[str, int]:
        open_ = col(Task.completed).is_(False)
        due_today = and_(open_, col(Task.due_at) >= day_start, col(Task.due_at) < day_end)
        # Not self.select().with_only_columns(...): sqlmodel's exec() would return only the first
        # column of a statement built from select(Task). A tuple select, scoped by the same conditions:
        statement = select(
            func.count(),
            func.count().filter(col(Task.completed).is_(True)),
            func.count().filter(_is_overdue(now)),
            func.count().filter(due_today),
        ).where(self.select().whereclause)  # type: ignore[arg-type]  # never None: always scoped
        total, completed, overdue, today = (await self.session.exec(statement)).one()
        return {
            "total": total,
            "completed": completed,
            "open": total - completed,
            "overdue": overdue,
            "due_today": today,
        }

    @staticmethod
    def _conditions(f: TaskFilter) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if f.completed is not None:
            conditions.append(col(Task.completed).is_(f.completed))
        if f.priorities:
            conditions.append(col(Task.priority).in_(f.priorities))
        if f.due_before is not None:
            conditions.append(col(Task.due_at) < f.due_before)
        if f.due_after is not None:
            conditions.append(col(Task.due_at) > f.due_after)
        if f.tags:
            conditions.append(col(Task.tags).contains(list(f.tags)))
        if f.search:
            pattern = _like_pattern(f.search)
            conditions.append(
                or_(
                    col(Task.title).ilike(pattern, escape="\\"),
                    col(Task.description).ilike(pattern, escape="\\"),
                )
            )
        if f.overdue is not None:
            overdue = _is_overdue(f.now)
            conditions.append(overdue if f.overdue else not_(func.coalesce(overdue, literal(False))))
        return conditions

    @staticmethod
    def _order(sort: Sequence[SortKey]) -> list[Any]:
        """The requested keys, then ``id`` in the first key's direction (stable and index-friendly)."""
        order: list[Any] = [
            COLUMNS_BY_SORT_FIELD[k.field].desc() if k.descending else COLUMNS_BY_SORT_FIELD[k.field].asc()
            for k in sort
        ]
        order.append(col(Task.id).desc() if sort and sort[0].descending else col(Task.id).asc())
        return order
