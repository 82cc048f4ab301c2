"""Subtasks and manual order: nesting rules, positions, moves (also concurrent) and
completion of a parent's subtree."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.integration.factories import Account
from tests.integration.todo_api.api.test_lists import inbox_of, new_list, new_task

TASKS = "/api/v1/tasks"
NOWHERE = "0f8fad5b-d9cb-469f-a165-70867728950e"


async def move(
    client: httpx.AsyncClient, account: Account, task: dict[str, Any], **body: object
) -> httpx.Response:
    return await client.post(f"{TASKS}/{task['id']}/move", json=body, headers=account.headers)


async def in_order(client: httpx.AsyncClient, account: Account, **params: object) -> list[str]:
    response = await client.get(TASKS, params={"size": 100, **params}, headers=account.headers)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()["items"]]


async def chain(client: httpx.AsyncClient, account: Account, levels: int) -> list[dict[str, Any]]:
    """A task and ``levels - 1`` generations of subtasks below it."""
    tasks = [await new_task(client, account, title="level 1")]
    for level in range(2, levels + 1):
        tasks.append(await new_task(client, account, title=f"level {level}", parent_id=tasks[-1]["id"]))
    return tasks


def pointers(response: httpx.Response) -> list[str]:
    return [error["source"]["pointer"] for error in response.json()["errors"] if error.get("source")]


async def test_new_tasks_go_last_and_a_list_sorts_by_position_by_default(
    client: httpx.AsyncClient, owner: Account
) -> None:
    inbox = await inbox_of(client, owner)
    created = [await new_task(client, owner, title=title) for title in ("b", "a", "c")]
    positions = [task["position"] for task in created]
    assert positions == sorted(positions)
    assert await in_order(client, owner, list_id=inbox["id"]) == ["b", "a", "c"]
    assert await in_order(client, owner) == ["c", "a", "b"]  # -created_at without a list
    assert await in_order(client, owner, sort="title") == ["a", "b", "c"]
    assert await in_order(client, owner, sort="-position") == ["c", "a", "b"]


async def test_subtasks_inherit_the_parent_list_and_are_listed_by_parent(
    client: httpx.AsyncClient, owner: Account
) -> None:
    errands = await new_list(client, owner, "Errands")
    parent = await new_task(client, owner, list_id=errands["id"], title="parent")
    children = [await new_task(client, owner, parent_id=parent["id"], title=f"child {i}") for i in range(2)]
    assert {child["list_id"] for child in children} == {errands["id"]}
    assert await in_order(client, owner, parent_id=parent["id"]) == ["child 0", "child 1"]
    assert (await client.get(TASKS, params={"parent_id": NOWHERE}, headers=owner.headers)).status_code == 404


async def test_four_levels_nest_and_a_fifth_is_422_at_parent_id(
    client: httpx.AsyncClient, owner: Account
) -> None:
    tasks = await chain(client, owner, 4)
    response = await client.post(
        TASKS, json={"title": "level 5", "parent_id": tasks[-1]["id"]}, headers=owner.headers
    )
    assert response.status_code == 422
    assert pointers(response) == ["/parent_id"]


async def test_a_parent_in_another_list_is_422_at_parent_id(
    client: httpx.AsyncClient, owner: Account
) -> None:
    errands = await new_list(client, owner, "Errands")
    parent = await new_task(client, owner)
    response = await client.post(
        TASKS, json={"title": "x", "list_id": errands["id"], "parent_id": parent["id"]}, headers=owner.headers
    )
    assert response.status_code == 422
    assert pointers(response) == ["/parent_id"]
    outsider = await new_task(client, owner, list_id=errands["id"])
    moved = await move(client, owner, outsider, parent_id=parent["id"], list_id=errands["id"])
    assert moved.status_code == 422
    assert pointers(moved) == ["/parent_id"]


async def test_moving_between_neighbours_writes_only_the_moved_task(
    client: httpx.AsyncClient, owner: Account
) -> None:
    a, b, c = [await new_task(client, owner, title=title) for title in "abc"]
    response = await move(client, owner, c, after_id=a["id"])
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    assert a["position"] < response.json()["position"] < b["position"]
    inbox = await inbox_of(client, owner)
    assert await in_order(client, owner, list_id=inbox["id"]) == ["a", "c", "b"]
    for untouched in (a, b):
        now = (await client.get(f"{TASKS}/{untouched['id']}", headers=owner.headers)).json()
        assert (now["position"], now["version"]) == (untouched["position"], untouched["version"])
    assert (await move(client, owner, a, before_id=c["id"])).status_code == 200
    assert await in_order(client, owner, list_id=inbox["id"]) == ["a", "c", "b"]
    assert (await move(client, owner, b, after_id=a["id"], before_id=c["id"])).status_code == 200
    assert await in_order(client, owner, list_id=inbox["id"]) == ["a", "b", "c"]
    assert (await move(client, owner, a)).status_code == 200  # no place given: last
    assert await in_order(client, owner, list_id=inbox["id"]) == ["b", "c", "a"]


async def test_a_move_takes_the_subtree_to_the_other_list(client: httpx.AsyncClient, owner: Account) -> None:
    errands = await new_list(client, owner, "Errands")
    tasks = await chain(client, owner, 3)
    response = await move(client, owner, tasks[0], list_id=errands["id"])
    assert response.status_code == 200
    assert (response.json()["list_id"], response.json()["parent_id"]) == (errands["id"], None)
    for task in tasks[1:]:
        moved = (await client.get(f"{TASKS}/{task['id']}", headers=owner.headers)).json()
        assert moved["list_id"] == errands["id"]
        assert moved["parent_id"] == task["parent_id"]
    # A subtask moved to another list without a parent goes to its top level.
    back = await move(client, owner, tasks[2], list_id=(await inbox_of(client, owner))["id"])
    assert back.json()["parent_id"] is None


@pytest.mark.parametrize(
    ("target", "pointer"),
    [
        ("itself", "/parent_id"),
        ("descendant", "/parent_id"),
        ("too deep", "/parent_id"),
        ("next to itself", "/after_id"),
    ],
)
async def test_invalid_moves_are_422_with_a_pointer(
    client: httpx.AsyncClient, owner: Account, target: str, pointer: str
) -> None:
    tasks = await chain(client, owner, 2)
    deep = await chain(client, owner, 3)
    body = {
        "itself": {"parent_id": tasks[0]["id"]},
        "descendant": {"parent_id": tasks[1]["id"]},
        "too deep": {"parent_id": deep[2]["id"]},  # 3 levels above + 2 of the subtree
        "next to itself": {"after_id": tasks[0]["id"]},
    }[target]
    response = await move(client, owner, tasks[0], **body)
    assert response.status_code == 422, response.text
    assert pointers(response) == [pointer]


async def test_after_and_before_must_be_siblings_at_the_destination_and_in_order(
    client: httpx.AsyncClient, owner: Account
) -> None:
    a, b, c = [await new_task(client, owner, title=title) for title in "abc"]
    child = await new_task(client, owner, parent_id=a["id"])
    response = await move(client, owner, c, after_id=child["id"])
    assert (response.status_code, pointers(response)) == (422, ["/after_id"])
    response = await move(client, owner, c, after_id=b["id"], before_id=a["id"])
    assert (response.status_code, pointers(response)) == (422, ["/before_id"])
    for name in ("list_id", "parent_id", "after_id", "before_id"):
        assert (await move(client, owner, c, **{name: NOWHERE})).status_code == 404, name


async def test_concurrent_moves_into_one_gap_get_distinct_ordered_keys(
    client: httpx.AsyncClient, owner: Account
) -> None:
    first, last = await new_task(client, owner, title="first"), await new_task(client, owner, title="last")
    movers = [
        await new_task(client, owner, list_id=(await new_list(client, owner, "Elsewhere"))["id"])
        for _ in range(1)
    ]
    movers += [await new_task(client, owner, title=f"m{i}", list_id=movers[0]["list_id"]) for i in range(9)]
    inbox = await inbox_of(client, owner)
    responses = await asyncio.gather(
        *[
            move(client, owner, task, list_id=inbox["id"], after_id=first["id"], before_id=last["id"])
            for task in movers
        ]
    )
    assert {r.status_code for r in responses} == {200}
    keys = [r.json()["position"] for r in responses]
    assert len(set(keys)) == len(keys)
    assert all(first["position"] < key < last["position"] for key in keys)
    order = await in_order(client, owner, list_id=inbox["id"])
    assert (order[0], order[-1], len(order)) == ("first", "last", 12)


async def test_completing_a_parent_completes_its_open_descendants(
    client: httpx.AsyncClient, owner: Account
) -> None:
    tasks = await chain(client, owner, 3)
    done_before = await client.patch(
        f"{TASKS}/{tasks[2]['id']}", json={"completed": True}, headers=owner.headers
    )
    response = await client.patch(
        f"{TASKS}/{tasks[0]['id']}", json={"completed": True}, headers=owner.headers
    )
    assert response.status_code == 200
    child = (await client.get(f"{TASKS}/{tasks[1]['id']}", headers=owner.headers)).json()
    assert (child["completed"], child["version"]) == (True, 2)
    assert child["completed_at"] == response.json()["completed_at"]
    grandchild = (await client.get(f"{TASKS}/{tasks[2]['id']}", headers=owner.headers)).json()
    assert grandchild == done_before.json()  # already done: not written again
