"""The trash: deleted tasks (with their subtasks) are 404 everywhere else, listed in the
trash, restorable, and purged after the retention."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.db.database import Database
from tests.integration.factories import Account
from tests.integration.todo_api.api.test_lists import new_task
from tests.integration.todo_api.api.test_subtasks_and_order import chain
from todo_api.core.config import Settings
from todo_api.repositories.tasks import TrashPurge

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


async def test_the_purge_deletes_only_trash_older_than_the_cutoff(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine, settings: Settings
) -> None:
    old, recent = await chain(client, owner, 2), await new_task(client, owner, title="recent")
    live = await new_task(client, owner, title="live")
    for task in (old[0], recent):
        assert (await client.delete(f"{TASKS}/{task['id']}", headers=owner.headers)).status_code == 204
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": owner.tenant_id})
        await conn.execute(
            text("UPDATE task SET deleted_at = now() - interval '31 days' WHERE id = ANY(:ids)"),
            {"ids": [uuid.UUID(task["id"]) for task in old]},
        )
    database = Database(settings, application_name="trash-purge-test")
    await database.connect()
    try:
        cutoff = datetime.now(UTC) - timedelta(days=settings.trash_retention_days)
        async with database.transaction(uuid.UUID(owner.tenant_id)) as transaction:
            assert await TrashPurge(transaction).purge_trash(cutoff) >= 1
    finally:
        await database.close()
    assert await trashed_ids(client, owner) == [recent["id"]]
    assert (await client.get(f"{TASKS}/{live['id']}", headers=owner.headers)).status_code == 200
    for task in old:
        assert (await client.post(f"{TASKS}/{task['id']}/restore", headers=owner.headers)).status_code == 404
