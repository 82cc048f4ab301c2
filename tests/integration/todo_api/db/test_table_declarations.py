"""Every table of the live schema says whether it belongs to a tenant: the models declare
theirs (``tenant_owned`` / ``global_table``), the job queue names its own as global; a table
no one declared (so no one checked for row-level security) fails here."""

from __future__ import annotations

import asyncpg

from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.tables import global_tables, tenant_tables, undeclared_tables
from platform_common.events.queue import GLOBAL_TABLES as QUEUE_TABLES
from todo_api.models import metadata

ALEMBIC = {"alembic_version": "Alembic's own bookkeeping"}


async def test_every_table_in_the_database_is_declared(database: ProvisionedDatabase) -> None:
    connection = await asyncpg.connect(database.owner_url)
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    declared = {*tenant_tables(metadata), *global_tables(metadata), *QUEUE_TABLES, *ALEMBIC}
    assert undeclared_tables(metadata) == []
    assert {row["tablename"] for row in rows} - declared == set()


def test_the_queues_tables_are_global_and_hold_no_tenant_key() -> None:
    """A job holds ids only: the payload stays in the tenant-owned outbox, under RLS."""
    assert set(QUEUE_TABLES).isdisjoint(tenant_tables(metadata))
    assert {"outbox_event", "webhook_endpoint", "webhook_delivery", "mail_message"} <= set(
        tenant_tables(metadata)
    )
    assert all(reason.strip() for reason in QUEUE_TABLES.values())
