"""Delta sync: each task's ``change_seq``, the per-owner change counter (``sync_state``) and
the tombstones of deleted tasks (``task_tombstone``); both new tables tenant-owned under
forced row-level security.

Existing tasks are numbered per owner in the order they were last written (``updated_at``,
then ``id``), and each owner's counter starts at its number of tasks, so the first change
after the migration follows every existing one. The previous release keeps running (it
names neither the column nor the new tables), but its writes are not counted: a task it
creates or changes during the rollout keeps ``change_seq`` as it was (0 for a new one), so
delta clients learn of it at its next write or a full sync. Delta has no clients before this
release, so nothing is lost that a client already relied on.

Revision ID: d3e8b5a1c7f2
Revises: 70f3f18bae6a
Create Date: 2026-11-30 14:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "d3e8b5a1c7f2"
down_revision: str | Sequence[str] | None = "70f3f18bae6a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("sync_state", "task_tombstone")


def _owner_keys(table: str) -> list[sa.ForeignKeyConstraint]:
    """The tenant, and the owner as a user of that same tenant (composite key)."""
    keys = {"tenant_id": ("tenant", ["tenant_id"], ["tenant.id"])}
    keys["tenant_id_owner_id"] = ("user", ["tenant_id", "owner_id"], ["user.tenant_id", "user.id"])
    return [
        sa.ForeignKeyConstraint(columns, targets, name=f"fk_{table}_{key}_{target}", ondelete="CASCADE")
        for key, (target, columns, targets) in keys.items()
    ]


def upgrade() -> None:
    op.add_column(
        "task", sa.Column("change_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
    )
    op.create_table(
        "sync_state",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("purged_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "owner_id", name="pk_sync_state"),
        *_owner_keys("sync_state"),
    )
    op.create_table(
        "task_tombstone",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "task_id", name="pk_task_tombstone"),
        *_owner_keys("task_tombstone"),
    )
    op.create_index(
        "ix_task_tombstone_tenant_id_owner_id_change_seq",
        "task_tombstone",
        ["tenant_id", "owner_id", "change_seq", "task_id"],
    )
    op.create_index("ix_task_tombstone_deleted_at", "task_tombstone", ["deleted_at"])
    for table in TENANT_TABLES:
        rls.enable_tenant_isolation(table)

    # The backfill reads and writes every tenant's rows: FORCE binds the owner running the
    # migration too, so it is lifted for this transaction's statements and put back after.
    op.execute("ALTER TABLE task NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE sync_state NO FORCE ROW LEVEL SECURITY")
    op.execute(
        """
        UPDATE task SET change_seq = numbered.seq
        FROM (
            SELECT tenant_id, id,
                   row_number() OVER (PARTITION BY tenant_id, owner_id ORDER BY updated_at, id) AS seq
            FROM task
        ) AS numbered
        WHERE task.tenant_id = numbered.tenant_id AND task.id = numbered.id
        """
    )
    op.execute(
        """
        INSERT INTO sync_state (tenant_id, owner_id, version)
        SELECT tenant_id, owner_id, max(change_seq) FROM task GROUP BY tenant_id, owner_id
        """
    )
    op.execute("ALTER TABLE sync_state FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE task FORCE ROW LEVEL SECURITY")
    op.create_index(
        "ix_task_tenant_id_owner_id_change_seq", "task", ["tenant_id", "owner_id", "change_seq", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_task_tenant_id_owner_id_change_seq", table_name="task")
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
    op.drop_column("task", "change_seq")
