"""GET /api/v1/tasks/delta: a full sync, then only what changed, through every write path;
cursors that are forged, another user's, or too old are refused and never answered."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.db.provision import ProvisionedDatabase
from tests.integration.factories import Account, add_member, signup
from tests.integration.rows import execute
from tests.integration.todo_api.purging import age, purge_batch
from todo_api.core.config import Settings
from todo_api.core.delta_cursor import DeltaCursor, DeltaCursorCodec
from todo_api.core.runtime import Credentials

TASKS = "/api/v1/tasks"
DELTA = "/api/v1/tasks/delta"

Delta = dict[str, Any]


async def delta(
    client: httpx.AsyncClient, who: Account, cursor: str | None = None, size: int | None = None
) -> Delta:
    params: dict[str, str | int] = {} if cursor is None else {"cursor": cursor}
    if size is not None:
        params["size"] = size
    response = await client.get(DELTA, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    body: Delta = response.json()
    return body


async def create(client: httpx.AsyncClient, who: Account, title: str = "A task", **fields: Any) -> Delta:
    response = await client.post(TASKS, json={"title": title, **fields}, headers=who.headers)
    assert response.status_code == 201, response.text
    task: Delta = response.json()
    return task


async def counter(owner_engine: AsyncEngine, who: Account) -> int:
    """The owner's change counter as stored (0 before the first change)."""
    rows = await execute(
        owner_engine,
        who.tenant_id,
        "SELECT coalesce(max(version), 0) FROM sync_state WHERE owner_id = :o",
        o=who.user_id,
    )
    return int(rows[0][0])


def codec_of(settings: Settings) -> DeltaCursorCodec:
    return DeltaCursorCodec(Credentials.from_settings(settings).codec.keyring)


async def test_full_sync_then_creates_updates_and_deletes(client: httpx.AsyncClient, owner: Account) -> None:
    first, second = await create(client, owner, "one"), await create(client, owner, "two")
    full = await delta(client, owner)
    assert [task["id"] for task in full["items"]] == [first["id"], second["id"]]
    assert (full["deleted"], full["has_more"]) == ([], False)
    assert full["items"][0] == first  # the task exactly as the API shows it

    unchanged = await delta(client, owner, full["next_cursor"])
    assert (unchanged["items"], unchanged["deleted"], unchanged["has_more"]) == ([], [], False)

    third = await create(client, owner, "three")
    patched = await client.patch(
        f"{TASKS}/{first['id']}", json={"title": "one, renamed"}, headers=owner.headers
    )
    deleted = await client.delete(f"{TASKS}/{second['id']}", headers=owner.headers)
    assert (patched.status_code, deleted.status_code) == (200, 204)

    changes = await delta(client, owner, unchanged["next_cursor"])
    assert [task["id"] for task in changes["items"]] == [third["id"], first["id"]]  # in the order of change
    assert changes["items"][1]["title"] == "one, renamed"
    assert changes["deleted"] == [second["id"]]
    assert changes["has_more"] is False
    # A fresh sync sees only what lives.
    assert {task["id"] for task in (await delta(client, owner))["items"]} == {first["id"], third["id"]}


