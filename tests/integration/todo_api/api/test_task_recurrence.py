"""Recurring tasks: completing one creates its next occurrence, computed in the owner's time
zone, once in the task's life, until COUNT or UNTIL ends the series."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import Account, add_member
from tests.integration.rows import execute

TASKS = "/api/v1/tasks"
ME = "/api/v1/users/me"
# Monday 19 October 2026, 09:00 in Berlin (CEST, +02:00); summer time ends on the 25th.
MONDAY_0900_BERLIN = "2026-10-19T07:00:00Z"
WEEKLY_MONDAY = "FREQ=WEEKLY;BYDAY=MO"

Body = dict[str, Any]


async def create(client: httpx.AsyncClient, account: Account, **fields: object) -> Body:
    response = await client.post(TASKS, json={"title": "Stand-up", **fields}, headers=account.headers)
    assert response.status_code == 201, response.text
    body: Body = response.json()
    return body


async def patch(client: httpx.AsyncClient, account: Account, task_id: str, **fields: object) -> Body:
    response = await client.patch(f"{TASKS}/{task_id}", json=fields, headers=account.headers)
    assert response.status_code == 200, response.text
    body: Body = response.json()
    return body


async def get(client: httpx.AsyncClient, account: Account, task_id: str) -> Body:
    response = await client.get(f"{TASKS}/{task_id}", headers=account.headers)
    assert response.status_code == 200, response.text
    body: Body = response.json()
    return body


async def all_tasks(client: httpx.AsyncClient, account: Account) -> list[Body]:
    response = await client.get(TASKS, params={"size": 100, "sort": "due_at"}, headers=account.headers)
    items: list[Body] = response.json()["items"]
    return items


async def set_zone(client: httpx.AsyncClient, account: Account, zone: str) -> None:
    response = await client.patch(ME, json={"time_zone": zone}, headers=account.headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("zone", "next_due"),
    [
        ("Europe/Berlin", "2026-10-26T08:00:00Z"),  # still 09:00 local, now CET (+01:00)
        ("UTC", "2026-10-26T07:00:00Z"),  # 07:00 in the zone the rule is read in
    ],
)
async def test_the_next_occurrence_keeps_the_local_time_across_a_dst_change(
    client: httpx.AsyncClient, owner: Account, zone: str, next_due: str
) -> None:
    await set_zone(client, owner, zone)
    task = await create(
        client,
        owner,
        description="Daily notes",
        priority="high",
        tags=["team"],
        due_at=MONDAY_0900_BERLIN,
        recurrence=WEEKLY_MONDAY,
    )
    completed = await patch(client, owner, task["id"], completed=True)
    assert completed["completed"] is True
    occurrence = await get(client, owner, completed["next_occurrence_id"])
    assert occurrence["due_at"] == next_due
    copied = ("title", "description", "priority", "tags", "recurrence")
    assert {name: occurrence[name] for name in copied} == {name: task[name] for name in copied}
    assert (occurrence["completed"], occurrence["completed_at"], occurrence["next_occurrence_id"]) == (
        False,
        None,
        None,
    )


async def test_count_counts_the_occurrences_of_the_series(client: httpx.AsyncClient, owner: Account) -> None:
    """COUNT=3: the task itself and two more, however the series is completed."""
    task = await create(client, owner, due_at="2026-12-01T09:00:00Z", recurrence="FREQ=DAILY;COUNT=3")
    dues = [task["due_at"]]
    while True:
        task = await patch(client, owner, task["id"], completed=True)
        if task["next_occurrence_id"] is None:
            break
        task = await get(client, owner, task["next_occurrence_id"])
        dues.append(task["due_at"])
    assert dues == ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z", "2026-12-03T09:00:00Z"]
    assert len(await all_tasks(client, owner)) == 3


async def test_until_ends_the_series(client: httpx.AsyncClient, owner: Account) -> None:
    task = await create(
        client, owner, due_at="2026-12-01T09:00:00Z", recurrence="FREQ=DAILY;UNTIL=20261202T090000Z"
    )
    second = await get(
        client, owner, (await patch(client, owner, task["id"], completed=True))["next_occurrence_id"]
    )
    assert second["due_at"] == "2026-12-02T09:00:00Z"  # UNTIL is inclusive
    assert (await patch(client, owner, second["id"], completed=True))["next_occurrence_id"] is None
    assert len(await all_tasks(client, owner)) == 2


async def test_a_task_creates_one_next_occurrence_in_its_life(
    client: httpx.AsyncClient, owner: Account
) -> None:
    task = await create(client, owner, due_at="2026-12-01T09:00:00Z", recurrence="FREQ=DAILY")
    first = await patch(client, owner, task["id"], completed=True)
    occurrence_id = first["next_occurrence_id"]
    assert (await patch(client, owner, task["id"], completed=True))["next_occurrence_id"] == occurrence_id
    await patch(client, owner, task["id"], completed=False)
    again = await patch(client, owner, task["id"], completed=True)
    assert again["next_occurrence_id"] == occurrence_id
    assert len(await all_tasks(client, owner)) == 2

    # Deleting the occurrence sends it to the trash (the link stays: it can be restored), and
    # does not let the task create another.
    deleted = await client.delete(f"{TASKS}/{occurrence_id}", headers=owner.headers)
    assert deleted.status_code == 204
    assert (await get(client, owner, task["id"]))["next_occurrence_id"] == occurrence_id
    await patch(client, owner, task["id"], completed=False)
    assert (await patch(client, owner, task["id"], completed=True))["next_occurrence_id"] == occurrence_id
    assert len(await all_tasks(client, owner)) == 1


async def test_concurrent_completions_create_one_occurrence(
    client: httpx.AsyncClient, owner: Account
) -> None:
    task = await create(client, owner, due_at="2026-12-01T09:00:00Z", recurrence="FREQ=DAILY")
    responses = await asyncio.gather(
        *[
            client.patch(f"{TASKS}/{task['id']}", json={"completed": True}, headers=owner.headers)
            for _ in range(2)
        ]
    )
    assert [r.status_code for r in responses] == [200, 200]
    assert {r.json()["next_occurrence_id"] for r in responses} != {None}
    assert len(await all_tasks(client, owner)) == 2


async def test_the_occurrence_is_announced_and_private(
    client: httpx.AsyncClient, owner: Account, owner_engine: AsyncEngine
) -> None:
    task = await create(client, owner, due_at="2026-12-01T09:00:00Z", recurrence="FREQ=MONTHLY")
    occurrence_id = (await patch(client, owner, task["id"], completed=True))["next_occurrence_id"]
    events = await execute(owner_engine, owner.tenant_id, "SELECT type, data->>'id' AS id FROM outbox_event")
    # One transaction (one created_at) announces the occurrence and the completion.
    assert sorted((e.type, e.id) for e in events) == sorted(
        [("task.created", task["id"]), ("task.created", occurrence_id), ("task.completed", task["id"])]
    )
    colleague = await add_member(client, owner, "bob")
    assert (await client.get(f"{TASKS}/{occurrence_id}", headers=colleague.headers)).status_code == 404


def _pointer(response: httpx.Response) -> list[str | None]:
    assert response.status_code == 422, response.text
    return [e.get("source", {}).get("pointer") for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",
        "FREQ=DAILY;BYSETPOS=1",
        "FREQ=DAILY;BYHOUR=9",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;COUNT=2;UNTIL=20261231T000000Z",
        "FREQ=DAILY;FREQ=WEEKLY",
        "BYDAY=MO",
        "freq=daily",
        "RRULE:FREQ=DAILY",
        "FREQ=DAILY;UNTIL=20261231",
        "FREQ=DAILY;UNTIL=20261399T000000Z",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=WEEKLY;BYMONTHDAY=3",
        "FREQ=MONTHLY;BYMONTHDAY=0",
        "FREQ=MONTHLY;BYMONTHDAY=32",
        "FREQ=MONTHLY;BYDAY=6MO",
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1",
        "FREQ=DAILY;",
        "",
    ],
)
async def test_an_invalid_rule_is_422_pointing_at_recurrence(
    client: httpx.AsyncClient, owner: Account, rule: str
) -> None:
    response = await client.post(
        TASKS,
        json={"title": "x", "due_at": "2026-12-01T09:00:00Z", "recurrence": rule},
        headers=owner.headers,
    )
    assert "/recurrence" in _pointer(response)
    task = await create(client, owner, due_at="2026-12-01T09:00:00Z")
    patched = await client.patch(f"{TASKS}/{task['id']}", json={"recurrence": rule}, headers=owner.headers)
    assert "/recurrence" in _pointer(patched)


async def test_a_rule_needs_a_due_date(client: httpx.AsyncClient, owner: Account) -> None:
    created = await client.post(TASKS, json={"title": "x", "recurrence": "FREQ=DAILY"}, headers=owner.headers)
    assert _pointer(created) == ["/recurrence"]
    undated = await create(client, owner)
    patched = await client.patch(
        f"{TASKS}/{undated['id']}", json={"recurrence": "FREQ=DAILY"}, headers=owner.headers
    )
    assert _pointer(patched) == ["/recurrence"]
    recurring = await create(client, owner, due_at="2026-12-01T09:00:00Z", recurrence="FREQ=DAILY")
    cleared = await client.patch(f"{TASKS}/{recurring['id']}", json={"due_at": None}, headers=owner.headers)
    assert _pointer(cleared) == ["/due_at"]
    both = await patch(client, owner, recurring["id"], due_at=None, recurrence=None)
    assert (both["due_at"], both["recurrence"]) == (None, None)
