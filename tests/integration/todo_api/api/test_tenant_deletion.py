"""An owner deletes their tenant: ``POST /tenants/current/deletion`` disables it at once
(every credential of every member ends, every authenticated request into it is 404
``tenant_not_found``, logins into it fail as a wrong password does), the owner alone may log
in to it (naming it) to read and cancel the deletion, and the purge removes it after
``TENANT_DELETION_GRACE_DAYS`` (tests/integration/todo_api/test_tenant_purge.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from jose import jwt
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import (
    PASSWORD,
    Account,
    Crew,
    bearer_for,
    hire_crew,
    open_session,
    signup,
    signup_token,
)
from tests.integration.rows import execute
from tests.integration.todo_api.api.test_memberships import add_membership, log_in
from todo_api.core.config import Settings

pytestmark = pytest.mark.integration

DELETION = "/api/v1/tenants/current/deletion"
TENANT = "/api/v1/tenants/current"
TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"


async def new_tenant(client: httpx.AsyncClient, slug: str) -> int:
    """The status of a new person's verified sign-up of a tenant ``slug`` (409: taken)."""
    email = f"new@{slug}.new.example.com"
    body = {"tenant_name": "New", "tenant_slug": slug, "email": email, "password": PASSWORD}
    assert (await client.post("/api/v1/auth/signup", json=body)).status_code == 202
    token = await signup_token(client, email)
    return (await client.post("/api/v1/auth/signup/verify", json={"token": token})).status_code


def confirmation(slug: str = "acme", password: str = PASSWORD) -> dict[str, str]:
    return {"confirm": slug, "password": password}


async def request_deletion(client: httpx.AsyncClient, owner: Account, slug: str = "acme") -> dict[str, Any]:
    response = await client.post(DELETION, json=confirmation(slug), headers=owner.headers)
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def owner_login(client: httpx.AsyncClient, owner: Account, tenant: str = "acme") -> dict[str, str]:
    """The owner's login into the tenant pending deletion (naming it): a bearer header."""
    response = await log_in(client, owner.email, tenant)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def crew(client: httpx.AsyncClient) -> Crew:
    return await hire_crew(client, "acme")


async def test_only_the_owner_may_delete_and_only_with_the_slug_and_password(
    client: httpx.AsyncClient, crew: Crew
) -> None:
    for other in (crew.admin, crew.member):
        refused = await client.post(DELETION, json=confirmation(), headers=other.headers)
        assert refused.status_code == 403, refused.text
        assert (await client.get(DELETION, headers=other.headers)).status_code == 403
        assert (await client.delete(DELETION, headers=other.headers)).status_code == 403
    wrong_slug = await client.post(DELETION, json=confirmation("acme-x"), headers=crew.owner.headers)
    assert wrong_slug.status_code == 422, wrong_slug.text
    [error] = wrong_slug.json()["errors"]
    assert (error["code"], error["source"]["pointer"]) == ("deletion_not_confirmed", "/confirm")
    wrong_password = await client.post(
        DELETION, json=confirmation(password="not the password at all"), headers=crew.owner.headers
    )
    assert wrong_password.status_code == 403, wrong_password.text
    assert wrong_password.json()["errors"][0]["source"]["pointer"] == "/password"
    # Nothing happened: no deletion pending, every member still in.
    assert (await client.get(DELETION, headers=crew.owner.headers)).status_code == 404
    for account in crew:
        assert (await client.get(TENANT, headers=account.headers)).status_code == 200


async def test_the_deletion_disables_the_tenant_for_every_credential_at_once(
    client: httpx.AsyncClient, crew: Crew
) -> None:
    other = await signup(client, "globex")
    before = datetime.now(UTC)
    body = await request_deletion(client, crew.owner)
    assert body["slug"] == "acme"
    purge_after = datetime.fromisoformat(body["purge_after"])
    assert (
        before + timedelta(days=7) - timedelta(minutes=1)
        < purge_after
        < datetime.now(UTC) + timedelta(days=7)
    )

    for account in crew:
        for path in (TENANT, "/api/v1/tasks", "/api/v1/users/me", DELETION):
            response = await client.get(path, headers=account.headers)
            if path == DELETION:  # admitted in a disabled tenant, but the session has ended
                assert response.status_code == 401, (account.label, path, response.text)
                continue
            assert response.status_code == 404, (account.label, path, response.text)
            assert response.json()["errors"][0]["code"] == "tenant_not_found"
        assert account.refresh_token is not None
        refreshed = await client.post(REFRESH, json={"refresh_token": account.refresh_token})
        assert refreshed.status_code == 401, refreshed.text
    # A login into it fails exactly as a wrong password does (no enumeration).
    for account in (crew.admin, crew.member):
        refused = await log_in(client, account.email, "acme")
        wrong = await client.post(
            TOKEN, data={"username": account.email, "password": "not the password", "tenant": "acme"}
        )
        assert refused.status_code == wrong.status_code == 400
        assert {**refused.json(), "meta": None} == {**wrong.json(), "meta": None}
        assert (await log_in(client, account.email)).status_code == 400
    # Other tenants are untouched.
    assert (await client.get(TENANT, headers=other.headers)).status_code == 200
    # The slug stays taken while the tenant waits for its purge.
    assert await new_tenant(client, "acme") == 409


