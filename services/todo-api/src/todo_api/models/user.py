"""Users: each belongs to exactly one tenant; emails are unique across the platform.

The platform-wide uniqueness lives in ``user_email``, a global registry of every e-mail in
use, kept by a trigger on ``user`` (``platform_common.db.rls.keep_globally_unique``): every
key of ``user`` itself includes the tenant, as a table distributed by tenant requires.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, PrimaryKeyConstraint, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from platform_common.db.tables import global_table, tenant_owned
from todo_api.models.base import Timestamps, UUIDPrimaryKey, enum_column


class UserRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class User(UUIDPrimaryKey, Timestamps, table=True):
    __tablename__ = "user"
    __table_args__ = (
        # Target of composite foreign keys: a row can only point at a user of its own tenant.
        PrimaryKeyConstraint("tenant_id", "id"),
        # Led by the e-mail: the login's pre-tenant lookup finds the account by it alone.
        UniqueConstraint("email", "tenant_id"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        tenant_owned(),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    email: str = Field(max_length=320)
    hashed_password: str = Field(max_length=255)
    full_name: str = Field(default="", max_length=200)
    role: UserRole = enum_column(UserRole, "user_role", UserRole.MEMBER)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Wrong current passwords at a password change since the last success (or lockout).
    password_change_failures: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # IANA name; the zone recurring tasks' occurrences are computed in (09:00 stays 09:00 local).
    time_zone: str = Field(default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"})


class UserEmail(SQLModel, table=True):
    """Every e-mail in use, of every tenant: the platform-wide uniqueness of e-mails (one
    account per address, since login is by e-mail alone). Written only by ``user``'s
    trigger; its key keeps the name ``uq_user_email`` of the constraint it replaced, which
    is the name the service maps to "already exists"."""

    __tablename__ = "user_email"
    __table_args__ = (
        PrimaryKeyConstraint("email", name="uq_user_email"),
        global_table(
            "platform-wide uniqueness of e-mails (login by e-mail alone); holds the addresses only, "
            "under forced row-level security that admits no one but the owner's trigger"
        ),
    )

    email: str = Field(primary_key=True, max_length=320)
