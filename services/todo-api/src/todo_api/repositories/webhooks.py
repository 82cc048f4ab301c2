"""Webhook queries: scoped to the tenant, then narrowed to the owning user (like tasks).

Deliveries are narrowed through their endpoint: a delivery statement matches only rows of an
endpoint the owner holds, so an id of another user's delivery finds nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, bindparam, exists, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import OwnedRepository, cached_statement, owner_condition
from platform_common.db.tables import table_of
from platform_common.webhooks.tables import WebhookDelivery, WebhookEndpoint

_ENDPOINT = table_of(WebhookEndpoint)
_DELIVERY = table_of(WebhookDelivery)
PUBLIC_COLUMNS = [column for column in _ENDPOINT.c if column.name not in {"secret", "previous_secret"}]


class WebhookRepository(OwnedRepository):
    table = _ENDPOINT

    async def count(self) -> int:
        return int(await self.fetchval(_count()))

    async def page(self, *, limit: int, offset: int) -> list[Record]:
        """Oldest first; each row carries ``total``, the count of the owner's webhooks."""
        return await self.fetch(_page(), limit=limit, offset=offset)

    async def get(self, webhook_id: uuid.UUID, *, for_update: bool = False) -> Record | None:
        return await self.fetchrow(_by_id(for_update), id=webhook_id)

    async def insert(self, values: Mapping[str, Any]) -> Record:
        row = await self.fetchrow(_insert(tuple(sorted(values))), **values)
        assert row is not None  # noqa: S101  # INSERT ... RETURNING returns the row
        return row

    async def update(self, webhook_id: uuid.UUID, changes: Mapping[str, Any]) -> Record | None:
        return await self.fetchrow(_update(tuple(sorted(changes))), **changes, id=webhook_id)

    async def delete(self, webhook_id: uuid.UUID) -> str | None:
        """The deleted webhook's URL; None when there was none of that id."""
        url: str | None = await self.fetchval(_delete(), id=webhook_id)
        return url


class DeliveryRepository(OwnedRepository):
    table = _DELIVERY

    async def page(self, endpoint_id: uuid.UUID, *, limit: int, offset: int) -> list[Record]:
        """Newest first; each row carries ``total``."""
        return await self.fetch(_deliveries(), endpoint_id=endpoint_id, limit=limit, offset=offset)

    async def get(self, endpoint_id: uuid.UUID, delivery_id: uuid.UUID) -> Record | None:
        return await self.fetchrow(_delivery(), endpoint_id=endpoint_id, id=delivery_id)

    async def next_attempt(self, endpoint_id: uuid.UUID, event_id: uuid.UUID) -> int:
        return int(await self.fetchval(_next_attempt(), endpoint_id=endpoint_id, event_id=event_id))


def _owned_endpoint() -> Any:  # noqa: ANN401  # a SQL condition
    """The delivery's endpoint is the owner's (``endpoint_id`` bound)."""
    return exists().where(
        _ENDPOINT.c.id == _DELIVERY.c.endpoint_id,
        _ENDPOINT.c.tenant_id == _DELIVERY.c.tenant_id,
        owner_condition(_ENDPOINT),
    )


def _owned_count() -> Select[Any]:
    return WebhookRepository.scope.select(func.count()).where(owner_condition(_ENDPOINT))


@cached_statement
def _count() -> ClauseElement:
    return _owned_count()


@cached_statement
def _page() -> ClauseElement:
    total = _owned_count().correlate(None).scalar_subquery()
    return (
        WebhookRepository.scope.select(*PUBLIC_COLUMNS, total.label("total"))
        .where(owner_condition(_ENDPOINT))
        .order_by(_ENDPOINT.c.created_at, _ENDPOINT.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cached_statement
def _by_id(for_update: bool) -> ClauseElement:
    statement = WebhookRepository.scope.select().where(
        _ENDPOINT.c.id == bindparam("id"), owner_condition(_ENDPOINT)
    )
    return statement.with_for_update() if for_update else statement


@cached_statement
def _insert(columns: tuple[str, ...]) -> ClauseElement:
    scope = WebhookRepository.scope
    return scope.insert(**scope.bound(*columns, "owner_id")).returning(*PUBLIC_COLUMNS)


@cached_statement
def _update(columns: tuple[str, ...]) -> ClauseElement:
    scope = WebhookRepository.scope
    return (
        scope.update()
        .where(_ENDPOINT.c.id == bindparam("id"), owner_condition(_ENDPOINT))
        .values(**scope.bound(*columns), updated_at=func.now())
        .returning(*PUBLIC_COLUMNS)
    )


@cached_statement
def _delete() -> ClauseElement:
    return (
        WebhookRepository.scope.delete()
        .where(_ENDPOINT.c.id == bindparam("id"), owner_condition(_ENDPOINT))
        .returning(_ENDPOINT.c.url)
    )


def _of_endpoint() -> Any:  # noqa: ANN401  # a SQL condition
    return _DELIVERY.c.endpoint_id == bindparam("endpoint_id", type_=_DELIVERY.c.endpoint_id.type)


@cached_statement
def _deliveries() -> ClauseElement:
    scope = DeliveryRepository.scope
    total = (
        scope.select(func.count()).where(_of_endpoint(), _owned_endpoint()).correlate(None).scalar_subquery()
    )
    return (
        scope.select(_DELIVERY, total.label("total"))
        .where(_of_endpoint(), _owned_endpoint())
        .order_by(_DELIVERY.c.created_at.desc(), _DELIVERY.c.attempt.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cached_statement
def _delivery() -> ClauseElement:
    return DeliveryRepository.scope.select().where(
        _DELIVERY.c.id == bindparam("id"), _of_endpoint(), _owned_endpoint()
    )


@cached_statement
def _next_attempt() -> ClauseElement:
    scope = DeliveryRepository.scope
    return scope.select(func.coalesce(func.max(_DELIVERY.c.attempt), 0) + 1).where(
        _of_endpoint(),
        _DELIVERY.c.event_id == bindparam("event_id", type_=_DELIVERY.c.event_id.type),
        _owned_endpoint(),
    )
