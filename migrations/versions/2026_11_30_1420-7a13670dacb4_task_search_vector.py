"""Indexed word-prefix search of tasks (expand): ``task.search_vector``, the words of the
title and description, generated and stored by PostgreSQL, under a GIN index.

The version still serving during the rollout neither reads nor writes the column (PostgreSQL
fills it on every write). Adding a stored generated column rewrites the table once, under
an exclusive lock: at today's sizes a matter of seconds; a very large deployment would
instead add a trigger-maintained column and build the index CONCURRENTLY.

Revision ID: 7a13670dacb4
Revises: d3e8b5a1c7f2
Create Date: 2026-11-30 14:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7a13670dacb4"
down_revision: str | Sequence[str] | None = "d3e8b5a1c7f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_DOCUMENT = "to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(description, ''))"


def upgrade() -> None:
    op.add_column(
        "task",
        sa.Column("search_vector", postgresql.TSVECTOR(), sa.Computed(SEARCH_DOCUMENT, persisted=True)),
    )
    op.create_index(
        "ix_task_search_vector",
        "task",
        ["search_vector"],
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},  # see the model: no pending list to read
    )
    op.execute("ANALYZE task")  # the planner's word statistics, for the search's row estimates


def downgrade() -> None:
    op.drop_index("ix_task_search_vector", table_name="task")
    op.drop_column("task", "search_vector")
