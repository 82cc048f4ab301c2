"""Conditional requests on tasks (RFC 9110 13.1): If-None-Match compares weakly, If-Match
strongly, and a PATCH that changes nothing keeps the ETag every other client holds."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from tests.integration.factories import Account, signup

TASKS = "/api/v1/tasks"


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> Account:
    return await signup(client, "acme")


async def _task(client: httpx.AsyncClient, owner: Account, **fields: object) -> str:
    created = await client.post(TASKS, json={"title": "A task", **fields}, headers=owner.headers)
    assert created.headers["etag"] == '"1"'
    return f"{TASKS}/{created.json()['id']}"


@pytest.mark.parametrize(
    ("if_none_match", "status"),
    [('W/"1"', 304), ('"1"', 304), ('"7", W/"1"', 304), ("*", 304), ('W/"2"', 200), ('"2"', 200)],
)
async def test_if_none_match_compares_weakly(
    client: httpx.AsyncClient, owner: Account, if_none_match: str, status: int
) -> None:
    url = await _task(client, owner)
    response = await client.get(url, headers={**owner.headers, "If-None-Match": if_none_match})
    assert response.status_code == status
    assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize(
    ("if_match", "passes"), [('W/"1"', False), ('"7", W/"1"', False), ('"7", "1"', True), ("*", True)]
)
@pytest.mark.parametrize(("method", "done"), [("PATCH", 200), ("DELETE", 204)])
async def test_if_match_compares_strongly(
    client: httpx.AsyncClient, owner: Account, if_match: str, passes: bool, method: str, done: int
) -> None:
    url = await _task(client, owner)
    body = {"title": "v2"} if method == "PATCH" else None
    response = await client.request(method, url, json=body, headers={**owner.headers, "If-Match": if_match})
    assert response.status_code == (done if passes else 412)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": "  A task  "},  # stored stripped
        {"tags": ["Work", "work"], "priority": "high"},  # stored lower-case, once
        {"due_at": "2030-01-01T10:00:00+01:00"},  # the same instant as stored, another offset
        {"description": None},  # null clears it, and it is already empty
        {"completed": False},
        {"title": "A task", "description": "", "priority": "high", "tags": ["work"], "completed": False},
    ],
    ids=["empty", "title", "tags", "due_at", "description", "completed", "all"],
)
async def test_a_patch_that_changes_nothing_writes_nothing(
    client: httpx.AsyncClient, owner: Account, body: dict[str, object]
) -> None:
    url = await _task(client, owner, priority="high", tags=["work"], due_at="2030-01-01T09:00:00Z")
    before = (await client.get(url, headers=owner.headers)).json()
    unchanged = await client.patch(url, json=body, headers={**owner.headers, "If-Match": '"1"'})
    assert unchanged.status_code == 200
    assert unchanged.headers["etag"] == '"1"'
    assert unchanged.json() == before
    assert (await client.get(url, headers=owner.headers)).json() == before  # nothing was written
    # Another client's ETag still holds, and a real change still moves it on.
    changed = await client.patch(url, json={"title": "v2"}, headers={**owner.headers, "If-Match": '"1"'})
    assert (changed.status_code, changed.headers["etag"]) == (200, '"2"')
    assert datetime.fromisoformat(changed.json()["updated_at"]) > datetime.fromisoformat(before["updated_at"])


async def test_a_no_op_patch_still_honours_if_match(client: httpx.AsyncClient, owner: Account) -> None:
    url = await _task(client, owner)
    await client.patch(url, json={"title": "v2"}, headers=owner.headers)
    stale = await client.patch(url, json={}, headers={**owner.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["etag"] == '"2"'
