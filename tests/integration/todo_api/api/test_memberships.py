"""One person in many tenants: a membership each, a token for each, a switch between them.

Ada signs up Acme; Globex's owner invites her, and she accepts with her password: a second
membership of the same person. Everything she does
in one tenant stays there; her password is one, and changing it ends her sessions in both.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from jose import jwt
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import PASSWORD, Account, bearer, invitation_token, signup
from tests.integration.rows import execute

TOKEN = "/api/v1/auth/token"
SWITCH = "/api/v1/auth/switch"
MEMBERSHIPS = "/api/v1/users/me/memberships"
ME = "/api/v1/users/me"


async def add_membership(client: httpx.AsyncClient, person: Account, admin: Account) -> str:
    """The person behind ``person``'s account joins ``admin``'s tenant as a member: invited
    there, and accepted with the existing account's password. The new membership's id."""
    invited = await client.post(
        "/api/v1/invitations", json={"email": person.email, "role": "member"}, headers=admin.headers
    )
    assert invited.status_code == 201, invited.text
    token = await invitation_token(client, admin.tenant_id, person.email)
    accepted = await client.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    return str(claims(accepted)["sub"])


async def log_in(
    client: httpx.AsyncClient, email: str, tenant: str | None = None, **extra: str
) -> httpx.Response:
    form = {"username": email, "password": PASSWORD, **extra}
    if tenant is not None:
        form["tenant"] = tenant
    return await client.post(TOKEN, data=form)


def claims(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = jwt.get_unverified_claims(response.json()["access_token"])
    return payload


@pytest.fixture
async def ada(client: httpx.AsyncClient) -> Account:
    return await signup(client, "acme")


@pytest.fixture
async def globex(client: httpx.AsyncClient) -> Account:
    return await signup(client, "globex")


@pytest.fixture
async def ada_in_globex(client: httpx.AsyncClient, ada: Account, globex: Account) -> str:
    """Ada's membership of Globex; she last used Acme."""
    membership = await add_membership(client, ada, globex)
    claims(await log_in(client, ada.email, "acme"))
    return membership


async def test_a_login_names_its_tenant_or_takes_the_most_recently_used(
    client: httpx.AsyncClient, ada: Account, globex: Account, ada_in_globex: str
) -> None:
    in_globex = claims(await log_in(client, ada.email, "globex"))
    assert (in_globex["sub"], in_globex["tid"]) == (ada_in_globex, globex.tenant_id)
    # Globex was used last: a login without a tenant lands there.
    assert claims(await log_in(client, ada.email))["tid"] == globex.tenant_id
    assert claims(await log_in(client, ada.email, "acme"))["tid"] == ada.tenant_id
    assert claims(await log_in(client, ada.email))["tid"] == ada.tenant_id

    me = await client.get(
        ME, headers=bearer((await log_in(client, ada.email, "globex")).json()["access_token"])
    )
    assert (me.json()["id"], me.json()["tenant_id"], me.json()["role"]) == (
        ada_in_globex,
        globex.tenant_id,
        "member",
    )


async def test_a_login_skips_a_deactivated_membership_and_refuses_it_by_name(
    client: httpx.AsyncClient, ada: Account, globex: Account, ada_in_globex: str
) -> None:
    claims(await log_in(client, ada.email, "globex"))  # Globex is now the most recently used
    deactivated = await client.patch(
        f"/api/v1/users/{ada_in_globex}", json={"is_active": False}, headers=globex.headers
    )
    assert deactivated.status_code == 200, deactivated.text
    assert claims(await log_in(client, ada.email))["tid"] == ada.tenant_id
    refused = await log_in(client, ada.email, "globex")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


async def test_a_tenant_that_is_not_the_persons_fails_like_a_wrong_password(
    client: httpx.AsyncClient, ada: Account, globex: Account
) -> None:
    """Neither the slug's existence nor the person's memberships show."""
    not_hers = await log_in(client, ada.email, "globex")
    no_such = await log_in(client, ada.email, "no-such-tenant")
    wrong = await client.post(
        TOKEN, data={"username": ada.email, "password": "not the password", "tenant": "acme"}
    )
    assert not_hers.status_code == no_such.status_code == wrong.status_code == 400
    bodies = [{**response.json(), "meta": None} for response in (not_hers, no_such, wrong)]
    assert bodies[0] == bodies[1] == bodies[2]


async def test_memberships_list_every_tenant_of_the_person_and_mark_the_current_one(
    client: httpx.AsyncClient, ada: Account, globex: Account, ada_in_globex: str
) -> None:
    response = await client.get(MEMBERSHIPS, headers=ada.headers)
    assert response.status_code == 200, response.text
    listed = {row["tenant"]["slug"]: row for row in response.json()}
    assert set(listed) == {"acme", "globex"}
    assert (listed["acme"]["id"], listed["acme"]["role"], listed["acme"]["current"]) == (
        ada.user_id,
        "owner",
        True,
    )
    assert (listed["globex"]["id"], listed["globex"]["role"], listed["globex"]["current"]) == (
        ada_in_globex,
        "member",
        False,
    )
    assert listed["globex"]["tenant"] == {"id": globex.tenant_id, "slug": "globex", "name": "Globex"}
    # Globex's owner is another person: one membership, theirs alone.
    theirs = await client.get(MEMBERSHIPS, headers=globex.headers)
    assert [row["tenant"]["slug"] for row in theirs.json()] == ["globex"]


