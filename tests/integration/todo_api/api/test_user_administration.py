"""Inside one tenant: who may manage whom, and the rule that a tenant always keeps an owner."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.factories import Account, Crew, add_member, hire_crew
from todo_api.core.config import Settings

# The ways to take an owner's ownership away.
UNSEATINGS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "demote to admin": ("PATCH", {"role": "admin"}),
    "demote to member": ("PATCH", {"role": "member"}),
    "deactivate": ("PATCH", {"is_active": False}),
    "delete": ("DELETE", None),
}


@pytest.fixture
async def crew(client: httpx.AsyncClient, settings: Settings) -> Crew:
    return await hire_crew(client, "acme", signed_by=settings)


class Api:
    """The users API as one account or another."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(
        self, actor: Account, method: str, path: str, body: dict[str, Any] | None = None, **kw: Any
    ) -> httpx.Response:
        return await self.client.request(method, f"/api/v1{path}", json=body, headers=actor.headers, **kw)

    async def user(self, viewer: Account, target: Account) -> dict[str, Any]:
        response = await self(viewer, "GET", f"/users/{target.user_id}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)


def assert_still_an_active_owner(user: dict[str, Any]) -> None:
    assert (user["role"], user["is_active"]) == ("owner", True)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/users", None),
        ("POST", "/invitations", {"email": "eve@acme.example.com", "role": "member"}),
        ("GET", "/users/{owner}", None),
        ("PATCH", "/users/{member}", {"role": "admin"}),
        ("PATCH", "/users/{admin}", {"is_active": False}),
        ("DELETE", "/users/{admin}", None),
        ("PATCH", "/tenants/current", {"name": "Members Rule"}),
    ],
    ids=["list", "invite", "read", "promote self", "deactivate admin", "delete admin", "rename tenant"],
)
async def test_a_member_is_refused_every_admin_route(
    api: Api, crew: Crew, method: str, path: str, body: dict[str, Any] | None
) -> None:
    ids = {"owner": crew.owner.user_id, "admin": crew.admin.user_id, "member": crew.member.user_id}
    response = await api(crew.member, method, path.format(**ids), body)
    assert response.status_code == 403, response.text
    assert (await api(crew.member, "GET", "/users/me")).json()["role"] == "member"


async def test_only_an_owner_can_grant_the_owner_role(api: Api, crew: Crew) -> None:
    for target in (crew.member, crew.admin):
        response = await api(crew.admin, "PATCH", f"/users/{target.user_id}", {"role": "owner"})
        assert response.status_code == 403, target
    promoted = await api(crew.owner, "PATCH", f"/users/{crew.member.user_id}", {"role": "owner"})
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "owner"


@pytest.mark.parametrize(("method", "body"), UNSEATINGS.values(), ids=list(UNSEATINGS))
async def test_an_admin_cannot_unseat_an_owner(
    api: Api, crew: Crew, method: str, body: dict[str, Any] | None
) -> None:
    response = await api(crew.admin, method, f"/users/{crew.owner.user_id}", body)
    assert response.status_code == 403, response.text
    assert_still_an_active_owner(await api.user(crew.owner, crew.owner))


@pytest.mark.parametrize(("method", "body"), UNSEATINGS.values(), ids=list(UNSEATINGS))
async def test_the_last_active_owner_cannot_unseat_themselves(
    api: Api, crew: Crew, method: str, body: dict[str, Any] | None
) -> None:
    response = await api(crew.owner, method, f"/users/{crew.owner.user_id}", body)
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["code"] == "conflict"
    assert_still_an_active_owner(await api.user(crew.owner, crew.owner))


@pytest.mark.parametrize(("method", "body"), UNSEATINGS.values(), ids=list(UNSEATINGS))
async def test_an_owner_may_step_down_while_another_owner_is_active(
    api: Api, crew: Crew, method: str, body: dict[str, Any] | None
) -> None:
    promoted = await api(crew.owner, "PATCH", f"/users/{crew.admin.user_id}", {"role": "owner"})
    assert promoted.status_code == 200
    response = await api(crew.owner, method, f"/users/{crew.owner.user_id}", body)
    assert response.is_success, response.text


async def test_an_inactive_co_owner_does_not_count(api: Api, crew: Crew) -> None:
    co_owner = crew.admin
    assert (
        await api(crew.owner, "PATCH", f"/users/{co_owner.user_id}", {"role": "owner"})
    ).status_code == 200
    deactivated = await api(crew.owner, "PATCH", f"/users/{co_owner.user_id}", {"is_active": False})
    assert deactivated.status_code == 200
    response = await api(crew.owner, "PATCH", f"/users/{crew.owner.user_id}", {"role": "admin"})
    assert response.status_code == 409, response.text


async def test_an_admin_manages_members(api: Api, crew: Crew) -> None:
    admin = crew.admin
    invited = await add_member(api.client, admin, "Carol")
    carol = await api.user(admin, invited)
    assert (carol["email"], carol["role"], carol["tenant_id"]) == (
        "carol@acme.example.com",
        "member",
        admin.tenant_id,
    )

    # owner, alice, bob, carol: in creation order, two to a page.
    pages = [(await api(admin, "GET", "/users", params={"page": n, "size": 2})).json() for n in (1, 2, 3)]
    assert [{k: p[k] for k in ("total", "page", "size", "pages")} for p in pages] == [
        {"total": 4, "page": n, "size": 2, "pages": 2} for n in (1, 2, 3)
    ]
    listed = [u["id"] for p in pages for u in p["items"]]
    assert listed == [crew.owner.user_id, admin.user_id, crew.member.user_id, carol["id"]]

    updated = await api(admin, "PATCH", f"/users/{carol['id']}", {"full_name": "Carol", "role": "admin"})
    assert updated.status_code == 200
    assert (updated.json()["full_name"], updated.json()["role"]) == ("Carol", "admin")
    deactivated = await api(admin, "PATCH", f"/users/{crew.member.user_id}", {"is_active": False})
    assert deactivated.json()["is_active"] is False

    assert (await api(admin, "DELETE", f"/users/{carol['id']}")).status_code == 204
    assert (await api(admin, "GET", f"/users/{carol['id']}")).status_code == 404
