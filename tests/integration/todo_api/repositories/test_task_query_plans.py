"""The list query and its count use indexes, not sequential scans, at realistic volume."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Select

from todo_api.core.config import Settings
from todo_api.db.provision import ProvisionedDatabase
from todo_api.repositories.tasks import TaskRepository
from todo_api.schemas.task import SortKey, TaskFilter

# 50,000 tasks over 1,000 users in 200 tenants, plus one busy user with 1,000 more: with
# tenant_id and owner_id taken as independent, the planner would expect 0.25 of that user's rows.
TENANTS, USERS_PER_TENANT, TASKS_PER_USER, BUSY_USER_TASKS = 200, 5, 50, 1_000
_INSERT_TASKS = (
    "INSERT INTO task (tenant_id, owner_id, title, description, due_at, priority, created_at) "
    "SELECT u.tenant_id, u.id, 'task ' || g, '', now() + g * interval '1 hour', "
    "(ARRAY['low','normal','high','urgent'])[1 + g % 4]::task_priority, "
    "now() - g * interval '1 minute' "
    'FROM "user" u CROSS JOIN generate_series(1, :n) g WHERE u.tenant_id = :tid'
)


@pytest.fixture
async def seeded(owner_engine: AsyncEngine, clean_database: None) -> tuple[uuid.UUID, uuid.UUID]:
    """Tenants, users and tasks bulk-inserted as the owner, one tenant at a time (RLS is forced)."""
    async with owner_engine.begin() as conn:
        for t in range(TENANTS):
            tenant_id = uuid.uuid4()
            await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
            await conn.execute(
                text("INSERT INTO tenant (id, slug, name) VALUES (:id, :slug, :slug)"),
                {"id": tenant_id, "slug": f"tenant-{t}"},
            )
            await conn.execute(
                text(
                    'INSERT INTO "user" (tenant_id, email, hashed_password, full_name) '
                    "SELECT :tid, 'u' || g || '@t' || :t || '.example.com', 'x', '' FROM generate_series(1, :n) g"
                ),
                {"tid": tenant_id, "t": str(t), "n": USERS_PER_TENANT},
            )
            await conn.execute(text(_INSERT_TASKS), {"tid": tenant_id, "n": TASKS_PER_USER})
            if t == 0:
                owner = (
                    await conn.execute(
                        text('SELECT id FROM "user" WHERE tenant_id = :tid LIMIT 1'), {"tid": tenant_id}
                    )
                ).scalar_one()
                busy = text(_INSERT_TASKS + " AND u.id = :owner")
                await conn.execute(busy, {"tid": tenant_id, "n": BUSY_USER_TASKS, "owner": owner})
                chosen = (tenant_id, owner)
        await conn.execute(text("ANALYZE"))
    return chosen


async def _plan(conn: AsyncConnection, statement: Select[object]) -> str:
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    rows = await conn.execute(text(f"EXPLAIN {compiled}"))
    return "\n".join(row[0] for row in rows)


@pytest.mark.parametrize(
    "sort", [[SortKey("created_at", True)], [SortKey("due_at", True)], [SortKey("due_at", False)]]
)
async def test_listing_one_users_tasks_never_scans_the_table(
    database: ProvisionedDatabase, seeded: tuple[uuid.UUID, uuid.UUID], sort: list[SortKey]
) -> None:
    tenant_id, owner_id = seeded
    repository = TaskRepository(None, tenant_id, owner_id)  # type: ignore[arg-type]  # statements only
    conditions = repository._conditions(TaskFilter())
    page = repository.select().where(*conditions).order_by(*repository._order(sort)).limit(20)
    count = repository.select().where(*conditions).with_only_columns(text("count(*)")).order_by(None)
    engine = create_async_engine(Settings(database_url=database.app_url).database_url)
    try:
        async with engine.begin() as conn:  # as the runtime role, so RLS policies are in the plan
            await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
            for statement in (page, count):
                plan = await _plan(conn, statement)
                assert "Seq Scan on task" not in plan, plan
                assert "ix_task_owner" in plan, plan
    finally:
        await engine.dispose()


async def test_the_planner_expects_as_many_rows_as_the_user_owns(
    database: ProvisionedDatabase, seeded: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """Every task query filters on tenant_id and owner_id. Taken as independent, their
    selectivities multiply to a few rows for a user who owns a thousand, and the planner then
    sorts all of them for a page of 20 (seen on the benchmark's million rows). The extended
    statistics of migration ``48ab34ea67c5`` tell it that the owner determines the tenant."""
    tenant_id, owner_id = seeded
    repository = TaskRepository(None, tenant_id, owner_id)  # type: ignore[arg-type]  # statements only
    statement = repository.select().compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    engine = create_async_engine(Settings(database_url=database.app_url).database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
            plan = (await conn.execute(text(f"EXPLAIN (FORMAT JSON) {statement}"))).scalar_one()
    finally:
        await engine.dispose()
    owned = BUSY_USER_TASKS + TASKS_PER_USER
    assert plan[0]["Plan"]["Plan Rows"] >= owned / 2, plan