async def test_a_switch_gives_a_token_pair_for_another_membership(
    client: httpx.AsyncClient, ada: Account, globex: Account, ada_in_globex: str
) -> None:
    switched = await client.post(SWITCH, json={"tenant": "globex"}, headers=ada.headers)
    assert (claims(switched)["sub"], claims(switched)["tid"]) == (ada_in_globex, globex.tenant_id)
    in_globex = bearer(switched.json()["access_token"])
    assert (await client.get(ME, headers=in_globex)).json()["tenant_id"] == globex.tenant_id
    # The new session rotates like any other, and the old tenant's token still works.
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": switched.json()["refresh_token"]}
    )
    assert claims(refreshed)["tid"] == globex.tenant_id
    assert (await client.get(ME, headers=ada.headers)).status_code == 200
    back = await client.post(SWITCH, json={"tenant": "acme"}, headers=in_globex)
    assert claims(back)["sub"] == ada.user_id
    # The switch is recorded in the target tenant's trail, as a login there.
    trail = await client.get(
        "/api/v1/audit-events", params={"type": "auth.login.succeeded"}, headers=globex.headers
    )
    assert any(event["details"].get("switched_from") == ada.tenant_id for event in trail.json()["items"])


async def test_a_switch_to_a_tenant_the_caller_is_not_in_is_404(
    client: httpx.AsyncClient, ada: Account, globex: Account
) -> None:
    for tenant in ("globex", "no-such-tenant"):
        response = await client.post(SWITCH, json={"tenant": tenant}, headers=ada.headers)
        assert response.status_code == 404, response.text
        assert response.json()["errors"][0]["status"] == "404"


async def test_a_switch_to_a_deactivated_membership_is_refused(
    client: httpx.AsyncClient, ada: Account, globex: Account, ada_in_globex: str
) -> None:
    await client.patch(f"/api/v1/users/{ada_in_globex}", json={"is_active": False}, headers=globex.headers)
    response = await client.post(SWITCH, json={"tenant": "globex"}, headers=ada.headers)
    assert response.status_code == 403, response.text


async def test_a_switch_needs_a_valid_access_token(client: httpx.AsyncClient, ada: Account) -> None:
    assert (await client.post(SWITCH, json={"tenant": "acme"})).status_code == 401
    await client.post("/api/v1/auth/logout", json={"refresh_token": ada.refresh_token}, headers=ada.headers)
    assert (await client.post(SWITCH, json={"tenant": "acme"}, headers=ada.headers)).status_code == 401


async def test_one_password_changed_in_one_tenant_ends_the_sessions_of_every_membership(
    client: httpx.AsyncClient, ada: Account, globex: Account, ada_in_globex: str
) -> None:
    in_globex = await log_in(client, ada.email, "globex")
    globex_headers = bearer(in_globex.json()["access_token"])
    changed = await client.post(
        f"{ME}/password",
        json={"current_password": PASSWORD, "new_password": "a new shared password"},
        headers=ada.headers,
    )
    assert changed.status_code == 204, changed.text
    assert (await client.get(ME, headers=globex_headers)).status_code == 401
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": in_globex.json()["refresh_token"]}
    )
    assert refreshed.status_code == 401
    # One password for both tenants.
    new = {"username": ada.email, "password": "a new shared password"}
    assert claims(await client.post(TOKEN, data={**new, "tenant": "globex"}))["tid"] == globex.tenant_id
    assert claims(await client.post(TOKEN, data={**new, "tenant": "acme"}))["tid"] == ada.tenant_id


async def test_a_membership_of_another_tenant_reveals_nothing_through_the_person_functions(
    owner_engine: AsyncEngine, ada: Account, globex: Account, ada_in_globex: str
) -> None:
    """The functions keyed by a membership answer only for one of the current tenant: Globex's
    context cannot read or set the person behind Acme's membership (nor list its tenants)."""
    other = {"u": uuid.UUID(ada.user_id)}
    assert (
        await execute(owner_engine, globex.tenant_id, "SELECT * FROM auth_member_person(:u)", **other) == []
    )
    assert (
        await execute(owner_engine, globex.tenant_id, "SELECT * FROM auth_member_memberships(:u)", **other)
        == []
    )
    await execute(
        owner_engine, globex.tenant_id, "SELECT 1 FROM auth_set_member_password(:u, 'x', true)", **other
    )
    [(hashed,)] = await execute(
        owner_engine, ada.tenant_id, "SELECT hashed_password FROM auth_member_person(:u)", **other
    )
    assert hashed != "x"
    sessions = await execute(
        owner_engine, ada.tenant_id, "SELECT revoked_at FROM auth_session WHERE id = :s", s=ada.session_id
    )
    assert [row.revoked_at for row in sessions] == [None]
