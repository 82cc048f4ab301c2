"""The audit trail: ``audit_event``, a tenant's security events (tenant-owned, forced
row-level security, the tenant in its key), and its retention purge (expand: a new table and
a new function; nothing the previous release reads changes).

Insert-only for the runtime role: the migration environment withholds UPDATE and DELETE on
it at every grant (the model declares it ``tenant_owned(append_only=True)``), and the
start-up posture check reports a role that has them. ``purge_audit_events(p_batch,
p_retention)`` deletes events older than ``AUDIT_RETENTION_DAYS`` across tenants.

``created_at`` is the moment of the event (``clock_timestamp()``), so the events of one
transaction keep their order. Indexes: the listing, newest first (``tenant_id, created_at DESC, id``), the same behind
each filter (``type``, ``actor_id``), and ``created_at`` alone for the purge.

Revision ID: e725c46cb875
Revises: 7b1e5d3c9a24
Create Date: 2026-11-30 15:30:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from platform_common.db import rls

revision: str = "e725c46cb875"
down_revision: str | Sequence[str] | None = "7b1e5d3c9a24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEWEST_FIRST = (sa.text("created_at DESC"), "id")


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("ip", postgresql.INET(), nullable=True),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.CheckConstraint("type ~ '^[a-z_]+(\\.[a-z_]+)+$'", name=op.f("ck_audit_event_type_dotted")),
        sa.CheckConstraint("jsonb_typeof(details) = 'object'", name=op.f("ck_audit_event_details_object")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_audit_event_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_event_tenant_id_created_at_id", "audit_event", ["tenant_id", *NEWEST_FIRST])
    op.create_index(
        "ix_audit_event_tenant_id_type_created_at_id", "audit_event", ["tenant_id", "type", *NEWEST_FIRST]
    )
    op.create_index(
        "ix_audit_event_tenant_id_actor_id_created_at_id",
        "audit_event",
        ["tenant_id", "actor_id", *NEWEST_FIRST],
        postgresql_where=sa.text("actor_id IS NOT NULL"),
    )
    op.create_index("ix_audit_event_created_at", "audit_event", ["created_at"])
    rls.enable_tenant_isolation("audit_event")
    rls.create_purge_function(
        "purge_audit_events",
        table="audit_event",
        expired="t.created_at < now() - p_retention",
        retention=True,
    )


def downgrade() -> None:
    rls.drop_purge_function("purge_audit_events", table="audit_event", retention=True)
    op.drop_table("audit_event")
