"""The purge of a deleted tenant (``purge_deleted_tenants``, run by ``python -m todo_api.purge``)
on a real database: once its grace period is over, no row of the tenant is left in any table
of the schema (every table with a ``tenant_id``, the tenant row, its slug, its queued jobs,
the people with no other membership), in batches of any size, one short transaction each;
other tenants, and a person's other membership, are untouched."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase
from tests.database import connected
from tests.integration.factories import Account, hire_crew, signup
from tests.integration.rows import execute
from tests.integration.todo_api.api.test_memberships import add_membership, log_in
from tests.integration.todo_api.api.test_tenant_deletion import DELETION, confirmation, new_tenant
from todo_api.core.config import PurgeJobSettings
from todo_api.purge import deleted_tenant_tables, run

pytestmark = pytest.mark.integration
NO_GRACE = pytest.mark.parametrize("settings", [{"tenant_deletion_grace_days": 0}], indirect=True)

WEBHOOK = (
    "INSERT INTO webhook_endpoint (tenant_id, owner_id, url, events, secret) "
    "VALUES (:t, :u, 'https://example.com/hook', ARRAY['task.created'], '\\x00')"
)


async def fill(client: httpx.AsyncClient, account: Account, owner_engine: Any) -> None:
    """Rows of many kinds in the account's tenant: tasks (events, jobs), a keyed creation, a
    subtask, a trashed task (a tombstone), a webhook."""
    headers = {**account.headers, "Idempotency-Key": f"k-{account.user_id}"}
    first = await client.post("/api/v1/tasks", json={"title": "one"}, headers=headers)
    assert first.status_code == 201, first.text
    child = await client.post(
        "/api/v1/tasks", json={"title": "child", "parent_id": first.json()["id"]}, headers=account.headers
    )
    assert child.status_code == 201, child.text
    doomed = await client.post("/api/v1/tasks", json={"title": "doomed"}, headers=account.headers)
    assert (await client.delete(f"/api/v1/tasks/{doomed.json()['id']}", headers=account.headers)).is_success
    await execute(owner_engine, account.tenant_id, WEBHOOK, t=account.tenant_id, u=account.user_id)


async def tenant_rows(owner_url: str, tenant_id: str, slug: str) -> Counter[str]:
    """Every row of the tenant in every table of the schema, counted by table, as the schema
    owner with row-level security lifted for this (rolled back) transaction: each table with
    a ``tenant_id``, ``tenant``, ``tenant_slug`` and the queue's jobs."""
    counts: Counter[str] = Counter()
    async with connected(owner_url) as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            tables = [
                row[0]
                for row in await connection.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            ]
            for table in tables:
                await connection.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
            keyed = await connection.fetch(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND column_name = 'tenant_id'"
            )
            for (table,) in keyed:
                counts[table] = await connection.fetchval(
                    f'SELECT count(*) FROM "{table}" WHERE tenant_id = $1',  # noqa: S608  # the catalog's names
                    uuid.UUID(tenant_id),
                )
            counts["tenant"] = await connection.fetchval(
                "SELECT count(*) FROM tenant WHERE id = $1", uuid.UUID(tenant_id)
            )
            counts["tenant_slug"] = await connection.fetchval(
                "SELECT count(*) FROM tenant_slug WHERE slug = $1", slug
            )
            counts["pgqueuer"] = await connection.fetchval(
                "SELECT count(*) FROM pgqueuer WHERE convert_from(payload, 'UTF8')::jsonb ->> 'tenant_id' = $1",
                tenant_id,
            )
        finally:
            await transaction.rollback()
    return +counts


async def people(owner_url: str, emails: list[str]) -> set[str]:
    async with connected(owner_url) as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            await connection.execute("ALTER TABLE person NO FORCE ROW LEVEL SECURITY")
            await connection.execute("ALTER TABLE user_email NO FORCE ROW LEVEL SECURITY")
            rows = await connection.fetch("SELECT email FROM person WHERE email = ANY($1)", emails)
            registered = await connection.fetch("SELECT email FROM user_email WHERE email = ANY($1)", emails)
        finally:
            await transaction.rollback()
    assert {row[0] for row in rows} == {row[0] for row in registered}
    return {row[0] for row in rows}


async def purge(
    database: ProvisionedDatabase, capsys: pytest.CaptureFixture[str], **values: Any
) -> dict[str, Any]:
    """``python -m todo_api.purge`` as the runtime role: the deleted tenants' log lines by kind."""
    capsys.readouterr()
    settings = PurgeJobSettings(
        database_url=database.app_url, tracing_enabled=False, log_format="json", **values
    )
    await run(settings)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    return {
        line["kind"]: line
        for line in lines
        if line.get("event") == "rows_purged" and line["kind"].startswith("deleted_tenants.")
    }


