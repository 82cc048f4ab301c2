"""Tasks: owned by one user, inside that user's tenant."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import Timestamps, UUIDPrimaryKey, enum_column


class TaskPriority(StrEnum):
    """Declared in rising order; PostgreSQL sorts the enum in this order."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Task(UUIDPrimaryKey, Timestamps, table=True):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        # Composite key: the owner must be a user of the task's own tenant.
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        # The owner's list, in each sortable order; ``id`` is the tie-breaker.
        Index("ix_task_owner_created_at", "owner_id", "created_at", "id"),
        Index("ix_task_owner_due_at", "owner_id", "due_at", "id"),
        Index("ix_task_owner_priority", "owner_id", "priority", "id"),
        # Delta sync reads the owner's changes in this order (``models.sync``).
        Index("ix_task_tenant_id_owner_id_change_seq", "tenant_id", "owner_id", "change_seq", "id"),
        tenant_owned(),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", ondelete="CASCADE")
    owner_id: uuid.UUID
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    completed: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    completed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    priority: TaskPriority = enum_column(TaskPriority, "task_priority", TaskPriority.NORMAL)
    due_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    tags: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    )
    version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})
    # The owner's change counter at the task's last write (``models.sync``). 0: written
    # outside the repository (a seed), before any counted change.
    change_seq: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": text("0")})
