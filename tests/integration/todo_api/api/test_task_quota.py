"""TASK_QUOTA_PER_USER: a user owns at most that many tasks. Beyond it, a create is 409
``task_quota_exceeded`` in the envelope; a replay of a create that succeeded earlier is still
a replay; two creates racing at the quota's last slot cannot both win."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.db.provision import ProvisionedDatabase
from tests.integration.apps import serve
from tests.integration.factories import Account, add_member
from tests.integration.rows import row_locks, wait_for_blocked_statements
from tests.integration.todo_api.purging import age, purge_batch
from todo_api.core.config import Settings

TASKS = "/api/v1/tasks"
QUOTA = 3

pytestmark = pytest.mark.parametrize("settings", [{"task_quota_per_user": QUOTA}], indirect=True)


async def create(client: httpx.AsyncClient, who: Account, title: str, **headers: str) -> httpx.Response:
    return await client.post(TASKS, json={"title": title}, headers={**who.headers, **headers})


async def fill(client: httpx.AsyncClient, who: Account, count: int) -> None:
    for n in range(count):
        assert (await create(client, who, f"task {n}")).status_code == 201


def assert_quota_refusal(response: httpx.Response) -> None:
    assert response.status_code == 409, response.text
    [error] = response.json()["errors"]
    assert (error["status"], error["code"], error["title"]) == (
        "409",
        "task_quota_exceeded",
        "Task quota exceeded",
    )
    assert str(QUOTA) in error["detail"]


async def test_below_the_quota_a_create_succeeds_and_at_it_is_refused(
    client: httpx.AsyncClient, owner: Account
) -> None:
    await fill(client, owner, QUOTA)  # the last of them fills the quota, and is a 201
    assert_quota_refusal(await create(client, owner, "one too many"))
    assert (await client.get(TASKS, headers=owner.headers)).json()["total"] == QUOTA


async def test_a_trashed_task_still_counts(client: httpx.AsyncClient, owner: Account) -> None:
    """Deleting moves a task to the trash, where it can be restored: it still takes its slot
    (the scheduled purge frees it when the trash's retention ends)."""
    await fill(client, owner, QUOTA)
    first = (await client.get(TASKS, headers=owner.headers)).json()["items"][0]
    assert (await client.delete(f"{TASKS}/{first['id']}", headers=owner.headers)).status_code == 204
    assert (await create(client, owner, "in its place")).status_code == 409


async def test_the_purge_of_the_trash_frees_the_slots_it_empties(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine, database: ProvisionedDatabase
) -> None:
    """The count the quota reads is kept by triggers on task, whoever deletes: the purge
    deletes as the table's owner, whose policies must let it write the counter row too."""
    await fill(client, owner, QUOTA)
    first = (await client.get(TASKS, headers=owner.headers)).json()["items"][0]
    assert (await client.delete(f"{TASKS}/{first['id']}", headers=owner.headers)).status_code == 204
    assert await age(owner_engine, owner.tenant_id, "task", days=31) == 1
    assert await purge_batch(database, "purge_trashed_tasks") == 1
    assert (await create(client, owner, "in its place")).status_code == 201
    assert_quota_refusal(await create(client, owner, "one too many"))


async def test_the_quota_is_each_users_own(client: httpx.AsyncClient, owner: Account) -> None:
    await fill(client, owner, QUOTA)
    colleague = await add_member(client, owner, "bob")
    assert (await create(client, colleague, "mine")).status_code == 201


async def test_a_replay_of_a_create_made_before_the_quota_filled_is_still_a_replay(
    client: httpx.AsyncClient, owner: Account
) -> None:
    first = await create(client, owner, "keyed", **{"Idempotency-Key": "before-full"})
    await fill(client, owner, QUOTA - 1)
    again = await create(client, owner, "keyed", **{"Idempotency-Key": "before-full"})
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    # A new key is a new create, and is refused.
    assert_quota_refusal(await create(client, owner, "keyed", **{"Idempotency-Key": "after-full"}))


async def test_creates_racing_for_the_last_slot_give_exactly_one_task(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine, settings: Settings
) -> None:
    """Four creates at ``QUOTA - 1``, through two apps (two processes' pools, as two replicas
    would be). The user's row is held locked meanwhile, so a create that has drawn its
    change within the quota and inserted waits there (its foreign-key check) until the
    others are under way. In each app the creates queue for the owner's turn in the process;
    across the two, one waits for the other on the owner's change counter in PostgreSQL. Without that per-owner turn in
    the database, each app's first create would have read a count of two tasks and both
    would succeed."""
    await fill(client, owner, QUOTA - 1)
    racers = 4
    async with serve(settings) as other:
        async with row_locks(
            owner_engine, owner.tenant_id, 'SELECT 1 FROM "user" WHERE id = :u FOR UPDATE', u=owner.user_id
        ):
            requests = [
                asyncio.create_task(create((client, other)[n % 2], owner, f"racer {n}"))
                for n in range(racers)
            ]
            # One create per app reaches PostgreSQL: one waits for the user's row, one for the counter.
            await wait_for_blocked_statements(owner_engine, 2)
        responses = await asyncio.gather(*requests)
    assert sorted(r.status_code for r in responses) == [201] + [409] * (racers - 1)
    for refused in (r for r in responses if r.status_code == 409):
        assert_quota_refusal(refused)
    assert (await client.get(TASKS, headers=owner.headers)).json()["total"] == QUOTA