@NO_GRACE
@pytest.mark.parametrize("batch", [1, 1000])
async def test_the_purge_leaves_no_row_of_the_tenant_and_touches_no_other(
    client: httpx.AsyncClient,
    database: ProvisionedDatabase,
    owner_engine: Any,
    capsys: pytest.CaptureFixture[str],
    batch: int,
) -> None:
    crew = await hire_crew(client, "acme")
    globex = await signup(client, "globex")
    await add_membership(client, crew.member, globex)  # the member has an account elsewhere
    for account in (*crew, globex):
        await fill(client, account, owner_engine)
    assert await purge(database, capsys)  # nothing due yet: nothing of either goes
    before = await tenant_rows(database.owner_url, crew.owner.tenant_id, "acme")
    others = await tenant_rows(database.owner_url, globex.tenant_id, "globex")
    assert {
        "task",
        "task_list",
        "user",
        "auth_session",
        "audit_event",
        "outbox_event",
        "idempotency_key",
        "webhook_endpoint",
        "invitation",
        "tenant",
        "tenant_slug",
    } <= set(before)

    response = await client.post(DELETION, json=confirmation(), headers=crew.owner.headers)
    assert response.status_code == 202, response.text
    logged = await purge(database, capsys, purge_batch_size=batch)

    assert await tenant_rows(database.owner_url, crew.owner.tenant_id, "acme") == Counter()
    assert await tenant_rows(database.owner_url, globex.tenant_id, "globex") == others
    emails = [account.email for account in crew]
    assert await people(database.owner_url, emails) == {crew.member.email}
    # Bounded batches: each table's rows in batches of ``batch``, one transaction each.
    assert set(logged) == {f"deleted_tenants.{table}" for table in deleted_tenant_tables()}
    for line in logged.values():
        assert line["batches"] == line["deleted"] // batch + 1, line
    assert logged["deleted_tenants.tenant"]["deleted"] == 1
    # Each row went in its own table's batches, none by a cascade (rows made since were counted too).
    for table, count in before.items():
        if table != "tenant_slug":  # kept by tenant's trigger
            assert logged[f"deleted_tenants.{table}"]["deleted"] >= count, table

    # The member's other membership is whole: they log in there.
    again = await log_in(client, crew.member.email)
    assert again.status_code == 200, again.text
    assert (await log_in(client, crew.owner.email, "acme")).status_code == 400
    # The slug is free again; a second run finds nothing.
    assert all(line["deleted"] == 0 for line in (await purge(database, capsys)).values())
    assert await new_tenant(client, "acme") == 201


@NO_GRACE
async def test_a_tenant_not_yet_due_is_not_purged(
    client: httpx.AsyncClient, database: ProvisionedDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = await signup(client, "acme")
    response = await client.post(DELETION, json=confirmation(), headers=owner.headers)
    assert response.status_code == 202, response.text
    rows = await tenant_rows(database.owner_url, owner.tenant_id, "acme")
    async with connected(database.owner_url) as connection:
        await connection.execute("SELECT set_config('app.tenant_id', $1, false)", owner.tenant_id)
        await connection.execute("UPDATE tenant SET purge_after = now() + interval '1 hour'")
    assert all(line["deleted"] == 0 for line in (await purge(database, capsys)).values())
    assert await tenant_rows(database.owner_url, owner.tenant_id, "acme") == rows


async def test_the_function_refuses_a_table_it_has_no_policy_on(database: ProvisionedDatabase) -> None:
    async with connected(database.app_url) as connection:
        with pytest.raises(asyncpg.RaiseError):
            await connection.fetchval(
                "SELECT purge_deleted_tenants(1, 'alembic_version', now() + interval '1 day')"
            )


async def test_every_tenant_table_of_the_models_is_handed_to_the_tenant_purge(
    database: ProvisionedDatabase,
) -> None:
    """A tenant table added later needs ``rls.let_purge_write("purge_deleted_tenants", table)``
    in its migration: without it the purge would leave its rows behind (and the tenant row's
    cascade would delete them in one long transaction)."""
    async with connected(database.owner_url) as connection:
        rows = await connection.fetch(
            "SELECT tablename FROM pg_policies WHERE policyname = 'definer_purge_deleted_tenants'"
        )
    assert set(deleted_tenant_tables()) - {"pgqueuer"} <= {row[0] for row in rows}
