"""The audit trail (``GET /api/v1/audit-events``): each security event recorded by its action,
in the action's own transaction; readable by owners and admins of the tenant only; filters and
pages; nothing recorded for an unknown address (which is refused exactly as before), nor by
the hot read and task paths.

Whether every tenant's rows say something is asked as a superuser (row-level security does
not bind one), so "recorded nothing" means nothing in any tenant.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase
from tests.database import connected, record_statements
from tests.integration.apps import serving
from tests.integration.factories import PASSWORD, Account, add_member, bearer, login, signup
from tests.integration.todo_api.api.test_password_reset import RESET, mailed_token
from tests.integration.todo_api.webhooks.conftest import WEBHOOKS, Names, as_tenant
from todo_api.core.config import Settings
from todo_api.main import create_app
from todo_api.schemas.audit import AuditEventType

DELETION = "/api/v1/tenants/current/deletion"

AUDIT = "/api/v1/audit-events"
TOKEN = "/api/v1/auth/token"
NEW_PASSWORD = "another long passphrase"
# A receiver whose URL carries its own credential, as chat services' webhook URLs do.
SECRET_PATH = "T0123/B4567/s3cr3tp4thc4p4b1l1ty"
# A lockout after two wrong current passwords, none of them limited.
LOCKOUT_AT_TWO = pytest.mark.parametrize(
    "settings",
    [{"password_change_max_failures": 2, "rate_limit_password_change_failures": "100/hour"}],
    indirect=True,
)
HOOK = {"url": f"https://hooks.example.com/services/{SECRET_PATH}?token=qu3ry", "events": ["task.created"]}


@pytest.fixture
async def client(settings: Settings, clean_database: None) -> AsyncIterator[httpx.AsyncClient]:
    """The app, able to register webhooks (hooks.example.com resolves to a public address)."""
    application = create_app(settings)
    application.state.runtime.resolver = Names()
    async with serving(application) as http:
        yield http


async def all_events(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    return list(await connection.fetch("SELECT * FROM audit_event ORDER BY created_at, id"))


async def trail(client: httpx.AsyncClient, admin: Account, **params: Any) -> list[dict[str, Any]]:
    """The events ``admin`` reads (one page of up to 100), newest first."""
    response = await client.get(AUDIT, params={"size": 100, **params}, headers=admin.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def typed(events: list[dict[str, Any]], event_type: AuditEventType) -> list[dict[str, Any]]:
    return [event for event in events if event["type"] == event_type.value]


def only(events: list[dict[str, Any]], event_type: AuditEventType) -> dict[str, Any]:
    [event] = typed(events, event_type)
    return event


def relogged(account: Account, tokens: dict[str, str]) -> Account:
    """``account`` with the tokens of a new login (its earlier session ended)."""
    return replace(account, access_token=tokens["access_token"], refresh_token=tokens["refresh_token"])


async def refused_login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    response = await client.post(TOKEN, data={"username": username, "password": password})
    assert response.status_code == 400, response.text
    return response


async def test_sign_up_and_login_are_recorded_with_who_and_where(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")  # sign-up, then a login
    events = await trail(client, owner)

    assert [event["type"] for event in events] == ["auth.login.succeeded", "user.created"]  # newest first
    login_event, created = events
    assert created["actor_id"] == created["subject_id"] == owner.user_id
    assert created["details"] == {"email": owner.email, "role": "owner", "signup": True}
    assert login_event["actor_id"] == login_event["subject_id"] == owner.user_id
    assert login_event["details"] == {"session_id": owner.session_id}
    for event in events:
        assert event["tenant_id"] == owner.tenant_id
        assert event["ip"] == "127.0.0.1"
        assert event["user_agent"].startswith("python-httpx/")
    assert login_event["created_at"] >= created["created_at"]


async def test_a_refused_login_of_an_account_is_recorded_in_its_tenant(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    member = await add_member(client, owner, "bob")
    deactivated = await client.patch(
        f"/api/v1/users/{member.user_id}", json={"is_active": False}, headers=owner.headers
    )
    assert deactivated.status_code == 200
    await refused_login(client, owner.email.upper(), "not the password at all")
    await refused_login(client, owner.email, "short")  # refused before any check: still an attempt
    await refused_login(client, member.email, PASSWORD)  # the right password of a deactivated user

    failed = typed(await trail(client, owner), AuditEventType.LOGIN_FAILED)
    assert [(event["subject_id"], event["details"]) for event in failed] == [
        (member.user_id, {"reason": "inactive_user"}),
        (owner.user_id, {"reason": "wrong_password"}),
        (owner.user_id, {"reason": "wrong_password"}),
    ]
    assert {event["actor_id"] for event in failed} == {None}  # no one was authenticated
    assert {event["ip"] for event in failed} == {"127.0.0.1"}


async def test_a_refused_login_of_an_unknown_address_records_nothing_and_answers_alike(
    client: httpx.AsyncClient, every_tenant: asyncpg.Connection
) -> None:
    """The refusal of an unknown address is the refusal of a wrong password: same status, body
    and headers (but the request's own ids), and it writes nothing, in any tenant."""
    owner = await signup(client, "acme")
    before = await all_events(every_tenant)

    unknown = [
        await refused_login(client, address, password)
        for address, password in [
            ("nobody@acme.example.com", PASSWORD),
            ("nobody@acme.example.com", "short"),
            ("not an address", PASSWORD),
        ]
    ]
    assert await all_events(every_tenant) == before
    known = await refused_login(client, owner.email, "not the password at all")
    assert len(await all_events(every_tenant)) == len(before) + 1

    def seen(response: httpx.Response) -> tuple[Any, ...]:
        body = {key: value for key, value in response.json().items() if key != "meta"}
        own = {"x-request-id", "traceresponse", "content-length"}
        headers = {name: value for name, value in response.headers.items() if name not in own}
        return response.status_code, body, headers

    assert {str(seen(response)) for response in unknown} == {str(seen(known))}
    assert seen(known)[1]["error"] == "invalid_grant"
    assert seen(known)[1]["error_description"] == "Incorrect e-mail or password"


async def test_a_refused_login_makes_the_same_round_trips_whether_or_not_the_address_has_an_account(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time of the answer does not tell either: both refusals send as many statements to
    the database, each entering a tenant without waiting for the disk at COMMIT (a write's
    commit otherwise waits for the WAL to be flushed, a read's does not), and both commit."""
    owner = await signup(client, "acme")
    sent = record_statements(monkeypatch)

    async def statements(username: str) -> list[str]:
        sent.clear()
        await refused_login(client, username, "not the password at all")
        return list(sent)

    known, unknown = await statements(owner.email), await statements("nobody@acme.example.com")
    assert len(known) == len(unknown) == 5  # BEGIN, the lookup, the tenant, one statement, COMMIT
    assert known[0] == unknown[0]  # BEGIN (with the statement timeout behind a pooler)
    assert known[0].startswith("BEGIN")
    assert known[-1] == unknown[-1] == "COMMIT"
    for trip in (known, unknown):
        [entered] = [query for query in trip if "app.tenant_id" in query]
        assert entered.endswith("; SET LOCAL synchronous_commit TO off")
    assert known[3].startswith("INSERT INTO audit_event")
    assert unknown[3].startswith("SELECT audit_event.id")


async def test_logout_and_a_session_ended_by_refresh_token_reuse_are_recorded(
    client: httpx.AsyncClient,
) -> None:
    owner = await signup(client, "acme")
    other = await login(client, owner.email)
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    onward = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
    )
    assert onward.status_code == 200  # the successor used: the first token is now reuse
    reused = await client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert reused.status_code == 401
    out = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": owner.refresh_token}, headers=owner.headers
    )
    assert out.status_code == 204

    admin = await add_member(client, await signup(client, "globex"), "eve", role="admin")
    assert await trail(client, admin, type="auth.session.revoked") == []  # another tenant's
    events = await trail(client, relogged(owner, await login(client, owner.email)))
    revoked = only(events, AuditEventType.SESSION_REVOKED)
    other_session = revoked["details"]["session_id"]
    assert other_session != owner.session_id
    assert revoked["details"] == {"session_id": other_session, "reason": "refresh_token_reused"}
    assert (revoked["actor_id"], revoked["subject_id"]) == (None, owner.user_id)
    logout = only(events, AuditEventType.LOGOUT)
    assert (logout["actor_id"], logout["subject_id"]) == (owner.user_id, owner.user_id)
    assert logout["details"] == {"session_ids": [owner.session_id]}
    assert len(typed(events, AuditEventType.LOGIN_SUCCEEDED)) == 3


@LOCKOUT_AT_TWO
async def test_a_password_change_and_a_lockout_are_recorded(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    member = await add_member(client, owner, "bob")

    async def change(account: Account, current: str) -> int:
        body = {"current_password": current, "new_password": NEW_PASSWORD}
        return (
            await client.post("/api/v1/users/me/password", json=body, headers=account.headers)
        ).status_code

    assert await change(member, PASSWORD) == 204
    assert [await change(owner, "wrong current password") for _ in range(2)] == [403, 401]

    events = await trail(client, relogged(owner, await login(client, owner.email)))
    changed = only(events, AuditEventType.PASSWORD_CHANGED)
    assert (changed["actor_id"], changed["subject_id"], changed["details"]) == (
        member.user_id,
        member.user_id,
        {},
    )
    lockout = only(events, AuditEventType.PASSWORD_LOCKOUT)
    assert (lockout["actor_id"], lockout["subject_id"]) == (owner.user_id, owner.user_id)
    assert lockout["details"] == {"failures": 2}
    for password in (NEW_PASSWORD, PASSWORD, "wrong current password"):
        assert password not in str(events)


async def test_user_administration_is_recorded_with_the_admin_as_actor(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    bob = (await add_member(client, owner, "bob")).user_id
    for change in ({"role": "admin"}, {"role": "admin"}, {"full_name": "Bob"}, {"is_active": False}):
        response = await client.patch(f"/api/v1/users/{bob}", json=change, headers=owner.headers)
        assert response.status_code == 200, response.text
    both = await client.patch(
        f"/api/v1/users/{bob}", json={"role": "member", "is_active": True}, headers=owner.headers
    )
    assert both.status_code == 200
    assert (await client.delete(f"/api/v1/users/{bob}", headers=owner.headers)).status_code == 204

    events = [
        event
        for event in await trail(client, owner)
        if event["subject_id"] == bob and event["type"].startswith("user.")
    ]
    # A change to the same role, or to the name alone, is no event (bob joined by invitation).
    assert [(event["type"], event["details"]) for event in reversed(events)] == [
        ("user.role.changed", {"from": "member", "to": "admin"}),
        ("user.deactivated", {}),
        ("user.role.changed", {"from": "admin", "to": "member"}),
        ("user.activated", {}),
        ("user.deleted", {"email": "bob@acme.example.com", "role": "member"}),
    ]
    assert {event["actor_id"] for event in events} == {owner.user_id}


async def test_a_refused_action_records_nothing(client: httpx.AsyncClient) -> None:
    """An event is written in its action's transaction: an action refused (and rolled back)
    leaves none."""
    owner = await signup(client, "acme")
    admin = await add_member(client, owner, "alice", role="admin")
    before = await trail(client, owner)
    refused = [
        await client.patch(f"/api/v1/users/{owner.user_id}", json={"role": "member"}, headers=admin.headers),
        await client.delete(f"/api/v1/users/{owner.user_id}", headers=owner.headers),  # the last owner
        await client.post(
            "/api/v1/invitations", json={"email": admin.email, "role": "member"}, headers=owner.headers
        ),
        await client.patch(f"/api/v1/users/{uuid.uuid4()}", json={"is_active": False}, headers=owner.headers),
    ]
    assert [response.status_code for response in refused] == [403, 409, 409, 404]
    assert await trail(client, owner) == before


async def test_webhooks_created_and_deleted_are_recorded_by_host_alone(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    member = await add_member(client, owner, "bob")
    created = await client.post(WEBHOOKS, json=HOOK, headers=member.headers)
    assert created.status_code == 201, created.text
    hook = created.json()["id"]
    assert (await client.delete(f"{WEBHOOKS}/{hook}", headers=member.headers)).status_code == 204
    assert (await client.delete(f"{WEBHOOKS}/{hook}", headers=member.headers)).status_code == 404

    response = await client.get(AUDIT, params={"actor": member.user_id}, headers=owner.headers)
    events = response.json()["items"]
    assert [(event["type"], event["subject_id"], event["details"]) for event in events] == [
        ("webhook.deleted", hook, {"host": "hooks.example.com"}),
        ("webhook.created", hook, {"host": "hooks.example.com", "events": ["task.created"]}),
        ("auth.login.succeeded", member.user_id, {"session_id": member.session_id}),
        ("invitation.accepted", member.user_id, events[-1]["details"]),  # joined, then logged in
    ]
    for secret in (SECRET_PATH, "qu3ry", created.json()["secret"]):
        assert secret not in response.text


async def test_members_are_refused_and_owners_and_admins_read(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    admin = await add_member(client, owner, "alice", role="admin")
    member = await add_member(client, owner, "bob")
    refused = await client.get(AUDIT, headers=member.headers)
    assert refused.status_code == 403
    [error] = refused.json()["errors"]
    assert (error["status"], error["code"]) == ("403", "forbidden")
    assert "items" not in refused.text
    for reader in (owner, admin):
        events = await trail(client, reader)
        invitations = [event for event in events if event["type"] == "invitation.created"]
        assert len(invitations) == 2
        assert {event["subject_id"] for event in events if event not in invitations} == {
            owner.user_id,
            admin.user_id,
            member.user_id,
        }
    assert (await client.get(AUDIT)).status_code == 401


async def test_another_tenants_events_are_never_visible(client: httpx.AsyncClient) -> None:
    acme, globex = await signup(client, "acme"), await signup(client, "globex")
    acme_member = await add_member(client, acme, "bob")
    await refused_login(client, acme_member.email, "not the password at all")

    for home, foreign in ((acme, globex), (globex, acme)):
        events = await trail(client, home)
        assert {event["tenant_id"] for event in events} == {home.tenant_id}
        assert foreign.user_id not in str(events)
        # Naming another tenant's user, or their kind of event, finds nothing.
        assert await trail(client, home, actor=foreign.user_id) == []
    assert await trail(client, globex, type="auth.login.failed") == []
    assert len(await trail(client, acme, type="auth.login.failed")) == 1


async def test_filters_by_type_and_actor_and_pages_newest_first(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    member = await add_member(client, owner, "bob")
    for _ in range(2):
        await login(client, member.email)

    logins = await trail(client, owner, type="auth.login.succeeded")
    assert [event["subject_id"] for event in logins] == [member.user_id] * 3 + [owner.user_id]
    assert [event["created_at"] for event in logins] == sorted(
        (e["created_at"] for e in logins), reverse=True
    )
    by_member = await trail(client, owner, actor=member.user_id)
    assert sorted(event["type"] for event in by_member) == ["auth.login.succeeded"] * 3 + [
        "invitation.accepted"
    ]
    by_owner = await trail(client, owner, actor=owner.user_id, type="user.created")
    assert [event["subject_id"] for event in by_owner] == [owner.user_id]
    assert await trail(client, owner, actor=member.user_id, type="user.created") == []

    page = await client.get(
        AUDIT, params={"type": "auth.login.succeeded", "size": 3, "page": 2}, headers=owner.headers
    )
    assert page.status_code == 200
    assert {key: page.json()[key] for key in ("total", "page", "size", "pages")} == {
        "total": 4,
        "page": 2,
        "size": 3,
        "pages": 2,
    }
    assert [event["id"] for event in page.json()["items"]] == [logins[3]["id"]]
    assert f'<{AUDIT}?page=1&size=3&type=auth.login.succeeded>; rel="prev"' in page.headers["link"]
    past_the_end = await client.get(AUDIT, params={"page": 9, "actor": member.user_id}, headers=owner.headers)
    assert (past_the_end.json()["items"], past_the_end.json()["total"]) == ([], 4)  # and its acceptance

    for params in ({"type": "auth.login"}, {"type": "task.created"}, {"actor": "someone"}):
        invalid = await client.get(AUDIT, params=params, headers=owner.headers)
        assert invalid.status_code == 422, params
        assert invalid.json()["errors"][0]["source"] == {"parameter": next(iter(params))}


async def test_reads_and_task_writes_record_nothing(
    client: httpx.AsyncClient, every_tenant: asyncpg.Connection
) -> None:
    owner = await signup(client, "acme")
    before = await all_events(every_tenant)
    created = await client.post("/api/v1/tasks", json={"title": "t"}, headers=owner.headers)
    assert created.status_code == 201
    for response in (
        await client.get("/api/v1/users/me", headers=owner.headers),
        await client.get("/api/v1/tasks", headers=owner.headers),
        await client.patch(
            f"/api/v1/tasks/{created.json()['id']}", json={"title": "u"}, headers=owner.headers
        ),
        await client.patch("/api/v1/users/me", json={"full_name": "Ada"}, headers=owner.headers),
        await client.get(AUDIT, headers=owner.headers),
    ):
        assert response.status_code == 200, response.text
    assert await all_events(every_tenant) == before


@pytest.mark.parametrize("settings", [{"trusted_proxies": ["127.0.0.1"]}], indirect=True)
async def test_the_address_is_the_client_the_rate_limits_see_and_the_agent_is_cut(
    client: httpx.AsyncClient,
) -> None:
    owner = await signup(client, "acme")
    headers = {"X-Forwarded-For": "198.51.100.4, 2001:db8::7", "User-Agent": "Agent/" + "x" * 2000}
    response = await client.post(TOKEN, data={"username": owner.email, "password": PASSWORD}, headers=headers)
    assert response.status_code == 200
    newest = (await trail(client, owner, type="auth.login.succeeded"))[0]
    assert newest["ip"] == "2001:db8::7"  # the right-most address that is not a trusted proxy
    assert newest["user_agent"] == ("Agent/" + "x" * 2000)[:512]


@LOCKOUT_AT_TWO
async def test_every_documented_type_is_recorded_by_some_action(
    client: httpx.AsyncClient, every_tenant: asyncpg.Connection
) -> None:
    """Each type of the enum the spec documents comes from an action of the API."""
    owner = await signup(client, "acme")
    alice = await add_member(client, owner, "alice", role="admin")  # reads at the end
    bob, carol = await add_member(client, owner, "bob"), await add_member(client, owner, "carol")
    await refused_login(client, bob.email, "not the password at all")
    for change in ({"role": "admin"}, {"is_active": False}, {"is_active": True}):
        assert (
            await client.patch(f"/api/v1/users/{bob.user_id}", json=change, headers=owner.headers)
        ).is_success
    hook = (await client.post(WEBHOOKS, json=HOOK, headers=owner.headers)).json()["id"]
    assert (await client.delete(f"{WEBHOOKS}/{hook}", headers=owner.headers)).status_code == 204
    made = await client.post(
        "/api/v1/users/me/tokens", json={"name": "script", "scopes": ["tasks:read"]}, headers=owner.headers
    )
    revoked = await client.delete(f"/api/v1/users/me/tokens/{made.json()['id']}", headers=owner.headers)
    assert revoked.status_code == 204
    bob_session = await login(client, bob.email)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    changed = await client.post(
        "/api/v1/users/me/password", json=body, headers=bearer(bob_session["access_token"])
    )
    assert changed.status_code == 204
    wrong = {"current_password": "wrong current password", "new_password": NEW_PASSWORD}
    for _ in range(2):  # PASSWORD_CHANGE_MAX_FAILURES here
        await client.post("/api/v1/users/me/password", json=wrong, headers=carol.headers)
    assert (await client.post(RESET, json={"email": carol.email})).status_code == 202
    reset = {"token": await mailed_token(every_tenant, carol), "new_password": NEW_PASSWORD}
    assert (await client.post(f"{RESET}/confirm", json=reset)).status_code == 204
    first = await client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    await client.post("/api/v1/auth/refresh", json={"refresh_token": first.json()["refresh_token"]})
    await client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})  # reuse
    again = await login(client, owner.email)
    out = await client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": again["refresh_token"]},
        headers=bearer(again["access_token"]),
    )
    assert out.status_code == 204
    assert (await client.delete(f"/api/v1/users/{bob.user_id}", headers=alice.headers)).status_code == 204
    guest = {"email": "guest@example.org", "role": "member"}
    for _ in range(2):  # the second invitation revokes the first
        assert (
            await client.post("/api/v1/invitations", json=guest, headers=alice.headers)
        ).status_code == 201
    # The owner deletes the tenant, logs in to it (naming it) and cancels: everyone logs in anew.
    deletion = {"confirm": "acme", "password": PASSWORD}
    owner_now = bearer((await login(client, owner.email))["access_token"])
    assert (await client.post(DELETION, json=deletion, headers=owner_now)).status_code == 202
    form = {"username": owner.email, "password": PASSWORD, "tenant": "acme"}
    owner_now = bearer((await client.post(TOKEN, data=form)).json()["access_token"])
    assert (await client.delete(DELETION, headers=owner_now)).status_code == 200
    alice = replace(alice, access_token=(await login(client, alice.email))["access_token"])
    dave = await add_member(client, alice, "dave")
    leaving = {"password": PASSWORD}
    assert (
        await client.post("/api/v1/users/me/deletion", json=leaving, headers=dave.headers)
    ).status_code == 204

    seen = {event["type"] for event in await trail(client, alice)}
    assert seen == {member.value for member in AuditEventType}


async def test_an_event_of_a_type_this_release_does_not_know_is_listed_as_stored(
    client: httpx.AsyncClient, database: ProvisionedDatabase
) -> None:
    """After a rollback from a newer release, the rows it recorded with types this one does not
    know stay: the listing shows them as stored rather than failing."""
    owner = await signup(client, "acme")
    async with connected(database.owner_url) as connection:
        await as_tenant(
            connection,
            owner.tenant_id,
            "INSERT INTO audit_event (tenant_id, type, actor_id, subject_id, details)"
            " VALUES ($1, 'auth.passkey.added', $2, $2, '{\"name\": \"laptop\"}')",
            uuid.UUID(owner.tenant_id),
            uuid.UUID(owner.user_id),
        )
    assert "auth.passkey.added" not in {member.value for member in AuditEventType}

    newest, *known = await trail(client, owner)
    assert (newest["type"], newest["actor_id"], newest["details"]) == (
        "auth.passkey.added",
        owner.user_id,
        {"name": "laptop"},
    )
    assert [event["type"] for event in known] == ["auth.login.succeeded", "user.created"]
    # The filter still takes the known types only (and the unknown row is not among them).
    assert [event["type"] for event in await trail(client, owner, type="user.created")] == ["user.created"]
    refused = await client.get(AUDIT, params={"type": "auth.passkey.added"}, headers=owner.headers)
    assert refused.status_code == 422
