"""GET /users/me/export: everything the caller owns in the tenant, in one streamed document.

Every owned row of lists, tasks (trashed ones and subtasks too), webhooks and tokens comes back with
every column (but a task's search vector and a webhook's secrets), compared with the rows
as the schema owner reads them; nothing of another user of the tenant or of another tenant
is in it; and the document is written a bounded page at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import Account, add_member, signup
from tests.integration.rows import execute
from tests.integration.todo_api.webhooks.conftest import WEBHOOKS, Names
from todo_api.repositories.export import ListPages, OwnedPages, TaskPages, TokenPages, WebhookPages
from todo_api.schemas.export import ExportDocument
from todo_api.services.auth import load_caller
from todo_api.services.export import ExportService

EXPORT = "/api/v1/users/me/export"
TASKS_PATH = "/api/v1/tasks"
LISTS_PATH = "/api/v1/lists"


def allow_webhooks(client: httpx.AsyncClient) -> None:
    """Let the app's webhooks resolve (the webhook tests' fixed names): the resolver is read
    per request."""
    client._transport.app.state.runtime.resolver = Names()  # type: ignore[attr-defined]


async def created(client: httpx.AsyncClient, path: str, who: Account, **body: Any) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    row: dict[str, Any] = response.json()
    return row


async def fill(client: httpx.AsyncClient, who: Account, tag: str) -> None:
    """A list, tasks in it and in the default list, a subtask, a trashed task, a webhook."""
    listed = await created(client, LISTS_PATH, who, name=f"{tag} list")
    parent = await created(
        client,
        TASKS_PATH,
        who,
        title=f"{tag} parent",
        list_id=listed["id"],
        tags=["a", tag],
        due_at="2026-12-24T18:00:00Z",
        recurrence="FREQ=WEEKLY;COUNT=3",
        priority="high",
    )
    await created(client, TASKS_PATH, who, title=f"{tag} child", parent_id=parent["id"])
    trashed = await created(client, TASKS_PATH, who, title=f"{tag} trashed", description="gone")
    deleted = await client.delete(f"{TASKS_PATH}/{trashed['id']}", headers=who.headers)
    assert deleted.status_code == 204, deleted.text
    await created(client, WEBHOOKS, who, url=f"https://hooks.example.com/{tag}", events=["task.created"])
    await created(client, "/api/v1/users/me/tokens", who, name=f"{tag} script", scopes=["tasks:read"])


async def populated(client: httpx.AsyncClient) -> tuple[Account, Account, Account]:
    """Ada (owner) and Bob (member) of Acme, and Globex's owner; each with data (``fill``)."""
    allow_webhooks(client)
    ada = await signup(client, "acme")
    bob = await add_member(client, ada, "bob")
    globex = await signup(client, "globex")
    for who, tag in ((ada, "ada"), (bob, "bob"), (globex, "globex")):
        await fill(client, who, tag)
    return ada, bob, globex


async def owned_rows(engine: AsyncEngine, who: Account, rows: type[OwnedPages]) -> dict[str, dict[str, Any]]:
    """The user's rows of one table, every exported column, as the schema owner reads them."""
    columns = ", ".join(f'"{name}"' for name in rows.columns())
    found = await execute(
        engine,
        who.tenant_id,
        f"SELECT {columns} FROM {rows.table.name} WHERE owner_id = :owner",  # noqa: S608  # the model's names
        owner=who.user_id,
    )
    return {str(row.id): dict(row._mapping) for row in found}


def as_stored(value: object) -> object:
    """A JSON value as the column's Python value reads (ids, times) for the comparison."""
    if isinstance(value, str):
        for parse in (uuid.UUID, datetime.fromisoformat):
            try:
                return parse(value)
            except ValueError:
                continue
    return value


def exported(section: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: {name: as_stored(value) for name, value in row.items()} for row in section}


