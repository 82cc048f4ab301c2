"""Delta sync's change log: a per-owner counter and the tombstones of deleted tasks.

``sync_state.version`` is each owner's change counter. Every write of a task raises it with
an upsert (``... ON CONFLICT DO UPDATE ... RETURNING version``) in the writing transaction
and stamps the written rows with the value (``task.change_seq``). The upsert's row lock is
held until commit, so the writers of one owner take turns: a later number is always
committed after an earlier one, and a reader that sees a number sees every smaller one.
``task_count`` is how many tasks the owner has, kept by statement-level triggers on ``task``
(migration ``7b1e5d3c9a24``) and read by the creation's upsert (the quota). ``purged_seq``
is the highest ``change_seq`` of a tombstone purged for the owner: a cursor below it may
have missed a deletion.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKeyConstraint, Index, text
from sqlmodel import Field, SQLModel

from platform_common.db.tables import tenant_owned


class SyncState(SQLModel, table=True):
    __tablename__ = "sync_state"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        tenant_owned(),
    )

    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    owner_id: uuid.UUID = Field(primary_key=True)
    version: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": text("0")})
    purged_seq: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": text("0")})
    # Every task of the owner, trashed ones too (the quota's count): kept by triggers on task.
    task_count: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": text("0")})


class TaskTombstone(SQLModel, table=True):
    """A deleted task, kept ``DELTA_TOMBSTONE_RETENTION_DAYS`` so delta clients learn of it."""

    __tablename__ = "task_tombstone"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        Index(
            "ix_task_tombstone_tenant_id_owner_id_change_seq",
            "tenant_id",
            "owner_id",
            "change_seq",
            "task_id",
        ),
        Index("ix_task_tombstone_deleted_at", "deleted_at"),
        tenant_owned(),
    )

    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    task_id: uuid.UUID = Field(primary_key=True)
    owner_id: uuid.UUID
    change_seq: int = Field(sa_type=BigInteger)
    deleted_at: datetime = Field(
        sa_type=DateTime(timezone=True), sa_column_kwargs={"server_default": text("now()")}
    )
