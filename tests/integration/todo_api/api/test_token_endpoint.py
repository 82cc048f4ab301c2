"""POST /auth/token as a stock OAuth2 client sees it: the refresh grant (RFC 6749 §6), errors
as RFC 6749 §5.2 says (400, error and error_description beside the envelope), and a refresh
grant that never counts toward the login limits."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.integration.factories import PASSWORD, Account, signup
from todo_api.core.config import Settings
from todo_api.main import create_app

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/users/me"
SPEC = json.loads((Path(__file__).resolve().parents[4] / "openapi.json").read_text())


async def refresh_grant(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": refresh_token})


def oauth_error(response: httpx.Response, error: str) -> dict[str, object]:
    """An RFC 6749 §5.2 error that is also the platform's envelope."""
    assert response.status_code == 400, response.text
    body: dict[str, object] = response.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert body["error_description"]
    assert body["errors"] == [
        {**body["errors"][0], "status": "400", "code": error}  # type: ignore[index]
    ]
    assert body["meta"] == {"request_id": response.headers["x-request-id"]}
    assert "www-authenticate" not in response.headers
    return body


async def test_the_refresh_grant_rotates_like_auth_refresh(client: httpx.AsyncClient) -> None:
    account = await signup(client, "acme")
    rotated = await refresh_grant(client, account.refresh_token)
    assert rotated.status_code == 200, rotated.text
    pair = rotated.json()
    assert pair["token_type"] == "bearer"
    assert pair["refresh_token"] != account.refresh_token
    me = await client.get(ME, headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.status_code == 200
    # One rotation chain whichever door it goes through.
    again = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert again.status_code == 200
    assert (await refresh_grant(client, again.json()["refresh_token"])).status_code == 200


async def test_a_reused_refresh_token_is_invalid_grant_and_ends_the_session(
    client: httpx.AsyncClient,
) -> None:
    account = await signup(client, "acme")
    successor = (await refresh_grant(client, account.refresh_token)).json()
    # Once the successor was used, the grace window for a concurrent retry no longer applies.
    pair = (await refresh_grant(client, successor["refresh_token"])).json()
    oauth_error(await refresh_grant(client, account.refresh_token), "invalid_grant")  # reuse
    # Reuse detection committed (keep_changes went through the OAuth error): the family is over.
    me = await client.get(ME, headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.status_code == 401
    oauth_error(await refresh_grant(client, pair["refresh_token"]), "invalid_grant")


async def test_unknown_refresh_tokens_and_wrong_passwords_are_invalid_grant(
    client: httpx.AsyncClient,
) -> None:
    account = await signup(client, "acme")
    oauth_error(await refresh_grant(client, "not-a-refresh-token"), "invalid_grant")
    oauth_error(await refresh_grant(client, account.access_token), "invalid_grant")
    wrong = await client.post(TOKEN, data={"username": account.email, "password": "not the password!"})
    oauth_error(wrong, "invalid_grant")


@pytest.mark.parametrize(
    ("form", "error", "pointer"),
    [
        ({"grant_type": "refresh_token"}, "invalid_request", "/refresh_token"),
        ({"grant_type": "password", "username": "a@example.com"}, "invalid_request", "/password"),
        ({"password": PASSWORD}, "invalid_request", "/username"),
        ({"grant_type": "refresh_token", "refresh_token": ""}, "invalid_request", "/refresh_token"),
        ({"username": "a\x00@example.com", "password": PASSWORD}, "invalid_request", "/username"),
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type", "/grant_type"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type", "/grant_type"),
    ],
)
async def test_malformed_token_requests_are_oauth_errors(
    client: httpx.AsyncClient, form: dict[str, str], error: str, pointer: str
) -> None:
    body = oauth_error(await client.post(TOKEN, data=form), error)
    assert body["errors"][0]["source"] == {"pointer": pointer}  # type: ignore[index]


async def test_an_undecodable_body_is_invalid_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN, content=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert response.status_code == 415  # not the form the endpoint declares: refused before parsing
    garbled = await client.post(
        TOKEN, content=b"username=%ZZ&password", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert garbled.status_code == 400
    assert garbled.json()["error"] == "invalid_request"


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
def strict_logins(settings: Settings, clean_database: None) -> Callable[[], Settings]:
    """Two logins per minute per IP and per account; a fresh key prefix isolates the counters."""

    def make() -> Settings:
        return settings.model_copy(
            update={
                "service_name": f"test-{uuid.uuid4().hex[:8]}",
                "rate_limit_login_ip": "2/minute",
                "rate_limit_login_account": "2/minute",
            }
        )

    return make


async def test_refresh_grants_never_count_toward_the_login_limits(
    strict_logins: Callable[[], Settings],
) -> None:
    async with serving(strict_logins()) as client:
        account: Account = await signup(client, "acme")  # its verification logs in, not counted
        refresh_token = account.refresh_token
        for _ in range(4):  # twice the login budget
            rotated = await refresh_grant(client, refresh_token)
            assert rotated.status_code == 200, rotated.text
            refresh_token = rotated.json()["refresh_token"]
        for _ in range(2):  # the login budget is untouched
            login = await client.post(TOKEN, data={"username": account.email, "password": PASSWORD})
            assert login.status_code == 200, login.text
        third = await client.post(TOKEN, data={"username": account.email, "password": PASSWORD})
        assert third.status_code == 429  # and logins are still limited


def test_the_spec_documents_the_oauth_errors_and_the_refresh_url() -> None:
    operation = SPEC["paths"][TOKEN]["post"]
    assert "422" not in operation["responses"]
    assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OAuthErrorEnvelope"
    }
    envelope = SPEC["components"]["schemas"]["OAuthErrorEnvelope"]
    assert {"error", "error_description", "errors", "meta"} <= set(envelope["required"])
    assert envelope["properties"]["error"]["enum"][:3] == [
        "invalid_request",
        "invalid_client",
        "invalid_grant",
    ]
    body = SPEC["components"]["schemas"]["Body_auth_token"]["properties"]
    assert body["grant_type"]["anyOf"][0]["enum"] == ["password", "refresh_token"]
    flow = SPEC["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"]
    assert flow["refreshUrl"] == flow["tokenUrl"] == TOKEN
