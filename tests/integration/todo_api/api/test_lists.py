"""Lists: the default Inbox, creation order, limits, filters, and what deleting one does."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import Account, add_member
from tests.integration.rows import execute

LISTS = "/api/v1/lists"
TASKS = "/api/v1/tasks"


async def new_list(client: httpx.AsyncClient, account: Account, name: str) -> dict[str, Any]:
    response = await client.post(LISTS, json={"name": name}, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def new_task(client: httpx.AsyncClient, account: Account, **fields: object) -> dict[str, Any]:
    response = await client.post(TASKS, json={"title": "A task", **fields}, headers=account.headers)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


async def lists_of(client: httpx.AsyncClient, account: Account) -> list[dict[str, Any]]:
    response = await client.get(LISTS, params={"size": 100}, headers=account.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def inbox_of(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    [inbox] = [item for item in await lists_of(client, account) if item["is_default"]]
    return inbox


async def test_signup_and_added_members_start_with_one_default_inbox(
    client: httpx.AsyncClient, owner: Account
) -> None:
    member = await add_member(client, owner, "bob")
    for account in (owner, member):
        [inbox] = await lists_of(client, account)
        assert (inbox["name"], inbox["is_default"]) == ("Inbox", True)
    assert (await inbox_of(client, owner))["id"] != (await inbox_of(client, member))["id"]


async def test_new_lists_go_last_and_the_page_has_the_collection_shape(
    client: httpx.AsyncClient, owner: Account
) -> None:
    names = [(await new_list(client, owner, f"List {i}"))["name"] for i in range(3)]
    response = await client.get(LISTS, params={"size": 2, "page": 2}, headers=owner.headers)
    page = response.json()
    assert (page["total"], page["page"], page["size"], page["pages"]) == (4, 2, 2, 2)
    assert 'rel="prev"' in response.headers["link"]
    assert [item["name"] for item in await lists_of(client, owner)] == ["Inbox", *names]


async def test_tasks_go_to_the_default_list_or_the_named_one_and_filter_by_list(
    client: httpx.AsyncClient, owner: Account
) -> None:
    inbox = await inbox_of(client, owner)
    errands = await new_list(client, owner, "Errands")
    first = await new_task(client, owner)
    second = await new_task(client, owner, list_id=errands["id"])
    assert (first["list_id"], second["list_id"]) == (inbox["id"], errands["id"])
    listed = await client.get(TASKS, params={"list_id": errands["id"]}, headers=owner.headers)
    assert [task["id"] for task in listed.json()["items"]] == [second["id"]]


async def test_rename_and_no_op_patch(client: httpx.AsyncClient, owner: Account) -> None:
    created = await new_list(client, owner, "Errands")
    url = f"{LISTS}/{created['id']}"
    renamed = await client.patch(url, json={"name": "  Chores "}, headers=owner.headers)
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Chores"
    same = await client.patch(url, json={}, headers=owner.headers)
    assert same.json() == renamed.json()
    for body, pointer in (({"name": ""}, "/name"), ({"name": "x" * 101}, "/name"), ({"name": None}, "/name")):
        response = await client.patch(url, json=body, headers=owner.headers)
        assert response.status_code == 422
        assert pointer in [error["source"]["pointer"] for error in response.json()["errors"]]


async def test_the_default_list_cannot_be_deleted(client: httpx.AsyncClient, owner: Account) -> None:
    inbox = await inbox_of(client, owner)
    response = await client.delete(f"{LISTS}/{inbox['id']}", headers=owner.headers)
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"
    assert await inbox_of(client, owner) == inbox


async def test_deleting_a_list_with_tasks_needs_to_be_told_where_they_go(
    client: httpx.AsyncClient, owner: Account
) -> None:
    errands = await new_list(client, owner, "Errands")
    await new_task(client, owner, list_id=errands["id"])
    response = await client.delete(f"{LISTS}/{errands['id']}", headers=owner.headers)
    assert response.status_code == 409
    assert (await client.get(f"{LISTS}/{errands['id']}", headers=owner.headers)).status_code == 200


async def test_an_empty_list_is_deleted(client: httpx.AsyncClient, owner: Account) -> None:
    errands = await new_list(client, owner, "Errands")
    assert (await client.delete(f"{LISTS}/{errands['id']}", headers=owner.headers)).status_code == 204
    assert (await client.get(f"{LISTS}/{errands['id']}", headers=owner.headers)).status_code == 404


async def test_deleting_with_tasks_delete_trashes_them_and_restore_uses_the_default_list(
    client: httpx.AsyncClient, owner: Account
) -> None:
    inbox = await inbox_of(client, owner)
    errands = await new_list(client, owner, "Errands")
    parent = await new_task(client, owner, list_id=errands["id"])
    child = await new_task(client, owner, parent_id=parent["id"])
    assert child["list_id"] == errands["id"]
    response = await client.delete(f"{LISTS}/{errands['id']}?tasks=delete", headers=owner.headers)
    assert response.status_code == 204
    for task in (parent, child):
        assert (await client.get(f"{TASKS}/{task['id']}", headers=owner.headers)).status_code == 404
    trash = (await client.get("/api/v1/trash/tasks", headers=owner.headers)).json()
    assert {task["id"] for task in trash["items"]} == {parent["id"], child["id"]}
    restored = await client.post(f"{TASKS}/{parent['id']}/restore", headers=owner.headers)
    assert restored.status_code == 200
    assert restored.json()["list_id"] == inbox["id"]
    back = await client.get(f"{TASKS}/{child['id']}", headers=owner.headers)
    assert (back.json()["list_id"], back.json()["parent_id"]) == (inbox["id"], parent["id"])


async def test_deleting_with_move_to_appends_the_tasks_in_order_with_their_subtasks(
    client: httpx.AsyncClient, owner: Account
) -> None:
    inbox = await inbox_of(client, owner)
    already = await new_task(client, owner)
    errands = await new_list(client, owner, "Errands")
    first = await new_task(client, owner, list_id=errands["id"], title="first")
    second = await new_task(client, owner, list_id=errands["id"], title="second")
    child = await new_task(client, owner, parent_id=first["id"], title="child")
    response = await client.delete(
        f"{LISTS}/{errands['id']}", params={"move_to": inbox["id"]}, headers=owner.headers
    )
    assert response.status_code == 204
    top = await client.get(TASKS, params={"list_id": inbox["id"], "size": 100}, headers=owner.headers)
    top_level = [task["id"] for task in top.json()["items"] if task["parent_id"] is None]
    assert top_level == [already["id"], first["id"], second["id"]]
    moved_child = (await client.get(f"{TASKS}/{child['id']}", headers=owner.headers)).json()
    assert (moved_child["list_id"], moved_child["parent_id"]) == (inbox["id"], first["id"])


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"move_to": "0f8fad5b-d9cb-469f-a165-70867728950e"}, 404),
        ({"tasks": "keep"}, 422),
        ({"tasks": "delete", "move_to": "self"}, 422),
        ({"move_to": "self"}, 422),
    ],
)
async def test_delete_parameters_are_checked(
    client: httpx.AsyncClient, owner: Account, params: dict[str, str], status: int
) -> None:
    errands = await new_list(client, owner, "Errands")
    values = {name: errands["id"] if value == "self" else value for name, value in params.items()}
    response = await client.delete(f"{LISTS}/{errands['id']}", params=values, headers=owner.headers)
    assert response.status_code == status, response.text
    assert (await client.get(f"{LISTS}/{errands['id']}", headers=owner.headers)).status_code == 200


@pytest.mark.parametrize("settings", [{"max_lists_per_user": 3}], indirect=True)
async def test_at_most_max_lists_per_user_even_when_created_concurrently(
    client: httpx.AsyncClient, owner: Account
) -> None:
    responses = await asyncio.gather(
        *[client.post(LISTS, json={"name": f"L{i}"}, headers=owner.headers) for i in range(5)]
    )
    assert sorted(r.status_code for r in responses) == [201, 201, 409, 409, 409]
    positions = [item["position"] for item in await lists_of(client, owner)]
    assert len(positions) == 3
    assert positions == sorted(positions)
    assert len(set(positions)) == 3


async def test_an_unknown_list_id_filter_is_404(client: httpx.AsyncClient, owner: Account) -> None:
    response = await client.get(
        TASKS, params={"list_id": "0f8fad5b-d9cb-469f-a165-70867728950e"}, headers=owner.headers
    )
    assert response.status_code == 404
    response = await client.post(
        TASKS, json={"title": "x", "list_id": "0f8fad5b-d9cb-469f-a165-70867728950e"}, headers=owner.headers
    )
    assert response.status_code == 404


async def test_a_user_without_a_default_list_gets_one_on_first_use(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    """A user the previous release created has none: the first placing write makes it."""
    member = await add_member(client, owner, "bob")
    await execute(
        owner_engine,
        owner.tenant_id,
        "DELETE FROM task_list WHERE owner_id = :o",
        o=uuid.UUID(member.user_id),
    )
    assert await lists_of(client, member) == []
    task = await new_task(client, member)
    [inbox] = await lists_of(client, member)
    assert (inbox["name"], inbox["is_default"], task["list_id"]) == ("Inbox", True, inbox["id"])
