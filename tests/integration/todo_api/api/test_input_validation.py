"""Request bodies carry only what a client may set: anything else, bad password lengths and NUL
characters are 422 with a pointer to the offending field, never a silent write and never a 500."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration.factories import PASSWORD, Account, signup
from todo_api.core.config import Settings


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    valid_body: dict[str, Any]
    authenticated: bool = True


SIGNUP = Endpoint(
    "POST",
    "/api/v1/auth/signup",
    {"tenant_name": "Evil", "tenant_slug": "evil", "email": "eve@evil.example.com", "password": PASSWORD},
    authenticated=False,
)
UPDATE_ME = Endpoint("PATCH", "/api/v1/users/me", {"full_name": "Eve"})
INVITE = Endpoint("POST", "/api/v1/invitations", {"email": "eve@acme.example.com"})
ACCEPT_INVITATION = Endpoint(
    "POST", "/api/v1/auth/invitations/accept", {"token": "x" * 43, "password": PASSWORD}, authenticated=False
)
UPDATE_USER = Endpoint("PATCH", "/api/v1/users/{me}", {"full_name": "Eve"})
RENAME_TENANT = Endpoint("PATCH", "/api/v1/tenants/current", {"name": "Evil Corp"})
CHANGE_PASSWORD = Endpoint(
    "POST", "/api/v1/users/me/password", {"current_password": PASSWORD, "new_password": "x" * 20}
)
REFRESH = Endpoint("POST", "/api/v1/auth/refresh", {"refresh_token": "x" * 43}, authenticated=False)
LOGOUT = Endpoint("POST", "/api/v1/auth/logout", {"refresh_token": "x" * 43})

# Server-managed fields, with values an attacker would like to set.
SERVER_FIELDS: dict[str, Any] = {
    "id": str(uuid.uuid4()),
    "tenant_id": str(uuid.uuid4()),
    "owner_id": str(uuid.uuid4()),
    "role": "owner",
    "is_active": True,
    "token_version": 0,
    "hashed_password": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
}


@pytest.fixture
async def caller(client: httpx.AsyncClient, settings: Settings) -> Account:
    return await signup(client, "acme", signed_by=settings)


async def send(
    client: httpx.AsyncClient, caller: Account, endpoint: Endpoint, body: dict[str, Any]
) -> httpx.Response:
    headers = caller.headers if endpoint.authenticated else {}
    path = endpoint.path.format(me=caller.user_id)
    return await client.request(endpoint.method, path, json=body, headers=headers)


def assert_invalid(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    pointers = [e.get("source", {}).get("pointer") for e in response.json()["errors"]]
    assert f"/{field}" in pointers, pointers


@pytest.mark.parametrize("field", SERVER_FIELDS)
@pytest.mark.parametrize(
    "endpoint",
    [SIGNUP, UPDATE_ME, ACCEPT_INVITATION, RENAME_TENANT],
    ids=["signup", "update me", "accept invitation", "rename tenant"],
)
async def test_server_managed_fields_are_refused(
    client: httpx.AsyncClient, caller: Account, endpoint: Endpoint, field: str
) -> None:
    body = {**endpoint.valid_body, field: SERVER_FIELDS[field]}
    assert_invalid(await send(client, caller, endpoint, body), field)


async def test_the_admin_update_accepts_role_and_status_but_no_other_server_field(
    client: httpx.AsyncClient, caller: Account
) -> None:
    for field in SERVER_FIELDS.keys() - {"role", "is_active"}:
        body = {**UPDATE_USER.valid_body, field: SERVER_FIELDS[field]}
        assert_invalid(await send(client, caller, UPDATE_USER, body), field)


async def test_an_invitation_accepts_a_role_but_no_other_server_field(
    client: httpx.AsyncClient, caller: Account
) -> None:
    for field in SERVER_FIELDS.keys() - {"role"}:
        body = {**INVITE.valid_body, field: SERVER_FIELDS[field]}
        assert_invalid(await send(client, caller, INVITE, body), field)


@pytest.mark.parametrize(
    ("endpoint", "field"),
    [(SIGNUP, "password"), (CHANGE_PASSWORD, "new_password")],
    ids=["signup", "change password"],
)
@pytest.mark.parametrize(("length", "accepted"), [(11, False), (12, True), (128, True), (129, False)])
async def test_passwords_must_be_12_to_128_characters(
    client: httpx.AsyncClient,
    caller: Account,
    endpoint: Endpoint,
    field: str,
    length: int,
    accepted: bool,
) -> None:
    body = {**endpoint.valid_body, field: "p" * length}
    response = await send(client, caller, endpoint, body)
    if accepted:
        assert response.is_success, response.text
    else:
        assert_invalid(response, field)


NUL_CASES: list[tuple[Endpoint, str]] = [
    *((SIGNUP, field) for field in ("tenant_name", "tenant_slug", "email", "password", "full_name")),
    (UPDATE_ME, "full_name"),
    (INVITE, "email"),
    *((ACCEPT_INVITATION, field) for field in ("token", "password", "full_name")),
    (UPDATE_USER, "full_name"),
    (RENAME_TENANT, "name"),
    (CHANGE_PASSWORD, "current_password"),
    (CHANGE_PASSWORD, "new_password"),
    (REFRESH, "refresh_token"),
    (LOGOUT, "refresh_token"),
]


@pytest.mark.parametrize(
    ("endpoint", "field"), NUL_CASES, ids=[f"{e.method} {e.path} {f}" for e, f in NUL_CASES]
)
async def test_nul_characters_are_422_in_json_bodies(
    client: httpx.AsyncClient, caller: Account, endpoint: Endpoint, field: str
) -> None:
    value = endpoint.valid_body.get(field, "Eve")
    body = {**endpoint.valid_body, field: value[:3] + "\x00" + value[3:]}
    assert_invalid(await send(client, caller, endpoint, body), field)


@pytest.mark.parametrize("field", ["username", "password"])
async def test_nul_characters_are_invalid_requests_in_the_login_form(
    client: httpx.AsyncClient, caller: Account, field: str
) -> None:
    """The token endpoint answers as RFC 6749 §5.2 says: 400 invalid_request, not 422."""
    form = {"username": caller.email, "password": PASSWORD}
    form[field] = form[field][:3] + "\x00" + form[field][3:]
    response = await client.post("/api/v1/auth/token", data=form)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert response.json()["errors"][0]["source"] == {"pointer": f"/{field}"}


async def test_nul_characters_in_the_path_or_query_are_refused(
    client: httpx.AsyncClient, caller: Account
) -> None:
    headers = caller.headers
    in_path = await client.get("/api/v1/users/%00", headers=headers)
    in_query = await client.get("/api/v1/users", params={"page": "1\x00"}, headers=headers)
    assert in_query.status_code == 422
    # The route only matches a uuid, so a NUL in the id is refused before validation (404).
    assert in_path.status_code in {404, 422}


@pytest.mark.parametrize("slug", ["evil\n", "\nevil", "evil\r\n", "ev\nil"], ids=repr)
async def test_a_slug_with_a_newline_is_422_not_a_database_error(
    client: httpx.AsyncClient, slug: str
) -> None:
    """Python's re lets "$" match before a final newline; the database's CHECK does not."""
    body = {**SIGNUP.valid_body, "tenant_slug": slug}
    assert_invalid(await client.post(SIGNUP.path, json=body), "tenant_slug")


@pytest.mark.parametrize("blank", ["\x85", "\u3000", " \u2028\t"], ids=repr)
async def test_names_of_unicode_whitespace_only_are_422(
    client: httpx.AsyncClient, caller: Account, blank: str
) -> None:
    assert_invalid(
        await client.post(SIGNUP.path, json={**SIGNUP.valid_body, "tenant_name": blank}), "tenant_name"
    )
    response = await send(client, caller, RENAME_TENANT, {"name": blank})
    assert_invalid(response, "name")
