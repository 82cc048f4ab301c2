"""The row-level security wall on its own: deliberately unscoped SQL as the runtime role.

No repository, no ``WHERE tenant_id = ...``: whatever these queries see or change is
exactly what the policies let through. Rows are seeded as the schema owner, which FORCE
ROW LEVEL SECURITY subjects to the same policies, so it sets the tenant too.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.tables import tenant_tables
from tests.database import async_engine
from todo_api.models import metadata

# Every tenant-owned table, and the column that says which tenant a row belongs to.
TENANT_KEY = tenant_tables(metadata)
TENANT_TABLES = tuple(TENANT_KEY)
INSUFFICIENT_PRIVILEGE = "42501"  # a policy violation, or DDL only the owner may run
FK_VIOLATION = "23503"


@dataclass(frozen=True)
class Seeded:
    tenant_id: str
    user_id: str
    email: str
    token_hash: str
    list_id: str
    task_id: str


@pytest.fixture(scope="module")
async def runtime_engine(database: ProvisionedDatabase) -> AsyncIterator[AsyncEngine]:
    engine = async_engine(database.app_url)
    yield engine
    await engine.dispose()


async def set_tenant(conn: AsyncConnection, tenant_id: str) -> None:
    await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": tenant_id})


async def set_lookup(conn: AsyncConnection, key: str, value: str) -> None:
    await conn.execute(text("SELECT set_config(:key, :value, true)"), {"key": key, "value": value})


async def insert(conn: AsyncConnection, table: str, **values: Any) -> None:
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    await conn.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({params})'), values)  # noqa: S608


async def seed_tenant(owner_engine: AsyncEngine, slug: str) -> Seeded:
    """One row in every tenant table, written as the owner inside the tenant's context."""
    tenant_id, user_id = str(uuid.uuid4()), str(uuid.uuid4())
    list_id, task_id = str(uuid.uuid4()), str(uuid.uuid4())
    seeded = Seeded(tenant_id, user_id, f"owner@{slug}.example.com", uuid.uuid4().hex * 2, list_id, task_id)
    session_id = str(uuid.uuid4())
    later = datetime.now(UTC) + timedelta(days=1)
    async with owner_engine.begin() as conn:
        await set_tenant(conn, tenant_id)
        await insert(conn, "tenant", id=tenant_id, slug=slug, name=slug.title())
        await insert(
            conn,
            "user",
            id=user_id,
            tenant_id=tenant_id,
            email=seeded.email,
            hashed_password="x",
            full_name="",
        )
        await insert(
            conn,
            "task_list",
            id=list_id,
            tenant_id=tenant_id,
            owner_id=user_id,
            name="Inbox",
            position="a0",
            is_default=True,
        )
        # Before the task: its insert's trigger would make the counter row (with its count).
        await insert(conn, "sync_state", tenant_id=tenant_id, owner_id=user_id, version=2)
        await insert(
            conn,
            "task",
            id=task_id,
            tenant_id=tenant_id,
            owner_id=user_id,
            list_id=list_id,
            position="a0",
            title=f"{slug} task",
            description="",
        )
        await insert(
            conn, "auth_session", id=session_id, tenant_id=tenant_id, user_id=user_id, expires_at=later
        )
        await insert(
            conn,
            "refresh_token",
            tenant_id=tenant_id,
            user_id=user_id,
            family_id=session_id,
            token_hash=seeded.token_hash,
            user_token_version=0,
            expires_at=later,
            family_expires_at=later,
        )
        await insert(
            conn, "revoked_access_token", jti=uuid.uuid4().hex, tenant_id=tenant_id, expires_at=later
        )
        await insert(
            conn,
            "password_reset_token",
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            user_id=user_id,
            token_hash=uuid.uuid4().hex,
            expires_at=later,
        )
        await insert(
            conn,
            "pending_signup",
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            token_hash=uuid.uuid4().hex,
            email=f"new@{uuid.uuid4().hex}.example.com",
            tenant_name="New",
            tenant_slug=f"new-{uuid.uuid4().hex[:8]}",
            full_name="",
            hashed_password="x",
            expires_at=later,
        )
        await insert(
            conn,
            "invitation",
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            email="guest@example.org",
            token_hash=uuid.uuid4().hex,
            invited_by=user_id,
            expires_at=later,
        )
        await insert(
            conn,
            "personal_access_token",
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            owner_id=user_id,
            name="script",
            scopes=["tasks:read"],
            secret_hash=uuid.uuid4().hex,
        )
        await insert(
            conn,
            "idempotency_key",
            user_id=user_id,
            key=f"{slug}-key",
            tenant_id=tenant_id,
            request_hash="0" * 64,
            expires_at=later,
        )
        event_id, endpoint_id = str(uuid.uuid4()), str(uuid.uuid4())
        await insert(
            conn, "outbox_event", id=event_id, tenant_id=tenant_id, owner_id=user_id, type="t", data="{}"
        )
        await insert(
            conn,
            "webhook_endpoint",
            id=endpoint_id,
            tenant_id=tenant_id,
            owner_id=user_id,
            url="https://hooks.example.com/",
            events=["task.created"],
            secret=b"sealed",
        )
        await insert(
            conn,
            "webhook_delivery",
            tenant_id=tenant_id,
            endpoint_id=endpoint_id,
            event_id=event_id,
            event_type="t",
            attempt=1,
        )
        await insert(
            conn,
            "mail_message",
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            recipient=f"someone@{slug}.example",
            subject="s",
            text_body="t",
            sealed=b"sealed",
        )
        await insert(
            conn,
            "task_tombstone",
            tenant_id=tenant_id,
            owner_id=user_id,
            task_id=str(uuid.uuid4()),
            change_seq=2,
        )
        await insert(
            conn, "audit_event", tenant_id=tenant_id, type="auth.login.succeeded", subject_id=user_id
        )
    return seeded


