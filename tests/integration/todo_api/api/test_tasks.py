"""The tasks API: CRUD, conditional requests, idempotent creation, privacy."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import Account, add_member, signup
from tests.integration.rows import execute

TASKS = "/api/v1/tasks"


async def create(client: httpx.AsyncClient, account: Account, **fields: object) -> dict[str, object]:
    response = await client.post(TASKS, json={"title": "A task", **fields}, headers=account.headers)
    assert response.status_code == 201, response.text
    task: dict[str, object] = response.json()
    return task


async def test_create_returns_201_location_and_etag(client: httpx.AsyncClient, owner: Account) -> None:
    response = await client.post(
        TASKS,
        json={
            "title": "  Write report  ",
            "tags": ["Work", "work", " Q3 "],
            "due_at": "2030-01-01T09:00:00+01:00",
        },
        headers=owner.headers,
    )
    assert response.status_code == 201
    task = response.json()
    assert response.headers["location"] == f"{TASKS}/{task['id']}"
    assert response.headers["etag"] == '"1"'
    assert task["title"] == "Write report"
    assert task["tags"] == ["work", "q3"]
    assert task["priority"] == "normal"
    assert (task["completed"], task["completed_at"], task["version"]) == (False, None, 1)
    assert task["due_at"].startswith("2030-01-01T08:00:00")
    fetched = await client.get(response.headers["location"], headers=owner.headers)
    assert fetched.json() == task


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"title": "   "}, "/title"),
        ({"title": "x" * 201}, "/title"),
        ({}, "/title"),
        ({"title": "ok", "description": "x" * 10_001}, "/description"),
        ({"title": "ok", "priority": "critical"}, "/priority"),
        ({"title": "ok", "due_at": "2030-01-01T09:00:00"}, "/due_at"),
        ({"title": "ok", "tags": [f"t{i}" for i in range(21)]}, "/tags"),
        ({"title": "ok", "tags": ["x" * 51]}, "/tags/0"),
        ({"title": "ok", "tags": [""]}, "/tags/0"),
        ({"title": "nul \x00 byte"}, "/title"),
        ({"title": "ok", "description": "\x00"}, "/description"),
        ({"title": "ok", "id": "0f8fad5b-d9cb-469f-a165-70867728950e"}, "/id"),
        ({"title": "ok", "owner_id": "0f8fad5b-d9cb-469f-a165-70867728950e"}, "/owner_id"),
        ({"title": "ok", "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e"}, "/tenant_id"),
        ({"title": "ok", "version": 7}, "/version"),
        ({"title": "ok", "completed_at": "2030-01-01T09:00:00Z"}, "/completed_at"),
    ],
)
async def test_invalid_bodies_are_422_with_a_pointer(
    client: httpx.AsyncClient, owner: Account, body: dict[str, object], pointer: str
) -> None:
    response = await client.post(TASKS, json=body, headers=owner.headers)
    assert response.status_code == 422, response.text
    assert pointer in [e["source"]["pointer"] for e in response.json()["errors"]]


async def test_completing_sets_and_clears_completed_at(client: httpx.AsyncClient, owner: Account) -> None:
    task = await create(client, owner)
    done = await client.patch(f"{TASKS}/{task['id']}", json={"completed": True}, headers=owner.headers)
    assert done.status_code == 200
    assert done.json()["completed_at"] is not None
    assert done.json()["version"] == 2
    assert done.headers["etag"] == '"2"'
    undone = await client.patch(f"{TASKS}/{task['id']}", json={"completed": False}, headers=owner.headers)
    assert undone.json()["completed_at"] is None


async def test_patch_is_a_merge(client: httpx.AsyncClient, owner: Account) -> None:
    task = await create(client, owner, description="keep me", due_at="2030-01-01T00:00:00Z", tags=["a"])
    patched = await client.patch(f"{TASKS}/{task['id']}", json={"title": "Renamed"}, headers=owner.headers)
    body = patched.json()
    assert (body["title"], body["description"], body["tags"]) == ("Renamed", "keep me", ["a"])
    cleared = await client.patch(
        f"{TASKS}/{task['id']}", json={"due_at": None, "description": None}, headers=owner.headers
    )
    assert (cleared.json()["due_at"], cleared.json()["description"]) == (None, "")
    for field in ("title", "priority", "tags", "completed"):
        rejected = await client.patch(f"{TASKS}/{task['id']}", json={field: None}, headers=owner.headers)
        assert rejected.status_code == 422, field


async def test_etag_conditions(client: httpx.AsyncClient, owner: Account) -> None:
    task = await create(client, owner)
    url = f"{TASKS}/{task['id']}"
    got = await client.get(url, headers=owner.headers)
    etag = got.headers["etag"]
    not_modified = await client.get(url, headers={**owner.headers, "If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert (await client.get(url, headers={**owner.headers, "If-None-Match": '"99"'})).status_code == 200

    ok = await client.patch(url, json={"title": "v2"}, headers={**owner.headers, "If-Match": etag})
    assert ok.status_code == 200
    stale = await client.patch(url, json={"title": "v3"}, headers={**owner.headers, "If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["code"] == "precondition_failed"
    stale_delete = await client.delete(url, headers={**owner.headers, "If-Match": etag})
    assert stale_delete.status_code == 412
    deleted = await client.delete(url, headers={**owner.headers, "If-Match": ok.headers["etag"]})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=owner.headers)).status_code == 404


async def test_idempotent_create(client: httpx.AsyncClient, owner: Account) -> None:
    headers = {**owner.headers, "Idempotency-Key": "create-1"}
    first = await client.post(TASKS, json={"title": "Once"}, headers=headers)
    second = await client.post(TASKS, json={"title": "Once"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    different = await client.post(TASKS, json={"title": "Other"}, headers=headers)
    assert different.status_code == 422
    listing = (await client.get(TASKS, headers=owner.headers)).json()
    assert listing["total"] == 1


async def test_an_expired_idempotency_key_is_taken_over(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    """After its 24 hours a key is free again: a new request with it is new work, whatever its body."""
    headers = {**owner.headers, "Idempotency-Key": "daily"}
    first = await client.post(TASKS, json={"title": "Monday"}, headers=headers)
    assert first.status_code == 201, first.text
    expired = await execute(
        owner_engine,
        owner.tenant_id,
        "UPDATE idempotency_key SET expires_at = now() - interval '1 second' WHERE key = 'daily' RETURNING key",
    )
    assert len(expired) == 1
    again = await client.post(TASKS, json={"title": "Tuesday"}, headers=headers)
    assert again.status_code == 201, again.text
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]
    replay = await client.post(TASKS, json={"title": "Tuesday"}, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == again.json()


async def test_idempotency_keys_are_per_user(client: httpx.AsyncClient, owner: Account) -> None:
    """Two users of one tenant pick the same key: each gets, and replays, their own task."""
    member = await add_member(client, owner, "bob")

    async def post(account: Account) -> httpx.Response:
        body = {"title": f"Task of {account.email}"}
        return await client.post(TASKS, json=body, headers={**account.headers, "Idempotency-Key": "shared"})

    created: dict[str, object] = {}
    for account in (owner, member):
        response = await post(account)
        assert response.status_code == 201, response.text
        assert "idempotent-replayed" not in response.headers
        assert response.json()["title"] == f"Task of {account.email}"
        created[account.user_id] = response.json()
    for account in (owner, member):
        replay = await post(account)
        assert replay.status_code == 201, replay.text
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.json() == created[account.user_id]


async def test_tasks_are_private_to_their_owner(client: httpx.AsyncClient, owner: Account) -> None:
    admin = await add_member(client, owner, "alice", role="admin")
    stranger = await signup(client, "globex")
    task = await create(client, owner)
    url = f"{TASKS}/{task['id']}"
    for other in (admin, stranger):
        assert (await client.get(url, headers=other.headers)).status_code == 404
        assert (await client.patch(url, json={"title": "x"}, headers=other.headers)).status_code == 404
        assert (await client.delete(url, headers=other.headers)).status_code == 404
        assert (await client.get(TASKS, headers=other.headers)).json()["total"] == 0
    assert (await client.get(url, headers=owner.headers)).status_code == 200


async def test_routes_require_a_token(client: httpx.AsyncClient) -> None:
    for method, path in [("GET", TASKS), ("POST", TASKS), ("GET", f"{TASKS}/stats")]:
        response = await client.request(method, path)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
