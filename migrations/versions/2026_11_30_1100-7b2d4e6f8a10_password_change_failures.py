"""Count wrong current passwords at a password change, per user (expand): after
``PASSWORD_CHANGE_MAX_FAILURES`` in a row every session of the user ends.

A column with a server default: the version still serving during the rollout neither reads
nor writes it, and its inserts get 0.

Revision ID: 7b2d4e6f8a10
Revises: e5a7c1b9d3f2
Create Date: 2026-11-30 11:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b2d4e6f8a10"
down_revision: str | Sequence[str] | None = "e5a7c1b9d3f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user",
        sa.Column("password_change_failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("user", "password_change_failures")
