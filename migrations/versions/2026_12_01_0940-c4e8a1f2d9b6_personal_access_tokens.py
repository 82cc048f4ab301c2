"""Personal access tokens (expand): ``personal_access_token`` (tenant-owned, forced row-level
security; only the SHA-256 of a token's secret is stored; a membership's tokens go with it),
and ``auth_revoke_person_tokens(user_id)``, the narrow function a password reset (or a
change that asks for it) revokes the person's tokens in every membership through; the
tenant purge (``purge_deleted_tenants``, migration ``d7a3b5c9e2f1``) may delete the new
table's rows. Nothing the previous release reads changes.

Revision ID: c4e8a1f2d9b6
Revises: e2b9c7d4a1f8
Create Date: 2026-12-01 09:40:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from platform_common.db import rls

revision: str = "c4e8a1f2d9b6"
down_revision: str | Sequence[str] | None = "e2b9c7d4a1f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_PURGE = "purge_deleted_tenants"
# Every token of every membership of the person behind a membership of the caller's tenant.
REVOKE_PERSON_TOKENS = (
    "auth_revoke_person_tokens",
    "p_user_id uuid",
    "void",
    """DELETE FROM personal_access_token AS pat
        WHERE (pat.tenant_id = app_current_tenant() AND pat.owner_id = p_user_id)
           OR (pat.tenant_id, pat.owner_id) IN (
                SELECT m.tenant_id, m.id FROM "user" AS me JOIN "user" AS m ON m.person_id = me.person_id
                WHERE me.id = p_user_id AND me.tenant_id = app_current_tenant());""",
    ("user",),
    ("personal_access_token",),
)


def upgrade() -> None:
    op.create_table(
        "personal_access_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "owner_id"],
            ["user.tenant_id", "user.id"],
            name=op.f("fk_personal_access_token_tenant_id_owner_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_personal_access_token_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_personal_access_token")),
    )
    op.create_index(
        "ix_personal_access_token_tenant_id_owner_id", "personal_access_token", ["tenant_id", "owner_id"]
    )
    rls.enable_tenant_isolation("personal_access_token")
    rls.let_purge_write(TENANT_PURGE, "personal_access_token")
    name, arguments, returns, body, reads, writes = REVOKE_PERSON_TOKENS
    rls.create_definer_function(
        name, arguments=arguments, returns=returns, body=body, reads=reads, writes=writes
    )


def downgrade() -> None:
    rls.drop_purge_write(TENANT_PURGE, "personal_access_token")
    name, arguments, _, _, reads, writes = REVOKE_PERSON_TOKENS
    rls.drop_definer_function(name, arguments=arguments, tables=(*reads, *writes))
    op.drop_table("personal_access_token")
