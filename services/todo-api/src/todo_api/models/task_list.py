"""Lists: a user's named groups of tasks, one of them the default ("Inbox")."""

from __future__ import annotations

import uuid

from sqlalchemy import Column, ForeignKeyConstraint, Index, PrimaryKeyConstraint, Text, text
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import Timestamps, UUIDPrimaryKey

DEFAULT_LIST_NAME = "Inbox"


def position_column() -> Column[str]:
    """A fractional-index ordering key, compared byte by byte (collation "C"): the order the
    keys are generated in, whatever the database's locale."""
    return Column(Text(collation="C"), nullable=False)


class TaskList(UUIDPrimaryKey, Timestamps, table=True):
    __tablename__ = "task_list"
    __table_args__ = (
        # Target of the tasks' composite key: a task can only be in a list of its own tenant.
        PrimaryKeyConstraint("tenant_id", "id"),
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        # Exactly one default list per user (the service creates it with the user).
        Index(
            "uq_task_list_default",
            "tenant_id",
            "owner_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
        Index("ix_task_list_owner_position", "owner_id", "position", "id"),
        tenant_owned(),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    owner_id: uuid.UUID
    name: str = Field(max_length=100)
    position: str = Field(sa_column=position_column())
    is_default: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
