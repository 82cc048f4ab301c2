"""E-mail in the outbox: ``mail_message`` (tenant-owned, forced row-level security), whose
``sealed`` column holds a message's secrets encrypted until it is sent or fails for good
(a check constraint holds every finished message to NULL there), and its retention purge
(expand: a new table and a new function; nothing the previous release reads changes).

No foreign key to ``tenant``: the table is the platform's (``platform_common.mail``), and
messages are removed by the retention purge, ``purge_mail_messages`` (any message older
than the retention: a message still pending by then carries a link long expired).

Revision ID: 0fa4cf1543a2
Revises: 9e4c2b7d1f30
Create Date: 2026-11-30 15:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from platform_common.db import rls

revision: str = "0fa4cf1543a2"
down_revision: str | Sequence[str] | None = "9e4c2b7d1f30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("traceparent", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_mail_message"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_mail_message_status"),
        sa.CheckConstraint("status = 'pending' OR sealed IS NULL", name="ck_mail_message_unsealed"),
    )
    op.create_index("ix_mail_message_created_at", "mail_message", ["created_at"])
    rls.enable_tenant_isolation("mail_message")
    rls.create_purge_function(
        "purge_mail_messages",
        table="mail_message",
        expired="t.created_at < now() - p_retention",
        retention=True,
    )


def downgrade() -> None:
    rls.drop_purge_function("purge_mail_messages", table="mail_message", retention=True)
    op.drop_table("mail_message")
