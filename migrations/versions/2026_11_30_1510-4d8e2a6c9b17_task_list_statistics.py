"""Extended statistics on task (tenant_id, owner_id, list_id): a list determines its owner.

A list's page (``GET /tasks?list_id=``) filters on all three columns. Taken as independent,
their selectivities multiply to one row for a list of a thousand (seen on the benchmark's
million rows), and the planner then reads the whole list through the sibling-key index and
sorts it for a page of 20 (1.1 ms) instead of walking ``ix_task_live_position`` in order and
stopping at 20 (0.36 ms). As in ``48ab34ea67c5``, not expressible in the models;
``test_task_query_plans`` checks the plan.

Revision ID: 4d8e2a6c9b17
Revises: 0fa4cf1543a2
Create Date: 2026-11-30 15:10:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "4d8e2a6c9b17"
down_revision: str | Sequence[str] | None = "0fa4cf1543a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE STATISTICS st_task_tenant_owner_list (dependencies, ndistinct) "
        "ON tenant_id, owner_id, list_id FROM task"
    )
    op.execute("ANALYZE task")  # statistics exist only once gathered; autovacuum might wait a long time


def downgrade() -> None:
    op.execute("DROP STATISTICS st_task_tenant_owner_list")
