"""Sessions, and the pre-tenant lookups as narrow SECURITY DEFINER functions (expand).

- ``auth_session``: one row per login; its id is the access tokens' ``sid`` claim and the
  refresh-token family, so revoking it ends every token of the session at once.
- ``auth_login_account(email)`` returns only the id, tenant, password hash and active flag of
  the account with that exact e-mail; ``auth_refresh_token_tenant(hash)`` only the tenant of
  the refresh token with that SHA-256. They run as the schema owner, which a policy of its
  own lets read exactly the row the function asks for (``platform_common.db.rls``).

The old ``login_lookup`` / ``token_lookup`` policies (which let the runtime role read the
whole row, password hash included, for any exact e-mail it names) stay until the next
migration, ``e5a7c1b9d3f2``, so the previous release keeps logging in during a rollout.

Revision ID: c3f1a9d2b7e4
Revises: 48ab34ea67c5
Create Date: 2026-11-30 09:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "c3f1a9d2b7e4"
down_revision: str | Sequence[str] | None = "48ab34ea67c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_session",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["user.tenant_id", "user.id"],
            name=op.f("fk_auth_session_tenant_id_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_auth_session_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_session")),
    )
    op.create_index("ix_auth_session_user_id", "auth_session", ["user_id"], unique=False)
    op.create_index("ix_auth_session_expires_at", "auth_session", ["expires_at"], unique=False)
    rls.enable_tenant_isolation("auth_session")

    rls.create_lookup_function(
        "auth_login_account",
        argument="p_email text",
        table="user",
        column="email",
        returns="id uuid, tenant_id uuid, hashed_password varchar, is_active boolean",
        columns="t.id, t.tenant_id, t.hashed_password, t.is_active",
    )
    rls.create_lookup_function(
        "auth_refresh_token_tenant",
        argument="p_token_hash text",
        table="refresh_token",
        column="token_hash",
        returns="tenant_id uuid",
        columns="t.tenant_id",
    )


def downgrade() -> None:
    rls.drop_lookup_function("auth_refresh_token_tenant", argument_type="text", table="refresh_token")
    rls.drop_lookup_function("auth_login_account", argument_type="text", table="user")
    op.drop_index("ix_auth_session_expires_at", table_name="auth_session")
    op.drop_index("ix_auth_session_user_id", table_name="auth_session")
    op.drop_table("auth_session")
