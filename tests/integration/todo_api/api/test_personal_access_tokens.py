"""Personal access tokens: made, listed and revoked with a session; used as ``Authorization:
Bearer`` for exactly the operations their scopes allow (each route declares its scopes;
one that declares none is for sessions only); refused once revoked, expired, forged, of an
inactive membership or after a password reset; their last use stamped at most once a minute.

The scope matrix is derived from the app's own routes (``route_scopes``), not from a second
list: every route with a declared scope is called with a token holding exactly those scopes
(never refused for scope) and with one holding every other scope (403 insufficient_scope);
every authenticated route that declares none refuses a token with every scope."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.mail.outbox import unseal
from tests.database import record_statements
from tests.integration.factories import (
    PASSWORD,
    Account,
    add_member,
    bearer,
    outbox_of,
    signup,
)
from tests.integration.rows import execute
from tests.integration.todo_api.api.test_memberships import add_membership as join
from tests.integration.todo_api.api.test_memberships import log_in
from todo_api.api.deps import Authenticate, route_scopes
from todo_api.core.config import Settings
from todo_api.main import create_app
from todo_api.schemas.personal_token import Scope

TOKENS = "/api/v1/users/me/tokens"
ME = "/api/v1/users/me"
TASKS = "/api/v1/tasks"
ALL_SCOPES = frozenset(scope.value for scope in Scope)
README = Path(__file__).parents[4] / "README.md"


async def new_token(
    client: httpx.AsyncClient, account: Account, scopes: set[str] | frozenset[str], **fields: Any
) -> dict[str, Any]:
    body = {"name": "script", "scopes": sorted(scopes), **fields}
    response = await client.post(TOKENS, json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def authenticated_routes() -> list[APIRoute]:
    """Every route whose dependencies reach an ``Authenticate`` (``authenticate``, or a variant
    such as the one a tenant pending deletion admits): the app's, walked, not listed."""

    def reaches(dependant: Any) -> bool:  # FastAPI's Dependant
        return any(isinstance(sub.call, Authenticate) or reaches(sub) for sub in dependant.dependencies)

    routes = [
        route
        for route in create_app(Settings(database_url="postgresql://x@localhost/x")).routes
        if isinstance(route, APIRoute)
    ]
    return [route for route in routes if reaches(route.dependant)]


ROUTES = authenticated_routes()
SCOPED = [route for route in ROUTES if route_scopes(route) is not None]
SESSION_ONLY = [route for route in ROUTES if route_scopes(route) is None]


def call_of(route: APIRoute) -> tuple[str, str]:
    [method] = route.methods
    path = re.sub(r"\{[a-z_]+(:uuid)?\}", lambda _: str(uuid.uuid4()), route.path)
    return method, path


async def call(client: httpx.AsyncClient, route: APIRoute, token: str) -> httpx.Response:
    method, path = call_of(route)
    body = {} if method in {"POST", "PATCH", "PUT"} else None
    return await client.request(method, path, json=body, headers=bearer(token))


def test_the_derived_sets_cover_what_the_contract_names() -> None:
    session_only = {route.operation_id for route in SESSION_ONLY}
    assert {
        "tokens_create",
        "tokens_list",
        "tokens_delete",
        "users_me_change_password",
        "users_me_update",
        "users_me_memberships",
        "users_list",
        "users_update",
        "users_delete",
        "invitations_create",
        "auth_switch",
        "auth_logout",
        "audit_events_list",
        "tenants_current_get",
        "tenants_current_update",
        "tenants_current_deletion_request",
        "tenants_current_deletion_get",
        "tenants_current_deletion_cancel",
    } <= session_only
    scoped = {route.operation_id: route_scopes(route) for route in SCOPED}
    assert scoped["users_me_get"] == frozenset()  # any token
    assert scoped["tasks_stats"] == scoped["tasks_delta"] == scoped["trash_tasks"] == {"tasks:read"}
    assert scoped["lists_delete"] == {"lists:write", "tasks:write"}


