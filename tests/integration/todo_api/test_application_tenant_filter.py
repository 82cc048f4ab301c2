"""The application's own tenant filter, with the row-level security wall taken down.

RLS isolates tenants even when a query forgets its tenant, so a weakened application filter
(``tenant_id IS NOT NULL``, ``>=``) goes unnoticed by every test that runs with RLS up: one
wall falls and nothing says so. Here RLS is disabled on every tenant table while two tenants
use the whole API, and every statement a repository runs is recorded: each must name its
table's tenant column ``= $n``, ``$n`` being the bound tenant parameter (stamped into the
tenant column of an insert), and nothing of the other tenant may come back. Every
repository of the service is found by walking its packages and must have run here, so a new
repository fails this test until the workload below uses it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import todo_api
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.repository import TENANT_PARAMETER, TenantRepository
from platform_common.db.statements import Statement
from platform_common.db.tables import tenant_key, tenant_tables
from platform_common.mail.outbox import unseal
from platform_common.webhooks.settings import WebhookSettings
from tests.integration.factories import PASSWORD, Account, add_member, signup
from tests.integration.todo_api.webhooks.conftest import WEBHOOKS, Names, as_tenant
from todo_api.core.config import Settings
from todo_api.main import create_app
from todo_api.models import metadata

TASKS = "/api/v1/tasks"
USERS = "/api/v1/users"
AUDIT = "/api/v1/audit-events"
DELETION = "/api/v1/tenants/current/deletion"
TOKENS = "/api/v1/users/me/tokens"
HOOK = {"url": "https://hooks.example.com/todo", "events": ["task.created"]}


def service_repositories() -> set[type[TenantRepository]]:
    """Every repository class defined anywhere in todo_api (importing each module finds them)."""
    for module in pkgutil.walk_packages(todo_api.__path__, "todo_api."):
        importlib.import_module(module.name)
    found: set[type[TenantRepository]] = set()
    pending = [TenantRepository]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("todo_api.") and "table" in subclass.__dict__:
                found.add(subclass)
    return found


@dataclass(frozen=True)
class Run:
    repository: type[TenantRepository]
    statement: Statement
    tenant_id: uuid.UUID


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Run]:
    """Each statement a repository executes, with the tenant it was bound to (recorded, then
    run unchanged)."""
    recorded: list[Run] = []
    values_of = TenantRepository._values

    def recording(self: TenantRepository, statement: Statement, values: Mapping[str, Any]) -> dict[str, Any]:
        bound = values_of(self, statement, values)
        recorded.append(Run(type(self), statement, bound[TENANT_PARAMETER]))
        return bound

    monkeypatch.setattr(TenantRepository, "_values", recording)
    return recorded


@pytest.fixture
async def client(settings: Settings, clean_database: None) -> AsyncIterator[httpx.AsyncClient]:
    """The app, able to register webhooks (names resolved by the test's table)."""
    application = create_app(settings.model_copy(update={"webhook_allowed_targets": ["127.0.0.0/8"]}))
    application.state.runtime.resolver = Names()
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest.fixture
async def without_rls(client: httpx.AsyncClient, owner_engine: AsyncEngine) -> AsyncIterator[None]:
    """RLS off on every tenant table (after the app's start-up posture check), back on after."""
    tables = sorted(tenant_tables(metadata))

    async def switch(state: str) -> None:
        async with owner_engine.begin() as conn:
            for table in tables:
                await conn.execute(text(f'ALTER TABLE "{table}" {state} ROW LEVEL SECURITY'))

    await switch("DISABLE")
    try:
        yield
    finally:
        await switch("ENABLE")


def filters_its_tenant(run: Run) -> bool:
    """Every ``$n`` bound to the tenant is ``<table>.<tenant key> = $n`` or the tenant column of
    an insert, and one of them is on the repository's own table."""
    sql, table = run.statement.sql, run.repository.table
    own = False
    positions = [i + 1 for i, name in enumerate(run.statement.names) if name == TENANT_PARAMETER]
    for position in positions:
        placeholder = rf"\${position}(?!\d)"
        compared = re.findall(rf'("?\w+"?)\.(\w+) = {placeholder}', sql)
        stamped = inserted_into(sql, placeholder)
        if not compared and not stamped:
            return False
        own |= any(
            qualifier.strip('"') == table.name and key == tenant_key(table) for qualifier, key in compared
        )
        own |= (table.name, tenant_key(table)) in stamped
    return own


# An insert's columns and their values: ``VALUES (...)``, or the list of an ``INSERT ...
# SELECT`` (each value ``<expression> AS <label>``), as SQLAlchemy writes them.
_INSERT = re.compile(
    r'INSERT INTO ("?\w+"?) \(([^)]*)\) (?:VALUES \(([^)]*)\)|SELECT (.*?) \nFROM )', re.DOTALL
)


def inserted_into(sql: str, placeholder: str) -> set[tuple[str, str]]:
    """Every ``(table, column)`` of an insert of ``sql`` (a CTE's too) whose value is the
    placeholder, where that column is the table's tenant column; a placeholder written into
    any other column makes the set empty (not a stamp of the tenant)."""
    found: set[tuple[str, str]] = set()
    for match in _INSERT.finditer(sql):
        table = match[1].strip('"')
        columns = match[2].split(", ")
        values = (match[3] or match[4]).split(", ")
        for column, value in zip(columns, values, strict=True):
            # "$1::UUID" or "$1::UUID AS anon_1": a typed placeholder
            if re.fullmatch(placeholder, value.split(" AS ")[0].split("::")[0]):
                if column != tenant_key(metadata.tables[table]):
                    return set()
                found.add((table, column))
    return found


async def use_everything(client: httpx.AsyncClient, slug: str) -> dict[str, Any]:
    """One tenant's life through the API: every repository of the service runs."""
    owner = await signup(client, slug)
    member = await add_member(client, owner, "bob")
    headers = owner.headers
    guest = {"email": f"guest@{slug}.example.com", "role": "member"}
    for _ in range(2):  # the second replaces the first
        assert (await client.post("/api/v1/invitations", json=guest, headers=headers)).status_code == 201
    [pending] = (await client.get("/api/v1/invitations", headers=headers)).json()["items"]
    assert (await client.get("/api/v1/invitations", params={"page": 9}, headers=headers)).is_success
    revoked = await client.delete(f"/api/v1/invitations/{pending['id']}", headers=headers)
    assert revoked.status_code == 204, revoked.text
    assert (
        await client.patch("/api/v1/tenants/current", json={"name": slug.title()}, headers=headers)
    ).is_success
    assert (await client.patch("/api/v1/users/me", json={"full_name": "Owner"}, headers=headers)).is_success
    keyed = {**headers, "Idempotency-Key": "first"}
    task = (await client.post(TASKS, json={"title": f"{slug} task"}, headers=keyed)).json()
    assert (await client.post(TASKS, json={"title": f"{slug} task"}, headers=keyed)).status_code == 201
    url = f"{TASKS}/{task['id']}"
    assert (await client.patch(url, json={"title": f"{slug} renamed"}, headers=headers)).is_success
    assert (await client.get(f"{TASKS}/stats", headers=headers)).is_success
    made = await client.post("/api/v1/lists", json={"name": f"{slug} list"}, headers=headers)
    assert made.status_code == 201, made.text
    list_url = f"/api/v1/lists/{made.json()['id']}"
    assert (await client.patch(list_url, json={"name": f"{slug} errands"}, headers=headers)).is_success
    assert (await client.get("/api/v1/lists", headers=headers)).is_success
    moved = await client.post(f"{url}/move", json={"list_id": made.json()["id"]}, headers=headers)
    assert moved.status_code == 200, moved.text
    scrap = (await client.post(TASKS, json={"title": f"{slug} scrap"}, headers=headers)).json()
    scrap_url = f"{TASKS}/{scrap['id']}"
    assert (await client.delete(scrap_url, headers=headers)).status_code == 204
    assert (await client.get("/api/v1/trash/tasks", headers=headers)).is_success
    assert (await client.post(f"{scrap_url}/restore", headers=headers)).status_code == 200
    assert (await client.delete(scrap_url, headers=headers)).status_code == 204
    assert (await client.get(f"{TASKS}/delta", headers=headers)).is_success
    hook = await client.post(WEBHOOKS, json=HOOK, headers=headers)
    assert hook.status_code == 201, hook.text
    hook_url = f"{WEBHOOKS}/{hook.json()['id']}"
    assert (await client.post(f"{hook_url}/ping", headers=headers)).status_code == 202
    assert (await client.get(f"{hook_url}/deliveries", headers=headers)).is_success
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    out = await client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": refreshed.json()["refresh_token"]},
        headers=member.headers,
    )
    assert out.status_code == 204, out.text
    refused = await client.post("/api/v1/auth/token", data={"username": member.email, "password": "x" * 12})
    assert refused.status_code == 400, refused.text
    for name in ("script", "spare"):
        made = await client.post(TOKENS, json={"name": name, "scopes": ["tasks:read"]}, headers=headers)
        assert made.status_code == 201, made.text
    assert (await client.get(TASKS, headers={"Authorization": f"Bearer {made.json()['token']}"})).is_success
    assert (await client.get(TOKENS, headers=headers)).is_success
    assert (await client.delete(f"{TOKENS}/{made.json()['id']}", headers=headers)).status_code == 204
    exported = await client.get("/api/v1/users/me/export", headers=headers)
    assert exported.status_code == 200, exported.text
    assert {row["tenant_id"] for row in exported.json()["tasks"]} == {owner.tenant_id}
    for query in ({}, {"type": "auth.logout"}, {"actor": owner.user_id}, {"page": 9}):
        assert (await client.get(AUDIT, params=query, headers=headers)).is_success, query
    return {"slug": slug, "owner": owner, "member": member, "task": url, "hook": hook_url}


