"""``python -m todo_api.purge`` (``./tools/task purge``): delete what outlived its use.

What todo-api purges, one line per kind; the machinery (batches, one short transaction
each, the log lines) is ``platform_common.db.purge``, and each kind's condition is in its
``SECURITY DEFINER`` function (migrations ``70f3f18bae6a``, ``c41f7a2e9b05``,
``0fa4cf1543a2``, ``e725c46cb875``, ``5a7c3e9d1b42``, ``b8d2f6a41c93`` and ``b81d4f2a6c93``). A kind to add later is one ``Purge`` line here and one
``rls.create_purge_function`` call in the migration that brings its column or table.

Deleted tenants (their owner asked, ``TENANT_DELETION_GRACE_DAYS`` have passed): every row of
theirs goes, table by table, children before parents (the tenant tables the models declare,
in reverse dependency order, so no cascade does a table's work in one long transaction),
then their queued jobs, then the tenant rows themselves (``purge_deleted_tenants``,
migration ``d7a3b5c9e2f1``). Every call names the same cut-off, the run's start: a tenant
that falls due mid-run waits for the next run rather than losing its tenant row (and so,
by cascade, everything left) in one statement. A person with no membership left goes with
their last one; deleting a tenant emits no per-item events.

Trashed tasks go before tombstones: purging the trash leaves one tombstone per task, which
the tombstone purge keeps for ``DELTA_TOMBSTONE_RETENTION_DAYS`` from then.

It runs as the runtime role (``DATABASE_URL``): see ``platform_common.db.purge`` for why.
Deployments run it on a schedule (the chart's CronJob, ``purge.schedule``); it is safe to
run by hand at any time, and twice at once (a row is deleted once; the other run finds
fewer rows and stops).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from platform_common.db.database import Database
from platform_common.db.purge import Purge, purge
from platform_common.db.tables import tenant_tables
from platform_common.observability.setup import worker_observability
from todo_api import __version__
from todo_api.core.config import PurgeJobSettings
from todo_api.models import metadata

DELETED_TENANTS = "purge_deleted_tenants"
# Not a model: the job queue's table, whose jobs carry their tenant in the payload.
QUEUE_TABLE = "pgqueuer"


def deleted_tenant_tables() -> list[str]:
    """The tables a deleted tenant's rows are purged from, in order: every tenant table of the
    models but ``tenant``, children first, then the queue, then ``tenant``."""
    tenant_owned = tenant_tables(metadata)
    children_first = [
        table.name
        for table in reversed(metadata.sorted_tables)
        if table.name in tenant_owned and tenant_owned[table.name] == "tenant_id"
    ]
    return [*children_first, QUEUE_TABLE, "tenant"]


def deleted_tenant_purges(due_before: datetime) -> list[Purge]:
    """One purge per table of ``deleted_tenant_tables``, all of tenants due by ``due_before``."""
    return [
        Purge(f"deleted_tenants.{table}", DELETED_TENANTS, arguments=(table, due_before))
        for table in deleted_tenant_tables()
    ]


def purges(settings: PurgeJobSettings, now: datetime | None = None) -> list[Purge]:
    return [
        *deleted_tenant_purges(now or datetime.now(UTC)),
        Purge("idempotency_keys", "purge_expired_idempotency_keys"),
        Purge("refresh_tokens", "purge_expired_refresh_tokens"),
        Purge("sessions", "purge_expired_sessions"),
        Purge("revoked_access_tokens", "purge_expired_revoked_access_tokens"),
        Purge("reset_tokens", "purge_expired_password_reset_tokens"),
        Purge("pending_signups", "purge_expired_pending_signups"),
        Purge("invitations", "purge_expired_invitations"),
        Purge("events", "purge_finished_events", timedelta(days=settings.event_retention_days)),
        Purge("mail", "purge_mail_messages", timedelta(days=settings.event_retention_days)),
        Purge("audit_events", "purge_audit_events", timedelta(days=settings.audit_retention_days)),
        Purge("trashed_tasks", "purge_trashed_tasks", timedelta(days=settings.trash_retention_days)),
        Purge(
            "tombstones",
            "purge_expired_tombstones",
            timedelta(days=settings.delta_tombstone_retention_days),
        ),
    ]


async def run(settings: PurgeJobSettings) -> dict[str, int]:
    database = Database(settings, application_name=f"{settings.service_name}-purge")
    async with worker_observability(settings, service_version=__version__):
        await database.connect()
        try:
            return await purge(database, purges(settings), batch_size=settings.purge_batch_size)
        finally:
            await database.close()


def main() -> int:
    asyncio.run(run(PurgeJobSettings()))  # fields come from the environment
    return 0


if __name__ == "__main__":
    sys.exit(main())
