"""Recurring tasks (expand): ``task.recurrence`` (an RFC 5545 RRULE), ``occurrences_left``
(what COUNT leaves), ``next_occurrence_id`` (the occurrence a completion created, in the
same tenant) and ``occurrence_spawned`` (set once, never reset: one next occurrence per task).

New nullable or defaulted columns: the version still serving during the rollout neither
reads nor writes them. The foreign key clears only the link when an occurrence is deleted
(``SET NULL (column)``, PostgreSQL 15).

Revision ID: 5a9900a0254a
Revises: dd56a3e1126e
Create Date: 2026-11-30 14:02:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a9900a0254a"
down_revision: str | Sequence[str] | None = "dd56a3e1126e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("task", sa.Column("recurrence", sa.Text(), nullable=True))
    op.add_column("task", sa.Column("occurrences_left", sa.Integer(), nullable=True))
    op.add_column("task", sa.Column("next_occurrence_id", sa.Uuid(), nullable=True))
    op.add_column(
        "task", sa.Column("occurrence_spawned", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.create_unique_constraint(
        "uq_task_tenant_id_next_occurrence_id", "task", ["tenant_id", "next_occurrence_id"]
    )
    op.create_foreign_key(
        "fk_task_tenant_id_next_occurrence_id_task",
        "task",
        "task",
        ["tenant_id", "next_occurrence_id"],
        ["tenant_id", "id"],
        ondelete="SET NULL (next_occurrence_id)",
    )
    op.create_check_constraint("recurrence_needs_due_at", "task", "recurrence IS NULL OR due_at IS NOT NULL")
    op.create_check_constraint("occurrences_left_not_negative", "task", "occurrences_left >= 0")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_task_occurrences_left_not_negative"), "task", type_="check")
    op.drop_constraint(op.f("ck_task_recurrence_needs_due_at"), "task", type_="check")
    op.drop_constraint("fk_task_tenant_id_next_occurrence_id_task", "task", type_="foreignkey")
    op.drop_constraint("uq_task_tenant_id_next_occurrence_id", "task", type_="unique")
    op.drop_column("task", "occurrence_spawned")
    op.drop_column("task", "next_occurrence_id")
    op.drop_column("task", "occurrences_left")
    op.drop_column("task", "recurrence")
