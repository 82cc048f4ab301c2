"""Idempotency keys: the first response to a keyed create, replayed for repeats."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKeyConstraint, Index, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import CreatedAt


class IdempotencyKey(CreatedAt, table=True):
    __tablename__ = "idempotency_key"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "user_id", "key"),
        # Transitional (expand/contract): the previous release's ``ON CONFLICT (user_id, key)``
        # needs a unique index on exactly these columns. The next release's migration drops it.
        UniqueConstraint("user_id", "key"),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        Index("ix_idempotency_key_expires_at", "expires_at"),
        tenant_owned(),
    )
    __mapper_args__ = {"eager_defaults": True}

    user_id: uuid.UUID = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=255)
    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    request_hash: str = Field(max_length=64)
    response_body: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
