"""Password reset: a link by e-mail (sealed in the outbox), a single-use token that sets a new
password and ends every session and token of the account; the same answer for every
address; limits per client IP and per address that never lock anyone out of login.

The end-to-end test sends through the real dispatcher to a real SMTP server (aiosmtpd); the
others read the queued message's sealed token from the database with the development key,
as the dispatcher would, to keep them fast."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase
from platform_common.mail.outbox import unseal
from platform_common.webhooks.settings import WebhookSettings
from tests.database import record_statements
from tests.dispatcher_process import running_dispatcher
from tests.integration.factories import PASSWORD, Account, add_member, signup
from tests.integration.todo_api.webhooks.conftest import as_tenant
from tests.mailbox import Mailbox, body, serving

RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
ME = "/api/v1/users/me"
NEW_PASSWORD = "a brand new password"
BOX = WebhookSettings().secret_box()  # the development key, as the test app has it
BASE = "https://todo.example.com"
INVITED = "You are invited to join Acme"  # the member's invitation, not a reset


@pytest.fixture
async def owner_connection(database: ProvisionedDatabase) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database.owner_url)
    yield connection
    await connection.close()


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"username": email, "password": password})


async def rows(owner: asyncpg.Connection, account: Account, table: str) -> list[asyncpg.Record]:
    """The rows of ``table`` in the account's tenant; of ``mail_message``, the reset mails only
    (the sign-up's link was mailed in the tenant it created)."""
    reset_only = " WHERE subject = 'Reset your password'" if table == "mail_message" else ""
    return await as_tenant(owner, account.tenant_id, f"SELECT * FROM {table}{reset_only}")  # noqa: S608  # constant names


async def mailed_token(owner: asyncpg.Connection, account: Account) -> str:
    """The token of the newest queued message to ``account``, opened as the dispatcher would."""
    [message] = await as_tenant(
        owner,
        account.tenant_id,
        "SELECT * FROM mail_message WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
        account.email,
    )
    assert "~secret.token~" in message["text_body"]  # the row holds the placeholder only
    return unseal(BOX, message["id"], message["recipient"], message["sealed"])["token"]


def token_of(link_text: str) -> str:
    [link] = [word for word in link_text.split() if "/reset-password?" in word]
    assert link.startswith(f"{BASE}/reset-password?token=")
    [token] = parse_qs(urlsplit(link).query)["token"]
    return token


async def assert_reset(client: httpx.AsyncClient, account: Account, token: str) -> None:
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert refreshed.status_code == 200  # the refresh token worked until now (and rotated)
    survivor = refreshed.json()

    confirmed = await client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})
    assert confirmed.status_code == 204, confirmed.text

    assert (await log_in(client, account.email, PASSWORD)).status_code == 400
    assert (await log_in(client, account.email, NEW_PASSWORD)).status_code == 200
    # Every access and refresh token issued before the reset is dead at once.
    for headers in (account.headers, {"Authorization": f"Bearer {survivor['access_token']}"}):
        assert (await client.get(ME, headers=headers)).status_code == 401
    refused = await client.post("/api/v1/auth/refresh", json={"refresh_token": survivor["refresh_token"]})
    assert refused.status_code == 401


async def assert_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(CONFIRM, json={"token": token, "new_password": NEW_PASSWORD})
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert (error["code"], error["detail"]) == (
        "invalid_reset_token",
        "The reset link is invalid or has expired",
    )


@pytest.mark.parametrize("settings", [{"public_base_url": BASE}], indirect=True)
async def test_a_reset_link_by_mail_sets_the_password_and_ends_every_session(
    client: httpx.AsyncClient, owner: Account, database: ProvisionedDatabase, tmp_path: Path
) -> None:
    async with serving(Mailbox()) as mailbox:
        with running_dispatcher(database.app_url, tmp_path, env=mailbox.environment()):
            response = await client.post(RESET, json={"email": owner.email.upper()})
            assert response.status_code == 202
            [message] = await mailbox.wait_for(1)
    assert mailbox.envelopes[0][1] == [owner.email]
    assert message["Subject"] == "Reset your password"
    token = token_of(body(message))
    assert f'href="{BASE}/reset-password?token={token}"' in body(message, "html")
    assert len(token) >= 43  # 256 bits, URL-safe base64

    await assert_reset(client, owner, token)
    await assert_refused(client, token)  # single use