async def test_the_export_holds_every_owned_row_with_every_column_and_nothing_else(
    client: httpx.AsyncClient, owner_engine: AsyncEngine
) -> None:
    ada, bob, globex = await populated(client)

    response = await client.get(EXPORT, headers=ada.headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    document = response.json()
    ExportDocument.model_validate(document)  # what the spec documents
    assert (document["format"], document["tenant_id"], document["user_id"]) == (
        "todo-export/1",
        ada.tenant_id,
        ada.user_id,
    )
    assert document["profile"]["email"] == ada.email
    assert [membership["tenant"]["slug"] for membership in document["memberships"]] == ["acme"]
    sections = (
        ("lists", ListPages),
        ("tasks", TaskPages),
        ("webhooks", WebhookPages),
        ("tokens", TokenPages),
    )
    for name, rows in sections:
        expected = await owned_rows(owner_engine, ada, rows)
        assert exported(document[name]) == expected, name
    tasks = {row["title"]: row for row in document["tasks"]}
    assert tasks["ada trashed"]["deleted_at"] is not None
    assert tasks["ada child"]["parent_id"] == tasks["ada parent"]["id"]
    assert len(document["lists"]) == 2  # the default list and ada's own
    assert all(row["owner_id"] == ada.user_id for name, _ in sections for row in document[name])
    for webhook in document["webhooks"]:
        assert not {"secret", "previous_secret"} & webhook.keys()
    [token] = document["tokens"]
    assert (token["name"], "secret_hash" in token) == ("ada script", False)
    text = response.text
    for stranger in (bob, globex):
        assert stranger.user_id not in text
    assert "bob" not in text
    assert "globex" not in text


@pytest.mark.parametrize("due_at", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"])
async def test_the_earliest_and_latest_instants_are_exported_with_their_offset(
    client: httpx.AsyncClient, due_at: str
) -> None:
    """Stored as PostgreSQL's -/+infinity, read back naive: still a date-time in UTC."""
    ada = await signup(client, "acme")
    task = await created(client, TASKS_PATH, ada, title="someday", due_at=due_at)
    document = (await client.get(EXPORT, headers=ada.headers)).json()
    assert [row["due_at"] for row in document["tasks"]] == [due_at] == [task["due_at"]]
    ExportDocument.model_validate(document)


async def test_an_empty_section_is_an_empty_array(client: httpx.AsyncClient) -> None:
    ada = await signup(client, "acme")
    document = (await client.get(EXPORT, headers=ada.headers)).json()
    assert (document["webhooks"], len(document["lists"])) == ([], 1)


async def test_the_export_needs_a_live_token(client: httpx.AsyncClient) -> None:
    assert (await client.get(EXPORT)).status_code == 401
    assert (await client.get(EXPORT, headers={"Authorization": "Bearer nonsense"})).status_code == 401


async def test_the_export_is_written_a_bounded_page_at_a_time(
    client: httpx.AsyncClient, owner_engine: AsyncEngine
) -> None:
    """3,000 tasks, pages of 128: no chunk of the stream holds more than one page of rows,
    and every task is in the document exactly once."""
    ada = await signup(client, "acme")
    count, page = 3000, 128
    await execute(
        owner_engine,
        ada.tenant_id,
        "INSERT INTO task (tenant_id, owner_id, title, description, list_id, position) "
        "SELECT l.tenant_id, l.owner_id, 'task ' || i, '', l.id, lpad(i::text, 6, '0') "
        "FROM task_list AS l, generate_series(1, :count) AS i WHERE l.owner_id = :owner",
        owner=ada.user_id,
        count=count,
    )
    runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
    claims = runtime.token_codec.decode(ada.access_token)
    chunks: list[bytes] = []
    async with runtime.database.transaction(claims.tenant_id, snapshot=True) as transaction:
        caller = await load_caller(transaction, claims)
        chunks = [chunk async for chunk in ExportService(caller, batch_size=page).document()]
    task_chunks = [chunk for chunk in chunks if b'"change_seq"' in chunk]
    assert len(task_chunks) == -(-count // page)
    assert max(chunk.count(b'"change_seq"') for chunk in task_chunks) == page
    document = orjson.loads(b"".join(chunks))
    assert len({task["id"] for task in document["tasks"]}) == len(document["tasks"]) == count


async def test_every_page_is_read_in_the_one_snapshot_that_lasts_as_long_as_the_stream(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route's transaction is not the usual one that commits when the endpoint returns
    (before the body streams): each page is read inside a still-open, read-only REPEATABLE
    READ transaction in the caller's tenant."""
    seen: list[tuple[bool, str, str]] = []
    pages = OwnedPages.pages

    async def spied(self: OwnedPages, size: int) -> AsyncIterator[list[Any]]:
        setting = await self.transaction.connection.fetchval(
            "SELECT current_setting('transaction_isolation') || ' ' || current_setting('transaction_read_only')"
        )
        seen.append((self.transaction.open, setting, str(self.transaction.tenant_id)))
        async for page in pages(self, size):
            yield page

    monkeypatch.setattr(OwnedPages, "pages", spied)
    ada = await signup(client, "acme")
    assert (await client.get(EXPORT, headers=ada.headers)).status_code == 200
    assert seen == [(True, "repeatable read on", ada.tenant_id)] * 4  # lists, tasks, webhooks, tokens
