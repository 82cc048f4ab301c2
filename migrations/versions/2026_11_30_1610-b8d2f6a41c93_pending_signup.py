"""Verified sign-up (expand): ``pending_signup`` (tenant-owned under the tenant id the
verification will give the new tenant, forced row-level security; only the SHA-256 of the
token and the password's hash are stored), the narrow pre-tenant lookup the verification
uses (``auth_pending_signup(hash)``: the tenant and row id of that sign-up, nothing else),
and the purge of expired sign-ups. Nothing the previous release reads changes.

Revision ID: b8d2f6a41c93
Revises: 3f6b2d8e1c47
Create Date: 2026-11-30 16:10:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "b8d2f6a41c93"
down_revision: str | Sequence[str] | None = "3f6b2d8e1c47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_signup",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("tenant_name", sa.String(length=200), nullable=False),
        sa.Column("tenant_slug", sa.String(length=63), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=False),
        sa.Column("password_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_pending_signup")),
        sa.UniqueConstraint("token_hash", "tenant_id", name=op.f("uq_pending_signup_token_hash_tenant_id")),
    )
    op.create_index("ix_pending_signup_expires_at", "pending_signup", ["expires_at"])
    rls.enable_tenant_isolation("pending_signup")
    rls.create_lookup_function(
        "auth_pending_signup",
        argument="p_token_hash text",
        table="pending_signup",
        column="token_hash",
        returns="tenant_id uuid, id uuid",
        columns="t.tenant_id, t.id",
    )
    rls.create_purge_function(
        "purge_expired_pending_signups",
        table="pending_signup",
        expired="t.expires_at < now()",
    )


def downgrade() -> None:
    rls.drop_purge_function("purge_expired_pending_signups", table="pending_signup")
    rls.drop_lookup_function("auth_pending_signup", argument_type="text", table="pending_signup")
    op.drop_table("pending_signup")
