"""The word-prefix search uses the GIN index of ``task.search_vector``, not a scan of the
table, for one user who owns 50,000 tasks (the GIN index cannot lead with the owner; the
owner's predicate is checked on the rows the index finds)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.db.provision import ProvisionedDatabase
from tests.integration.todo_api.repositories.test_task_query_plans import _explain, _nodes
from todo_api.repositories.tasks import count_statement, filter_values, page_statement
from todo_api.schemas.task import SortKey, TaskFilter

TASKS = 50_000
TOPICS = 5_000  # each topic word is in 10 titles


@pytest.fixture
async def busy_owner(owner_engine: AsyncEngine, clean_database: None) -> tuple[uuid.UUID, uuid.UUID]:
    tenant_id = uuid.uuid4()
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        await conn.execute(
            text("INSERT INTO tenant (id, slug, name) VALUES (:id, 'busy', 'Busy')"), {"id": tenant_id}
        )
        owner = (
            await conn.execute(
                text(
                    'INSERT INTO "user" (tenant_id, email, hashed_password, full_name) '
                    "VALUES (:tid, 'busy@busy.example.com', 'x', '') RETURNING id"
                ),
                {"tid": tenant_id},
            )
        ).scalar_one()
        inbox = (
            await conn.execute(
                text(
                    "INSERT INTO task_list (tenant_id, owner_id, name, position, is_default) "
                    "VALUES (:tid, :owner, 'Inbox', 'a0', true) RETURNING id"
                ),
                {"tid": tenant_id, "owner": owner},
            )
        ).scalar_one()
        await conn.execute(
            text(
                "INSERT INTO task (tenant_id, owner_id, list_id, position, title, description, created_at) "
                "SELECT :tid, :owner, :inbox, 'a0' || lpad(g::text, 6, '0') || 'V', "
                "'task ' || g || ' topic' || (g % :topics), 'note ' || md5(g::text), "
                "now() - g * interval '1 second' FROM generate_series(1, :n) g"
            ),
            {"tid": tenant_id, "owner": owner, "inbox": inbox, "n": TASKS, "topics": TOPICS},
        )
        await conn.execute(text("ANALYZE task"))
    return tenant_id, owner


@pytest.mark.parametrize("words", [("topic1234",), ("topic77", "note"), ("TOPIC4999", "task")])
async def test_a_search_reads_the_gin_index_never_the_table(
    database: ProvisionedDatabase, busy_owner: tuple[uuid.UUID, uuid.UUID], words: tuple[str, ...]
) -> None:
    tenant_id, owner_id = busy_owner
    shape, values = filter_values(TaskFilter(search=words))
    sort = (SortKey("created_at", True),)
    page = await _explain(
        database, tenant_id, page_statement(shape, sort), owner_id=owner_id, limit=20, offset=0, **values
    )
    count = await _explain(database, tenant_id, count_statement(shape), owner_id=owner_id, **values)
    for plan in (page, count):
        scans = {
            (node["Node Type"], node.get("Index Name"))
            for node in _nodes(plan[0]["Plan"])
            if "Scan" in str(node["Node Type"])
        }
        assert not [scan for scan in scans if scan[0] == "Seq Scan"], scans
        assert ("Bitmap Index Scan", "ix_task_search_vector") in scans, scans