async def reset_password(client: httpx.AsyncClient, database: ProvisionedDatabase, member: Account) -> None:
    """A password reset of ``member``, its token read from the queued message (as the dispatcher would)."""
    assert (await client.post("/api/v1/auth/password-reset", json={"email": member.email})).status_code == 202
    connection = await asyncpg.connect(database.owner_url)
    try:
        [message] = await as_tenant(
            connection,
            member.tenant_id,
            "SELECT * FROM mail_message WHERE recipient = $1 AND subject = 'Reset your password'",
            member.email,
        )
    finally:
        await connection.close()
    token = unseal(WebhookSettings().secret_box(), message["id"], message["recipient"], message["sealed"])
    confirm = {"token": token["token"], "new_password": "a brand new password"}
    assert (await client.post("/api/v1/auth/password-reset/confirm", json=confirm)).status_code == 204


async def deleted_and_restored(client: httpx.AsyncClient, slug: str) -> Account:
    """A tenant whose owner requests its deletion (every credential revoked), then logs in
    naming it to read and cancel the deletion."""
    owner = await signup(client, slug)
    confirm = {"confirm": slug, "password": PASSWORD}
    requested = await client.post(DELETION, json=confirm, headers=owner.headers)
    assert requested.status_code == 202, requested.text
    login = {"username": owner.email, "password": PASSWORD, "tenant": slug}
    tokens = await client.post("/api/v1/auth/token", data=login)
    assert tokens.status_code == 200, tokens.text
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    assert (await client.get(DELETION, headers=headers)).is_success
    assert (await client.delete(DELETION, headers=headers)).is_success
    return owner


