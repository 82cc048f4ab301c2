"""Each user's IANA time zone (expand), the zone recurring tasks' occurrences are computed
in. A column with a server default: the version still serving during the rollout neither
reads nor writes it, and its inserts get 'UTC'.

Revision ID: dd56a3e1126e
Revises: 7a13670dacb4
Create Date: 2026-11-30 14:01:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "dd56a3e1126e"
down_revision: str | Sequence[str] | None = "7a13670dacb4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user", sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False))


def downgrade() -> None:
    op.drop_column("user", "time_zone")