def readme_scope_table() -> dict[str, str]:
    """``METHOD /path`` -> scopes, from the README's table of operations and scopes."""
    text = README.read_text()
    section = text[text.index("<!-- scope-table -->") : text.index("<!-- /scope-table -->")]
    rows = re.findall(r"^\| `([A-Z]+ /api/v1/[^`]+)` \| ([^|]+) \|", section, re.MULTILINE)
    return {operation: scopes.strip() for operation, scopes in rows}


def test_the_readme_scope_table_is_the_routes_declarations() -> None:
    def documented(route: APIRoute) -> str:
        scopes = route_scopes(route)
        if scopes is None:
            return "session only"
        return " + ".join(f"`{scope}`" for scope in sorted(scopes)) or "any scope"

    expected = {
        f"{next(iter(route.methods))} {route.path.replace(':uuid', '')}": documented(route)
        for route in ROUTES
    }
    assert readme_scope_table() == expected


async def test_a_token_is_shown_once_and_only_its_hash_is_stored(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    before = datetime.now(UTC)
    created = await new_token(client, owner, {"tasks:read", "lists:read"})
    token = created["token"]
    assert token.startswith(f"tdo_pat_{uuid.UUID(owner.tenant_id).hex}_{uuid.UUID(created['id']).hex}_")
    secret = token.split("_", 4)[4]
    assert len(secret) >= 43  # 256 bits, URL-safe base64
    assert created["scopes"] == ["lists:read", "tasks:read"]
    assert created["last_used_at"] is None
    assert created["expires_at"] is None
    assert datetime.fromisoformat(created["created_at"]) >= before - timedelta(seconds=5)

    listed = await client.get(TOKENS, headers=owner.headers)
    assert listed.status_code == 200
    [row] = listed.json()
    assert set(row) == {"id", "name", "scopes", "created_at", "expires_at", "last_used_at"}
    assert secret not in listed.text

    [stored] = await execute(owner_engine, owner.tenant_id, "SELECT * FROM personal_access_token")
    assert secret not in str(tuple(stored))
    assert len(stored.secret_hash) == 64


async def test_making_and_revoking_are_audited(client: httpx.AsyncClient, owner: Account) -> None:
    created = await new_token(client, owner, {"tasks:read"})
    assert (await client.delete(f"{TOKENS}/{created['id']}", headers=owner.headers)).status_code == 204
    events = (await client.get("/api/v1/audit-events", headers=owner.headers)).json()["items"]
    recorded = [event for event in events if event["type"].startswith("token.")]
    assert {event["type"] for event in recorded} == {"token.created", "token.revoked"}
    assert all(event["subject_id"] == created["id"] for event in recorded)
    assert all(event["details"] == {"name": "script", "scopes": ["tasks:read"]} for event in recorded)


@pytest.mark.parametrize("route", SCOPED, ids=lambda route: route.operation_id)
async def test_each_scoped_route_admits_its_scopes_and_refuses_the_others(
    client: httpx.AsyncClient, owner: Account, route: APIRoute
) -> None:
    needed = route_scopes(route)
    assert needed is not None
    allowed = await new_token(client, owner, needed or {"webhooks:read"})
    response = await call(client, route, allowed["token"])
    assert response.status_code not in {401, 403}, response.text
    if not needed:
        return
    refused = await new_token(client, owner, ALL_SCOPES - needed)
    response = await call(client, route, refused["token"])
    assert response.status_code == 403, response.text
    assert response.json()["errors"][0]["code"] == "insufficient_scope"
    scope = " ".join(sorted(needed))
    assert response.headers["WWW-Authenticate"] == f'Bearer error="insufficient_scope", scope="{scope}"'


@pytest.mark.parametrize("route", SESSION_ONLY, ids=lambda route: route.operation_id)
async def test_every_management_route_refuses_a_token_with_every_scope(
    client: httpx.AsyncClient, owner: Account, route: APIRoute
) -> None:
    token = (await new_token(client, owner, ALL_SCOPES))["token"]
    response = await call(client, route, token)
    assert response.status_code == 403, response.text
    assert response.json()["errors"][0]["code"] == "session_required"
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="insufficient_scope"')


async def test_a_token_works_as_its_owner(client: httpx.AsyncClient, owner: Account) -> None:
    token = (await new_token(client, owner, {"tasks:write", "tasks:read"}))["token"]
    made = await client.post(TASKS, json={"title": "From a script"}, headers=bearer(token))
    assert made.status_code == 201, made.text
    listed = await client.get(TASKS, headers=owner.headers)
    assert [task["title"] for task in listed.json()["items"]] == ["From a script"]
    me = await client.get(ME, headers=bearer(token))
    assert me.json()["id"] == owner.user_id


async def test_revocation_takes_effect_on_the_next_request(client: httpx.AsyncClient, owner: Account) -> None:
    created = await new_token(client, owner, {"tasks:read"})
    assert (await client.get(TASKS, headers=bearer(created["token"]))).status_code == 200
    assert (await client.delete(f"{TOKENS}/{created['id']}", headers=owner.headers)).status_code == 204
    refused = await client.get(TASKS, headers=bearer(created["token"]))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await client.get(TOKENS, headers=owner.headers)).json() == []
    again = await client.delete(f"{TOKENS}/{created['id']}", headers=owner.headers)
    assert again.status_code == 404