async def test_the_owner_logs_in_to_read_and_cancel_the_deletion_and_nothing_else(
    client: httpx.AsyncClient, crew: Crew
) -> None:
    await request_deletion(client, crew.owner)
    assert (await log_in(client, crew.owner.email)).status_code == 400  # never picked unnamed
    headers = await owner_login(client, crew.owner)
    assert (await client.get(TENANT, headers=headers)).status_code == 404
    assert (await client.post(DELETION, json=confirmation(), headers=headers)).status_code == 404
    pending = await client.get(DELETION, headers=headers)
    assert pending.status_code == 200, pending.text
    assert pending.json()["slug"] == "acme"

    cancelled = await client.delete(DELETION, headers=headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["slug"] == "acme"
    assert (await client.get(TENANT, headers=headers)).status_code == 200
    assert (await client.get(DELETION, headers=headers)).status_code == 404
    assert (await client.delete(DELETION, headers=headers)).status_code == 404
    # The members' old sessions stay ended; they log in anew and work again.
    assert (await client.get(TENANT, headers=crew.member.headers)).status_code == 401
    member = await log_in(client, crew.member.email)
    assert member.status_code == 200, member.text
    fresh = {"Authorization": f"Bearer {member.json()['access_token']}"}
    assert (await client.get(TENANT, headers=fresh)).status_code == 200
    events = await client.get("/api/v1/audit-events", headers=headers)
    assert events.status_code == 200, events.text
    types = [event["type"] for event in events.json()["items"]]
    assert {"tenant.deletion_requested", "tenant.deletion_cancelled"} <= set(types)


async def test_a_member_with_another_membership_logs_in_there(client: httpx.AsyncClient, crew: Crew) -> None:
    globex = await signup(client, "globex")
    await add_membership(client, crew.member, globex)
    await request_deletion(client, crew.owner)
    response = await log_in(client, crew.member.email)
    assert response.status_code == 200, response.text
    claims = jwt.get_unverified_claims(response.json()["access_token"])
    assert claims["tid"] == globex.tenant_id
    token = {"Authorization": f"Bearer {response.json()['access_token']}"}
    # ...but cannot switch into the disabled tenant.
    switched = await client.post("/api/v1/auth/switch", json={"tenant": "acme"}, headers=token)
    assert switched.status_code == 404, switched.text


@pytest.mark.parametrize("settings", [{"tenant_deletion_grace_days": 0}], indirect=True)
async def test_once_the_purge_is_due_the_owner_can_no_longer_log_in_or_cancel(
    client: httpx.AsyncClient, owner: Account
) -> None:
    body = await request_deletion(client, owner)
    assert datetime.fromisoformat(body["purge_after"]) <= datetime.now(UTC)
    assert (await log_in(client, owner.email, "acme")).status_code == 400


async def test_a_credential_the_revocation_missed_is_refused_too(
    client: httpx.AsyncClient, settings: Settings, crew: Crew
) -> None:
    """The per-request check refuses a disabled tenant by itself: a live session and a token
    at the current version (what a credential kind the revocation does not know would be)
    still get 404, never the tenant's data. Without the check this request would be a 200."""
    await request_deletion(client, crew.owner)
    for account in (crew.admin, crew.member):
        session_id = await open_session(settings, account.tenant_id, account.user_id)
        headers = bearer_for(settings, replace(account, session_id=session_id), ver=1)  # bumped once
        response = await client.get("/api/v1/users/me", headers=headers)
        assert response.status_code == 404, response.text
        assert response.json()["errors"][0]["code"] == "tenant_not_found"


async def test_a_deletion_whose_purge_is_due_can_no_longer_be_cancelled(
    client: httpx.AsyncClient, owner_engine: AsyncEngine, owner: Account
) -> None:
    await request_deletion(client, owner)
    headers = await owner_login(client, owner)
    due = "UPDATE tenant SET purge_after = now() - interval '1 second' RETURNING id"
    assert await execute(owner_engine, owner.tenant_id, due)
    refused = await client.delete(DELETION, headers=headers)
    assert refused.status_code == 409, refused.text
    assert (await client.get(DELETION, headers=headers)).status_code == 200  # still pending
    assert (await log_in(client, owner.email, "acme")).status_code == 400


@pytest.mark.parametrize("settings", [{"password_change_max_failures": 2}], indirect=True)
async def test_wrong_passwords_count_as_wrong_current_passwords_do(
    client: httpx.AsyncClient, owner: Account
) -> None:
    """Whoever holds the owner's token cannot guess the password here either: the guess that
    reaches PASSWORD_CHANGE_MAX_FAILURES ends every session of the owner."""
    wrong = confirmation(password="not the password at all")
    first = await client.post(DELETION, json=wrong, headers=owner.headers)
    assert first.status_code == 403, first.text
    second = await client.post(DELETION, json=wrong, headers=owner.headers)
    assert second.status_code == 401, second.text
    assert (await client.get(TENANT, headers=owner.headers)).status_code == 401
    assert (await client.get(DELETION, headers=await owner_login(client, owner))).status_code == 404
