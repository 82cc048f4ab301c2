"""Password reset (expand): ``password_reset_token`` (tenant-owned, forced row-level
security; only the SHA-256 of a token is stored), the narrow pre-tenant lookup the
confirmation uses (``auth_password_reset_token(hash)``: the tenant and row id of that token,
nothing else), and the purge of expired tokens. Nothing the previous release reads changes.

Revision ID: 5a7c3e9d1b42
Revises: e725c46cb875
Create Date: 2026-11-30 15:40:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "5a7c3e9d1b42"
down_revision: str | Sequence[str] | None = "e725c46cb875"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_reset_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["user.tenant_id", "user.id"],
            name=op.f("fk_password_reset_token_tenant_id_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_password_reset_token_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_password_reset_token")),
        sa.UniqueConstraint(
            "token_hash", "tenant_id", name=op.f("uq_password_reset_token_token_hash_tenant_id")
        ),
    )
    op.create_index("ix_password_reset_token_user_id", "password_reset_token", ["user_id"])
    op.create_index("ix_password_reset_token_expires_at", "password_reset_token", ["expires_at"])
    rls.enable_tenant_isolation("password_reset_token")
    rls.create_lookup_function(
        "auth_password_reset_token",
        argument="p_token_hash text",
        table="password_reset_token",
        column="token_hash",
        returns="tenant_id uuid, id uuid",
        columns="t.tenant_id, t.id",
    )
    rls.create_purge_function(
        "purge_expired_password_reset_tokens",
        table="password_reset_token",
        expired="t.expires_at < now()",
    )


def downgrade() -> None:
    rls.drop_purge_function("purge_expired_password_reset_tokens", table="password_reset_token")
    rls.drop_lookup_function("auth_password_reset_token", argument_type="text", table="password_reset_token")
    op.drop_table("password_reset_token")
