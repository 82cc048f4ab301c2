"""Webhook subscriptions and their delivery attempts (tenant-owned, under row-level security).

Declared here, not in a service, because two processes use them: the API that manages
subscriptions and the dispatcher that delivers. A service ties them to its own users and
tenants with foreign keys (``ForeignKeyConstraint`` appended where its models are declared).
Constraint names are spelled out: these tables may be declared before a service sets its
naming convention.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.naming import conv
from sqlmodel import Field, SQLModel

from platform_common.db.tables import table_of, tenant_owned
from platform_common.events.outbox import OutboxEvent


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due, or being attempted
    SUCCEEDED = "succeeded"  # the receiver answered 2xx
    FAILED = "failed"  # anything else; next_retry_at says whether another attempt follows


def _timestamp(*, server_default: bool = False, nullable: bool = True) -> datetime | None:
    kwargs = {"nullable": nullable} | ({"server_default": func.now()} if server_default else {})
    value: datetime | None = Field(default=None, sa_type=DateTime(timezone=True), sa_column_kwargs=kwargs)
    return value


class WebhookEndpoint(SQLModel, table=True):
    """A user's subscription: where to send which event types, and the secret that signs them."""

    __tablename__ = "webhook_endpoint"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id", name="pk_webhook_endpoint"),
        Index("ix_webhook_endpoint_owner_created_at", "owner_id", "created_at", "id"),
        tenant_owned(),
    )

    id: uuid.UUID | None = Field(
        default=None, primary_key=True, sa_column_kwargs={"server_default": text("gen_random_uuid()")}
    )
    tenant_id: uuid.UUID = Field(primary_key=True)
    owner_id: uuid.UUID
    url: str = Field(sa_type=Text)
    description: str = Field(default="", sa_column_kwargs={"server_default": ""}, sa_type=Text)
    events: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    enabled: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    # Encrypted (``secrets.SecretBox``): the signing secret, and during a rotation the old one.
    secret: bytes = Field(sa_type=LargeBinary)
    previous_secret: bytes | None = Field(default=None, sa_type=LargeBinary)
    previous_secret_expires_at: datetime | None = _timestamp()
    disabled_reason: str | None = Field(default=None, sa_type=Text)
    failing_since: datetime | None = _timestamp()
    created_at: datetime | None = _timestamp(server_default=True, nullable=False)
    updated_at: datetime | None = _timestamp(server_default=True, nullable=False)


class WebhookDelivery(SQLModel, table=True):
    """One attempt to deliver one event to one endpoint."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id", name="pk_webhook_delivery"),
        # Named by the dispatcher's ``ON CONFLICT ON CONSTRAINT``: the name outlives its columns.
        UniqueConstraint(
            "tenant_id",
            "endpoint_id",
            "event_id",
            "attempt",
            name="uq_webhook_delivery_endpoint_event_attempt",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "endpoint_id"],
            [table_of(WebhookEndpoint).c.tenant_id, table_of(WebhookEndpoint).c.id],
            name="fk_webhook_delivery_endpoint",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "event_id"],
            [table_of(OutboxEvent).c.tenant_id, table_of(OutboxEvent).c.id],
            name="fk_webhook_delivery_event",
            ondelete="CASCADE",
        ),
        CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed')", name=conv("ck_webhook_delivery_status")
        ),
        Index("ix_webhook_delivery_endpoint_created_at", "endpoint_id", "created_at"),
        Index("ix_webhook_delivery_event_id", "event_id"),
        tenant_owned(),
    )

    id: uuid.UUID | None = Field(
        default=None, primary_key=True, sa_column_kwargs={"server_default": text("gen_random_uuid()")}
    )
    tenant_id: uuid.UUID = Field(primary_key=True)
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str = Field(sa_type=Text)
    attempt: int
    status: str = Field(
        default=DeliveryStatus.PENDING.value,
        sa_column_kwargs={"server_default": DeliveryStatus.PENDING.value},
        sa_type=Text,
    )
    status_code: int | None = None
    duration_ms: int | None = None
    error: str | None = Field(default=None, sa_type=Text)
    next_retry_at: datetime | None = _timestamp()
    created_at: datetime | None = _timestamp(server_default=True, nullable=False)
    finished_at: datetime | None = _timestamp()
