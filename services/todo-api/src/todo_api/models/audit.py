"""The audit trail: security events of a tenant (logins, revocations, role changes, ...),
readable by its owners and admins (``GET /api/v1/audit-events``).

A record, not a resource: the runtime role may insert and read rows, never update or delete
them (``tenant_owned(append_only=True)``: no UPDATE or DELETE grant, checked at start-up);
only the retention purge (``purge_audit_events``, ``AUDIT_RETENTION_DAYS``) removes them.
``actor_id`` and ``subject_id`` are plain ids, not foreign keys: an event outlives the user
it names (the deletion of a user is itself an event).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Index, PrimaryKeyConstraint, text
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import UUIDPrimaryKey

MAX_USER_AGENT_LENGTH = 512
# Newest first, then by id: the listing's order, with and without each filter.
_NEWEST_FIRST = (text("created_at DESC"), "id")


class AuditEvent(UUIDPrimaryKey, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id"),
        Index("ix_audit_event_tenant_id_created_at_id", "tenant_id", *_NEWEST_FIRST),
        Index("ix_audit_event_tenant_id_type_created_at_id", "tenant_id", "type", *_NEWEST_FIRST),
        Index(
            "ix_audit_event_tenant_id_actor_id_created_at_id",
            "tenant_id",
            "actor_id",
            *_NEWEST_FIRST,
            postgresql_where=text("actor_id IS NOT NULL"),
        ),
        # The purge's condition, across tenants.
        Index("ix_audit_event_created_at", "created_at"),
        # Lower-case dotted names (auth.login.succeeded): the types the service documents.
        CheckConstraint("type ~ '^[a-z_]+(\\.[a-z_]+)+$'", name="type_dotted"),
        CheckConstraint("jsonb_typeof(details) = 'object'", name="details_object"),
        tenant_owned(append_only=True),
    )

    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    type: str = Field(max_length=64)
    actor_id: uuid.UUID | None = None
    subject_id: uuid.UUID | None = None
    ip: str | None = Field(default=None, sa_type=INET)
    user_agent: str | None = Field(default=None, max_length=MAX_USER_AGENT_LENGTH)
    # The moment of the event, not of its transaction's start: the events of one unit of work
    # (a role change and a deactivation in one PATCH) keep the order they happened in.
    created_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": text("clock_timestamp()"), "nullable": False},
    )
    details: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    )
