"""Users: each belongs to exactly one tenant; emails are unique across the platform."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, UniqueConstraint, text
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import Timestamps, UUIDPrimaryKey, enum_column


class UserRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class User(UUIDPrimaryKey, Timestamps, table=True):
    __tablename__ = "user"
    __table_args__ = (
        # Target of composite foreign keys: a row can only point at a user of its own tenant.
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        tenant_owned(),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", ondelete="CASCADE")
    email: str = Field(max_length=320, unique=True)
    hashed_password: str = Field(max_length=255)
    full_name: str = Field(default="", max_length=200)
    role: UserRole = enum_column(UserRole, "user_role", UserRole.MEMBER)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Wrong current passwords at a password change since the last success (or lockout).
    password_change_failures: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # IANA name; the zone recurring tasks' occurrences are computed in (09:00 stays 09:00 local).
    time_zone: str = Field(default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"})
