"""Verified sign-up: ``POST /auth/signup`` mails a link and creates nothing, answering the same
for every address; ``POST /auth/signup/verify`` with the link's token creates the tenant and
its owner and logs the owner in. An address that already has an account is told so by mail,
and its verification needs that account's password.

The end-to-end test sends through the real dispatcher to a real SMTP server (aiosmtpd); the
others read the queued message's sealed token from the outbox (``signup_token``)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase
from platform_common.events.queue import MAIL, JobRef
from tests.dispatcher_process import running_dispatcher
from tests.integration.factories import PASSWORD, Account, add_member, bearer, signup, signup_token
from tests.integration.todo_api.webhooks.conftest import as_tenant
from tests.mailbox import Mailbox, body, serving

SIGNUP = "/api/v1/auth/signup"
VERIFY = "/api/v1/auth/signup/verify"
BASE = "https://todo.example.com"
NEW = "ada@newco.example.com"


OWN_PASSWORD = "a password of her own"  # a test's


def request(email: str, slug: str = "newco", password: str = OWN_PASSWORD) -> dict[str, str]:
    return {"tenant_name": "NewCo", "tenant_slug": slug, "email": email, "password": password}


@pytest.fixture
async def owner_connection(database: ProvisionedDatabase) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database.owner_url)
    yield connection
    await connection.close()


async def pending_rows(owner: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every unverified sign-up, each read in the tenant of the mail job that names it."""
    found = []
    for job in await owner.fetch("SELECT payload FROM pgqueuer WHERE entrypoint = $1", MAIL):
        found += await as_tenant(
            owner,
            str(JobRef.parse(job["payload"]).tenant_id),
            "SELECT * FROM pending_signup WHERE used_at IS NULL",
        )
    return found


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> int:
    response = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
    return response.status_code


async def assert_refused(client: httpx.AsyncClient, token: str, code: str = "invalid_signup_token") -> None:
    response = await client.post(VERIFY, json={"token": token})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["code"] == code


@pytest.mark.parametrize("settings", [{"public_base_url": BASE}], indirect=True)
async def test_the_mailed_link_creates_the_tenant_and_logs_the_owner_in(
    client: httpx.AsyncClient, database: ProvisionedDatabase, tmp_path: Path
) -> None:
    async with serving(Mailbox()) as mailbox:
        with running_dispatcher(database.app_url, tmp_path, env=mailbox.environment()):
            accepted = await client.post(SIGNUP, json=request(NEW.upper()))
            assert accepted.status_code == 202, accepted.text
            [message] = await mailbox.wait_for(1)
    assert mailbox.envelopes[0][1] == [NEW]
    assert message["Subject"] == "Finish signing up"
    assert "already have an account" not in body(message)
    [link] = [word for word in body(message).split() if "/verify-signup?" in word]
    assert link.startswith(f"{BASE}/verify-signup?token=")
    [token] = parse_qs(urlsplit(link).query)["token"]
    assert f'href="{BASE}/verify-signup?token={token}"' in body(message, "html")
    assert len(token) >= 43  # 256 bits
    assert await log_in(client, NEW, OWN_PASSWORD) == 400  # nothing exists yet

    verified = await client.post(VERIFY, json={"token": token})
    assert verified.status_code == 201, verified.text
    created = verified.json()
    assert created["tenant"]["slug"] == "newco"
    assert (created["user"]["email"], created["user"]["role"]) == (NEW, "owner")
    assert created["token_type"] == "bearer"
    me = await client.get("/api/v1/users/me", headers=bearer(created["access_token"]))
    assert me.json()["id"] == created["user"]["id"]
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": created["refresh_token"]})
    assert refreshed.status_code == 200
    assert await log_in(client, NEW, OWN_PASSWORD) == 200
    events = await client.get("/api/v1/audit-events", headers=bearer(created["access_token"]))
    [creation] = [event for event in events.json()["items"] if event["type"] == "user.created"]
    assert creation["details"] == {"email": NEW, "role": "owner", "signup": True}
    await assert_refused(client, token)  # single use


async def test_a_pending_sign_up_keeps_only_hashes(
    client: httpx.AsyncClient, owner_connection: asyncpg.Connection
) -> None:
    assert (await client.post(SIGNUP, json=request(NEW))).status_code == 202
    token = await signup_token(client, NEW)
    [row] = await pending_rows(owner_connection)
    assert token not in str(dict(row))
    assert OWN_PASSWORD not in str(dict(row))
    assert row["hashed_password"].startswith("$argon2")
    assert (row["expires_at"] - row["created_at"]).total_seconds() == pytest.approx(24 * 3600, abs=5)


