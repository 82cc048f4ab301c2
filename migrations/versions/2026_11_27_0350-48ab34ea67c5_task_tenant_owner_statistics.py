"""Extended statistics on task (tenant_id, owner_id), so the planner knows one determines the other.

Every task query filters on both columns. Without these statistics PostgreSQL multiplies
their selectivities as if independent, estimates about one row for a user who owns
thousands, and then plans a BitmapAnd of two indexes plus a sort of all the user's rows for
a page of 20 instead of walking ``ix_task_owner_created_at`` backwards and stopping at 20.
Not expressible in the models (SQLAlchemy has no construct for it), so the agreement test
does not see it; ``test_task_query_plans`` does.

Revision ID: 48ab34ea67c5
Revises: 92281530b4d1
Create Date: 2026-11-27 03:50:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "48ab34ea67c5"
down_revision: str | Sequence[str] | None = "92281530b4d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE STATISTICS st_task_tenant_owner (dependencies, ndistinct) ON tenant_id, owner_id FROM task"
    )
    op.execute("ANALYZE task")  # statistics exist only once gathered; autovacuum might wait a long time


def downgrade() -> None:
    op.execute("DROP STATISTICS st_task_tenant_owner")
