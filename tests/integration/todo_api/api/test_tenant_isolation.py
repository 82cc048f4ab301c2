"""Two tenants, each with an owner, an admin and a member: nobody reaches across.

Owners and admins asking for another tenant's user get the same 404 as for an id that
exists nowhere; members are refused admin routes (403) before any lookup, whatever the id.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import httpx
import pytest

from tests.integration.factories import Account, Crew, hire_crew
from todo_api.core.config import Settings

# Every route addressed by a user id, with a body that would do damage if it got through.
USER_ROUTES: list[tuple[str, dict[str, Any] | None]] = [
    ("GET", None),
    ("PATCH", {"full_name": "Mallory", "role": "member", "is_active": False}),
    ("DELETE", None),
]


@pytest.fixture
async def crews(client: httpx.AsyncClient, settings: Settings) -> tuple[Crew, Crew]:
    return (
        await hire_crew(client, "acme", signed_by=settings),
        await hire_crew(client, "globex", signed_by=settings),
    )


async def list_users(client: httpx.AsyncClient, admin: Account) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/users", params={"size": 100}, headers=admin.headers)
    assert response.status_code == 200, response.text
    users: list[dict[str, Any]] = response.json()["items"]
    return users


async def test_foreign_user_ids_are_404_to_admins_and_403_to_members(
    client: httpx.AsyncClient, crews: tuple[Crew, Crew]
) -> None:
    acme, globex = crews
    before = {crew.owner.tenant_id: await list_users(client, crew.owner) for crew in crews}
    nowhere = replace(acme.member, user_id=str(uuid.uuid4()), email="nobody@nowhere")

    observed: dict[tuple[str, str, str], int] = {}
    expected: dict[tuple[str, str, str], int] = {}
    not_found_bodies: list[Any] = []
    for home, foreign in ((acme, globex), (globex, acme)):
        for actor in home:
            for target in (*foreign, nowhere):
                for method, body in USER_ROUTES:
                    key = (actor.label, method, target.label)
                    response = await client.request(
                        method,
                        f"/api/v1/users/{target.user_id}",
                        json=body,
                        headers=actor.headers,
                    )
                    observed[key] = response.status_code
                    expected[key] = 403 if actor.role == "member" else 404
                    if response.status_code == 404:
                        not_found_bodies.append(response.json()["errors"])
    assert observed == expected
    # A foreign user is indistinguishable from one that does not exist.
    assert all(errors == not_found_bodies[0] for errors in not_found_bodies)
    # And nothing was changed or deleted on either side.
    assert {crew.owner.tenant_id: await list_users(client, crew.owner) for crew in crews} == before


async def test_the_user_list_shows_only_the_callers_tenant(
    client: httpx.AsyncClient, crews: tuple[Crew, Crew]
) -> None:
    for crew in crews:
        for admin in (crew.owner, crew.admin):
            users = await list_users(client, admin)
            assert {u["id"] for u in users} == crew.user_ids
            assert {u["tenant_id"] for u in users} == {crew.owner.tenant_id}


async def test_everyone_sees_only_their_own_tenant(
    client: httpx.AsyncClient, crews: tuple[Crew, Crew]
) -> None:
    for crew in crews:
        for account in crew:
            response = await client.get("/api/v1/tenants/current", headers=account.headers)
            assert response.status_code == 200
            assert response.json()["id"] == account.tenant_id


async def test_renaming_the_tenant_touches_only_the_callers_and_needs_an_admin(
    client: httpx.AsyncClient, crews: tuple[Crew, Crew]
) -> None:
    acme, globex = crews

    async def rename(account: Account, name: str) -> httpx.Response:
        return await client.patch("/api/v1/tenants/current", json={"name": name}, headers=account.headers)

    assert (await rename(acme.member, "Members Rule")).status_code == 403
    for admin in (acme.owner, acme.admin):
        response = await rename(admin, f"Renamed by {admin.label}")
        assert response.status_code == 200
        assert response.json()["id"] == acme.owner.tenant_id

    names: dict[str, str] = {}
    for crew in crews:
        current = await client.get("/api/v1/tenants/current", headers=crew.member.headers)
        names[crew.owner.tenant_id] = current.json()["name"]
    assert names == {acme.owner.tenant_id: "Renamed by alice@acme", globex.owner.tenant_id: "Globex"}
