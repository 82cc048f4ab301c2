"""Personal access tokens: long-lived bearer tokens a user makes for scripts and integrations,
each limited to the scopes it was made with."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKeyConstraint, Index, PrimaryKeyConstraint, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import CreatedAt


class PersonalAccessToken(CreatedAt, table=True):
    """One token of one membership. Only the SHA-256 of its secret is stored; its id and
    tenant are the token's public part (``tdo_pat_<tenant>_<id>_<secret>``), so the query that
    loads the caller finds the row by key under the tenant's row-level security. Revoking
    deletes the row; removing the membership removes its tokens (composite foreign key)."""

    __tablename__ = "personal_access_token"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id"),
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        Index("ix_personal_access_token_tenant_id_owner_id", "tenant_id", "owner_id"),
        tenant_owned(),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    owner_id: uuid.UUID
    name: str = Field(max_length=100)
    scopes: list[str] = Field(sa_column=Column(ARRAY(Text()), nullable=False))
    secret_hash: str = Field(max_length=64)
    expires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
