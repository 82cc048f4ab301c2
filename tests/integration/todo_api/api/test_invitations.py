"""Invitations: the one way into an existing tenant. An owner or admin invites an address
(the same 201 whether or not it has an account anywhere); the address gets a single-use link
valid seven days; accepting it with a password makes the membership (a new account takes the
password, an existing one must give its own) and logs the member in to that tenant.

The end-to-end test sends through the real dispatcher to a real SMTP server (aiosmtpd); the
others read the queued message's sealed token as the dispatcher would, to keep them fast."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase
from tests.dispatcher_process import running_dispatcher
from tests.integration.factories import (
    ACCEPT_INVITATION,
    INVITATIONS,
    PASSWORD,
    Account,
    add_member,
    bearer,
    invitation_token,
    signup,
)
from tests.integration.todo_api.webhooks.conftest import as_tenant
from tests.mailbox import Mailbox, body, serving

pytestmark = pytest.mark.integration

BASE = "https://todo.example.com"
ME = "/api/v1/users/me"
NEW_ADDRESS = "grace@example.org"
NEW_PASSWORD = "grace's own new password"


async def invite(
    client: httpx.AsyncClient, admin: Account, email: str, role: str = "member"
) -> httpx.Response:
    return await client.post(INVITATIONS, json={"email": email, "role": role}, headers=admin.headers)


async def accept(client: httpx.AsyncClient, token: str, password: str = NEW_PASSWORD) -> httpx.Response:
    return await client.post(
        ACCEPT_INVITATION, json={"token": token, "password": password, "full_name": "Grace"}
    )


async def invited_token(client: httpx.AsyncClient, admin: Account, email: str, role: str = "member") -> str:
    response = await invite(client, admin, email, role)
    assert response.status_code == 201, response.text
    return await invitation_token(client, admin.tenant_id, email)


async def assert_refused(client: httpx.AsyncClient, token: str, password: str = NEW_PASSWORD) -> None:
    response = await accept(client, token, password)
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert (error["code"], error["detail"]) == (
        "invalid_invitation",
        "The invitation is invalid or has expired, or the password is wrong",
    )


async def me(client: httpx.AsyncClient, tokens: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(ME, headers=bearer(tokens["access_token"]))
    assert response.status_code == 200, response.text
    user: dict[str, Any] = response.json()
    return user


async def pending(client: httpx.AsyncClient, admin: Account) -> list[dict[str, Any]]:
    response = await client.get(INVITATIONS, headers=admin.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def token_of(link_text: str) -> str:
    [link] = [word for word in link_text.split() if "/accept-invitation?" in word]
    assert link.startswith(f"{BASE}/accept-invitation?token=")
    [token] = parse_qs(urlsplit(link).query)["token"]
    return token


@pytest.mark.parametrize("settings", [{"public_base_url": BASE}], indirect=True)
async def test_an_invitation_by_mail_makes_a_new_account_a_member_and_logs_it_in(
    client: httpx.AsyncClient, owner: Account, database: ProvisionedDatabase, tmp_path: Path
) -> None:
    async with serving(Mailbox()) as mailbox:
        with running_dispatcher(database.app_url, tmp_path, env=mailbox.environment()):
            response = await invite(client, owner, NEW_ADDRESS.upper(), "admin")
            assert response.status_code == 201, response.text
            [message] = await mailbox.wait_for(1)
    invitation = response.json()
    assert invitation["email"] == NEW_ADDRESS
    assert (invitation["role"], invitation["invited_by"]) == ("admin", owner.user_id)
    assert set(invitation) == {"id", "email", "role", "invited_by", "created_at", "expires_at"}
    assert mailbox.envelopes[0][1] == [NEW_ADDRESS]
    assert message["Subject"] == "You are invited to join Acme"
    token = token_of(body(message))
    assert f'href="{BASE}/accept-invitation?token={token}"' in body(message, "html")
    assert len(token) >= 43  # 256 bits, URL-safe base64

    accepted = await accept(client, token)
    assert accepted.status_code == 200, accepted.text
    user = await me(client, accepted.json())
    assert (user["tenant_id"], user["email"], user["role"], user["full_name"]) == (
        owner.tenant_id,
        NEW_ADDRESS,
        "admin",
        "Grace",
    )
    # The password became the account's; the refresh token works; the link is spent.
    login = await client.post("/api/v1/auth/token", data={"username": NEW_ADDRESS, "password": NEW_PASSWORD})
    assert login.status_code == 200
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": accepted.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200
    await assert_refused(client, token)
    assert await pending(client, owner) == []
    events = await client.get("/api/v1/audit-events", params={"size": 100}, headers=owner.headers)
    types = [event["type"] for event in events.json()["items"]]
    assert {"invitation.created", "invitation.accepted"} <= set(types)


async def test_the_token_is_stored_only_hashed_and_lives_seven_days(
    client: httpx.AsyncClient, owner: Account, database: ProvisionedDatabase
) -> None:
    import asyncpg

    token = await invited_token(client, owner, NEW_ADDRESS)
    connection = await asyncpg.connect(database.owner_url)
    try:
        [row] = await as_tenant(connection, owner.tenant_id, "SELECT * FROM invitation")
        [message] = await as_tenant(
            connection, owner.tenant_id, "SELECT * FROM mail_message WHERE recipient = $1", NEW_ADDRESS
        )
    finally:
        await connection.close()
    assert token not in str(dict(row))
    assert token not in str(dict(message))  # the message holds a placeholder; the token is sealed
    assert (row["expires_at"] - row["created_at"]).total_seconds() == pytest.approx(7 * 86400, abs=5)
    [listed] = await pending(client, owner)
    assert listed["id"] == str(row["id"])


async def test_an_expired_reused_revoked_or_forged_token_is_refused(
    client: httpx.AsyncClient, owner: Account, database: ProvisionedDatabase
) -> None:
    import asyncpg

    expired = await invited_token(client, owner, "expired@example.org")
    connection = await asyncpg.connect(database.owner_url)
    try:
        await as_tenant(
            connection,
            owner.tenant_id,
            "UPDATE invitation SET expires_at = now() - interval '1 second' WHERE email = 'expired@example.org'",
        )
    finally:
        await connection.close()
    await assert_refused(client, expired)

    used = await invited_token(client, owner, "used@example.org")
    assert (await accept(client, used)).status_code == 200
    await assert_refused(client, used)

    revoked = await invited_token(client, owner, "revoked@example.org")
    [invitation] = await pending(client, owner)
    assert (
        await client.delete(f"{INVITATIONS}/{invitation['id']}", headers=owner.headers)
    ).status_code == 204
    await assert_refused(client, revoked)
    assert (
        await client.delete(f"{INVITATIONS}/{invitation['id']}", headers=owner.headers)
    ).status_code == 404

    await assert_refused(client, secrets.token_urlsafe(32))
    live = await invited_token(client, owner, "live@example.org")
    await assert_refused(client, live[:-1] + ("A" if live[-1] != "A" else "B"))
    assert (await accept(client, live)).status_code == 200  # the forgeries spent nothing


async def test_a_new_password_follows_the_sign_up_policy_and_a_refusal_spends_nothing(
    client: httpx.AsyncClient, owner: Account
) -> None:
    token = await invited_token(client, owner, NEW_ADDRESS)
    short = await accept(client, token, "short")
    assert short.status_code == 422
    assert short.json()["errors"][0]["source"] == {"pointer": "/password"}
    assert (await accept(client, token)).status_code == 200


async def test_an_address_of_another_tenant_gets_the_same_answer_and_must_give_its_password(
    client: httpx.AsyncClient, owner: Account
) -> None:
    """Needs persons with memberships: today the existing account cannot join a second tenant."""
    other = await signup(client, "globex")
    answers = []
    for email in (owner.email, "nobody@example.org"):
        response = await invite(client, other, email)
        answers.append((response.status_code, set(response.json()), response.json()["invited_by"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == 201

    token = await invitation_token(client, other.tenant_id, owner.email)
    await assert_refused(client, token, "not the owner's password")
    accepted = await accept(client, token, PASSWORD)
    assert accepted.status_code == 200, accepted.text
    user = await me(client, accepted.json())
    assert (user["tenant_id"], user["role"]) == (other.tenant_id, "member")


async def test_only_owners_and_admins_manage_invitations_and_only_owners_invite_owners(
    client: httpx.AsyncClient, owner: Account
) -> None:
    admin = await add_member(client, owner, "alice", role="admin")
    member = await add_member(client, owner, "bob")
    assert (await invite(client, member, NEW_ADDRESS)).status_code == 403
    assert (await client.get(INVITATIONS, headers=member.headers)).status_code == 403
    assert (await invite(client, admin, NEW_ADDRESS)).status_code == 201
    [invitation] = await pending(client, admin)
    revoke = f"{INVITATIONS}/{invitation['id']}"
    assert (await client.delete(revoke, headers=member.headers)).status_code == 403
    assert (await invite(client, admin, "boss@example.org", "owner")).status_code == 403
    assert (await invite(client, owner, "boss@example.org", "owner")).status_code == 201
    assert {item["email"] for item in await pending(client, admin)} == {NEW_ADDRESS, "boss@example.org"}


async def test_another_tenants_admin_neither_sees_nor_revokes(
    client: httpx.AsyncClient, owner: Account
) -> None:
    token = await invited_token(client, owner, NEW_ADDRESS)
    [invitation] = await pending(client, owner)
    other = await signup(client, "globex")
    assert await pending(client, other) == []
    assert (
        await client.delete(f"{INVITATIONS}/{invitation['id']}", headers=other.headers)
    ).status_code == 404
    assert (await accept(client, token)).status_code == 200  # still pending


async def test_a_member_of_this_tenant_is_a_conflict_and_a_new_invitation_replaces_the_pending_one(
    client: httpx.AsyncClient, owner: Account
) -> None:
    conflict = await invite(client, owner, owner.email.upper())
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["code"] == "already_a_member"

    first = await invited_token(client, owner, NEW_ADDRESS)
    second = await invited_token(client, owner, NEW_ADDRESS, "admin")
    assert first != second
    [invitation] = await pending(client, owner)
    assert invitation["role"] == "admin"
    await assert_refused(client, first)
    accepted = await accept(client, second)
    assert accepted.status_code == 200
    assert (await me(client, accepted.json()))["role"] == "admin"


@pytest.mark.parametrize("settings", [{"rate_limit_invitation_accept_ip": "2/hour"}], indirect=True)
async def test_acceptances_are_limited_per_client_ip(client: httpx.AsyncClient) -> None:
    statuses = [(await accept(client, secrets.token_urlsafe(32))).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
