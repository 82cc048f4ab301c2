"""The list query, its count and the quota check's count use indexes, not sequential scans, at
realistic volume."""

from __future__ import annotations

import json
import uuid

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.statements import Statement
from todo_api.repositories.sync import changes_statement
from todo_api.repositories.tasks import count_statement, filter_values, page_statement
from todo_api.schemas.task import SortKey, TaskFilter

# 50,000 tasks over 1,000 users in 200 tenants, plus one busy user with 1,000 more: with
# tenant_id and owner_id taken as independent, the planner would expect 0.25 of that user's rows.
TENANTS, USERS_PER_TENANT, TASKS_PER_USER, BUSY_USER_TASKS = 200, 5, 50, 1_000
_INSERT_LISTS = (
    "INSERT INTO task_list (tenant_id, owner_id, name, position, is_default) "
    "SELECT tenant_id, id, 'Inbox', 'a0', true FROM \"user\" WHERE tenant_id = :tid"
)
# Positions: any distinct keys (the plans do not depend on their values).
_INSERT_TASKS = (
    "INSERT INTO task (tenant_id, owner_id, list_id, position, title, description, due_at, priority, created_at) "
    "SELECT u.tenant_id, u.id, l.id, gen_random_uuid()::text, 'task ' || g, '', now() + g * interval '1 hour', "
    "(ARRAY['low','normal','high','urgent'])[1 + g % 4]::task_priority, "
    "now() - g * interval '1 minute' "
    'FROM "user" u JOIN task_list l ON l.owner_id = u.id CROSS JOIN generate_series(1, :n) g '
    "WHERE u.tenant_id = :tid"
)


@pytest.fixture
async def seeded(
    database: ProvisionedDatabase, owner_engine: AsyncEngine, clean_database: None
) -> tuple[uuid.UUID, uuid.UUID]:
    """Tenants, users and tasks bulk-inserted as the owner, one tenant at a time (RLS is forced),
    then vacuumed, as autovacuum leaves a table at rest (index-only scans need its visibility map)."""
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
            await conn.execute(text(_INSERT_LISTS), {"tid": tenant_id})
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
    connection = await asyncpg.connect(database.owner_url)
    try:
        await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()
    return chosen


async def _explain(
    database: ProvisionedDatabase, tenant_id: uuid.UUID, statement: Statement, **values: object
) -> list[str]:
    """EXPLAIN (FORMAT JSON) of a repository statement, run as the runtime role in the tenant,
    so the RLS policies are part of the plan."""
    connection = await asyncpg.connect(database.app_url)
    try:
        async with connection.transaction():
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
            args = statement.args({"tenant_id": tenant_id, **values})
            return json.loads(await connection.fetchval(f"EXPLAIN (FORMAT JSON) {statement.sql}", *args))
    finally:
        await connection.close()


def _nodes(plan: dict[str, object]) -> list[dict[str, object]]:
    found = [plan]
    for child in plan.get("Plans", []):  # type: ignore[union-attr]
        found += _nodes(child)
    return found


@pytest.mark.parametrize(
    "sort", [(SortKey("created_at", True),), (SortKey("due_at", True),), (SortKey("due_at", False),)]
)
async def test_listing_one_users_tasks_never_scans_the_table(
    database: ProvisionedDatabase, seeded: tuple[uuid.UUID, uuid.UUID], sort: tuple[SortKey, ...]
) -> None:
    tenant_id, owner_id = seeded
    shape, _ = filter_values(TaskFilter())
    page = await _explain(
        database, tenant_id, page_statement(shape, sort), owner_id=owner_id, limit=20, offset=0
    )
    count = await _explain(database, tenant_id, count_statement(shape), owner_id=owner_id)
    plans = {"page": page, "count": count}
    scans = {
        name: {
            (node["Node Type"], node.get("Index Name"))
            for node in _nodes(plan[0]["Plan"])
            if "Scan" in str(node["Node Type"])
        }
        for name, plan in plans.items()
    }
    for found in scans.values():
        assert not [scan for scan in found if scan[0] == "Seq Scan"], found
    # The live tasks' index in the requested order; the count reads only an index (no heap
    # page per task, which on a large table is a random read each).
    assert [scan for scan in scans["page"] if str(scan[1]).startswith("ix_task_live_")], scans
    assert {kind for kind, _ in scans["count"]} == {"Index Only Scan"}, scans