@pytest.fixture
async def tenants(owner_engine: AsyncEngine, clean_database: None) -> tuple[Seeded, Seeded]:
    return await seed_tenant(owner_engine, "acme"), await seed_tenant(owner_engine, "globex")


async def tenant_keys(conn: AsyncConnection, table: str) -> list[str]:
    rows = await conn.execute(text(f'SELECT {TENANT_KEY[table]} FROM "{table}"'))  # noqa: S608
    return [str(key) for key in rows.scalars()]


async def sqlstate_of(conn: AsyncConnection, statement: str, **params: Any) -> str | None:
    """Run ``statement`` in a savepoint; the SQLSTATE it failed with, or None."""
    try:
        async with conn.begin_nested():
            await conn.execute(text(statement), params)
    except DBAPIError as exc:
        return getattr(exc.orig, "sqlstate", None)
    return None


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_a_tenant_sees_only_its_own_rows(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded], table: str
) -> None:
    for seeded in tenants:
        async with runtime_engine.begin() as conn:
            await set_tenant(conn, seeded.tenant_id)
            assert await tenant_keys(conn, table) == [seeded.tenant_id]


@pytest.mark.parametrize("role", ["runtime", "owner"])
@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_without_a_tenant_nothing_is_visible(
    runtime_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    tenants: tuple[Seeded, Seeded],
    table: str,
    role: str,
) -> None:
    engine = {"runtime": runtime_engine, "owner": owner_engine}[role]
    async with engine.begin() as conn:
        assert await tenant_keys(conn, table) == []


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO task (tenant_id, owner_id, title, description) VALUES (:b, :b_user, 'planted', '')",
        'INSERT INTO "user" (tenant_id, email, hashed_password, full_name) '
        "VALUES (:b, 'mole@globex.example.com', 'x', '')",
        "INSERT INTO revoked_access_token (jti, tenant_id, expires_at) VALUES ('planted', :b, now())",
        "INSERT INTO tenant (id, slug, name) VALUES (gen_random_uuid(), 'planted', 'Planted')",
        "INSERT INTO audit_event (tenant_id, type, subject_id) VALUES (:b, 'auth.login.succeeded', :b_user)",
        "UPDATE task SET tenant_id = :b, owner_id = :b_user",
        "UPDATE tenant SET id = gen_random_uuid()",
    ],
    ids=[
        "insert task",
        "insert user",
        "insert revoked token",
        "insert tenant",
        "insert audit event",
        "move task",
        "move tenant",
    ],
)
async def test_rows_cannot_be_written_into_another_tenant(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded], statement: str
) -> None:
    a, b = tenants
    async with runtime_engine.begin() as conn:
        await set_tenant(conn, a.tenant_id)
        assert await sqlstate_of(conn, statement, b=b.tenant_id, b_user=b.user_id) == INSUFFICIENT_PRIVILEGE


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE task SET title = 'defaced' WHERE tenant_id = :b",
        "DELETE FROM task WHERE tenant_id = :b",
        'UPDATE "user" SET is_active = false WHERE tenant_id = :b',
        'DELETE FROM "user" WHERE tenant_id = :b',
        "DELETE FROM tenant WHERE id = :b",
        "DELETE FROM refresh_token WHERE tenant_id = :b",
    ],
)
async def test_another_tenants_rows_cannot_be_changed(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded], statement: str
) -> None:
    a, b = tenants
    async with runtime_engine.begin() as conn:
        await set_tenant(conn, a.tenant_id)
        assert (await conn.execute(text(statement), {"b": b.tenant_id})).rowcount == 0


