"""Tasks: owned by one user, inside that user's tenant."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import Timestamps, UUIDPrimaryKey, enum_column
from todo_api.models.task_list import position_column


class TaskPriority(StrEnum):
    """Declared in rising order; PostgreSQL sorts the enum in this order."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


# The words of the title and description as PostgreSQL's own parser splits them; 'simple'
# lower-cases and neither stems nor drops stop words, so a word-prefix search finds what was
# typed. Spelled as PostgreSQL prints it back, so the models and the migrations compare equal.
SEARCH_DOCUMENT = (
    "to_tsvector('simple'::regconfig, (((COALESCE(title, ''::character varying))::text || ' '::text)"
    " || COALESCE(description, ''::text)))"
)


# Live tasks: the trash (``deleted_at``) is left out of lists, counts and sibling keys.
_LIVE = text("deleted_at IS NULL")


class Task(UUIDPrimaryKey, Timestamps, table=True):
    __tablename__ = "task"
    __table_args__ = (
        # The tenant leads every key (a table distributed by tenant requires it); the key is
        # also the target of the composite foreign keys below.
        PrimaryKeyConstraint("tenant_id", "id"),
        # Composite key: the owner must be a user of the task's own tenant.
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        # A completed recurring task's next occurrence, in the same tenant; deleting the
        # occurrence clears the link only (PostgreSQL 15's column list), never the tenant.
        ForeignKeyConstraint(
            ["tenant_id", "next_occurrence_id"],
            ["task.tenant_id", "task.id"],
            ondelete="SET NULL (next_occurrence_id)",
        ),
        # An occurrence follows one task only (and the link is indexed for the key's checks).
        UniqueConstraint("tenant_id", "next_occurrence_id"),
        CheckConstraint("recurrence IS NULL OR due_at IS NOT NULL", name="recurrence_needs_due_at"),
        CheckConstraint("occurrences_left >= 0", name="occurrences_left_not_negative"),
        # Composite keys: the list and the parent are of the task's own tenant, even by a bug.
        # A list is never deleted while tasks (even trashed ones) point at it: the service
        # moves them first. Purging a trashed parent purges its (trashed) descendants.
        ForeignKeyConstraint(["tenant_id", "list_id"], ["task_list.tenant_id", "task_list.id"]),
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["task.tenant_id", "task.id"], ondelete="CASCADE"),
        # The owner's live tasks, in each sortable order (``id`` is the tie-breaker): with the
        # tenant and the trash in the index, a list's count is an index-only scan.
        *(
            Index(f"ix_task_live_{column}", "tenant_id", "owner_id", column, "id", postgresql_where=_LIVE)
            for column in ("created_at", "due_at", "priority")
        ),
        # Delta sync reads the owner's changes in this order (``models.sync``).
        Index("ix_task_tenant_id_owner_id_change_seq", "tenant_id", "owner_id", "change_seq", "id"),
        # GIN cannot lead with the owner (no btree_gin): the index finds the matching words,
        # and the owner's predicate is checked on those rows (see the query-plan tests).
        # fastupdate off: a write adds its words to the index at once, rather than to a
        # pending list every search would read in full until the next vacuum merges it.
        Index(
            "ix_task_search_vector",
            "search_vector",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
        # Manual order: one key per place among live siblings (a list's top level counts as
        # one sibling group: NULLS NOT DISTINCT), and a list's tasks in that order.
        Index(
            "uq_task_tenant_id_list_id_parent_id_position",
            "tenant_id",
            "list_id",
            "parent_id",
            "position",
            unique=True,
            postgresql_nulls_not_distinct=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # Transitional (expand/contract): the same rule without the tenant, which the previous
        # release's ``ON CONFLICT (list_id, parent_id, position)`` needs as its arbiter. The
        # next release's migration drops it.
        Index(
            "uq_task_list_id_parent_id_position",
            "list_id",
            "parent_id",
            "position",
            unique=True,
            postgresql_nulls_not_distinct=True,
            postgresql_where=_LIVE,
        ),
        # A list's live tasks in manual order, countable from the index alone, as above.
        Index(
            "ix_task_live_position",
            "tenant_id",
            "owner_id",
            "list_id",
            "position",
            "id",
            postgresql_where=_LIVE,
        ),
        Index("ix_task_parent_id", "parent_id", postgresql_where=text("parent_id IS NOT NULL")),
        # The owner's trash, newest first, and the purge of old trash.
        Index(
            "ix_task_owner_deleted_at",
            "owner_id",
            "deleted_at",
            "id",
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
        tenant_owned(),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
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
    # RFC 5545 RRULE (schemas/recurrence.py); completing the task creates the next occurrence.
    recurrence: str | None = Field(default=None, sa_type=Text)
    # What COUNT leaves after this occurrence (None: no COUNT), carried from one to the next.
    occurrences_left: int | None = None
    next_occurrence_id: uuid.UUID | None = None
    # Once true, never again: a task creates at most one next occurrence in its life, even
    # after that occurrence is deleted (and the link above cleared).
    occurrence_spawned: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    # Generated and stored by PostgreSQL; never selected (see repositories/tasks.py).
    search_vector: str | None = Field(
        default=None, sa_column=Column(TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True))
    )
    list_id: uuid.UUID
    parent_id: uuid.UUID | None = None
    position: str = Field(sa_column=position_column())
    # Set when the task went to the trash: from then on it is 404 everywhere but the trash.
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