async def test_pages_with_has_more_until_done(client: httpx.AsyncClient, owner: Account) -> None:
    created = [(await create(client, owner, f"task {i}"))["id"] for i in range(7)]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await delta(client, owner, cursor, size=3)
        pages += 1
        assert len(page["items"]) <= 3
        seen += [task["id"] for task in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert (seen, pages) == (created, 3)
    for victim in created[:4]:
        assert (await client.delete(f"{TASKS}/{victim}", headers=owner.headers)).status_code == 204
    page = await delta(client, owner, cursor, size=3)
    assert (page["deleted"], page["has_more"]) == (created[:3], True)
    page = await delta(client, owner, page["next_cursor"], size=3)
    assert (page["deleted"], page["has_more"]) == (created[3:4], False)


async def test_delta_is_not_taken_for_a_task_id(client: httpx.AsyncClient, owner: Account) -> None:
    """``/tasks/delta`` is its own route: ``/tasks/{task_id}`` takes only UUIDs."""
    response = await client.get(DELTA, headers=owner.headers)
    assert response.status_code == 200
    assert set(response.json()) == {"items", "deleted", "next_cursor", "has_more"}


@pytest.mark.parametrize("size", ["0", "501", "-1", "ten"])
async def test_size_out_of_bounds_is_422(client: httpx.AsyncClient, owner: Account, size: str) -> None:
    response = await client.get(DELTA, params={"size": size}, headers=owner.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == {"parameter": "size"}


async def test_size_bounds_are_accepted(client: httpx.AsyncClient, owner: Account) -> None:
    await create(client, owner)
    assert len((await delta(client, owner, size=1))["items"]) == 1
    assert len((await delta(client, owner, size=500))["items"]) == 1


def _flip(cursor: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


async def test_tampered_and_forged_cursors_are_400(
    client: httpx.AsyncClient, owner: Account, settings: Settings
) -> None:
    await create(client, owner)
    cursor = (await delta(client, owner))["next_cursor"]
    raw_length = len(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    # Every byte: the format, the tenant, the owner, the position, the issue time, the tag.
    forged = [_flip(cursor, index) for index in range(raw_length)]
    # Well formed, but signed by another deployment (another SECRET_KEY).
    elsewhere = settings.model_copy(update={"secret_key": SecretStr("another-deployment-" * 3)})
    other_key = codec_of(elsewhere).encode(
        DeltaCursor(
            uuid.UUID(owner.tenant_id), uuid.UUID(owner.user_id), 0, uuid.UUID(int=0), datetime.now(UTC)
        )
    )
    for bad in [*forged, other_key, cursor[:-4], cursor + "AAAA", "A", "not_a_cursor"]:
        response = await client.get(DELTA, params={"cursor": bad}, headers=owner.headers)
        assert response.status_code == 400, bad
        error = response.json()["errors"][0]
        assert (error["code"], error["source"]) == ("invalid_cursor", {"parameter": "cursor"})
    assert (await client.get(DELTA, params={"cursor": cursor}, headers=owner.headers)).status_code == 200


async def test_another_users_cursor_is_refused_and_shows_nothing(
    client: httpx.AsyncClient, owner: Account, settings: Settings
) -> None:
    colleague = await add_member(client, owner, "bob", signed_by=settings)
    stranger = await signup(client, "globex", signed_by=settings)
    await create(client, owner, "private")
    for other in (colleague, stranger):
        await create(client, other, "theirs")
        cursor = (await delta(client, other))["next_cursor"]
        response = await client.get(DELTA, params={"cursor": cursor}, headers=owner.headers)
        assert response.status_code == 400
        assert "theirs" not in response.text
        assert "private" not in response.text
        # And the other way round: the owner's cursor is nothing to them.
        mine = (await delta(client, owner))["next_cursor"]
        assert (await client.get(DELTA, params={"cursor": mine}, headers=other.headers)).status_code == 400
        # Their own full sync holds only their own task.
        assert [task["title"] for task in (await delta(client, other))["items"]] == ["theirs"]


async def test_a_cursor_older_than_the_retention_is_410(
    client: httpx.AsyncClient, owner: Account, settings: Settings
) -> None:
    await create(client, owner)
    codec = codec_of(settings)
    retention = timedelta(days=settings.delta_tombstone_retention_days)

    def issued(age: timedelta) -> str:
        return codec.encode(
            DeltaCursor(
                uuid.UUID(owner.tenant_id),
                uuid.UUID(owner.user_id),
                0,
                uuid.UUID(int=0),
                datetime.now(UTC) - age,
            )
        )

    expired = await client.get(
        DELTA, params={"cursor": issued(retention + timedelta(minutes=1))}, headers=owner.headers
    )
    assert expired.status_code == 410
    assert expired.json()["errors"][0]["code"] == "cursor_expired"
    fresh = await client.get(
        DELTA, params={"cursor": issued(retention - timedelta(minutes=1))}, headers=owner.headers
    )
    assert fresh.status_code == 200
    assert len(fresh.json()["items"]) == 1


async def purge_the_trash(owner_engine: AsyncEngine, database: ProvisionedDatabase, *tenants: str) -> None:
    """What the scheduled purge does to trashed tasks past their retention (here: all of
    them, aged past it): delete them, leaving the tombstones delta sync reports from then on."""
    for tenant in tenants:
        await age(owner_engine, tenant, "task", days=31)
    while await purge_batch(database, "purge_trashed_tasks"):
        pass


async def test_a_cursor_behind_a_purged_tombstone_is_410(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine, database: ProvisionedDatabase
) -> None:
    old, kept = await create(client, owner, "old"), await create(client, owner, "kept")
    before_deletions = (await delta(client, owner))["next_cursor"]
    assert (await client.delete(f"{TASKS}/{old['id']}", headers=owner.headers)).status_code == 204
    between = (await delta(client, owner, before_deletions))["next_cursor"]
    assert (await client.delete(f"{TASKS}/{kept['id']}", headers=owner.headers)).status_code == 204
    await purge_the_trash(owner_engine, database, owner.tenant_id)
    # The purge reported nothing new: both deletions were reported when they were trashed.
    assert (await delta(client, owner, between))["deleted"] == [kept["id"]]
    assert (
        await age(owner_engine, owner.tenant_id, "task_tombstone", days=40, where=f"task_id = '{old['id']}'")
        == 1
    )
    assert await purge_batch(database, "purge_expired_tombstones") == 1

    expired = await client.get(DELTA, params={"cursor": before_deletions}, headers=owner.headers)
    assert expired.status_code == 410
    # A cursor past the purged deletion still learns of the kept one.
    assert (await delta(client, owner, between))["deleted"] == [kept["id"]]


async def test_tombstones_are_purged_in_batches_for_every_tenant(
    client: httpx.AsyncClient,
    owner: Account,
    owner_engine: AsyncEngine,
    database: ProvisionedDatabase,
    settings: Settings,
) -> None:
    stranger = await signup(client, "globex", signed_by=settings)
    made = [(who, await create(client, who)) for who in (owner, owner, owner, stranger)]
    before = (await delta(client, stranger))["next_cursor"]
    for who, task in made:
        assert (await client.delete(f"{TASKS}/{task['id']}", headers=who.headers)).status_code == 204
    await purge_the_trash(owner_engine, database, owner.tenant_id, stranger.tenant_id)
    recent = await create(client, owner)
    assert (await client.delete(f"{TASKS}/{recent['id']}", headers=owner.headers)).status_code == 204
    await purge_the_trash(owner_engine, database, owner.tenant_id)
    for who in (owner, stranger):
        await age(
            owner_engine, who.tenant_id, "task_tombstone", days=40, where=f"task_id <> '{recent['id']}'"
        )
    assert [await purge_batch(database, "purge_expired_tombstones", batch=2) for _ in range(3)] == [2, 2, 0]
    left = await execute(owner_engine, owner.tenant_id, "SELECT task_id FROM task_tombstone")
    assert [str(task_id) for (task_id,) in left] == [recent["id"]]
    assert (await client.get(DELTA, params={"cursor": before}, headers=stranger.headers)).status_code == 410


# Every write route of the tasks API, and what it does to one existing task (or a new one).
Write = Callable[[httpx.AsyncClient, Account, Delta], Awaitable[tuple[list[str], list[str]]]]


async def _create(client: httpx.AsyncClient, who: Account, task: Delta) -> tuple[list[str], list[str]]:
    return [(await create(client, who, "new"))["id"]], []


async def _patch(client: httpx.AsyncClient, who: Account, task: Delta) -> tuple[list[str], list[str]]:
    response = await client.patch(f"{TASKS}/{task['id']}", json={"title": "renamed"}, headers=who.headers)
    assert response.status_code == 200
    return [task["id"]], []


async def _delete(client: httpx.AsyncClient, who: Account, task: Delta) -> tuple[list[str], list[str]]:
    assert (await client.delete(f"{TASKS}/{task['id']}", headers=who.headers)).status_code == 204
    return [], [task["id"]]


async def _move(client: httpx.AsyncClient, who: Account, task: Delta) -> tuple[list[str], list[str]]:
    sibling = await create(client, who, "sibling")  # the move puts the task after it: a new key
    response = await client.post(f"{TASKS}/{task['id']}/move", json={}, headers=who.headers)
    assert response.status_code == 200
    return [sibling["id"], task["id"]], []


async def _restore(client: httpx.AsyncClient, who: Account, task: Delta) -> tuple[list[str], list[str]]:
    response = await client.post(f"{TASKS}/{task['id']}/restore", headers=who.headers)
    assert response.status_code == 200
    return [task["id"]], []


WRITE_ROUTES: dict[tuple[str, str], Write] = {
    ("POST", "/api/v1/tasks"): _create,
    ("PATCH", "/api/v1/tasks/{task_id}"): _patch,
    ("DELETE", "/api/v1/tasks/{task_id}"): _delete,
    ("POST", "/api/v1/tasks/{task_id}/move"): _move,
    ("POST", "/api/v1/tasks/{task_id}/restore"): _restore,
}
# What a route needs done to the task first (before the cursor is taken).
SETUP: dict[tuple[str, str], Write] = {("POST", "/api/v1/tasks/{task_id}/restore"): _delete}


def test_every_write_route_of_tasks_has_a_delta_case(app: Any) -> None:
    """A new write route (move, restore, ...) fails this until it is added above (and so tested)."""
    writes = {
        (method, route.path_format.replace(":uuid", ""))
        for route in app.routes
        if isinstance(route, APIRoute) and route.path_format.startswith(TASKS)
        for method in route.methods - {"GET", "HEAD", "OPTIONS"}
    }
    assert writes == set(WRITE_ROUTES)


@pytest.mark.parametrize("route", list(WRITE_ROUTES), ids=" ".join)
async def test_each_write_route_counts_one_change_and_shows_in_delta(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine, route: tuple[str, str]
) -> None:
    task = await create(client, owner)
    if route in SETUP:
        await SETUP[route](client, owner, task)
    cursor = (await delta(client, owner))["next_cursor"]
    before = await counter(owner_engine, owner)
    changed, deleted = await WRITE_ROUTES[route](client, owner, task)
    extra = 1 if route == ("POST", "/api/v1/tasks/{task_id}/move") else 0  # the sibling it made
    assert await counter(owner_engine, owner) == before + 1 + extra
    page = await delta(client, owner, cursor)
    assert ([item["id"] for item in page["items"]], page["deleted"]) == (changed, deleted)


@pytest.mark.parametrize(
    "patch",
    [{"completed": True}, {"tags": ["Work", "home"]}, {"due_at": "2030-01-01T09:00:00Z", "priority": "high"}],
    ids=["complete", "tags", "several fields"],
)
async def test_completion_and_tag_changes_are_changes(
    client: httpx.AsyncClient, owner: Account, patch: dict[str, Any]
) -> None:
    task = await create(client, owner)
    cursor = (await delta(client, owner))["next_cursor"]
    assert (await client.patch(f"{TASKS}/{task['id']}", json=patch, headers=owner.headers)).status_code == 200
    [item] = (await delta(client, owner, cursor))["items"]
    assert item["version"] == 2
    assert item["completed"] is patch.get("completed", False)


async def test_no_op_patches_and_idempotent_replays_count_no_change(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    keyed = {**owner.headers, "Idempotency-Key": "once"}
    task = (await client.post(TASKS, json={"title": "Same", "tags": ["a"]}, headers=keyed)).json()
    cursor = (await delta(client, owner))["next_cursor"]
    before = await counter(owner_engine, owner)

    replay = await client.post(TASKS, json={"title": "Same", "tags": ["a"]}, headers=keyed)
    assert replay.headers["idempotent-replayed"] == "true"
    for no_op in ({}, {"title": "Same"}, {"tags": ["A"]}):
        assert (
            await client.patch(f"{TASKS}/{task['id']}", json=no_op, headers=owner.headers)
        ).status_code == 200
    # Refused writes change nothing either.
    stale = await client.patch(
        f"{TASKS}/{task['id']}", json={"title": "x"}, headers={**owner.headers, "If-Match": '"9"'}
    )
    assert stale.status_code == 412

    assert await counter(owner_engine, owner) == before
    page = await delta(client, owner, cursor)
    assert (page["items"], page["deleted"]) == ([], [])
