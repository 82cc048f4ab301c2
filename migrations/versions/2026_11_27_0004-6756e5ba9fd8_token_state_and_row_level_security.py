"""Token state tables, and row-level security on every tenant-owned table.

Policies read the tenant from the transaction-local setting ``app.tenant_id`` and fail
closed when it is unset (after COMMIT it reads as '', hence NULLIF). Two narrow
lookups come before any tenant is known, each keyed on a value the caller must
already hold: a user row by its exact e-mail (login) and a refresh-token row by the
SHA-256 of its secret (refresh, logout).

Revision ID: 6756e5ba9fd8
Revises: 138f8d6cc97e
Create Date: 2026-11-27 00:04:28.144189+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from platform_common.db import rls

revision: str = "6756e5ba9fd8"
down_revision: str | Sequence[str] | None = "138f8d6cc97e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "revoked_access_token",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("jti", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_revoked_access_token_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_access_token")),
    )
    op.create_index(
        op.f("ix_revoked_access_token_expires_at"), "revoked_access_token", ["expires_at"], unique=False
    )
    op.create_table(
        "refresh_token",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_token_version", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("family_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["user.tenant_id", "user.id"],
            name=op.f("fk_refresh_token_tenant_id_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_refresh_token_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
    )
    op.create_index("ix_refresh_token_family_id", "refresh_token", ["family_id"], unique=False)
    op.create_index("ix_refresh_token_user_id", "refresh_token", ["user_id"], unique=False)
    _enable_row_level_security()


TENANT_KEYS = {
    "tenant": "id",
    "user": "tenant_id",
    "task": "tenant_id",
    "refresh_token": "tenant_id",
    "revoked_access_token": "tenant_id",
}


def _enable_row_level_security() -> None:
    rls.create_current_tenant_function()
    for table, key in TENANT_KEYS.items():
        rls.enable_tenant_isolation(table, key=key)
    create_pre_tenant_lookup_policies()


def create_pre_tenant_lookup_policies() -> None:
    """Row policies for the two reads before a tenant is known (replaced by functions in
    ``c3f1a9d2b7e4`` and dropped in ``e5a7c1b9d3f2``, whose downgrade calls this again)."""
    op.execute(
        'CREATE POLICY login_lookup ON "user" FOR SELECT '
        "USING (email = NULLIF(current_setting('app.lookup_email', true), ''))"
    )
    op.execute(
        "CREATE POLICY token_lookup ON refresh_token FOR SELECT "
        "USING (token_hash = NULLIF(current_setting('app.lookup_token_hash', true), ''))"
    )


def _disable_row_level_security() -> None:
    op.execute('DROP POLICY login_lookup ON "user"')
    op.execute("DROP POLICY token_lookup ON refresh_token")
    for table in TENANT_KEYS:
        if table in {"refresh_token", "revoked_access_token"}:
            continue  # dropped with their tables
        rls.disable_tenant_isolation(table)


def downgrade() -> None:
    _disable_row_level_security()
    op.drop_index("ix_refresh_token_user_id", table_name="refresh_token")
    op.drop_index("ix_refresh_token_family_id", table_name="refresh_token")
    op.drop_table("refresh_token")
    op.drop_index(op.f("ix_revoked_access_token_expires_at"), table_name="revoked_access_token")
    op.drop_table("revoked_access_token")
    rls.drop_current_tenant_function()
