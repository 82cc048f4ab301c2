"""Invitations (expand): ``invitation`` (tenant-owned, forced row-level security; only the
SHA-256 of a link's token is stored), the narrow pre-tenant lookup the acceptance uses
(``auth_invitation_token(hash)``: the tenant and row id of that invitation, nothing else),
and the purge of expired invitations. Nothing the previous release reads changes.

Revision ID: b81d4f2a6c93
Revises: b8d2f6a41c93
Create Date: 2026-11-30 16:20:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from platform_common.db import rls

revision: str = "b81d4f2a6c93"
down_revision: str | Sequence[str] | None = "b8d2f6a41c93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "role",
            postgresql.ENUM("owner", "admin", "member", name="user_role", create_type=False),
            server_default="member",
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_invitation_email_lower_case")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invited_by"],
            ["user.tenant_id", "user.id"],
            name=op.f("fk_invitation_tenant_id_invited_by_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_invitation_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", "tenant_id", name=op.f("uq_invitation_token_hash_tenant_id")),
    )
    op.create_index("ix_invitation_tenant_id_email", "invitation", ["tenant_id", "email"])
    op.create_index("ix_invitation_expires_at", "invitation", ["expires_at"])
    rls.enable_tenant_isolation("invitation")
    rls.create_lookup_function(
        "auth_invitation_token",
        argument="p_token_hash text",
        table="invitation",
        column="token_hash",
        returns="tenant_id uuid, id uuid",
        columns="t.tenant_id, t.id",
    )
    rls.create_purge_function("purge_expired_invitations", table="invitation", expired="t.expires_at < now()")


def downgrade() -> None:
    rls.drop_purge_function("purge_expired_invitations", table="invitation")
    rls.drop_lookup_function("auth_invitation_token", argument_type="text", table="invitation")
    op.drop_table("invitation")
