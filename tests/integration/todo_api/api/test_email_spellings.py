"""One spelling of an e-mail address wherever one enters: sign-up, a new member, login and
the login's per-account limit. Case, Punycode and Unicode normal forms name one account.

An address whose local part is not ASCII cannot receive e-mail from us yet (the outbox has
no SMTPUTF8): sign-up and invitations refuse it (400 ``unmailable_address``), so the spellings
here vary the domain's normal form and the local part's case."""

from __future__ import annotations

import unicodedata
import uuid

import httpx
import pytest

from tests.integration.factories import PASSWORD, invitation_token, signed_up, signup, signup_token
from todo_api.core.config import Settings
from todo_api.main import create_app

TOKEN = "/api/v1/auth/token"
NFD = "zoe@bu\u0308cher.example"  # "ü" as a letter plus a combining diaeresis
STORED = unicodedata.normalize("NFC", NFD)  # zoe@bücher.example
SPELLINGS = [
    NFD,
    STORED,
    "ZOE@XN--BCHER-KVA.EXAMPLE",  # upper case, domain in Punycode (IDNA's ASCII form)
    "Zoe@xn--bcher-kva.example",
]


def _signup_body(email: str) -> dict[str, str]:
    return {"tenant_name": "Bücher", "tenant_slug": "buecher", "email": email, "password": PASSWORD}


@pytest.mark.parametrize("signed_up_as", SPELLINGS)
async def test_every_spelling_of_the_address_logs_in(client: httpx.AsyncClient, signed_up_as: str) -> None:
    created = await signed_up(client, _signup_body(signed_up_as))
    assert created["user"]["email"] == STORED
    for spelling in SPELLINGS:
        login = await client.post(TOKEN, data={"username": spelling, "password": PASSWORD})
        assert login.status_code == 200, (spelling, login.text)


async def test_a_punycode_domain_signs_up_and_logs_in_as_given(client: httpx.AsyncClient) -> None:
    created = await signed_up(client, _signup_body("p1@xn--bcher-kva.example"))
    assert created["user"]["email"] == "p1@bücher.example"
    login = await client.post(TOKEN, data={"username": "p1@xn--bcher-kva.example", "password": PASSWORD})
    assert login.status_code == 200, login.text


async def test_another_spelling_is_the_same_account(client: httpx.AsyncClient) -> None:
    """Signing up again in another spelling is the existing account's sign-up: the
    verification needs that account's password."""
    await signed_up(client, _signup_body("p1@B\u00dcCHER.example"))
    again = {**_signup_body("P1@XN--BCHER-KVA.example"), "tenant_slug": "other", "password": "x" * 20}
    assert (await client.post("/api/v1/auth/signup", json=again)).status_code == 202
    token = await signup_token(client, "p1@bücher.example")
    verify = await client.post("/api/v1/auth/signup/verify", json={"token": token, "password": "x" * 20})
    assert verify.json()["errors"][0]["code"] == "invalid_signup_password"


async def test_a_new_member_is_stored_in_the_one_spelling(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    # An ASCII local part: the mail outbox cannot address a non-ASCII one (no SMTPUTF8).
    invited = {"email": "Zelie@XN--BCHER-KVA.example", "role": "member"}
    created = await client.post("/api/v1/invitations", json=invited, headers=owner.headers)
    assert created.json()["email"] == "zelie@bücher.example"
    token = await invitation_token(client, owner.tenant_id, "zelie@bücher.example")
    accepted = await client.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text
    login = await client.post(TOKEN, data={"username": "zelie@bücher.example", "password": PASSWORD})
    assert login.status_code == 200, login.text


async def test_an_address_we_cannot_mail_is_refused_by_its_shape(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    unmailable = "zo\u00eb@example.com"
    signed = await client.post("/api/v1/auth/signup", json=_signup_body(unmailable))
    invited = await client.post(
        "/api/v1/invitations", json={"email": unmailable, "role": "member"}, headers=owner.headers
    )
    for refused in (signed, invited):
        assert refused.status_code == 400, refused.text
        assert refused.json()["errors"][0]["code"] == "unmailable_address"


async def test_the_per_account_login_limit_counts_every_spelling_as_one_account(
    settings: Settings, clean_database: None
) -> None:
    limited = settings.model_copy(
        update={
            "service_name": f"test-{uuid.uuid4().hex[:8]}",
            "rate_limit_login_failures_account_ip": "3/hour",
        }
    )
    app = create_app(limited)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await signed_up(client, _signup_body(NFD))
            statuses = [
                (
                    await client.post(TOKEN, data={"username": spelling, "password": "wrong password!"})
                ).status_code
                for spelling in SPELLINGS
            ]
    assert statuses == [400, 400, 400, 429]  # invalid_grant (RFC 6749), then the limit
