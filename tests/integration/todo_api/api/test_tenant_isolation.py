"""Two tenants, each with an owner, an admin and a member: nobody reaches across.

Owners and admins asking for another tenant's user get the same 404 as for an id that
exists nowhere; members are refused admin routes (403) before any lookup, whatever the id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class Belongings:
    """A user's own list, a live task in it, and a task in their trash."""

    list_id: str
    task_id: str
    trashed_id: str


async def belongings(client: httpx.AsyncClient, account: Account) -> Belongings:
    created = await client.post("/api/v1/lists", json={"name": "Mine"}, headers=account.headers)
    list_id = created.json()["id"]
    ids = []
    for _ in range(2):
        task = await client.post(
            "/api/v1/tasks", json={"title": "t", "list_id": list_id}, headers=account.headers
        )
        ids.append(task.json()["id"])
    assert (await client.delete(f"/api/v1/tasks/{ids[1]}", headers=account.headers)).status_code == 204
    return Belongings(list_id, ids[0], ids[1])


def list_and_task_requests(
    mine: Belongings, theirs: Belongings
) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every way a list, task or trash id of someone else can be named, from ``mine``."""
    return [
        ("GET", f"/api/v1/lists/{theirs.list_id}", None),
        ("PATCH", f"/api/v1/lists/{theirs.list_id}", {"name": "Mallory"}),
        ("DELETE", f"/api/v1/lists/{theirs.list_id}?tasks=delete", None),
        ("DELETE", f"/api/v1/lists/{mine.list_id}?move_to={theirs.list_id}", None),
        ("GET", f"/api/v1/tasks?list_id={theirs.list_id}", None),
        ("GET", f"/api/v1/tasks?parent_id={theirs.task_id}", None),
        ("POST", "/api/v1/tasks", {"title": "t", "list_id": theirs.list_id}),
        ("POST", "/api/v1/tasks", {"title": "t", "parent_id": theirs.task_id}),
        ("POST", f"/api/v1/tasks/{theirs.task_id}/move", {}),
        ("POST", f"/api/v1/tasks/{mine.task_id}/move", {"list_id": theirs.list_id}),
        ("POST", f"/api/v1/tasks/{mine.task_id}/move", {"parent_id": theirs.task_id}),
        ("POST", f"/api/v1/tasks/{mine.task_id}/move", {"after_id": theirs.task_id}),
        ("POST", f"/api/v1/tasks/{mine.task_id}/move", {"before_id": theirs.task_id}),
        ("POST", f"/api/v1/tasks/{theirs.trashed_id}/restore", None),
        ("POST", f"/api/v1/tasks/{theirs.task_id}/restore", None),
    ]


async def snapshot(client: httpx.AsyncClient, account: Account) -> tuple[Any, ...]:
    lists = await client.get("/api/v1/lists", params={"size": 100}, headers=account.headers)
    tasks = await client.get("/api/v1/tasks", params={"size": 100}, headers=account.headers)
    trash = await client.get("/api/v1/trash/tasks", params={"size": 100}, headers=account.headers)
    return lists.json(), tasks.json(), trash.json()


async def test_lists_tasks_and_trash_of_other_users_and_tenants_are_404(
    client: httpx.AsyncClient, crews: tuple[Crew, Crew]
) -> None:
    """Owners, admins and members alike: another user's list or task, in the same tenant or
    another, is 404 by every route that names it, and nothing changes on either side."""
    acme, globex = crews
    owned = {account.user_id: await belongings(client, account) for crew in crews for account in crew}
    before = {account.user_id: await snapshot(client, account) for crew in crews for account in crew}
    observed: dict[tuple[str, str, str, str], int] = {}
    for actor in (acme.owner, acme.member, globex.admin):
        for target in (acme.owner, acme.admin, globex.member):
            if target == actor:
                continue
            for method, url, body in list_and_task_requests(owned[actor.user_id], owned[target.user_id]):
                response = await client.request(method, url, json=body, headers=actor.headers)
                observed[(actor.label, target.label, method, url)] = response.status_code
    assert set(observed.values()) == {404}, {key: code for key, code in observed.items() if code != 404}
    assert {account.user_id: await snapshot(client, account) for crew in crews for account in crew} == before
    for crew in crews:
        for account in crew:
            _, tasks, trash = before[account.user_id]
            mine = owned[account.user_id]
            assert {task["id"] for task in tasks["items"]} == {mine.task_id}
            assert [task["id"] for task in trash["items"]] == [mine.trashed_id]