async def test_a_token_works_once_and_only_unexpired(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    assert (await client.post(RESET, json={"email": owner.email})).status_code == 202
    [row] = await rows(owner_connection, owner, "password_reset_token")
    token = await mailed_token(owner_connection, owner)
    assert token not in str(dict(row))  # only the hash is stored
    assert (row["expires_at"] - row["created_at"]).total_seconds() == pytest.approx(3600, abs=5)

    await assert_reset(client, owner, token)
    await assert_refused(client, token)  # reused
    assert (await log_in(client, owner.email, NEW_PASSWORD)).status_code == 200  # unchanged by it


async def test_an_expired_or_forged_token_is_refused(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    assert (await client.post(RESET, json={"email": owner.email})).status_code == 202
    token = await mailed_token(owner_connection, owner)
    await as_tenant(
        owner_connection,
        owner.tenant_id,
        "UPDATE password_reset_token SET expires_at = now() - interval '1 second'",
    )
    await assert_refused(client, token)
    await assert_refused(client, secrets.token_urlsafe(32))
    await assert_refused(client, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert (await log_in(client, owner.email, PASSWORD)).status_code == 200  # nothing changed


async def test_a_new_password_follows_the_sign_up_policy(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    assert (await client.post(RESET, json={"email": owner.email})).status_code == 202
    token = await mailed_token(owner_connection, owner)
    short = await client.post(CONFIRM, json={"token": token, "new_password": "short"})
    assert short.status_code == 422
    assert short.json()["errors"][0]["source"] == {"pointer": "/new_password"}
    await assert_reset(client, owner, token)  # the token was not spent by the refusal


async def test_an_unknown_or_deactivated_address_gets_the_same_answer_and_nothing_else(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    member = await add_member(client, owner, "bob")
    deactivated = await client.patch(
        f"/api/v1/users/{member.user_id}", json={"is_active": False}, headers=owner.headers
    )
    assert deactivated.status_code == 200
    answers = []
    for email in (owner.email, "nobody@acme.example.com", member.email):
        response = await client.post(RESET, json={"email": email})
        answers.append((response.status_code, response.json()))
    assert answers[0][0] == 202
    assert answers[1:] == [answers[0], answers[0]]
    # One token and one message: the owner's; none for the unknown or the deactivated address.
    assert [row["user_id"] for row in await rows(owner_connection, owner, "password_reset_token")] == [
        uuid.UUID(owner.user_id)
    ]
    resets = [row for row in await rows(owner_connection, owner, "mail_message") if row["subject"] != INVITED]
    assert [row["recipient"] for row in resets] == [owner.email]


async def test_another_tenants_admin_learns_nothing(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    other = await signup(client, "globex")
    for email in (owner.email, "nobody@acme.example.com"):
        response = await client.post(RESET, json={"email": email}, headers=other.headers)
        assert response.status_code == 202
    # Nothing of acme's reset reaches globex: no row, no message, nothing in its users.
    assert await rows(owner_connection, other, "password_reset_token") == []
    assert await rows(owner_connection, other, "mail_message") == []
    users = await client.get("/api/v1/users", headers=other.headers)
    assert [user["email"] for user in users.json()["items"]] == [other.email]


@pytest.fixture
async def other_client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    """The same app, seen from another client address."""
    transport = httpx.ASGITransport(app=app, client=("10.9.8.7", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.mark.parametrize("settings", [{"rate_limit_password_reset_ip": "3/hour"}], indirect=True)
async def test_requests_and_confirmations_are_limited_per_client_ip(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    statuses = [
        (await client.post(RESET, json={"email": f"user{n}@example.com"})).status_code for n in range(2)
    ]
    forged = await client.post(
        CONFIRM, json={"token": secrets.token_urlsafe(32), "new_password": NEW_PASSWORD}
    )
    refused = await client.post(RESET, json={"email": "user9@example.com"})
    assert (*statuses, forged.status_code, refused.status_code) == (202, 202, 400, 429)
    assert refused.json()["errors"][0]["code"] == "rate_limited"
    assert "retry-after" in refused.headers
    confirm = await client.post(
        CONFIRM, json={"token": secrets.token_urlsafe(32), "new_password": NEW_PASSWORD}
    )
    assert confirm.status_code == 429
    # Another client address has its own budget.
    assert (await other_client.post(RESET, json={"email": "user9@example.com"})).status_code == 202


@pytest.mark.parametrize("settings", [{"rate_limit_password_reset_account": "2/hour"}], indirect=True)
async def test_reset_mails_are_limited_per_address_without_locking_out_login(
    client: httpx.AsyncClient,
    other_client: httpx.AsyncClient,
    owner: Account,
    owner_connection: asyncpg.Connection,
) -> None:
    first = await client.post(RESET, json={"email": owner.email})
    second = await other_client.post(RESET, json={"email": owner.email.upper()})  # another IP, spelling
    third = await client.post(RESET, json={"email": owner.email})
    assert (first.status_code, second.status_code, third.status_code) == (202, 202, 429)
    assert len(await rows(owner_connection, owner, "mail_message")) == 2  # no third mail
    # An unknown address is counted the same (a refusal reveals nothing) ...
    unknown = [
        (await client.post(RESET, json={"email": "nobody@acme.example.com"})).status_code for _ in range(3)
    ]
    assert unknown == [202, 202, 429]
    # ... another address keeps its own budget, and the owner still logs in.
    assert (await client.post(RESET, json={"email": "else@acme.example.com"})).status_code == 202
    assert (await log_in(client, owner.email, PASSWORD)).status_code == 200


async def test_a_token_of_an_account_deactivated_since_is_refused(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    member = await add_member(client, owner, "bob")
    assert (await client.post(RESET, json={"email": member.email})).status_code == 202
    token = await mailed_token(owner_connection, member)
    deactivated = await client.patch(
        f"/api/v1/users/{member.user_id}", json={"is_active": False}, headers=owner.headers
    )
    assert deactivated.status_code == 200
    query = 'SELECT hashed_password FROM "user" WHERE id = $1'
    [before] = await as_tenant(owner_connection, owner.tenant_id, query, uuid.UUID(member.user_id))
    await assert_refused(client, token)
    [after] = await as_tenant(owner_connection, owner.tenant_id, query, uuid.UUID(member.user_id))
    assert after == before  # the password was not set


async def audit_trail(
    client: httpx.AsyncClient, headers: dict[str, str], event_type: str
) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/audit-events", params={"type": event_type}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_mailed_link_and_a_reset_are_recorded_in_the_audit_trail(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    member = await add_member(client, owner, "bob")
    deactivated = await add_member(client, owner, "carol")
    assert (
        await client.patch(
            f"/api/v1/users/{deactivated.user_id}", json={"is_active": False}, headers=owner.headers
        )
    ).status_code == 200
    for email in (member.email, "nobody@acme.example.com", deactivated.email):
        assert (await client.post(RESET, json={"email": email})).status_code == 202

    # One mailed link, one event: the member's; an unknown or deactivated address records nothing.
    [message] = await rows(owner_connection, owner, "mail_message")
    [requested] = await audit_trail(client, owner.headers, "auth.password.reset_requested")
    assert (requested["actor_id"], requested["subject_id"]) == (None, member.user_id)
    assert requested["details"] == {"message_id": str(message["id"])}
    assert requested["ip"] == "127.0.0.1"
    assert requested["user_agent"].startswith("python-httpx/")

    assert await audit_trail(client, owner.headers, "auth.password.reset") == []
    await assert_refused(client, secrets.token_urlsafe(32))  # a refused confirmation records nothing
    assert await audit_trail(client, owner.headers, "auth.password.reset") == []
    await assert_reset(client, member, await mailed_token(owner_connection, member))
    [reset] = await audit_trail(client, owner.headers, "auth.password.reset")
    assert reset["actor_id"] == reset["subject_id"] == member.user_id
    assert reset["details"] == {}


async def test_a_reset_request_makes_the_same_round_trips_whether_or_not_the_address_has_an_account(
    client: httpx.AsyncClient, owner: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hit writes the tenant, the token row, the message and the audit event; the miss
    makes as many statements of no effect, so the time of the 202 does not tell which."""
    sent = record_statements(monkeypatch)

    async def statements(email: str) -> list[str]:
        sent.clear()
        assert (await client.post(RESET, json={"email": email})).status_code == 202
        return list(sent)

    known, unknown = await statements(owner.email), await statements("nobody@acme.example.com")
    # BEGIN, the lookup, four statements (the tenant, the token, the message, the event), COMMIT
    assert len(known) == len(unknown) == 7
    assert known[-1] == unknown[-1] == "COMMIT"
    assert known[-2].startswith("INSERT INTO audit_event")
    assert unknown[2:-1] == ["SELECT 1"] * 4
