"""The service's revision, as it would stand in its ``migrations/versions``.

It shares the database (and the platform's ``app_current_tenant()``, created once per
database by ``rls.create_current_tenant_function``) with the services already there; its
table's row-level security comes from the platform's helper, never hand-written SQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls


def upgrade() -> None:
    op.create_table(
        "example_note",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.String(length=500), nullable=False),
        sa.Column("done", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_example_note"),
    )
    rls.enable_tenant_isolation("example_note")


def downgrade() -> None:
    rls.disable_tenant_isolation("example_note")
    op.drop_table("example_note")
