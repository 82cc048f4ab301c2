"""The audit trail's statements: one insert, the pages of the listing (with and without each
filter), and an index probe of the same cost as the insert's round trip."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import AuditEvent

_AUDIT = table_of(AuditEvent)
# What an insert writes: every column but the server's (id, tenant, time), always all of them.
RECORDED = ("type", "actor_id", "subject_id", "ip", "user_agent", "details")


class AuditRepository(TenantRepository):
    table = _AUDIT

    async def insert(self, values: Mapping[str, Any]) -> None:
        await self.execute(_insert(), **values)

    async def page(
        self, *, event_type: str | None, actor_id: uuid.UUID | None, limit: int, offset: int
    ) -> list[Record]:
        """Newest first; each row carries ``total``, the count of every match."""
        filters = _filters(event_type, actor_id)
        return await self.fetch(_page(*_shape(filters)), **filters, limit=limit, offset=offset)

    async def count(self, *, event_type: str | None, actor_id: uuid.UUID | None) -> int:
        filters = _filters(event_type, actor_id)
        return int(await self.fetchval(_count(*_shape(filters)), **filters))

    async def probe(self) -> None:
        """One index probe for the tenant's newest event, its id read and dropped: a round trip
        like ``insert``'s, for a path that must take as long as one that writes
        (``AuditTrail.login_refused``)."""
        await self.fetchval(_probe())


def _filters(event_type: str | None, actor_id: uuid.UUID | None) -> dict[str, Any]:
    given = {"type": event_type, "actor_id": actor_id}
    return {name: value for name, value in given.items() if value is not None}


def _shape(filters: Mapping[str, Any]) -> tuple[bool, bool]:
    return "type" in filters, "actor_id" in filters


def _conditions(by_type: bool, by_actor: bool) -> list[ColumnElement[bool]]:
    conditions = []
    if by_type:
        conditions.append(_AUDIT.c.type == bindparam("type", type_=_AUDIT.c.type.type))
    if by_actor:
        conditions.append(_AUDIT.c.actor_id == bindparam("actor_id", type_=_AUDIT.c.actor_id.type))
    return conditions


@cached_statement
def _insert() -> ClauseElement:
    scope = AuditRepository.scope
    return scope.insert(**scope.bound(*RECORDED))


@cached_statement
def _page(by_type: bool, by_actor: bool) -> ClauseElement:
    conditions = _conditions(by_type, by_actor)
    scope = AuditRepository.scope
    total = scope.select(func.count()).where(*conditions).correlate(None).scalar_subquery()
    columns = [column for column in _AUDIT.c if column.name != "ip"]
    return (
        scope.select(*columns, func.host(_AUDIT.c.ip).label("ip"), total.label("total"))
        .where(*conditions)
        .order_by(_AUDIT.c.created_at.desc(), _AUDIT.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cached_statement
def _count(by_type: bool, by_actor: bool) -> ClauseElement:
    return AuditRepository.scope.select(func.count()).where(*_conditions(by_type, by_actor))


@cached_statement
def _probe() -> ClauseElement:
    return (
        AuditRepository.scope.select(_AUDIT.c.id).order_by(_AUDIT.c.created_at.desc(), _AUDIT.c.id).limit(1)
    )
