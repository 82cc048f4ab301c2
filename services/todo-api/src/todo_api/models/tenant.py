"""Tenants: the organisations that own users and their data.

A slug is unique across the platform: ``tenant_slug``, a global registry kept by a trigger
on ``tenant`` (``platform_common.db.rls.keep_globally_unique``), holds that rule, so that
every key of ``tenant`` is its id, its tenant key.

A tenant its owner asked to delete (``POST /tenants/current/deletion``) is *disabled*:
``deletion_requested_at`` is set, and ``purge_after`` says when the purge
(``purge_deleted_tenants``, migration ``d7a3b5c9e2f1``) removes it and all its rows; until
then the owner may cancel (both back to NULL). Its slug stays taken until the row goes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, PrimaryKeyConstraint
from sqlmodel import Field, SQLModel

from platform_common.db.tables import global_table, tenant_owned
from todo_api.models.base import CreatedAt, UUIDPrimaryKey

# Read by PostgreSQL (the CHECK below), pydantic's Rust regex engine and JSON Schema
# (ECMA-262), and the same whole-value test in all three: ASCII classes, and a $ that is the
# very end (Python's re alone would let "abc\n" through, and the CHECK would then fail).
SLUG_PATTERN = "^[a-z0-9-]{3,63}$"


class Tenant(UUIDPrimaryKey, CreatedAt, table=True):
    __tablename__ = "tenant"
    __table_args__ = (
        CheckConstraint(f"slug ~ '{SLUG_PATTERN}'", name="slug_format"),
        Index("ix_tenant_purge_after", "purge_after"),
        tenant_owned(key="id"),
    )
    __mapper_args__ = {"eager_defaults": True}

    slug: str = Field(max_length=63)
    name: str = Field(max_length=200)
    deletion_requested_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    purge_after: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class TenantSlug(SQLModel, table=True):
    """Every slug in use: the platform-wide uniqueness of slugs. Written only by ``tenant``'s
    trigger; its key keeps the name ``uq_tenant_slug`` of the constraint it replaced, which
    is the name the service maps to "already taken"."""

    __tablename__ = "tenant_slug"
    __table_args__ = (
        PrimaryKeyConstraint("slug", name="uq_tenant_slug"),
        global_table(
            "platform-wide uniqueness of tenant slugs; holds the slugs only, under forced "
            "row-level security that admits no one but the owner's trigger"
        ),
    )

    slug: str = Field(primary_key=True, max_length=63)