@pytest.mark.parametrize(
    ("table", "values"),
    [
        ("task", {"title": "planted", "description": ""}),
        (
            "refresh_token",
            {
                "family_id": str(uuid.uuid4()),
                "token_hash": "f" * 64,
                "user_token_version": 0,
                "expires_at": datetime.now(UTC),
                "family_expires_at": datetime.now(UTC),
            },
        ),
        ("idempotency_key", {"key": "planted", "request_hash": "0" * 64, "expires_at": datetime.now(UTC)}),
    ],
)
async def test_a_row_cannot_point_at_a_user_of_another_tenant(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded], table: str, values: dict[str, Any]
) -> None:
    """The composite foreign key (tenant_id, user) -> user: RLS alone would let this one in."""
    a, b = tenants
    user_column = "owner_id" if table == "task" else "user_id"
    row = {**values, "tenant_id": a.tenant_id, user_column: b.user_id}
    if table == "task":
        row |= {"list_id": a.list_id, "position": "a1"}
    columns = ", ".join(row)
    params = ", ".join(f":{name}" for name in row)
    async with runtime_engine.begin() as conn:
        await set_tenant(conn, a.tenant_id)
        statement = f'INSERT INTO "{table}" ({columns}) VALUES ({params})'  # noqa: S608
        assert await sqlstate_of(conn, statement, **row) == FK_VIOLATION


@pytest.mark.parametrize("column", ["list_id", "parent_id"])
async def test_a_task_cannot_point_at_a_list_or_parent_of_another_tenant(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded], column: str
) -> None:
    """The composite keys (tenant_id, list_id) -> task_list and (tenant_id, parent_id) -> task."""
    a, b = tenants
    row = {"tenant_id": a.tenant_id, "owner_id": a.user_id, "list_id": a.list_id, "position": "a1"}
    row[column] = b.list_id if column == "list_id" else b.task_id
    columns = ", ".join(row)
    params = ", ".join(f":{name}" for name in row)
    async with runtime_engine.begin() as conn:
        await set_tenant(conn, a.tenant_id)
        statement = f"INSERT INTO task (title, description, {columns}) VALUES ('planted', '', {params})"  # noqa: S608
        assert await sqlstate_of(conn, statement, **row) == FK_VIOLATION


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET type = 'auth.logout'",
        "UPDATE audit_event SET created_at = now() - interval '10 years'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ],
    ids=["retype", "backdate", "delete", "truncate"],
)
async def test_the_runtime_role_cannot_rewrite_its_own_tenants_audit_trail(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded], statement: str
) -> None:
    """Insert-only: no UPDATE, DELETE or TRUNCATE privilege, so the statement is refused
    outright, in the tenant's own context, whatever row-level security would admit."""
    a, _ = tenants
    async with runtime_engine.begin() as conn:
        await set_tenant(conn, a.tenant_id)
        assert await sqlstate_of(conn, statement) == INSUFFICIENT_PRIVILEGE
        await insert(conn, "audit_event", tenant_id=a.tenant_id, type="auth.logout", subject_id=a.user_id)
        rows = await conn.execute(text("SELECT type FROM audit_event ORDER BY type"))
        assert list(rows.scalars()) == ["auth.login.succeeded", "auth.logout"]


