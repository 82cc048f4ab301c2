"""Retention purges: one ``SECURITY DEFINER`` function per kind of row that outlives its use
(expand: new functions, policies bound to the owner and an index; nothing the previous
release reads changes).

Each ``purge_*(p_batch)`` deletes at most one batch of expired rows across tenants and says
how many (``platform_common.db.rls.create_purge_function``); ``python -m todo_api.purge``
calls them until nothing is left. ``refresh_token`` gets an index on ``expires_at`` (the
other tables have one) so each batch is found without a scan of the table.

Revision ID: 70f3f18bae6a
Revises: a7d4e2c9f1b3
Create Date: 2026-11-30 14:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from platform_common.db import rls

revision: str = "70f3f18bae6a"
down_revision: str | Sequence[str] | None = "a7d4e2c9f1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name -> the table whose rows past their own ``expires_at`` it deletes.
EXPIRED = {
    "purge_expired_idempotency_keys": "idempotency_key",
    "purge_expired_refresh_tokens": "refresh_token",
    "purge_expired_sessions": "auth_session",
    "purge_expired_revoked_access_tokens": "revoked_access_token",
}
# An event older than the retention whose deliveries are all over (none pending); its
# delivery attempts go with it (ON DELETE CASCADE).
FINISHED_EVENTS = (
    "t.created_at < now() - p_retention AND NOT EXISTS ("
    "SELECT 1 FROM webhook_delivery AS d WHERE d.tenant_id = t.tenant_id AND d.event_id = t.id"
    " AND d.status = 'pending')"
)


def upgrade() -> None:
    op.create_index("ix_refresh_token_expires_at", "refresh_token", ["expires_at"], unique=False)
    for name, table in EXPIRED.items():
        rls.create_purge_function(name, table=table, expired="t.expires_at < now()")
    rls.create_purge_function(
        "purge_finished_events",
        table="outbox_event",
        expired=FINISHED_EVENTS,
        reads=("webhook_delivery",),
        retention=True,
    )


def downgrade() -> None:
    rls.drop_purge_function(
        "purge_finished_events", table="outbox_event", reads=("webhook_delivery",), retention=True
    )
    for name, table in EXPIRED.items():
        rls.drop_purge_function(name, table=table)
    op.drop_index("ix_refresh_token_expires_at", table_name="refresh_token")
