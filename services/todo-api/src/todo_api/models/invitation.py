"""Invitations: how a person joins an existing tenant (an owner or admin invites an address;
whoever holds the mailed link accepts it)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import CreatedAt, enum_column
from todo_api.models.user import UserRole


class Invitation(CreatedAt, table=True):
    """An invitation of an address to the tenant with a role. Only the SHA-256 of its link's
    token is stored; it is pending until accepted (single use), revoked or past
    ``expires_at`` (seven days), and the purge deletes it once expired. The inviter is a
    user of the same tenant (composite key): removing that user removes their invitations."""

    __tablename__ = "invitation"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id"),
        # Led by the hash: the acceptance's pre-tenant lookup finds the invitation by it alone.
        UniqueConstraint("token_hash", "tenant_id"),
        ForeignKeyConstraint(["tenant_id", "invited_by"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        Index("ix_invitation_tenant_id_email", "tenant_id", "email"),
        Index("ix_invitation_expires_at", "expires_at"),
        tenant_owned(),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    email: str = Field(max_length=320)
    role: UserRole = enum_column(UserRole, "user_role", UserRole.MEMBER)
    token_hash: str = Field(max_length=64)
    invited_by: uuid.UUID
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    accepted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
