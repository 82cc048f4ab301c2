"""People and their memberships of tenants.

A *person* (``person``) is one e-mail address and one password: who someone is, across
tenants. A *user* (``user``) is a person's membership of one tenant: their role, active flag,
name and time zone there, and the owner of everything they make in it, so nothing crosses
tenants. The API's ``user.id`` and an access token's ``sub`` are the membership's id.

``person`` is a global table under forced row-level security with no policy for the runtime
role: it is read and written only by narrow ``SECURITY DEFINER`` functions keyed by an
address (login) or by a membership of the caller's own tenant (memberships, password), see
``todo_api.repositories.people``. A membership keeps a copy of its person's address (which
never changes), so loading the caller stays one query of its own tenant.

The platform-wide uniqueness of addresses lives in ``user_email``, a registry kept by a
trigger on ``person`` (``platform_common.db.rls.keep_globally_unique``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, PrimaryKeyConstraint, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from platform_common.db.tables import global_table, tenant_owned
from todo_api.models.base import Timestamps, UUIDPrimaryKey, enum_column


class UserRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class Person(UUIDPrimaryKey, Timestamps, table=True):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("email"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        global_table(
            "one row per human, across tenants: the address and password hash that identify them; "
            "under forced row-level security with no policy for the runtime role, reached only "
            "through narrow definer functions keyed by the address or the caller's own membership"
        ),
    )
    __mapper_args__ = {"eager_defaults": True}

    email: str = Field(max_length=320)
    hashed_password: str = Field(max_length=255)


class User(UUIDPrimaryKey, Timestamps, table=True):
    __tablename__ = "user"
    __table_args__ = (
        # Target of composite foreign keys: a row can only point at a user of its own tenant.
        PrimaryKeyConstraint("tenant_id", "id"),
        # Led by the e-mail: the login's pre-tenant lookup finds the account by it alone.
        UniqueConstraint("email", "tenant_id"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        # One membership per person and tenant.
        UniqueConstraint("person_id", "tenant_id"),
        tenant_owned(),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    person_id: uuid.UUID = Field(foreign_key="person.id", ondelete="CASCADE")
    email: str = Field(max_length=320)  # the person's, copied: loading the caller reads no person
    full_name: str = Field(default="", max_length=200)
    role: UserRole = enum_column(UserRole, "user_role", UserRole.MEMBER)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Wrong current passwords at a password change since the last success (or lockout).
    password_change_failures: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # IANA name; the zone recurring tasks' occurrences are computed in (09:00 stays 09:00 local).
    time_zone: str = Field(default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"})
    # The last login to, or switch into, this membership: the tenant a login without one picks.
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class UserEmail(SQLModel, table=True):
    """Every person's e-mail: the platform-wide uniqueness of addresses (one person per
    address, since login is by e-mail alone). Written only by ``person``'s trigger; its key keeps the name ``uq_user_email`` of the constraint it replaced, which
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
