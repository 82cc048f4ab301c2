"""One spelling of an e-mail address wherever one enters: sign-up, a new member, login and
the login's per-account limit. Case, Punycode and Unicode normal forms name one account."""

from __future__ import annotations

import unicodedata
import uuid

import httpx
import pytest

from tests.integration.factories import PASSWORD, invitation_token, signup
from todo_api.core.config import Settings
from todo_api.main import create_app

TOKEN = "/api/v1/auth/token"
NFD = "zoe\u0308@bu\u0308cher.example"  # "ë" and "ü" as a letter plus a combining diaeresis
STORED = unicodedata.normalize("NFC", NFD)  # zoë@bücher.example
SPELLINGS = [
    NFD,
    STORED,
    "ZOE\u0308@XN--BCHER-KVA.EXAMPLE",  # upper case, domain in Punycode (IDNA's ASCII form)
    "Zo\u00eb@xn--bcher-kva.example",
]


def _signup_body(email: str) -> dict[str, str]:
    return {"tenant_name": "Bücher", "tenant_slug": "buecher", "email": email, "password": PASSWORD}


@pytest.mark.parametrize("signed_up_as", SPELLINGS)
async def test_every_spelling_of_the_address_logs_in(client: httpx.AsyncClient, signed_up_as: str) -> None:
    created = await client.post("/api/v1/auth/signup", json=_signup_body(signed_up_as))
    assert created.status_code == 201, created.text
    assert created.json()["user"]["email"] == STORED
    for spelling in SPELLINGS:
        login = await client.post(TOKEN, data={"username": spelling, "password": PASSWORD})
        assert login.status_code == 200, (spelling, login.text)


async def test_a_punycode_domain_signs_up_and_logs_in_as_given(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/v1/auth/signup", json=_signup_body("p1@xn--bcher-kva.example"))
    assert created.json()["user"]["email"] == "p1@bücher.example"
    login = await client.post(TOKEN, data={"username": "p1@xn--bcher-kva.example", "password": PASSWORD})
    assert login.status_code == 200, login.text


async def test_another_spelling_is_the_same_account_for_uniqueness(client: httpx.AsyncClient) -> None:
    await client.post("/api/v1/auth/signup", json=_signup_body(NFD))
    again = {**_signup_body("ZO\u00cb@XN--BCHER-KVA.example"), "tenant_slug": "other"}
    assert (await client.post("/api/v1/auth/signup", json=again)).status_code == 409


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
            await client.post("/api/v1/auth/signup", json=_signup_body(NFD))
            statuses = [
                (
                    await client.post(TOKEN, data={"username": spelling, "password": "wrong password!"})
                ).status_code
                for spelling in SPELLINGS
            ]
    assert statuses == [400, 400, 400, 429]  # invalid_grant (RFC 6749), then the limit
