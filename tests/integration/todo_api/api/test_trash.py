"""The trash: deleted tasks (with their subtasks) are 404 everywhere else, listed in the
trash, restorable, and purged after the retention."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.db.provision import ProvisionedDatabase
from tests.database import connected
from tests.integration.factories import Account, signup
from tests.integration.rows import execute
from tests.integration.todo_api.api.test_lists import new_task
from tests.integration.todo_api.api.test_subtasks_and_order import chain
from tests.integration.todo_api.purging import age, purge_batch
from todo_api.core.config import PurgeJobSettings, Settings
from todo_api.purge import run

TASKS = "/api/v1/tasks"
TRASH = "/api/v1/trash/tasks"


async def trashed_ids(client: httpx.AsyncClient, account: Account) -> list[str]:
    response = await client.get(TRASH, params={"size": 100}, headers=account.headers)
    assert response.status_code == 200, response.text
    return [task["id"] for task in response.json()["items"]]


async def test_a_deleted_task_and_its_subtasks_are_404_everywhere_but_the_trash(
    client: httpx.AsyncClient, owner: Account
) -> None:
    tasks = await chain(client, owner, 3)
    kept = await new_task(client, owner, title="kept")
    assert (await client.delete(f"{TASKS}/{tasks[0]['id']}", headers=owner.headers)).status_code == 204
    for task in tasks:
        url = f"{TASKS}/{task['id']}"
        assert (await client.get(url, headers=owner.headers)).status_code == 404
        assert (await client.patch(url, json={"title": "x"}, headers=owner.headers)).status_code == 404
        assert (await client.delete(url, headers=owner.headers)).status_code == 404
        assert (await client.post(f"{url}/move", json={}, headers=owner.headers)).status_code == 404
        child = await client.post(TASKS, json={"title": "x", "parent_id": task["id"]}, headers=owner.headers)
        assert child.status_code == 404
    listing = (await client.get(TASKS, headers=owner.headers)).json()
    assert [task["id"] for task in listing["items"]] == [kept["id"]]
    stats = (await client.get(f"{TASKS}/stats", headers=owner.headers)).json()
    assert stats["total"] == 1
    assert sorted(await trashed_ids(client, owner)) == sorted(task["id"] for task in tasks)
    trashed = (await client.get(TRASH, headers=owner.headers)).json()["items"]
    assert {task["deleted_at"] is not None for task in trashed} == {True}


async def test_restore_brings_back_the_subtasks_trashed_with_it_only(
    client: httpx.AsyncClient, owner: Account
) -> None:
    tasks = await chain(client, owner, 3)
    sibling = await new_task(client, owner, parent_id=tasks[0]["id"], title="trashed first")
    assert (await client.delete(f"{TASKS}/{sibling['id']}", headers=owner.headers)).status_code == 204
    assert (await client.delete(f"{TASKS}/{tasks[0]['id']}", headers=owner.headers)).status_code == 204
    restored = await client.post(f"{TASKS}/{tasks[0]['id']}/restore", headers=owner.headers)
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert restored.headers["etag"] == f'"{restored.json()["version"]}"'
    for task in tasks[1:]:
        back = (await client.get(f"{TASKS}/{task['id']}", headers=owner.headers)).json()
        assert back["parent_id"] == task["parent_id"]
    assert await trashed_ids(client, owner) == [sibling["id"]]
    # A second restore, or one of a live task: not in the trash.
    assert (await client.post(f"{TASKS}/{tasks[0]['id']}/restore", headers=owner.headers)).status_code == 404


async def test_a_subtask_whose_parent_is_still_trashed_comes_back_at_the_top_level(
    client: httpx.AsyncClient, owner: Account
) -> None:
    parent, child = await chain(client, owner, 2)
    assert (await client.delete(f"{TASKS}/{parent['id']}", headers=owner.headers)).status_code == 204
    restored = await client.post(f"{TASKS}/{child['id']}/restore", headers=owner.headers)
    assert restored.status_code == 200
    assert restored.json()["parent_id"] is None
    assert await trashed_ids(client, owner) == [parent["id"]]


async def test_a_restored_task_goes_last_even_if_its_place_was_taken(
    client: httpx.AsyncClient, owner: Account
) -> None:
    first = await new_task(client, owner, title="first")
    assert (await client.delete(f"{TASKS}/{first['id']}", headers=owner.headers)).status_code == 204
    newer = await new_task(client, owner, title="newer")  # the trash holds no place
    restored = (await client.post(f"{TASKS}/{first['id']}/restore", headers=owner.headers)).json()
    assert restored["position"] > newer["position"]


async def test_the_purge_deletes_only_trash_older_than_the_retention(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine, database: ProvisionedDatabase
) -> None:
    old, recent = await chain(client, owner, 2), await new_task(client, owner, title="recent")
    live = await new_task(client, owner, title="live")
    for task in (old[0], recent):
        assert (await client.delete(f"{TASKS}/{task['id']}", headers=owner.headers)).status_code == 204
    ids = ", ".join(f"'{task['id']}'" for task in old)
    assert await age(owner_engine, owner.tenant_id, "task", days=31, where=f"id IN ({ids})") == 2
    assert await purge_batch(database, "purge_trashed_tasks") == 2
    assert await trashed_ids(client, owner) == [recent["id"]]
    assert (await client.get(f"{TASKS}/{live['id']}", headers=owner.headers)).status_code == 200
    for task in old:
        assert (await client.post(f"{TASKS}/{task['id']}/restore", headers=owner.headers)).status_code == 404


async def tombstones(owner_engine: AsyncEngine, account: Account) -> dict[str, int]:
    rows = await execute(owner_engine, account.tenant_id, "SELECT task_id, change_seq FROM task_tombstone")
    return {str(task_id): seq for task_id, seq in rows}


async def change_numbers(owner_engine: AsyncEngine, account: Account) -> dict[str, int]:
    rows = await execute(owner_engine, account.tenant_id, "SELECT id, change_seq FROM task")
    return {str(task_id): seq for task_id, seq in rows}


async def test_a_purged_task_takes_its_subtasks_each_with_a_tombstone_at_its_trash_number(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine, database: ProvisionedDatabase
) -> None:
    """A batch of one is one root and every descendant: none goes by the parent key's cascade
    alone, which would leave no tombstone (a delta client would never hear it is gone)."""
    tasks = await chain(client, owner, 3)
    assert (await client.delete(f"{TASKS}/{tasks[0]['id']}", headers=owner.headers)).status_code == 204
    trashed_at = await change_numbers(owner_engine, owner)
    assert await age(owner_engine, owner.tenant_id, "task", days=31) == 3
    assert await purge_batch(database, "purge_trashed_tasks", batch=1) == 3
    assert await tombstones(owner_engine, owner) == trashed_at
    assert await purge_batch(database, "purge_trashed_tasks", batch=1) == 0


async def test_a_subtask_trashed_before_its_parent_goes_on_its_own_time(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine, database: ProvisionedDatabase
) -> None:
    parent, child = await chain(client, owner, 2)
    assert (await client.delete(f"{TASKS}/{child['id']}", headers=owner.headers)).status_code == 204
    assert await age(owner_engine, owner.tenant_id, "task", days=31) == 1
    assert (await client.delete(f"{TASKS}/{parent['id']}", headers=owner.headers)).status_code == 204
    assert await purge_batch(database, "purge_trashed_tasks") == 1
    assert await trashed_ids(client, owner) == [parent["id"]]
    assert list(await tombstones(owner_engine, owner)) == [child["id"]]


async def test_a_restored_task_and_recent_trash_stay_and_the_retention_has_a_floor(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine, database: ProvisionedDatabase
) -> None:
    """Whoever calls the function cannot shorten the retention below a day."""
    restored, recent = await new_task(client, owner, title="restored"), await new_task(client, owner)
    for task in (restored, recent):
        assert (await client.delete(f"{TASKS}/{task['id']}", headers=owner.headers)).status_code == 204
    assert await age(owner_engine, owner.tenant_id, "task", days=31, where=f"id = '{restored['id']}'") == 1
    assert (await client.post(f"{TASKS}/{restored['id']}/restore", headers=owner.headers)).status_code == 200
    assert await purge_batch(database, "purge_trashed_tasks", retention=timedelta(0)) == 0
    assert await age(owner_engine, owner.tenant_id, "task", days=2, where=f"id = '{recent['id']}'") == 1
    assert await purge_batch(database, "purge_trashed_tasks", retention=timedelta(0)) == 1
    assert (await client.get(f"{TASKS}/{restored['id']}", headers=owner.headers)).status_code == 200


async def test_the_scheduled_job_purges_every_tenants_old_trash_then_its_tombstones(
    client: httpx.AsyncClient,
    owner: Account,
    owner_engine: AsyncEngine,
    database: ProvisionedDatabase,
    settings: Settings,
) -> None:
    stranger = await signup(client, "globex", signed_by=settings)
    job = PurgeJobSettings(database_url=database.app_url, tracing_enabled=False)
    for who in (owner, stranger):
        task = await new_task(client, who)
        assert (await client.delete(f"{TASKS}/{task['id']}", headers=who.headers)).status_code == 204
        assert await age(owner_engine, who.tenant_id, "task", days=31) == 1
    first = await run(job)
    assert (first["trashed_tasks"], first["tombstones"]) == (2, 0)
    for who in (owner, stranger):
        assert len(await tombstones(owner_engine, who)) == 1
        assert await age(owner_engine, who.tenant_id, "task_tombstone", days=31) == 1
    second = await run(job)
    assert (second["trashed_tasks"], second["tombstones"]) == (0, 2)
    for who in (owner, stranger):
        [(purged_seq,)] = await execute(owner_engine, who.tenant_id, "SELECT purged_seq FROM sync_state")
        assert purged_seq > 0


async def test_the_runtime_role_cannot_use_the_purges_policies_itself(
    owner: Account, owner_engine: AsyncEngine, database: ProvisionedDatabase
) -> None:
    """The purge's policies bind the owner only: with their setting on and no tenant entered,
    the runtime role still cannot write a tombstone or move a counter's watermark."""
    async with connected(database.app_url) as connection, connection.transaction():
        await connection.execute("SELECT set_config('app.definer_purge_trashed_tasks', 'on', true)")
        await connection.execute("SELECT set_config('app.definer_purge_expired_tombstones', 'on', true)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute(
                "INSERT INTO task_tombstone (tenant_id, owner_id, task_id, change_seq) VALUES ($1, $2, $3, 1)",
                uuid.UUID(owner.tenant_id),
                uuid.UUID(owner.user_id),
                uuid.uuid4(),
            )
    async with connected(database.app_url) as connection, connection.transaction():
        await connection.execute("SELECT set_config('app.definer_purge_expired_tombstones', 'on', true)")
        assert await connection.execute("UPDATE sync_state SET purged_seq = 99") == "UPDATE 0"
    [(purged_seq,)] = await execute(
        owner_engine, owner.tenant_id, "SELECT coalesce(max(purged_seq), 0) FROM sync_state"
    )
    assert purged_seq == 0