async def test_no_answer_tells_whether_an_address_is_registered(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    answers = []
    for email, slug in ((owner.email, "beta"), (NEW, "newco")):
        response = await client.post(SIGNUP, json=request(email, slug))
        answers.append((response.status_code, response.json(), sorted(response.headers)))
    assert answers[0][0] == 202
    assert answers[0] == answers[1]
    # The same work: one pending sign-up and one message each; only the message's text differs.
    assert len(await pending_rows(owner_connection)) == 2


async def test_an_address_with_an_account_is_told_by_mail_and_nothing_changes_before_verification(
    client: httpx.AsyncClient, owner: Account, owner_connection: asyncpg.Connection
) -> None:
    assert (
        await client.post(SIGNUP, json=request(owner.email, "beta", "another password!"))
    ).status_code == 202
    [job, *_] = await owner_connection.fetch("SELECT payload FROM pgqueuer ORDER BY id DESC")
    ref = JobRef.parse(job["payload"])
    [message] = await as_tenant(owner_connection, str(ref.tenant_id), "SELECT * FROM mail_message")
    assert message["subject"] == "Finish signing up"
    for part in (message["text_body"], message["html_body"]):
        assert "already have an account" in " ".join(part.split())
    # The sign-up's password is not the account's: the login is as it was.
    assert await log_in(client, owner.email, "another password!") == 400
    assert await log_in(client, owner.email, PASSWORD) == 200
    token = await signup_token(client, owner.email)
    for password in (None, "another password!"):  # missing, or the sign-up's own: refused
        refused = await client.post(VERIFY, json={"token": token, "password": password})
        assert refused.status_code == 400, refused.text
        assert refused.json()["errors"][0]["code"] == "invalid_signup_password"
    assert [row["tenant_slug"] for row in await pending_rows(owner_connection)] == ["beta"]


async def test_an_existing_account_verifies_with_its_password_and_owns_the_new_tenant(
    client: httpx.AsyncClient, owner: Account
) -> None:
    """Needs persons with memberships: today ``Accounts.join`` of an existing account is a 409
    (the address is taken)."""
    assert (
        await client.post(SIGNUP, json=request(owner.email, "beta", "another password!"))
    ).status_code == 202
    token = await signup_token(client, owner.email)
    verified = await client.post(VERIFY, json={"token": token, "password": PASSWORD})
    assert verified.status_code == 201, verified.text
    assert verified.json()["tenant"]["slug"] == "beta"
    assert verified.json()["user"]["email"] == owner.email
    assert (await client.get("/api/v1/users/me", headers=owner.headers)).status_code == 200


async def test_the_fifth_wrong_password_spends_the_token(client: httpx.AsyncClient, owner: Account) -> None:
    assert (await client.post(SIGNUP, json=request(owner.email, "beta"))).status_code == 202
    token = await signup_token(client, owner.email)
    for _ in range(5):
        wrong = await client.post(VERIFY, json={"token": token, "password": "not the password"})
        assert wrong.json()["errors"][0]["code"] == "invalid_signup_password"
    right = await client.post(VERIFY, json={"token": token, "password": PASSWORD})
    assert right.json()["errors"][0]["code"] == "invalid_signup_token"


async def test_a_new_address_ignores_a_password_at_verification(client: httpx.AsyncClient) -> None:
    assert (await client.post(SIGNUP, json=request(NEW))).status_code == 202
    token = await signup_token(client, NEW)
    verified = await client.post(VERIFY, json={"token": token, "password": "anything at all"})
    assert verified.status_code == 201, verified.text
    assert await log_in(client, NEW, OWN_PASSWORD) == 200


async def test_an_expired_reused_or_forged_token_is_refused(
    client: httpx.AsyncClient, owner_connection: asyncpg.Connection
) -> None:
    await assert_refused(client, secrets.token_urlsafe(32))
    assert (await client.post(SIGNUP, json=request(NEW))).status_code == 202
    token = await signup_token(client, NEW)
    await assert_refused(client, token[:-1] + ("A" if token[-1] != "A" else "B"))
    [row] = await pending_rows(owner_connection)
    expire = "UPDATE pending_signup SET expires_at = now() - interval '1 second'"
    await as_tenant(owner_connection, str(row["tenant_id"]), expire)
    await assert_refused(client, token)
    assert await log_in(client, NEW, OWN_PASSWORD) == 400  # nothing was created


async def test_a_taken_slug_is_409_and_leaves_the_token_usable(
    client: httpx.AsyncClient, owner_connection: asyncpg.Connection
) -> None:
    assert (await client.post(SIGNUP, json=request(NEW, "acme"))).status_code == 202
    token = await signup_token(client, NEW)
    taken_by = await signup(client, "acme")  # verified first
    conflict = await client.post(VERIFY, json={"token": token})
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["detail"] == "This tenant slug is already taken"
    await as_tenant(owner_connection, taken_by.tenant_id, "DELETE FROM tenant")  # the slug is free again
    verified = await client.post(VERIFY, json={"token": token})
    assert verified.status_code == 201, verified.text
    assert verified.json()["tenant"]["slug"] == "acme"


@pytest.mark.parametrize("settings", [{"rate_limit_signup_account": "2/hour"}], indirect=True)
async def test_verification_mails_are_capped_per_address_registered_or_not(
    client: httpx.AsyncClient, owner: Account
) -> None:
    member = await add_member(client, owner, "bob")  # an account that has had no sign-up mail
    for email in (member.email, NEW):
        spellings = (email, email.upper(), email)
        statuses = [
            (await client.post(SIGNUP, json=request(spelling, f"slug-{n}"))).status_code
            for n, spelling in enumerate(spellings)
        ]
        assert statuses == [202, 202, 429], email
    assert (await client.post(SIGNUP, json=request("other@newco.example.com", "slug-9"))).status_code == 202


async def test_an_address_the_outbox_cannot_mail_is_400_and_nothing_is_kept(
    client: httpx.AsyncClient, owner_connection: asyncpg.Connection
) -> None:
    response = await client.post(SIGNUP, json=request("zo\u00eb@newco.example.com"))
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert (error["code"], error["source"]) == ("unmailable_address", {"pointer": "/email"})
    assert await pending_rows(owner_connection) == []
