"""The transactional outbox: an event exists if and only if its transaction committed.

``emit(transaction, Event(...))`` writes the event (``outbox_event``, tenant-owned, under
row-level security) and its queue job (``(tenant_id, event_id)``, see ``queue``) in **one**
statement on the transaction's connection: a rolled-back unit of work leaves neither, a
committed one both. The dispatcher reads the event back with the tenant entered.

The row keeps the W3C ``traceparent`` of the request that caused it, so the delivery
continues the same trace. ``owner_id`` names the user the event belongs to: only that
user's subscriptions hear it (a user's webhook never hears another user's data).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Column, DateTime, Index, PrimaryKeyConstraint, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from platform_common.db.tables import tenant_owned
from platform_common.events.queue import FAN_OUT, JobRef, enqueue_args, enqueue_sql
from platform_common.observability.tracing import current_traceparent

if TYPE_CHECKING:
    from platform_common.db.database import Transaction

MAX_EVENT_BYTES = 256 * 1024  # the largest payload a receiver is sent


class OutboxEvent(SQLModel, table=True):
    """One event, as committed by the unit of work that caused it. Constraint names are
    spelled out: this table may be declared before a service sets its naming convention."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id", name="pk_outbox_event"),
        Index("ix_outbox_event_created_at", "created_at"),
        tenant_owned(),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID = Field(primary_key=True)
    owner_id: uuid.UUID | None = None
    type: str = Field(max_length=100)
    data: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    traceparent: str | None = Field(default=None, sa_type=Text)
    created_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now(), "nullable": False},
    )


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    data: Mapping[str, Any]  # JSON-ready: the resource as the API returns it
    owner_id: uuid.UUID | None = None


class EventTooLarge(ValueError):
    """An event's payload exceeds what receivers are promised (``MAX_EVENT_BYTES``)."""


_COLUMNS = "id, tenant_id, owner_id, type, data, traceparent"


def _insert_event(first: int) -> str:
    placeholders = ", ".join(f"${n}" for n in range(first, first + 6))
    return f"INSERT INTO outbox_event ({_COLUMNS}) VALUES ({placeholders})"  # noqa: S608  # constants only


# The event row as a data-modifying CTE in front of the queue's statement ($1..$6 are its).
_EMIT = enqueue_sql(after=f"event AS ({_insert_event(7)}),")
_RECORD = _insert_event(1)


_AMEND = "UPDATE outbox_event SET data = $3 WHERE tenant_id = $1 AND id = $2"


async def amend(transaction: Transaction, event_id: uuid.UUID, event: Event) -> None:
    """Replace the data of ``event_id``, emitted earlier in this transaction (so nobody has
    seen it yet): for a writer that announces a resource before its write, to keep that
    write's turn short, and then writes something else (a retried insert)."""
    await transaction.connection.execute(_AMEND, transaction.tenant_id, event_id, _checked_data(event))


def _checked_data(event: Event) -> dict[str, Any]:
    data = dict(event.data)
    if len(orjson.dumps(data)) > MAX_EVENT_BYTES:
        raise EventTooLarge(f"event {event.type} has more than {MAX_EVENT_BYTES} bytes of data")
    return data


def _event_args(transaction: Transaction, event_id: uuid.UUID, event: Event) -> tuple[object, ...]:
    data = _checked_data(event)
    return (event_id, transaction.tenant_id, event.owner_id, event.type, data, current_traceparent())


async def emit(transaction: Transaction, event: Event) -> uuid.UUID:
    """Record ``event`` in the transaction's tenant and queue its fan-out; returns its id."""
    event_id = uuid.uuid4()
    queue = enqueue_args(FAN_OUT, [JobRef(transaction.tenant_id, event_id)])
    await transaction.connection.execute(_EMIT, *queue, *_event_args(transaction, event_id, event))
    return event_id


async def record(transaction: Transaction, event: Event) -> uuid.UUID:
    """Record ``event`` without fanning it out: for an event meant for one recipient, whose
    delivery the caller schedules itself in the same transaction (a webhook's ping)."""
    event_id = uuid.uuid4()
    await transaction.connection.execute(_RECORD, *_event_args(transaction, event_id, event))
    return event_id
