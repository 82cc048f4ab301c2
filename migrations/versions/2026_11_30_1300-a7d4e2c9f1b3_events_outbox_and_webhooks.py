"""Events: the job queue (pgqueuer), the transactional outbox, webhook subscriptions and
their delivery attempts (expand: new tables only, so the previous release runs unchanged).

- The queue's tables come from pgqueuer's own DDL (``platform_common.events.queue``); they
  are global (a job holds only ``(tenant_id, id)``), and the runtime role gets data access
  to them like every table (``migrations/env.py``).
- ``outbox_event``, ``webhook_endpoint`` and ``webhook_delivery`` are tenant-owned, under
  forced row-level security.

Revision ID: a7d4e2c9f1b3
Revises: 6a1fd6421833
Create Date: 2026-11-30 13:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from platform_common.db import rls
from platform_common.events import queue

revision: str = "a7d4e2c9f1b3"
down_revision: str | Sequence[str] | None = "6a1fd6421833"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("outbox_event", "webhook_endpoint", "webhook_delivery")


def _owner_keys(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=f"fk_{table}_tenant_id_tenant", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "owner_id"],
            ["user.tenant_id", "user.id"],
            name=f"fk_{table}_tenant_id_owner_id_user",
            ondelete="CASCADE",
        ),
    ]


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    for statement in queue.install_statements():
        op.execute(statement)

    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("traceparent", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_event"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_outbox_event_tenant_id_id"),
        *_owner_keys("outbox_event"),
    )
    op.create_index("ix_outbox_event_created_at", "outbox_event", ["created_at"])

    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("events", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("previous_secret", sa.LargeBinary(), nullable=True),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_endpoint"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_webhook_endpoint_tenant_id_id"),
        *_owner_keys("webhook_endpoint"),
    )
    op.create_index(
        "ix_webhook_endpoint_owner_created_at", "webhook_endpoint", ["owner_id", "created_at", "id"]
    )

    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("next_retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_delivery"),
        sa.UniqueConstraint(
            "endpoint_id", "event_id", "attempt", name="uq_webhook_delivery_endpoint_event_attempt"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "endpoint_id"],
            ["webhook_endpoint.tenant_id", "webhook_endpoint.id"],
            name="fk_webhook_delivery_endpoint",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "event_id"],
            ["outbox_event.tenant_id", "outbox_event.id"],
            name="fk_webhook_delivery_event",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="ck_webhook_delivery_status"),
    )
    op.create_index(
        "ix_webhook_delivery_endpoint_created_at", "webhook_delivery", ["endpoint_id", "created_at"]
    )
    op.create_index("ix_webhook_delivery_event_id", "webhook_delivery", ["event_id"])

    for table in TENANT_TABLES:
        rls.enable_tenant_isolation(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
    for statement in queue.uninstall_statements():
        op.execute(statement)
