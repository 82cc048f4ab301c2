"""The owner's live tasks in each sortable order, index-only countable (expand: indexes only).

``GET /tasks`` returns a page and the count of all matches. The count read every live row of
the owner from the heap, through ``ix_task_owner_created_at (owner_id, created_at, id)``,
to check ``tenant_id`` (the repository's scope and the RLS policy) and ``deleted_at IS NULL``
(the trash): on the benchmark's million rows, 1,000 random heap pages for one user's count,
0.84 of the query's 0.91 ms. These indexes lead with ``tenant_id, owner_id`` and hold only
live tasks (partial on ``deleted_at IS NULL``), so the count is an index-only scan (0.28 ms
for the whole query) and the page reads 20 heap rows. They replace the three owner indexes
and the list's position index (a list page in manual order, ``GET /tasks?list_id=``);
the quota's count of every owned row (the trash too) reads the change index
``ix_task_tenant_id_owner_id_change_seq`` instead, which covers it.

Built and dropped ``CONCURRENTLY`` (outside the migration's transaction), so the task table
takes writes while a large one is indexed; if a build fails, the invalid index is dropped
by running the migration again (``IF NOT EXISTS`` would keep it invalid, so it is not used).

Revision ID: 9c2f4b7d1e36
Revises: c41f7a2e9b05
Create Date: 2026-11-30 14:45:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "9c2f4b7d1e36"
down_revision: str | Sequence[str] | None = "c41f7a2e9b05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (new index, its columns after the tenant and owner, the index it replaces)
REPLACED = (
    ("ix_task_live_created_at", "created_at, id", "ix_task_owner_created_at"),
    ("ix_task_live_due_at", "due_at, id", "ix_task_owner_due_at"),
    ("ix_task_live_priority", "priority, id", "ix_task_owner_priority"),
    ("ix_task_live_position", "list_id, position, id", "ix_task_list_id_position"),
)
# How each replaced index was built (for the downgrade).
OLD_COLUMNS = {
    "ix_task_owner_created_at": "(owner_id, created_at, id)",
    "ix_task_owner_due_at": "(owner_id, due_at, id)",
    "ix_task_owner_priority": "(owner_id, priority, id)",
    "ix_task_list_id_position": "(list_id, position, id) WHERE deleted_at IS NULL",
}


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for new, columns, _ in REPLACED:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {new}")  # what a failed build left
            op.execute(
                f"CREATE INDEX CONCURRENTLY {new} ON task (tenant_id, owner_id, {columns}) WHERE deleted_at IS NULL"
            )
        for _, _, old in REPLACED:
            op.execute(f"DROP INDEX CONCURRENTLY {old}")


def downgrade() -> None:
    with op.get_context().autocommit_block():
        for old, columns in OLD_COLUMNS.items():
            op.execute(f"CREATE INDEX CONCURRENTLY {old} ON task {columns}")
        for new, _, _ in REPLACED:
            op.execute(f"DROP INDEX CONCURRENTLY {new}")
