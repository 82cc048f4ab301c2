"""List queries: scoped to the tenant, narrowed to the owner, like tasks."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, bindparam, func, true
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import OwnedRepository, cached_statement, owner_condition
from platform_common.db.tables import table_of
from todo_api.models import DEFAULT_LIST_NAME, TaskList

_LIST = table_of(TaskList)
# The fractional-indexing library's first key: the first list of a new user.
FIRST_LIST_KEY = "a0"


class ListRepository(OwnedRepository):
    table = _LIST

    async def lock_default(self) -> Record | None:
        """The owner's default list, locked until the transaction ends. Every write that
        places tasks or lists (create, move, trash, restore, list deletion) takes this lock
        first: one such write per owner at a time, so two of them can neither compute the
        same position nor, checking each other's stale view, build a cycle or pass a limit."""
        return await self.fetchrow(_default(lock=True))

    async def default(self) -> Record | None:
        """The owner's default list, unlocked."""
        return await self.fetchrow(_default(lock=False))

    async def get(self, list_id: uuid.UUID) -> Record | None:
        return await self.fetchrow(_by_id(), id=list_id)

    async def page(self, *, limit: int, offset: int) -> list[Record]:
        """In the owner's order; each row carries ``total``, the count of all lists."""
        return await self.fetch(_page(), limit=limit, offset=offset)

    async def count(self) -> int:
        return int(await self.fetchval(_count()))

    async def last_position(self) -> str | None:
        position: str | None = await self.fetchval(_last_position())
        return position

    async def insert(self, values: Mapping[str, Any]) -> Record:
        row = await self.fetchrow(_insert(tuple(sorted(values))), **values)
        assert row is not None  # noqa: S101  # INSERT ... RETURNING returns the row
        return row

    async def update(self, list_id: uuid.UUID, changes: Mapping[str, Any]) -> Record | None:
        return await self.fetchrow(_update(tuple(sorted(changes))), **changes, id=list_id)

    async def create_default(self) -> Record:
        """The owner's default list, made with the user (sign-up, a user added by an admin):
        every user has exactly one, from their first moment."""
        return await self.insert({"name": DEFAULT_LIST_NAME, "position": FIRST_LIST_KEY, "is_default": True})

    async def ensure_default(self) -> None:
        """Make the owner's default list unless they have one (a user the previous release
        created, without one); concurrent calls make one."""
        await self.execute(_ensure_default(), name=DEFAULT_LIST_NAME, position=FIRST_LIST_KEY)

    async def delete(self, list_id: uuid.UUID) -> None:
        await self.execute(_delete(), id=list_id)


def _owned_select() -> Select[Any]:
    return ListRepository.scope.select().where(owner_condition(_LIST))


@cached_statement
def _default(*, lock: bool) -> ClauseElement:
    statement = _owned_select().where(_LIST.c.is_default.is_(true()))
    return statement.with_for_update(key_share=True) if lock else statement


@cached_statement
def _by_id() -> ClauseElement:
    return _owned_select().where(_LIST.c.id == bindparam("id"))


@cached_statement
def _page() -> ClauseElement:
    total = (
        ListRepository.scope.select(func.count())
        .where(owner_condition(_LIST))
        .correlate(None)
        .scalar_subquery()
    )
    return (
        ListRepository.scope.select(_LIST, total.label("total"))
        .where(owner_condition(_LIST))
        .order_by(_LIST.c.position, _LIST.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cached_statement
def _count() -> ClauseElement:
    return ListRepository.scope.select(func.count()).where(owner_condition(_LIST))


@cached_statement
def _last_position() -> ClauseElement:
    return ListRepository.scope.select(func.max(_LIST.c.position)).where(owner_condition(_LIST))


@cached_statement
def _insert(columns: tuple[str, ...]) -> ClauseElement:
    scope = ListRepository.scope
    return scope.insert(**scope.bound(*columns, "owner_id")).returning(_LIST)


@cached_statement
def _ensure_default() -> ClauseElement:
    scope = ListRepository.scope
    return scope.insert(
        **scope.bound("name", "position", "owner_id"), is_default=True
    ).on_conflict_do_nothing(index_elements=["tenant_id", "owner_id"], index_where=_LIST.c.is_default)


@cached_statement
def _update(columns: tuple[str, ...]) -> ClauseElement:
    scope = ListRepository.scope
    return (
        scope.update()
        .where(owner_condition(_LIST), _LIST.c.id == bindparam("id"))
        .values(**scope.bound(*columns))
        .returning(_LIST)
    )


@cached_statement
def _delete() -> ClauseElement:
    return ListRepository.scope.delete().where(owner_condition(_LIST), _LIST.c.id == bindparam("id"))
