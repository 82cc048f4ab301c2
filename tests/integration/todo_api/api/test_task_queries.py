"""Listing tasks: every filter, sort key and page boundary, the stats, and that none of them leak."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.integration.factories import Account, add_member, signup

TASKS = "/api/v1/tasks"
STATS = f"{TASKS}/stats"
DAY = timedelta(days=1)

Params = dict[str, Any]
Body = dict[str, Any]


def task(title: str, **fields: object) -> Body:
    return {"title": title, **fields}


async def create_tasks(client: httpx.AsyncClient, account: Account, *bodies: Body) -> list[Body]:
    """Created one request (so one transaction, one ``now()``) at a time: creation order is time order."""
    created = []
    for body in bodies:
        response = await client.post(TASKS, json=body, headers=account.headers)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


async def fetch(client: httpx.AsyncClient, account: Account, path: str, params: Params | None = None) -> Body:
    response = await client.get(path, params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    body: Body = response.json()
    return body


def titles(page: Body) -> list[str]:
    return [item["title"] for item in page["items"]]


def ids(page: Body) -> list[str]:
    return [item["id"] for item in page["items"]]


def today_start(zone: str) -> datetime:
    tz = ZoneInfo(zone)
    return datetime.combine(datetime.now(tz).date(), time.min, tzinfo=tz)


# ---------------------------------------------------------------- filters

FILTER_SEED = [
    task(
        "Write Report",
        description="Numbers from Finance",
        priority="high",
        due_at="2001-01-01T10:00:00Z",
        tags=["work", "q3"],
    ),
    task("Buy milk", description="aisle \\5", priority="low", tags=["home"]),
    task(
        "Pay rent",
        description="100% on time",
        priority="urgent",
        due_at="2999-01-01T00:00:00Z",
        tags=["Home", "money"],
    ),
    task(
        "file_taxes",
        description="finance dept",
        due_at="2001-06-01T00:00:00Z",
        tags=["money", "work"],
        completed=True,
    ),
    task("Call mom", priority="urgent", due_at="2999-06-01T00:00:00Z", completed=True),
    task(
        "Offsite",
        description="plan the Q3 offsite",
        priority="high",
        due_at="2600-01-01T00:00:00+02:00",
        tags=["WORK", "Q3"],
    ),
]
ALL = {"Write Report", "Buy milk", "Pay rent", "file_taxes", "Call mom", "Offsite"}

# id -> (query, titles that match among FILTER_SEED)
FILTERS: dict[str, tuple[Params, set[str]]] = {
    "completed": ({"completed": "true"}, {"file_taxes", "Call mom"}),
    "not-completed": ({"completed": "false"}, {"Write Report", "Buy milk", "Pay rent", "Offsite"}),
    "priority": ({"priority": "high"}, {"Write Report", "Offsite"}),
    "priority-any-of": (
        {"priority": ["high", "urgent"]},
        {"Write Report", "Pay rent", "Call mom", "Offsite"},
    ),
    "priority-default-normal": ({"priority": "normal"}, {"file_taxes"}),
    "due-before": ({"due_before": "2002-01-01T00:00:00Z"}, {"Write Report", "file_taxes"}),
    # 10:30+01:00 is 09:30Z, before the report's 10:00Z: the offset is honoured, not dropped.
    "due-before-offset": ({"due_before": "2001-01-01T10:30:00+01:00"}, set()),
    "due-after-offset": ({"due_after": "2001-01-01T10:30:00+01:00"}, ALL - {"Buy milk"}),
    "due-after": ({"due_after": "2002-01-01T00:00:00+00:00"}, {"Pay rent", "Call mom", "Offsite"}),
    "due-window": (
        {"due_after": "2500-01-01T00:00:00Z", "due_before": "2999-03-01T00:00:00Z"},
        {"Pay rent", "Offsite"},
    ),
    "tag": ({"tag": "work"}, {"Write Report", "file_taxes", "Offsite"}),
    "tags-all-of": ({"tag": ["work", "q3"]}, {"Write Report", "Offsite"}),
    "tags-any-case": ({"tag": ["WORK", "Money"]}, {"file_taxes"}),
    "tag-stored-upper-case": ({"tag": "home"}, {"Buy milk", "Pay rent"}),
    "tags-none-has-both": ({"tag": ["home", "q3"]}, set()),
    "q-description-any-case": ({"q": "FINANCE"}, {"Write Report", "file_taxes"}),
    "q-title-any-case": ({"q": "report"}, {"Write Report"}),
    "q-not-tags": ({"q": "q3"}, {"Offsite"}),
    "q-word-prefix": ({"q": "fin"}, {"Write Report", "file_taxes"}),
    "q-every-word-must-match": ({"q": "rep FIN"}, {"Write Report"}),
    "q-prefix-not-infix": ({"q": "inance"}, set()),
    "q-underscore-separates-words": ({"q": "tax"}, {"file_taxes"}),
    "q-backslash-is-no-escape": ({"q": "\\5"}, {"Buy milk"}),
    "q-punctuation-is-no-word": ({"q": "% _"}, ALL),
    "overdue": ({"overdue": "true"}, {"Write Report"}),
    "not-overdue": ({"overdue": "false"}, ALL - {"Write Report"}),
    "open-work": ({"completed": "false", "tag": "work"}, {"Write Report", "Offsite"}),
    "open-important-later": (
        {"priority": ["high", "urgent"], "completed": "false", "due_after": "2002-01-01T00:00:00Z"},
        {"Pay rent", "Offsite"},
    ),
    "q-not-overdue": ({"q": "finance", "overdue": "false"}, {"file_taxes"}),
    "overdue-home": ({"overdue": "true", "tag": "home"}, set()),
}


@pytest.mark.parametrize(("params", "expected"), list(FILTERS.values()), ids=list(FILTERS))
async def test_filters(client: httpx.AsyncClient, owner: Account, params: Params, expected: set[str]) -> None:
    await create_tasks(client, owner, *FILTER_SEED)
    page = await fetch(client, owner, TASKS, params)
    assert set(titles(page)) == expected
    assert page["total"] == len(expected)


async def test_other_users_tasks_never_appear_in_lists_or_stats(
    client: httpx.AsyncClient, owner: Account
) -> None:
    colleague = await add_member(client, owner, "bob")
    stranger = await signup(client, "globex")
    mine = {t["id"] for t in await create_tasks(client, owner, *FILTER_SEED)}

    empty = await fetch(client, colleague, TASKS)
    assert (empty["items"], empty["total"], empty["pages"]) == ([], 0, 0)

    for other in (colleague, stranger):
        await create_tasks(client, other, *FILTER_SEED)
    queries = [params for params, _ in FILTERS.values()] + [{"sort": "title"}, {"sort": "-priority"}]
    for params in queries:
        page = await fetch(client, owner, TASKS, {**params, "size": 100})
        assert set(ids(page)) <= mine, params
        assert page["total"] == len(page["items"]), params

    for account in (owner, colleague, stranger):
        stats = await fetch(client, account, STATS)
        assert stats == {"total": 6, "completed": 2, "open": 4, "overdue": 1, "due_today": 0}


# ---------------------------------------------------------------- sorting

SORT_SEED = [  # created in this order; "alpha" is then edited, so it is the most recently updated
    task("bravo", priority="urgent", due_at="2030-01-02T00:00:00Z"),
    task("alpha", priority="low", due_at="2030-01-03T00:00:00Z"),
    task("delta", priority="high"),
    task("charlie", priority="normal", due_at="2030-01-01T00:00:00Z"),
]
NEWEST_FIRST = ["charlie", "delta", "alpha", "bravo"]

SORTS: dict[str, tuple[Params, list[str]]] = {
    "default-newest-first": ({}, NEWEST_FIRST),
    "created_at": ({"sort": "created_at"}, NEWEST_FIRST[::-1]),
    "-created_at": ({"sort": "-created_at"}, NEWEST_FIRST),
    "updated_at": ({"sort": "updated_at"}, ["bravo", "delta", "charlie", "alpha"]),
    "-updated_at": ({"sort": "-updated_at"}, ["alpha", "charlie", "delta", "bravo"]),
    # An undated task sorts after every date (PostgreSQL's NULL ordering): last ascending, first descending.
    "due_at": ({"sort": "due_at"}, ["charlie", "bravo", "alpha", "delta"]),
    "-due_at": ({"sort": "-due_at"}, ["delta", "alpha", "bravo", "charlie"]),
    # By rank (low < normal < high < urgent); alphabetically it would be delta, alpha, charlie, bravo.
    "priority": ({"sort": "priority"}, ["alpha", "charlie", "delta", "bravo"]),
    "-priority": ({"sort": "-priority"}, ["bravo", "delta", "charlie", "alpha"]),
    "title": ({"sort": "title"}, ["alpha", "bravo", "charlie", "delta"]),
    "-title": ({"sort": "-title"}, ["delta", "charlie", "bravo", "alpha"]),
}


@pytest.mark.parametrize(("params", "expected"), list(SORTS.values()), ids=list(SORTS))
async def test_each_sort_key_in_both_directions(
    client: httpx.AsyncClient, owner: Account, params: Params, expected: list[str]
) -> None:
    created = await create_tasks(client, owner, *SORT_SEED)
    alpha = next(t for t in created if t["title"] == "alpha")
    edited = await client.patch(
        f"{TASKS}/{alpha['id']}", json={"description": "edited"}, headers=owner.headers
    )
    assert edited.status_code == 200, edited.text
    assert titles(await fetch(client, owner, TASKS, params)) == expected


MULTI_KEY_SEED = [
    task("b", priority="high", due_at="2030-01-02T00:00:00Z"),
    task("a", priority="high", due_at="2030-01-02T00:00:00Z"),
    task("c", priority="low", due_at="2030-01-01T00:00:00Z"),
    task("d", priority="low", due_at="2030-01-02T00:00:00Z"),
]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-due_at,title", ["a", "b", "d", "c"]),
        ("due_at,-title", ["c", "d", "b", "a"]),
        ("priority,title", ["c", "d", "a", "b"]),
        ("-priority,-title", ["b", "a", "d", "c"]),
        ("priority,-due_at,title", ["d", "c", "a", "b"]),
    ],
)
async def test_later_sort_keys_break_ties_of_earlier_ones(
    client: httpx.AsyncClient, owner: Account, sort: str, expected: list[str]
) -> None:
    await create_tasks(client, owner, *MULTI_KEY_SEED)
    assert titles(await fetch(client, owner, TASKS, {"sort": sort})) == expected


@pytest.mark.parametrize("sort", ["title", "-title", "priority", "-due_at"])
async def test_full_ties_are_ordered_by_id_and_stable_across_pages(
    client: httpx.AsyncClient, owner: Account, sort: str
) -> None:
    created = await create_tasks(client, owner, *[task("same", due_at="2030-01-01T00:00:00Z")] * 5)
    expected = sorted((t["id"] for t in created), reverse=sort.startswith("-"))
    whole = await fetch(client, owner, TASKS, {"sort": sort})
    assert ids(whole) == expected
    paged: list[str] = []
    for n in (1, 2, 3):
        paged += ids(await fetch(client, owner, TASKS, {"sort": sort, "size": 2, "page": n}))
    assert paged == expected


# ---------------------------------------------------------------- paging

PAGED_TASKS = 21


@pytest.mark.parametrize(
    ("params", "page", "size"),
    [
        ({}, 1, 20),
        ({"page": 2}, 2, 20),
        ({"size": 7, "page": 3}, 3, 7),
        ({"size": 10, "page": 3}, 3, 10),
        ({"size": 10, "page": 4}, 4, 10),
        ({"size": 100}, 1, 100),
        ({"size": 1, "page": 21}, 21, 1),
    ],
)
async def test_page_arithmetic(
    client: httpx.AsyncClient, owner: Account, params: Params, page: int, size: int
) -> None:
    await create_tasks(client, owner, *[task(f"task {n:02}") for n in range(PAGED_TASKS)])
    newest_first = [f"task {n:02}" for n in reversed(range(PAGED_TASKS))]
    body = await fetch(client, owner, TASKS, params)
    assert (body["total"], body["page"], body["size"]) == (PAGED_TASKS, page, size)
    assert body["pages"] == math.ceil(PAGED_TASKS / size)
    assert titles(body) == newest_first[(page - 1) * size : page * size]


# ---------------------------------------------------------------- stats


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/New_York"])
async def test_stats(client: httpx.AsyncClient, owner: Account, zone: str) -> None:
    start = today_start(zone)
    await create_tasks(
        client,
        owner,
        task("due at the start of today", due_at=start.isoformat()),  # overdue and due today
        task("due at the start of tomorrow", due_at=(start + DAY).isoformat()),  # today's end is exclusive
        task("due just before today", due_at=(start - timedelta(seconds=1)).isoformat()),  # overdue only
        task("done, due today", due_at=start.isoformat(), completed=True),  # completed tasks are never due
        task("undated"),
        task("done, undated", completed=True),
    )
    params = {} if zone == "UTC" else {"tz": zone}  # UTC is the default
    stats = await fetch(client, owner, STATS, params)
    assert stats == {"total": 6, "completed": 2, "open": 4, "overdue": 2, "due_today": 1}


async def test_due_today_is_today_in_the_requested_zone(client: httpx.AsyncClient, owner: Account) -> None:
    east, west = today_start("Pacific/Kiritimati"), today_start("Pacific/Pago_Pago")
    # Both days contain now but start an odd number of hours apart: pick an instant in east's day only.
    instant = east if east < west else west + DAY
    await create_tasks(client, owner, task("east only", due_at=instant.isoformat()))
    for zone, due_today in [("Pacific/Kiritimati", 1), ("Pacific/Pago_Pago", 0)]:
        assert (await fetch(client, owner, STATS, {"tz": zone}))["due_today"] == due_today, zone


# ---------------------------------------------------------------- invalid queries


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        (TASKS, {"due_before": "2030-01-01T00:00:00"}, "due_before"),
        (TASKS, {"due_after": "2030-01-01T00:00:00"}, "due_after"),
        (TASKS, {"due_after": "tomorrow"}, "due_after"),
        (TASKS, {"completed": "perhaps"}, "completed"),
        (TASKS, {"overdue": "perhaps"}, "overdue"),
        (TASKS, {"priority": ["high", "critical"]}, "priority"),
        (TASKS, {"tag": [f"t{n}" for n in range(21)]}, "tag"),
        (TASKS, {"tag": "a\x00b"}, "tag"),
        (TASKS, {"q": "x" * 201}, "q"),
        (TASKS, {"q": "a\x00b"}, "q"),
        (TASKS, {"q": " ".join("w" * 11)}, "q"),
        (TASKS, {"q": "w" * 65}, "q"),
        (TASKS, {"sort": "bogus"}, "sort"),
        (TASKS, {"sort": "title,-owner_id"}, "sort"),
        (TASKS, {"sort": ","}, "sort"),
        (TASKS, {"sort": "ti tle"}, "sort"),
        (TASKS, {"sort": "-"}, "sort"),
        (TASKS, {"sort": "title,"}, "sort"),
        (TASKS, {"size": 0}, "size"),
        (TASKS, {"size": 101}, "size"),
        (TASKS, {"page": 0}, "page"),
        (STATS, {"tz": "Mars/Olympus_Mons"}, "tz"),
        (STATS, {"tz": "../../etc/passwd"}, "tz"),
        (STATS, {"tz": ""}, "tz"),
    ],
)
async def test_invalid_query_parameters_are_422_naming_the_parameter(
    client: httpx.AsyncClient, owner: Account, path: str, params: Params, parameter: str
) -> None:
    response = await client.get(path, params=params, headers=owner.headers)
    assert response.status_code == 422, response.text
    assert parameter in [e["source"]["parameter"] for e in response.json()["errors"]]
