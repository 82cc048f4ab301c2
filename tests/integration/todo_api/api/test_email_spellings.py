"""One spelling of an e-mail address wherever one enters: sign-up, a new member, login and
the login's per-account limit. Case, Punycode and Unicode normal forms name one account.

An address whose local part is not ASCII cannot receive the sign-up's e-mail yet (the
outbox has no SMTPUTF8), so those accounts are made as members of a tenant (``POST /users``)."""

from __future__ import annotations

import unicodedata
import uuid

import httpx
import pytest

from tests.integration.factories import PASSWORD, signed_up, signup, signup_token
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


async def _member(client: httpx.AsyncClient, email: str, slug: str = "acme") -> httpx.Response:
    """A member with ``email`` in a new tenant ``slug``."""
    owner = await signup(client, slug)
    return await client.post(
        "/api/v1/users", json={"email": email, "password": PASSWORD}, headers=owner.headers
    )


@pytest.mark.parametrize("signed_up_as", SPELLINGS)
async def test_every_spelling_of_the_address_logs_in(client: httpx.AsyncClient, signed_up_as: str) -> None:
    created = await _member(client, signed_up_as)
    assert created.json()["email"] == STORED
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
    member = {"email": "Ze\u0301lie@XN--BCHER-KVA.example", "password": PASSWORD}
    created = await client.post("/api/v1/users", json=member, headers=owner.headers)
    assert created.json()["email"] == "zélie@bücher.example"
    login = await client.post(TOKEN, data={"username": "zélie@bücher.example", "password": PASSWORD})
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
            await _member(client, NFD)
            statuses = [
                (
                    await client.post(TOKEN, data={"username": spelling, "password": "wrong password!"})
                ).status_code
                for spelling in SPELLINGS
            ]
    assert statuses == [400, 400, 400, 429]  # invalid_grant (RFC 6749), then the limit
