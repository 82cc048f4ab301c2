"""POST /users/me/deletion: a member deletes their own membership, with all it owns.

Checked from outside the service: every table of the models with a column naming a user
(its foreign keys to ``user``), read as a every_tenant across every tenant, holds no row of the
deleted membership afterwards, and every other user's and tenant's rows are as they were.
The person goes with their last membership and stays while another is left; the last owner
is refused; a wrong password deletes nothing; and the rows go without an event each.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import PASSWORD, Account, invitation_token, login
from tests.integration.rows import execute, row_locks, wait_for_blocked_statements
from tests.integration.todo_api.api.test_account_export import populated
from tests.integration.todo_api.api.test_memberships import add_membership, log_in
from todo_api.models import metadata

DELETION = "/api/v1/users/me/deletion"
ME = "/api/v1/users/me"
TASKS = "/api/v1/tasks"


def user_columns() -> list[tuple[Table, str]]:
    """Every (table, column) of the models that names a user: the user's own id, and each
    column of a foreign key to ``user``."""
    found: list[tuple[Table, str]] = [(metadata.tables["user"], "id")]
    for table in metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table.name == "user" and key.column.name == "id":
                found.append((table, key.parent.name))
    return found


async def rows_of(connection: asyncpg.Connection, user_id: str) -> dict[str, int]:
    """How many rows of each user-naming column name ``user_id``, across all tenants."""
    counts = {}
    for table, column in user_columns():
        counts[f"{table.name}.{column}"] = await connection.fetchval(
            f'SELECT count(*) FROM "{table.name}" WHERE "{column}" = $1',  # noqa: S608  # the models' names
            uuid.UUID(user_id),
        )
    return counts


async def snapshot(connection: asyncpg.Connection) -> dict[str, list[Any]]:
    """Every row of every model table (the whole database as the models see it), by table."""
    return {
        table.name: sorted(map(str, await connection.fetch(f'SELECT * FROM "{table.name}"')))  # noqa: S608
        for table in metadata.sorted_tables
    }


async def person_of(connection: asyncpg.Connection, email: str) -> asyncpg.Record | None:
    return await connection.fetchrow("SELECT * FROM person WHERE email = $1", email)


async def delete_me(client: httpx.AsyncClient, who: Account, password: str = PASSWORD) -> httpx.Response:
    return await client.post(DELETION, json={"password": password}, headers=who.headers)


@pytest.fixture
async def acme(client: httpx.AsyncClient) -> tuple[Account, Account, Account]:
    """Ada (owner) and Bob (member) of Acme, and Globex beside them; each with data, and Bob
    with an idempotency record, a reset link and a second session too."""
    ada, bob, globex = await populated(client)
    keyed = await client.post(
        TASKS, json={"title": "keyed"}, headers={**bob.headers, "Idempotency-Key": "bob-1"}
    )
    assert keyed.status_code == 201, keyed.text
    assert (await client.post("/api/v1/auth/password-reset", json={"email": bob.email})).status_code == 202
    await login(client, bob.email)  # a second session
    return ada, bob, globex


async def test_deletion_leaves_no_row_of_the_membership_and_touches_nothing_else(
    client: httpx.AsyncClient, acme: tuple[Account, Account, Account], every_tenant: asyncpg.Connection
) -> None:
    ada, bob, _ = acme
    before_bob = await rows_of(every_tenant, bob.user_id)
    assert all(before_bob[name] for name in ("task.owner_id", "task_list.owner_id", "auth_session.user_id"))
    assert all(before_bob[name] for name in ("webhook_endpoint.owner_id", "idempotency_key.user_id"))
    assert before_bob["password_reset_token.user_id"]
    before = await snapshot(every_tenant)

    assert (await delete_me(client, bob)).status_code == 204

    assert set((await rows_of(every_tenant, bob.user_id)).values()) == {0}
    assert await person_of(every_tenant, bob.email) is None
    after = await snapshot(every_tenant)
    for table, rows in before.items():
        if table == "audit_event":
            continue  # below
        # Bob's rows name his membership's id; his person, address and mail, his address.
        kept = [row for row in rows if bob.user_id not in row and bob.email not in row]
        assert after[table] == kept, table
    assert [row for row in before["mail_message"] if bob.email in row]  # there was mail to go
    # The trail stays the tenant's record, with nothing personal of Bob beyond his id.
    trail = await every_tenant.fetch(
        "SELECT * FROM audit_event WHERE actor_id = $1 OR subject_id = $1", uuid.UUID(bob.user_id)
    )
    assert trail
    for event in trail:
        if event["actor_id"] == uuid.UUID(bob.user_id):
            assert (event["ip"], event["user_agent"]) == (None, None)
        assert bob.email not in str(dict(event))
        assert "bob" not in str(event["details"]).lower()
    [deleted] = [event for event in trail if event["type"] == "account.deleted"]
    assert json.loads(deleted["details"]) == {"role": "member", "person_deleted": True}

    # Bob's tokens are dead; his address no longer logs in; Ada works on.
    assert (await client.get(ME, headers=bob.headers)).status_code == 401
    refused = await client.post(
        "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": bob.refresh_token}
    )
    assert refused.status_code in {400, 401}
    assert (await log_in(client, bob.email)).status_code == 400
    assert (await client.get(ME, headers=ada.headers)).status_code == 200
    # The address is free again: accepting a new invitation makes a new person, whose
    # password is whatever the acceptance gives (an existing person's would have to match).
    invited = await client.post("/api/v1/invitations", json={"email": bob.email}, headers=ada.headers)
    assert invited.status_code == 201, invited.text
    token = await invitation_token(client, ada.tenant_id, bob.email)
    body = {"token": token, "password": "an entirely new password"}
    assert (await client.post("/api/v1/auth/invitations/accept", json=body)).status_code == 200


async def test_the_person_stays_while_another_membership_is_left(
    client: httpx.AsyncClient, acme: tuple[Account, Account, Account], every_tenant: asyncpg.Connection
) -> None:
    _, bob, globex = acme
    in_globex = await add_membership(client, bob, globex)
    person = await person_of(every_tenant, bob.email)
    assert person is not None

    assert (await delete_me(client, bob)).status_code == 204

    assert await person_of(every_tenant, bob.email) == person
    assert set((await rows_of(every_tenant, bob.user_id)).values()) == {0}
    assert (
        await every_tenant.fetchval('SELECT count(*) FROM "user" WHERE id = $1', uuid.UUID(in_globex))
    ) == 1
    assert (await log_in(client, bob.email, "acme")).status_code == 400
    assert (await log_in(client, bob.email, "globex")).status_code == 200
    assert (await log_in(client, bob.email)).status_code == 200  # lands in Globex
    [event] = await every_tenant.fetch("SELECT details FROM audit_event WHERE type = 'account.deleted'")
    assert json.loads(event["details"]) == {"role": "member", "person_deleted": False}


async def test_the_last_owner_is_refused_until_another_is_owner(
    client: httpx.AsyncClient, acme: tuple[Account, Account, Account], every_tenant: asyncpg.Connection
) -> None:
    ada, bob, _ = acme
    refused = await delete_me(client, ada)
    assert refused.status_code == 409, refused.text
    assert refused.json()["errors"][0]["code"] == "last_owner"
    assert (await rows_of(every_tenant, ada.user_id))["user.id"] == 1

    promoted = await client.patch(f"/api/v1/users/{bob.user_id}", json={"role": "owner"}, headers=ada.headers)
    assert promoted.status_code == 200, promoted.text
    assert (await delete_me(client, ada)).status_code == 204
    assert set((await rows_of(every_tenant, ada.user_id)).values()) == {0}


async def test_two_owners_leaving_at_once_leave_one(
    client: httpx.AsyncClient, acme: tuple[Account, Account, Account], owner_engine: AsyncEngine
) -> None:
    """Both owners ask at once: the tenant's row lock lines them up, so the second sees the
    first gone and is refused, and the tenant keeps an owner."""
    ada, bob, _ = acme
    promoted = await client.patch(f"/api/v1/users/{bob.user_id}", json={"role": "owner"}, headers=ada.headers)
    assert promoted.status_code == 200, promoted.text
    lock = "SELECT id FROM tenant WHERE id = :tenant FOR UPDATE"
    async with row_locks(owner_engine, ada.tenant_id, lock, tenant=ada.tenant_id):
        both = [asyncio.create_task(delete_me(client, who)) for who in (ada, bob)]
        await wait_for_blocked_statements(owner_engine, 2)
    statuses = sorted(response.status_code for response in await asyncio.gather(*both))
    assert statuses == [204, 409]
    owners = await execute(owner_engine, ada.tenant_id, "SELECT id FROM \"user\" WHERE role = 'owner'")
    assert len(owners) == 1


async def test_a_wrong_password_deletes_nothing(
    client: httpx.AsyncClient, acme: tuple[Account, Account, Account], every_tenant: asyncpg.Connection
) -> None:
    _, bob, _ = acme
    before = await snapshot(every_tenant)
    refused = await delete_me(client, bob, "not the password!")
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"][0]["source"] == {"pointer": "/password"}
    after = await snapshot(every_tenant)
    before["user"] = after["user"] = []  # the failure is counted on the membership
    assert after == before
    assert (await client.get(ME, headers=bob.headers)).status_code == 200
    assert (await client.post(DELETION, json={}, headers=bob.headers)).status_code == 422
    assert (await client.post(DELETION, json={"password": PASSWORD})).status_code == 401


async def test_the_owned_rows_go_without_an_event_each(
    client: httpx.AsyncClient, acme: tuple[Account, Account, Account], every_tenant: asyncpg.Connection
) -> None:
    """No task.deleted (or any) event for Bob's tasks: nothing is added to the outbox nor to
    the dispatcher's queue, and what was there of Bob's goes with him."""
    _, bob, _ = acme
    bobs_tasks = [
        row["id"]
        for row in await every_tenant.fetch("SELECT id FROM task WHERE owner_id = $1", uuid.UUID(bob.user_id))
    ]
    assert bobs_tasks
    before = {row["id"] for row in await every_tenant.fetch("SELECT id FROM outbox_event")}
    jobs = await every_tenant.fetchval("SELECT count(*) FROM pgqueuer")

    assert (await delete_me(client, bob)).status_code == 204

    assert await every_tenant.fetchval("SELECT count(*) FROM pgqueuer") == jobs  # no fan-out queued

    after = await every_tenant.fetch("SELECT id, type, data::text AS data FROM outbox_event")
    assert {row["id"] for row in after} <= before
    assert not [row for row in after if any(str(task) in row["data"] for task in bobs_tasks)]
    assert not await every_tenant.fetchval(
        "SELECT count(*) FROM webhook_delivery AS d JOIN outbox_event AS e ON e.id = d.event_id "
        "WHERE e.owner_id = $1",
        uuid.UUID(bob.user_id),
    )
