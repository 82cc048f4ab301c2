"""Date-times in bodies and filters are RFC 3339, lower-case "t" and "z" included, answered in UTC."""

from __future__ import annotations

import httpx

from tests.integration.factories import signup

TASKS = "/api/v1/tasks"


async def test_lower_case_t_and_z_in_bodies_and_filters(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    created = await client.post(
        TASKS, json={"title": "x", "due_at": "2026-12-01t17:00:00z"}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    assert created.json()["due_at"] == "2026-12-01T17:00:00Z"
    patched = await client.patch(
        f"{TASKS}/{created.json()['id']}", json={"due_at": "2026-12-02t01:00:00+01:00"}, headers=owner.headers
    )
    assert patched.json()["due_at"] == "2026-12-02T00:00:00Z"
    window = {"due_after": "2026-12-01t23:59:59z", "due_before": "2026-12-02t00:00:01z"}
    found = await client.get(TASKS, params=window, headers=owner.headers)
    assert [task["id"] for task in found.json()["items"]] == [created.json()["id"]]


async def test_what_rfc_3339_does_not_allow_is_422_in_bodies_and_filters(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    for value in ("2026-12-01 17:00:00Z", "2026-12-01T17:00Z", "2026-12-01T17:00:00+0100", "1764608400"):
        body = await client.post(TASKS, json={"title": "x", "due_at": value}, headers=owner.headers)
        assert body.status_code == 422, value
        assert body.json()["errors"][0]["source"] == {"pointer": "/due_at"}
        query = await client.get(TASKS, params={"due_before": value}, headers=owner.headers)
        assert query.status_code == 422, value
        assert query.json()["errors"][0]["source"] == {"parameter": "due_before"}
