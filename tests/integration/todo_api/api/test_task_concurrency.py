"""Nothing is lost or doubled when requests race against real PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx

from tests.integration.factories import Account

TASKS = "/api/v1/tasks"


async def test_only_one_of_20_patches_with_the_same_if_match_wins(
    client: httpx.AsyncClient, owner: Account
) -> None:
    created = await client.post(TASKS, json={"title": "Contended"}, headers=owner.headers)
    url, etag = created.headers["location"], created.headers["etag"]
    responses = await asyncio.gather(
        *[
            client.patch(url, json={"title": f"writer {i}"}, headers={**owner.headers, "If-Match": etag})
            for i in range(20)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 19
    final = (await client.get(url, headers=owner.headers)).json()
    assert final["version"] == 2


async def test_20_creates_with_one_idempotency_key_make_one_task(
    client: httpx.AsyncClient, owner: Account
) -> None:
    headers = {**owner.headers, "Idempotency-Key": "burst"}
    responses = await asyncio.gather(
        *[client.post(TASKS, json={"title": "Exactly once"}, headers=headers) for _ in range(20)]
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert (await client.get(TASKS, headers=owner.headers)).json()["total"] == 1


async def test_200_concurrent_creates_leave_exactly_200_tasks(
    client: httpx.AsyncClient, owner: Account
) -> None:
    responses = await asyncio.gather(
        *[client.post(TASKS, json={"title": f"Task {i}"}, headers=owner.headers) for i in range(200)]
    )
    assert {r.status_code for r in responses} == {201}
    listing = (await client.get(TASKS, params={"size": 100}, headers=owner.headers)).json()
    assert listing["total"] == 200
    assert listing["pages"] == 2
