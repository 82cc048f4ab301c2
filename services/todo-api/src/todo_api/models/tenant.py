"""Tenants: the organisations that own users and their data."""

from __future__ import annotations

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import CreatedAt, UUIDPrimaryKey

# Read by PostgreSQL (the CHECK below), pydantic's Rust regex engine and JSON Schema
# (ECMA-262), and the same whole-value test in all three: ASCII classes, and a $ that is the
# very end (Python's re alone would let "abc\n" through, and the CHECK would then fail).
SLUG_PATTERN = "^[a-z0-9-]{3,63}$"


class Tenant(UUIDPrimaryKey, CreatedAt, table=True):
    __tablename__ = "tenant"
    __table_args__ = (CheckConstraint(f"slug ~ '{SLUG_PATTERN}'", name="slug_format"), tenant_owned(key="id"))
    __mapper_args__ = {"eager_defaults": True}

    slug: str = Field(max_length=63, unique=True)
    name: str = Field(max_length=200)
