"""The API behind PgBouncer 1.18 in transaction pooling mode (``DATABASE_POOLER=transaction``).

The pooler keeps two server connections while the app opens up to twenty, so consecutive
transactions of one client land on different server connections and transactions of
different tenants share them: what must not outlive a transaction (the tenant, the statement
timeout, a prepared statement) is caught here. ``TEST_PGBOUNCER=1`` runs the rest of the
suite through a pooler too (CI runs the core API tests that way).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from tools.pgbouncer import PgBouncer, running_pgbouncer

from platform_common.db.database import Database
from platform_common.db.provision import ProvisionedDatabase
from tests.integration.apps import serve, settings_for
from tests.integration.factories import Account, signup
from todo_api.core.config import Settings

TASKS = "/api/v1/tasks"
SERVER_CONNECTIONS = 2
CLIENT_CONNECTIONS = 20


@pytest.fixture(scope="module")
def pooler(database: ProvisionedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgBouncer]:
    with running_pgbouncer(
        _direct_app_url(database),
        [database.app_role],
        tmp_path_factory.mktemp("pgbouncer"),
        pool_size=SERVER_CONNECTIONS,
    ) as bouncer:
        yield bouncer


def _direct_app_url(database: ProvisionedDatabase) -> str:
    """The runtime role on the server itself (``app_url`` may already go through a pooler)."""
    direct = make_url(database.owner_url).set(username=database.app_role)
    return direct.render_as_string(hide_password=False)


@pytest.fixture
def pooled(database: ProvisionedDatabase, pooler: PgBouncer) -> Settings:
    return settings_for(
        pooler.route(_direct_app_url(database)),
        database_pooler="transaction",
        database_pool_size=SERVER_CONNECTIONS,
        database_max_overflow=CLIENT_CONNECTIONS - SERVER_CONNECTIONS,
    )


@pytest.fixture
async def client(pooled: Settings, clean_database: None) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(pooled) as http:
        yield http


async def test_sign_up_log_in_refresh_and_task_crud_through_the_pooler(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    me = await client.get("/api/v1/users/me", headers=owner.headers)
    assert (me.status_code, me.json()["email"]) == (200, owner.email)

    created = await client.post(TASKS, json={"title": "Pooled", "tags": ["work"]}, headers=owner.headers)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    patched = await client.patch(
        location, json={"completed": True}, headers={**owner.headers, "If-Match": created.headers["etag"]}
    )
    assert (patched.status_code, patched.json()["completed"]) == (200, True)
    listed = await client.get(TASKS, params={"tag": "work"}, headers=owner.headers)
    assert [task["id"] for task in listed.json()["items"]] == [created.json()["id"]]
    assert (await client.delete(location, headers=owner.headers)).status_code == 204
    assert (await client.get(location, headers=owner.headers)).status_code == 404


async def test_concurrent_requests_of_two_tenants_each_see_only_their_own(client: httpx.AsyncClient) -> None:
    acme, globex = await signup(client, "acme"), await signup(client, "globex")
    writers = [acme, globex] * 15

    async def create(account: Account, n: int) -> tuple[str, str]:
        response = await client.post(TASKS, json={"title": f"task {n}"}, headers=account.headers)
        assert response.status_code == 201, response.text
        return account.tenant_id, response.json()["id"]

    created = await asyncio.gather(*(create(account, n) for n, account in enumerate(writers)))
    own = {
        account.tenant_id: {id_ for tenant, id_ in created if tenant == account.tenant_id}
        for account in (acme, globex)
    }

    async def listed(account: Account) -> tuple[str, set[str], int]:
        response = await client.get(TASKS, params={"size": 100}, headers=account.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        return account.tenant_id, {task["id"] for task in body["items"]}, body["total"]

    for tenant, ids, total in await asyncio.gather(*(listed(account) for account in writers)):
        assert (ids, total) == (own[tenant], 15)
    foreign = await client.get(f"{TASKS}/{created[1][1]}", headers=acme.headers)  # a globex task
    assert foreign.status_code == 404


async def test_the_tenant_never_outlives_its_transaction(pooled: Settings) -> None:
    """Many more transactions than server connections, half entering a tenant and half
    not: each sees exactly its own tenant (or none), and they did share server connections."""
    database = Database(pooled, application_name="pooler-test")
    await database.connect()
    tenants = [uuid.uuid4() for _ in range(30)]

    async def unit(tenant: uuid.UUID | None) -> tuple[str | None, int]:
        async with database.transaction(tenant) as transaction:
            row = await transaction.connection.fetchrow(
                "SELECT current_setting('app.tenant_id', true) AS tenant, pg_backend_pid() AS pid, pg_sleep(0.01)"
            )
            assert row is not None
            return row["tenant"], row["pid"]

    try:
        for _ in range(3):
            expected = [t for tenant in tenants for t in (tenant, None)]
            results = await asyncio.gather(*(unit(tenant) for tenant in expected))
            for (seen, _), tenant in zip(results, expected, strict=True):
                assert seen == str(tenant) if tenant else seen in (None, "")
            assert len({pid for _, pid in results}) <= SERVER_CONNECTIONS
    finally:
        await database.close()


async def test_a_session_setting_would_leak_through_the_pooler(
    pooler: PgBouncer, database: ProvisionedDatabase
) -> None:
    """The control for the test above: a session-level setting (``set_config(..., false)``)
    survives its client on the shared server connection and is seen by another client."""
    url = pooler.route(_direct_app_url(database))
    marker = str(uuid.uuid4())
    seen = []
    first = await asyncpg.connect(url, statement_cache_size=0)
    second = await asyncpg.connect(url, statement_cache_size=0)
    try:
        await first.execute(f"SELECT set_config('app.tenant_id', '{marker}', false)")
        for _ in range(SERVER_CONNECTIONS * 2):
            seen.append(await second.fetchval("SELECT current_setting('app.tenant_id', true)"))
    finally:
        await first.close()
        await second.close()
    assert marker in seen


async def test_the_statement_timeout_holds_per_transaction(pooled: Settings) -> None:
    """PgBouncer refuses ``statement_timeout`` as a startup parameter; it is set with each BEGIN."""
    database = Database(
        pooled.model_copy(update={"database_statement_timeout_ms": 100}), application_name="t"
    )
    await database.connect()
    try:
        with pytest.raises(asyncpg.QueryCanceledError):
            async with database.transaction() as transaction:
                await transaction.connection.execute("SELECT pg_sleep(2)")
        async with database.connection() as connection:
            assert await connection.fetchval("SELECT current_setting('statement_timeout')") == "0"
    finally:
        await database.close()