async def test_the_tenant_setting_ends_with_its_transaction(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded]
) -> None:
    a, _ = tenants
    async with runtime_engine.connect() as conn:
        async with conn.begin():
            backend = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await set_tenant(conn, a.tenant_id)
            assert await tenant_keys(conn, "task") == [a.tenant_id]
        async with conn.begin():
            assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() == backend
            setting = await conn.execute(text("SELECT current_setting('app.tenant_id', true)"))
            assert setting.scalar_one() == ""
            assert await tenant_keys(conn, "task") == []


async def test_the_login_lookup_returns_only_what_login_needs_of_exactly_one_account(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded]
) -> None:
    a, b = tenants
    for email, expected in [(a.email, a), (b.email, b), (a.email.upper(), None), ("%", None)]:
        async with runtime_engine.begin() as conn:
            rows = (
                (await conn.execute(text("SELECT * FROM auth_login_account(:e)"), {"e": email}))
                .mappings()
                .all()
            )
            if expected is None:
                assert rows == [], email
            else:
                [row] = rows
                assert set(row) == {"id", "tenant_id", "hashed_password", "is_active"}
                assert (str(row["id"]), str(row["tenant_id"])) == (expected.user_id, expected.tenant_id)
            # The function opens nothing for the caller: its rows, then nothing at all.
            assert await tenant_keys(conn, "user") == []
            assert await tenant_keys(conn, "task") == []


async def test_the_refresh_token_lookup_returns_only_the_tenant(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded]
) -> None:
    a, b = tenants
    for token_hash, expected in [
        (a.token_hash, [a.tenant_id]),
        (b.token_hash, [b.tenant_id]),
        ("0" * 64, []),
    ]:
        async with runtime_engine.begin() as conn:
            rows = await conn.execute(text("SELECT * FROM auth_refresh_token_tenant(:h)"), {"h": token_hash})
            assert [str(tenant) for tenant in rows.scalars()] == expected
            assert await tenant_keys(conn, "refresh_token") == []


@pytest.mark.parametrize(
    ("setting", "value_of", "table"),
    [
        ("app.lookup_email", lambda seeded: seeded.email, "user"),
        ("app.lookup_token_hash", lambda seeded: seeded.token_hash, "refresh_token"),
        ("app.definer_auth_login_account", lambda seeded: seeded.email, "user"),
        ("app.definer_auth_refresh_token_tenant", lambda seeded: seeded.token_hash, "refresh_token"),
    ],
)
async def test_no_setting_the_runtime_role_can_write_opens_a_row_without_a_tenant(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded], setting: str, value_of: Any, table: str
) -> None:
    """The old pre-tenant policies are gone, and the functions' own policy binds only the owner."""
    a, _ = tenants
    async with runtime_engine.begin() as conn:
        await set_lookup(conn, setting, value_of(a))
        assert await tenant_keys(conn, table) == []


async def test_the_runtime_role_may_not_change_the_lookup_functions(runtime_engine: AsyncEngine) -> None:
    async with runtime_engine.begin() as conn:
        replaced = "CREATE OR REPLACE FUNCTION auth_login_account(p_email text) RETURNS SETOF \"user\" LANGUAGE sql AS 'SELECT 1'"
        assert await sqlstate_of(conn, replaced) in {INSUFFICIENT_PRIVILEGE, "42P13"}


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE task DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE task NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON task",
        "CREATE POLICY everything ON task USING (true)",
    ],
)
async def test_the_runtime_role_cannot_take_the_wall_down(
    runtime_engine: AsyncEngine, statement: str
) -> None:
    async with runtime_engine.begin() as conn:
        assert await sqlstate_of(conn, statement) == INSUFFICIENT_PRIVILEGE


async def test_turning_row_security_off_is_an_error_not_a_bypass(
    runtime_engine: AsyncEngine, tenants: tuple[Seeded, Seeded]
) -> None:
    async with runtime_engine.begin() as conn:
        await conn.execute(text("SET LOCAL row_security = off"))
        assert await sqlstate_of(conn, "SELECT * FROM task") == INSUFFICIENT_PRIVILEGE