async def test_the_planner_expects_as_many_rows_as_the_user_owns(
    database: ProvisionedDatabase, seeded: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """Every task query filters on tenant_id and owner_id. Taken as independent, their
    selectivities multiply to a few rows for a user who owns a thousand, and the planner then
    sorts all of them for a page of 20 (seen on the benchmark's million rows). The extended
    statistics of migration ``48ab34ea67c5`` tell it that the owner determines the tenant."""
    tenant_id, owner_id = seeded
    plan = await _explain(database, tenant_id, count_statement(()), owner_id=owner_id)
    scan = next(node for node in _nodes(plan[0]["Plan"]) if "Scan" in str(node["Node Type"]))
    owned = BUSY_USER_TASKS + TASKS_PER_USER
    assert scan["Plan Rows"] >= owned / 2, plan


async def test_the_planner_expects_a_list_to_hold_what_its_owner_put_in_it(
    database: ProvisionedDatabase, seeded: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """A list's page filters on tenant, owner and list: taken as independent, they multiply to
    about one row, and the planner sorts the whole list for a page of 20 instead of walking
    the position index (seen on the benchmark's million rows). The extended statistics of
    migration ``4d8e2a6c9b17`` tell it that the list determines the owner and the tenant."""
    tenant_id, owner_id = seeded
    list_id = await _default_list(database, tenant_id, owner_id)
    shape, _ = filter_values(TaskFilter(list_id=list_id))
    plan = await _explain(database, tenant_id, count_statement(shape), owner_id=owner_id, list_id=list_id)
    scan = next(node for node in _nodes(plan[0]["Plan"]) if "Scan" in str(node["Node Type"]))
    owned = BUSY_USER_TASKS + TASKS_PER_USER
    assert scan["Plan Rows"] >= owned / 2, plan


async def _default_list(
    database: ProvisionedDatabase, tenant_id: uuid.UUID, owner_id: uuid.UUID
) -> uuid.UUID:
    connection = await asyncpg.connect(database.app_url)
    try:
        async with connection.transaction():
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
            list_id: uuid.UUID = await connection.fetchval(
                "SELECT id FROM task_list WHERE owner_id = $1", owner_id
            )
            return list_id
    finally:
        await connection.close()


async def test_a_delta_page_reads_the_change_indexes_not_the_tables(
    database: ProvisionedDatabase,
    owner_engine: AsyncEngine,
    seeded: tuple[uuid.UUID, uuid.UUID],
) -> None:
    """Changes after a position, tasks and tombstones alike: a range of each change index."""
    tenant_id, owner_id = seeded
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        await conn.execute(
            text(
                "UPDATE task SET change_seq = numbered.seq FROM (SELECT id, row_number() OVER (ORDER BY id)"
                " AS seq FROM task WHERE owner_id = :owner) AS numbered WHERE task.id = numbered.id"
            ),
            {"owner": owner_id},
        )
        await conn.execute(
            text(
                "INSERT INTO task_tombstone (tenant_id, owner_id, task_id, change_seq)"
                " SELECT :tid, :owner, gen_random_uuid(), 2000 + g FROM generate_series(1, 5000) g"
            ),
            {"tid": tenant_id, "owner": owner_id},
        )
        await conn.execute(text("ANALYZE task, task_tombstone"))
    plan = await _explain(
        database,
        tenant_id,
        changes_statement(True),
        owner_id=owner_id,
        after_seq=500,
        after_id=uuid.UUID(int=0),
        limit=101,
    )
    scans = {
        (node["Node Type"], node.get("Index Name"))
        for node in _nodes(plan[0]["Plan"])
        if "Scan" in str(node["Node Type"]) and node.get("Relation Name")
    }
    assert not [scan for scan in scans if scan[0] == "Seq Scan"], scans
    indexes = {name for _, name in scans}
    assert {
        "ix_task_tenant_id_owner_id_change_seq",
        "ix_task_tombstone_tenant_id_owner_id_change_seq",
    } <= indexes


async def test_a_list_page_in_manual_order_reads_the_lists_position_index(
    database: ProvisionedDatabase, seeded: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """``GET /tasks?list_id=`` sorts by position by default: the live tasks' position index
    finds the list's rows in order."""
    tenant_id, owner_id = seeded
    list_id = await _default_list(database, tenant_id, owner_id)
    shape, _ = filter_values(TaskFilter(list_id=list_id))
    plan = await _explain(
        database,
        tenant_id,
        page_statement(shape, (SortKey("position", False),)),
        owner_id=owner_id,
        list_id=list_id,
        limit=20,
        offset=0,
    )
    nodes = _nodes(plan[0]["Plan"])
    assert not [node for node in nodes if node["Node Type"] == "Seq Scan"], nodes
    used = {(node["Node Type"], node.get("Index Name")) for node in nodes if node.get("Index Name")}
    # The page in the list's order, and its count from the index alone.
    assert used == {("Index Scan", "ix_task_live_position"), ("Index Only Scan", "ix_task_live_position")}, (
        used
    )
