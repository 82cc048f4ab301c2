"""Scheduling delivery attempts: a pending ``webhook_delivery`` row and its queue job, written
in the caller's unit of work (so an attempt is due if and only if that work committed).

Both sides schedule: the API (a ping, a redelivery) and the dispatcher (an event's fan-out
to its owner's subscriptions, the next attempt after a failure).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import bindparam, literal
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql import ClauseElement

from platform_common.db.repository import TenantRepository, TenantScope, cached_statement
from platform_common.db.tables import table_of
from platform_common.events.queue import DELIVER, JobRef
from platform_common.webhooks.tables import WebhookDelivery, WebhookEndpoint

_DELIVERY = table_of(WebhookDelivery)
_ENDPOINT = table_of(WebhookEndpoint)


class Deliveries(TenantRepository):
    table = _DELIVERY

    async def schedule(
        self,
        endpoint_id: uuid.UUID,
        event_id: uuid.UUID,
        event_type: str,
        attempt: int,
        delay: timedelta | None = None,
    ) -> uuid.UUID:
        """One attempt of one event to one endpoint, due after ``delay``."""
        delivery_id = uuid.uuid4()
        await self.execute(
            _insert(),
            id=delivery_id,
            endpoint_id=endpoint_id,
            event_id=event_id,
            event_type=event_type,
            attempt=attempt,
        )
        await self.transaction.enqueue(DELIVER, [JobRef(self.tenant_id, delivery_id)], delay)
        return delivery_id

    async def fan_out(
        self, event_id: uuid.UUID, event_type: str, owner_id: uuid.UUID | None
    ) -> list[uuid.UUID]:
        """A first attempt for each enabled endpoint of ``owner_id`` subscribed to the type.
        Idempotent: run again for the same event (its job was retried), it adds nothing."""
        if owner_id is None:  # nobody's data: no user's subscription hears it
            return []
        rows = await self.fetch(_fan_out(), event_id=event_id, event_type=event_type, owner_id=owner_id)
        ids = [row["id"] for row in rows]
        await self.transaction.enqueue(DELIVER, [JobRef(self.tenant_id, delivery_id) for delivery_id in ids])
        return ids


@cached_statement
def _insert() -> ClauseElement:
    scope = Deliveries.scope
    return scope.insert(**scope.bound("id", "endpoint_id", "event_id", "event_type", "attempt"))


@cached_statement
def _fan_out() -> ClauseElement:
    endpoints = TenantScope(_ENDPOINT)
    event_type = bindparam("event_type", type_=_DELIVERY.c.event_type.type)
    subscribed = endpoints.select(
        _ENDPOINT.c.tenant_id,
        _ENDPOINT.c.id,
        bindparam("event_id", type_=_DELIVERY.c.event_id.type),
        event_type,
        literal(1),
    ).where(
        _ENDPOINT.c.owner_id == bindparam("owner_id", type_=_ENDPOINT.c.owner_id.type),
        _ENDPOINT.c.enabled.is_(True),
        event_type == _ENDPOINT.c.events.any_(),
    )
    columns = ["tenant_id", "endpoint_id", "event_id", "event_type", "attempt"]
    return (
        insert(_DELIVERY)
        .from_select(columns, subscribed)
        .on_conflict_do_nothing(constraint="uq_webhook_delivery_endpoint_event_attempt")
        .returning(_DELIVERY.c.id)
    )
