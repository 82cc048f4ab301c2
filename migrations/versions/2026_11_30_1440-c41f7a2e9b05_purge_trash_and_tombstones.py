"""The scheduled purge reaches the trash and delta sync's tombstones (expand: two new
functions and policies bound to the owner; nothing the previous release reads changes).

- ``purge_trashed_tasks(p_batch, p_retention)`` deletes tasks trashed longer ago than
  ``TRASH_RETENTION_DAYS``, each batch a set of roots (an expired task whose parent is not
  expired: a subtask trashed before its parent goes on its own time) with every descendant
  (trashed with it or before, so expired too), and leaves a tombstone per deleted task at the
  ``change_seq`` it was trashed with: delta clients already heard of the deletion then, so
  nothing reports it twice, and a subtask that only the parent key's cascade would have
  removed gets its tombstone too. A task restored while the purge runs is skipped (its row
  is locked, or no longer trashed when the delete re-reads it).
- ``purge_expired_tombstones(p_batch, p_retention)`` deletes tombstones older than
  ``DELTA_TOMBSTONE_RETENTION_DAYS`` and raises each owner's ``sync_state.purged_seq`` to
  the highest number purged, so a cursor from before it is 410 rather than answered without
  the deletion it would miss. The owners' counter rows are locked in key order, so two
  purges running at once cannot deadlock on them.

Revision ID: c41f7a2e9b05
Revises: b3c8e1f4a9d2
Create Date: 2026-11-30 14:40:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from platform_common.db import rls

revision: str = "c41f7a2e9b05"
down_revision: str | Sequence[str] | None = "b3c8e1f4a9d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRASHED_TASKS = """
    WITH RECURSIVE roots AS MATERIALIZED (
        SELECT t.tenant_id, t.id FROM task AS t
        WHERE t.deleted_at < now() - p_retention
          AND NOT EXISTS (
              SELECT 1 FROM task AS p
              WHERE p.tenant_id = t.tenant_id AND p.id = t.parent_id
                AND p.deleted_at < now() - p_retention
          )
        LIMIT p_batch
        FOR UPDATE OF t SKIP LOCKED
    ),
    doomed AS (
        SELECT tenant_id, id FROM roots
        UNION ALL
        SELECT c.tenant_id, c.id FROM task AS c
        JOIN doomed AS d ON c.tenant_id = d.tenant_id AND c.parent_id = d.id
    ),
    gone AS (
        DELETE FROM task AS t USING doomed AS d
        WHERE t.tenant_id = d.tenant_id AND t.id = d.id AND t.deleted_at IS NOT NULL
        RETURNING t.tenant_id, t.owner_id, t.id, t.change_seq
    ),
    marked AS (
        INSERT INTO task_tombstone (tenant_id, owner_id, task_id, change_seq)
        SELECT tenant_id, owner_id, id, change_seq FROM gone
        ON CONFLICT (tenant_id, task_id) DO NOTHING
    )
    SELECT count(*) INTO deleted FROM gone"""

EXPIRED_TOMBSTONES = """
    WITH oldest AS MATERIALIZED (
        SELECT t.ctid FROM task_tombstone AS t
        WHERE t.deleted_at < now() - p_retention
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ),
    gone AS (
        DELETE FROM task_tombstone AS t WHERE t.ctid = ANY (ARRAY(SELECT ctid FROM oldest))
        RETURNING t.tenant_id, t.owner_id, t.change_seq
    ),
    highest AS (
        SELECT tenant_id, owner_id, max(change_seq) AS seq FROM gone GROUP BY tenant_id, owner_id
    ),
    counters AS MATERIALIZED (
        SELECT s.tenant_id, s.owner_id, h.seq FROM sync_state AS s
        JOIN highest AS h ON s.tenant_id = h.tenant_id AND s.owner_id = h.owner_id
        ORDER BY s.tenant_id, s.owner_id
        FOR UPDATE OF s
    ),
    raised AS (
        UPDATE sync_state AS s SET purged_seq = GREATEST(s.purged_seq, c.seq)
        FROM counters AS c
        WHERE s.tenant_id = c.tenant_id AND s.owner_id = c.owner_id
    )
    SELECT count(*) INTO deleted FROM gone"""


def upgrade() -> None:
    rls.create_purge_statement_function(
        "purge_trashed_tasks",
        statement=TRASHED_TASKS,
        reads=("task",),
        writes=("task_tombstone",),
        retention=True,
    )
    rls.create_purge_statement_function(
        "purge_expired_tombstones",
        statement=EXPIRED_TOMBSTONES,
        reads=("task_tombstone",),
        writes=("sync_state",),
        retention=True,
    )


def downgrade() -> None:
    rls.drop_purge_function(
        "purge_expired_tombstones", table="task_tombstone", reads=("sync_state",), retention=True
    )
    rls.drop_purge_function("purge_trashed_tasks", table="task", reads=("task_tombstone",), retention=True)