async def tenants_with_tasks(database: ProvisionedDatabase) -> int:
    """As the runtime role, no tenant set: with RLS up this sees nothing."""
    connection = await asyncpg.connect(database.app_url)
    try:
        return int(await connection.fetchval("SELECT count(DISTINCT tenant_id) FROM task"))
    finally:
        await connection.close()


async def test_every_repository_statement_filters_by_the_callers_tenant_without_rls(
    client: httpx.AsyncClient,
    without_rls: None,
    runs: list[Run],
    database: ProvisionedDatabase,
    settings: Settings,
) -> None:
    acme, globex = await use_everything(client, "acme"), await use_everything(client, "globex")
    assert await tenants_with_tasks(database) == 2  # the RLS wall is really down
    for used in (acme, globex):
        await reset_password(client, database, used["member"])

    for home, foreign in ((acme, globex), (globex, acme)):
        owner: Account = home["owner"]

        async def listed(path: str, field: str, owner: Account = owner) -> set[str]:
            response = await client.get(path, params={"size": 100}, headers=owner.headers)
            assert response.status_code == 200, response.text
            return {item[field] for item in response.json()["items"]}

        assert await listed(TASKS, "title") == {f"{home['slug']} renamed"}
        assert await listed(USERS, "id") == {owner.user_id, home["member"].user_id}
        assert await listed(WEBHOOKS, "id") == {home["hook"].rsplit("/", 1)[1]}
        assert await listed(AUDIT, "tenant_id") == {owner.tenant_id}
        foreign_actor = {"actor": foreign["owner"].user_id}
        nothing = await client.get(AUDIT, params=foreign_actor, headers=owner.headers)
        assert (nothing.status_code, nothing.json()["total"]) == (200, 0)
        tenant = await client.get("/api/v1/tenants/current", headers=owner.headers)
        assert tenant.json()["id"] == owner.tenant_id
        for url in (foreign["task"], f"{USERS}/{foreign['member'].user_id}", foreign["hook"]):
            assert (await client.get(url, headers=owner.headers)).status_code == 404, url
            assert (await client.delete(url, headers=owner.headers)).status_code == 404, url

    initech = await deleted_and_restored(client, "initech")
    assert {run.repository for run in runs} >= service_repositories()
    assert {run.tenant_id for run in runs} == {
        uuid.UUID(acme["owner"].tenant_id),
        uuid.UUID(globex["owner"].tenant_id),
        uuid.UUID(initech.tenant_id),
    }
    unfiltered = {(run.repository.__name__, run.statement.sql) for run in runs if not filters_its_tenant(run)}
    assert unfiltered == set()
