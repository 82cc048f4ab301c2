"""Each owner's task count kept on their change counter row (``sync_state.task_count``), so
the quota is checked by the statement that draws the change number (expand only).

The quota counted the owner's tasks (an index scan that grew with them: 1,000 entries for
the benchmark user, more with every task created) in a statement of its own, inside the
owner's turn, which every other creation of that owner waits for. Now the counter's upsert
admits a creation only while ``task_count`` is below the quota, and the creation is one
statement: the counter, the check and the insert.

The count is kept by statement-level triggers on ``task`` (with transition tables: one
update per owner and statement, whatever the statement inserts or deletes), not by the
statements that create and delete: every path counts, the previous release's creations and
the purge's deletions included. Counter rows are written in key order, so statements
touching several owners cannot deadlock on them. A deletion updates only a counter that
exists: a user deleted with their tasks takes their counter row with them. The purge of the
trash deletes tasks as the table owner, so its function is let write ``sync_state``
(``rls.let_purge_write``). Existing counts are filled in under the triggers' lock on
``task``, so no creation slips between the two.

Revision ID: 7b1e5d3c9a24
Revises: 4d8e2a6c9b17
Create Date: 2026-11-30 15:20:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "7b1e5d3c9a24"
down_revision: str | Sequence[str] | None = "4d8e2a6c9b17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNT_ADDED = """
CREATE FUNCTION task_count_added() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO sync_state AS s (tenant_id, owner_id, task_count)
    SELECT tenant_id, owner_id, count(*) FROM added GROUP BY tenant_id, owner_id ORDER BY tenant_id, owner_id
    ON CONFLICT (tenant_id, owner_id) DO UPDATE SET task_count = s.task_count + excluded.task_count;
    RETURN NULL;
END
$$
"""

_COUNT_REMOVED = """
CREATE FUNCTION task_count_removed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM 1 FROM sync_state AS s
    WHERE (s.tenant_id, s.owner_id) IN (SELECT tenant_id, owner_id FROM removed)
    ORDER BY s.tenant_id, s.owner_id
    FOR UPDATE;
    UPDATE sync_state AS s SET task_count = s.task_count - r.n
    FROM (SELECT tenant_id, owner_id, count(*) AS n FROM removed GROUP BY tenant_id, owner_id) AS r
    WHERE s.tenant_id = r.tenant_id AND s.owner_id = r.owner_id;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.add_column(
        "sync_state", sa.Column("task_count", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
    )
    op.execute(_COUNT_ADDED)
    op.execute(_COUNT_REMOVED)
    op.execute(
        "CREATE TRIGGER task_count_added AFTER INSERT ON task REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION task_count_added()"
    )
    op.execute(
        "CREATE TRIGGER task_count_removed AFTER DELETE ON task REFERENCING OLD TABLE AS removed "
        "FOR EACH STATEMENT EXECUTE FUNCTION task_count_removed()"
    )
    # The backfill reads and writes every tenant's rows: FORCE binds the owner running the
    # migration too, so it is lifted for this transaction's statements and put back after.
    op.execute("ALTER TABLE task NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE sync_state NO FORCE ROW LEVEL SECURITY")
    op.execute(
        """
        INSERT INTO sync_state AS s (tenant_id, owner_id, task_count)
        SELECT tenant_id, owner_id, count(*) FROM task GROUP BY tenant_id, owner_id
        ON CONFLICT (tenant_id, owner_id) DO UPDATE SET task_count = excluded.task_count
        """
    )
    op.execute("ALTER TABLE sync_state FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE task FORCE ROW LEVEL SECURITY")
    rls.let_purge_write("purge_trashed_tasks", "sync_state")


def downgrade() -> None:
    rls.drop_purge_write("purge_trashed_tasks", "sync_state")
    op.execute("DROP TRIGGER task_count_removed ON task")
    op.execute("DROP TRIGGER task_count_added ON task")
    op.execute("DROP FUNCTION task_count_removed()")
    op.execute("DROP FUNCTION task_count_added()")
    op.drop_column("sync_state", "task_count")
