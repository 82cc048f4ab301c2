"""Drop the policies that let the runtime role read a whole user or refresh-token row before
a tenant is known (contract): the lookup functions of ``c3f1a9d2b7e4`` replaced them.

Revision ID: e5a7c1b9d3f2
Revises: c3f1a9d2b7e4
Create Date: 2026-11-30 09:01:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import context, op

revision: str = "e5a7c1b9d3f2"
down_revision: str | Sequence[str] | None = "c3f1a9d2b7e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute('DROP POLICY login_lookup ON "user"')
    op.execute("DROP POLICY token_lookup ON refresh_token")


def downgrade() -> None:
    # Exactly what the revision that first created them ran.
    context.script.get_revision("6756e5ba9fd8").module.create_pre_tenant_lookup_policies()