async def test_another_users_token_cannot_be_revoked_or_seen(
    client: httpx.AsyncClient, owner: Account
) -> None:
    member = await add_member(client, owner, "bob")
    created = await new_token(client, member, {"tasks:read"})
    assert (await client.get(TOKENS, headers=owner.headers)).json() == []
    refused = await client.delete(f"{TOKENS}/{created['id']}", headers=owner.headers)
    assert refused.status_code == 404
    assert (await client.delete(f"{TOKENS}/{uuid.uuid4()}", headers=owner.headers)).status_code == 404
    assert (await client.get(TASKS, headers=bearer(created["token"]))).status_code == 200


async def test_an_expired_token_is_refused(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    created = await new_token(client, owner, {"tasks:read"}, expires_at=soon)
    assert created["expires_at"] is not None
    assert (await client.get(TASKS, headers=bearer(created["token"]))).status_code == 200
    moved = await execute(
        owner_engine,
        owner.tenant_id,
        "UPDATE personal_access_token SET expires_at = now() - interval '1 second' WHERE id = :id RETURNING id",
        id=uuid.UUID(created["id"]),
    )
    assert moved
    assert (await client.get(TASKS, headers=bearer(created["token"]))).status_code == 401


async def test_an_expiry_in_the_past_is_refused(client: httpx.AsyncClient, owner: Account) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    response = await client.post(
        TOKENS, json={"name": "x", "scopes": ["tasks:read"], "expires_at": past}, headers=owner.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/expires_at"


def tampered(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


async def test_forged_and_malformed_tokens_are_refused(client: httpx.AsyncClient, owner: Account) -> None:
    token = (await new_token(client, owner, {"tasks:read"}))["token"]
    forged = [
        tampered(token),  # one character of the secret
        token[:-1],  # a shorter secret
        f"tdo_pat_{uuid.UUID(owner.tenant_id).hex}_{uuid.uuid4().hex}_{token[-43:]}",  # another id
        "tdo_pat_",
        "tdo_pat_not-a-tenant_x_y",
        token + "x" * 100,
    ]
    for candidate in forged:
        response = await client.get(TASKS, headers=bearer(candidate))
        assert response.status_code == 401, candidate
        assert response.json()["errors"][0]["code"] == "unauthorized"
    assert (await client.get(TASKS, headers=bearer(token))).status_code == 200


async def test_a_token_names_its_own_tenant(client: httpx.AsyncClient, owner: Account) -> None:
    """The tenant part chooses the row-level-security context: another tenant's name with this
    token's id finds nothing there, and this tenant's name with another tenant's id neither."""
    other = await signup(client, "globex")
    mine = await new_token(client, owner, {"tasks:read"})
    theirs = await new_token(client, other, {"tasks:read"})
    _, _, _, my_id, my_secret = mine["token"].split("_", 4)
    _, _, _, their_id, their_secret = theirs["token"].split("_", 4)
    my_tenant, their_tenant = uuid.UUID(owner.tenant_id).hex, uuid.UUID(other.tenant_id).hex
    for candidate in (
        f"tdo_pat_{their_tenant}_{my_id}_{my_secret}",
        f"tdo_pat_{my_tenant}_{their_id}_{their_secret}",
    ):
        assert (await client.get(TASKS, headers=bearer(candidate))).status_code == 401
    assert (await client.get(TASKS, headers=bearer(theirs["token"]))).status_code == 200


@pytest.mark.parametrize("settings", [{"max_tokens_per_user": 2}], indirect=True)
async def test_a_user_holds_at_most_max_tokens_per_user(client: httpx.AsyncClient, owner: Account) -> None:
    first = await new_token(client, owner, {"tasks:read"})
    await new_token(client, owner, {"tasks:read"})
    refused = await client.post(TOKENS, json={"name": "x", "scopes": ["tasks:read"]}, headers=owner.headers)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "token_limit_reached"
    member = await add_member(client, owner, "bob")  # the limit is per user
    await new_token(client, member, {"tasks:read"})
    assert (await client.delete(f"{TOKENS}/{first['id']}", headers=owner.headers)).status_code == 204
    await new_token(client, owner, {"tasks:read"})


async def test_deactivation_and_removal_kill_the_tokens(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    member = await add_member(client, owner, "bob")
    token = (await new_token(client, member, {"tasks:read"}))["token"]
    users = f"/api/v1/users/{member.user_id}"
    assert (await client.patch(users, json={"is_active": False}, headers=owner.headers)).status_code == 200
    assert (await client.get(TASKS, headers=bearer(token))).status_code == 401
    assert (await client.patch(users, json={"is_active": True}, headers=owner.headers)).status_code == 200
    assert (await client.get(TASKS, headers=bearer(token))).status_code == 401  # reactivation revives none
    again = (await new_token(client, await login_as(client, member), {"tasks:read"}))["token"]
    assert (await client.delete(users, headers=owner.headers)).status_code == 204
    assert (await client.get(TASKS, headers=bearer(again))).status_code == 401
    assert await execute(owner_engine, owner.tenant_id, "SELECT id FROM personal_access_token") == []


async def login_as(client: httpx.AsyncClient, account: Account) -> Account:
    """The account with a fresh session (its earlier ones ended)."""
    tokens = await log_in(client, account.email)
    return replace(account, access_token=tokens.json()["access_token"])


@pytest.mark.parametrize(
    "settings",
    [{"password_change_max_failures": 3, "rate_limit_password_change_failures": "100/hour"}],
    indirect=True,
)
async def test_a_password_change_lockout_ends_the_users_tokens_too(
    client: httpx.AsyncClient, owner: Account
) -> None:
    """Whoever guesses current passwords holds a session, which could have made a token: the
    lockout that ends the sessions ends the tokens with them (the user's only)."""
    token = (await new_token(client, owner, {"tasks:read"}))["token"]
    member = await add_member(client, owner, "bob")
    theirs = (await new_token(client, member, {"tasks:read"}))["token"]
    wrong = {"current_password": "not the password", "new_password": "a brand new password"}
    statuses = [
        (await client.post("/api/v1/users/me/password", json=wrong, headers=owner.headers)).status_code
        for _ in range(3)
    ]
    assert statuses == [403, 403, 401]
    assert (await client.get(TASKS, headers=bearer(token))).status_code == 401
    assert (await client.get(TASKS, headers=bearer(theirs))).status_code == 200


async def add_membership(client: httpx.AsyncClient, person: Account, admin: Account) -> Account:
    """The person behind ``person`` joins ``admin``'s tenant (invited, accepted with their
    password) and logs in there."""
    user_id = await join(client, person, admin)
    slug = (await client.get("/api/v1/tenants/current", headers=admin.headers)).json()["slug"]
    tokens = (await log_in(client, person.email, slug)).json()
    return Account(admin.tenant_id, user_id, person.email, "member", "", tokens["access_token"], None)


async def test_a_password_change_keeps_the_tokens_unless_asked(
    client: httpx.AsyncClient, owner: Account
) -> None:
    other = await signup(client, "globex")
    elsewhere = await add_membership(client, owner, other)
    kept = (await new_token(client, owner, {"tasks:read"}))["token"]
    kept_elsewhere = (await new_token(client, elsewhere, {"tasks:read"}))["token"]
    change = {"current_password": PASSWORD, "new_password": "another long password"}
    assert (await client.post(f"{ME}/password", json=change, headers=owner.headers)).status_code == 204
    assert (await client.get(TASKS, headers=owner.headers)).status_code == 401  # the session ended
    for token in (kept, kept_elsewhere):
        assert (await client.get(TASKS, headers=bearer(token))).status_code == 200

    login = await client.post(
        "/api/v1/auth/token",
        data={"username": owner.email, "password": "another long password", "tenant": "acme"},
    )
    session = bearer(login.json()["access_token"])
    change = {
        "current_password": "another long password",
        "new_password": PASSWORD,
        "revoke_personal_access_tokens": True,
    }
    assert (await client.post(f"{ME}/password", json=change, headers=session)).status_code == 204
    for token in (kept, kept_elsewhere):
        assert (await client.get(TASKS, headers=bearer(token))).status_code == 401
    unrelated = (await new_token(client, other, {"tasks:read"}))[
        "token"
    ]  # globex's owner's: not the person's
    assert (await client.get(TASKS, headers=bearer(unrelated))).status_code == 200


async def test_a_password_reset_revokes_the_persons_tokens_everywhere(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    other = await signup(client, "globex")
    elsewhere = await add_membership(client, owner, other)
    tokens = [
        (await new_token(client, owner, {"tasks:read"}))["token"],
        (await new_token(client, elsewhere, {"tasks:read"}))["token"],
    ]
    bystander = (await new_token(client, other, {"tasks:read"}))["token"]
    reset = await client.post("/api/v1/auth/password-reset", json={"email": owner.email})
    assert reset.status_code == 202, reset.text
    link = await reset_token(client, owner) or await reset_token(client, other)  # mailed from either
    assert link is not None
    confirmed = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": link, "new_password": "a brand new password"}
    )
    assert confirmed.status_code == 204, confirmed.text
    for token in tokens:
        assert (await client.get(TASKS, headers=bearer(token))).status_code == 401
    assert (await client.get(TASKS, headers=bearer(bystander))).status_code == 200


async def reset_token(client: httpx.AsyncClient, account: Account) -> str | None:
    """The token of the reset link mailed from the account's tenant, opened as the dispatcher would."""
    outbox = outbox_of(client)
    async with outbox.tenant(account.tenant_id) as connection:
        message = await connection.fetchrow(
            "SELECT id, recipient, sealed FROM mail_message WHERE subject = 'Reset your password' "
            "ORDER BY created_at DESC LIMIT 1"
        )
    if message is None:
        return None
    token: str = unseal(outbox.box, message["id"], message["recipient"], message["sealed"])["token"]
    return token


async def test_last_used_at_is_stamped_at_most_once_a_minute(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    created = await new_token(client, owner, {"tasks:read"})

    async def last_used() -> datetime | None:
        [row] = (await client.get(TOKENS, headers=owner.headers)).json()
        return None if row["last_used_at"] is None else datetime.fromisoformat(row["last_used_at"])

    assert await last_used() is None
    assert (await client.get(TASKS, headers=bearer(created["token"]))).status_code == 200
    first = await last_used()
    assert first is not None
    assert (await client.get(TASKS, headers=bearer(created["token"]))).status_code == 200
    assert await last_used() == first  # not a write per request
    assert (await client.get(TASKS, headers=bearer(tampered(created["token"])))).status_code == 401
    await execute(
        owner_engine,
        owner.tenant_id,
        "UPDATE personal_access_token SET last_used_at = last_used_at - interval '61 seconds' RETURNING id",
    )
    assert (await client.get(TASKS, headers=bearer(tampered(created["token"])))).status_code == 401
    assert await last_used() == first - timedelta(seconds=61)  # a forged secret stamps nothing
    assert (await client.get(TASKS, headers=bearer(created["token"]))).status_code == 200
    stamped = await last_used()
    assert stamped is not None
    assert stamped > first - timedelta(seconds=61)


async def test_a_webhook_token_directs_only_data_it_may_read(
    client: httpx.AsyncClient, owner: Account
) -> None:
    """A webhook sends its events' data to its owner's URL: making one that subscribes to task
    events needs tasks:read besides webhooks:write (and list events lists:read)."""
    body = {"url": "https://hooks.example.com/in", "events": ["task.created", "list.created"]}
    hooks = (await new_token(client, owner, {"webhooks:write"}))["token"]
    refused = await client.post("/api/v1/webhooks", json=body, headers=bearer(hooks))
    assert refused.status_code == 403
    assert (
        refused.headers["WWW-Authenticate"]
        == 'Bearer error="insufficient_scope", scope="lists:read tasks:read"'
    )
    allowed = (await new_token(client, owner, {"webhooks:write", "tasks:read", "lists:read"}))["token"]
    response = await client.post("/api/v1/webhooks", json=body, headers=bearer(allowed))
    assert response.status_code not in {401, 403}, response.text


async def test_a_token_costs_no_round_trip_more_than_a_session(
    client: httpx.AsyncClient, owner: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both verify in the one query that loads the caller: BEGIN, the tenant, the caller, COMMIT
    (the stamp of last_used_at is a CTE of that query)."""
    token = (await new_token(client, owner, {"tasks:read"}))["token"]
    sent = record_statements(monkeypatch)

    async def statements(headers: dict[str, str]) -> list[str]:
        sent.clear()
        assert (await client.get(ME, headers=headers)).status_code == 200
        return list(sent)

    by_session = await statements(owner.headers)
    first_use, later_use = await statements(bearer(token)), await statements(bearer(token))
    assert len(first_use) == len(later_use) == len(by_session)
    [caller] = [query for query in first_use if "personal_access_token" in query]
    assert "UPDATE personal_access_token" in caller  # the stamp, in the same statement


# A key prefix of its own keeps the shared Redis counters apart from other tests'.
@pytest.mark.parametrize(
    "settings",
    [{"rate_limit_authenticated": "3/hour", "service_name": f"test-{uuid.uuid4().hex[:8]}"}],
    indirect=True,
)
async def test_a_token_spends_its_users_budget(client: httpx.AsyncClient, owner: Account) -> None:
    """Per user, as a session: a token and the user's session share one budget."""
    token = (await new_token(client, owner, {"tasks:read"}))["token"]
    first = await client.get(TASKS, headers=bearer(token))
    assert first.status_code == 200
    assert first.headers["x-ratelimit-limit"] == "3"
    remaining = int(first.headers["x-ratelimit-remaining"])
    for _ in range(remaining):
        assert (await client.get(TASKS, headers=owner.headers)).status_code == 200
    refused = await client.get(TASKS, headers=bearer(token))
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "rate_limited"


async def test_a_tenants_deletion_ends_its_tokens(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    """Requesting the deletion revokes every member's tokens with every other credential; and
    a token the revocation missed is refused by the caller check itself (404, as a session)."""
    member = await add_member(client, owner, "bob")
    tokens = [(await new_token(client, account, {"tasks:read"}))["token"] for account in (owner, member)]
    body = {"confirm": "acme", "password": PASSWORD}
    requested = await client.post("/api/v1/tenants/current/deletion", json=body, headers=owner.headers)
    assert requested.status_code == 202, requested.text
    assert await execute(owner_engine, owner.tenant_id, "SELECT id FROM personal_access_token") == []
    for token in tokens:
        assert (await client.get(TASKS, headers=bearer(token))).status_code == 401


async def test_a_token_into_a_tenant_pending_deletion_is_404(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    token = (await new_token(client, owner, {"tasks:read"}))["token"]
    disabled = await execute(
        owner_engine,
        owner.tenant_id,
        "UPDATE tenant SET deletion_requested_at = now(), purge_after = now() + interval '7 days' RETURNING id",
    )
    assert disabled
    refused = await client.get(TASKS, headers=bearer(token))
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["code"] == "tenant_not_found"
    assert (await client.get(TASKS, headers=bearer(tampered(token)))).status_code == 401  # tells nothing
