"""Every page of results carries an RFC 8288 Link header: first, prev, next, last, as
relative references built from the request's path and query string, never from Host."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.integration.factories import Account, add_member, signup

TASKS = "/api/v1/tasks"
SPEC = json.loads((Path(__file__).resolve().parents[3] / "openapi.json").read_text())
# One link-value of RFC 8288 §3: <URI-reference>; rel="..."; nothing in the URI can end it early.
LINK = re.compile(r'<(?P<target>[^<>\s]*)>; rel="(?P<rel>[a-z]+)"')


def links(response: httpx.Response) -> dict[str, str]:
    header = response.headers["link"]
    found = {match["rel"]: match["target"] for match in LINK.finditer(header)}
    assert ", ".join(f'<{target}>; rel="{rel}"' for rel, target in found.items()) == header, header
    return found


def page_of(target: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(target)
    assert not parts.scheme, target  # a relative reference
    assert not parts.netloc, target
    return parts.path, parse_qs(parts.query, keep_blank_values=True)


@pytest.fixture
async def account(client: httpx.AsyncClient) -> Account:
    owner = await signup(client, "acme")
    for i in range(7):
        priority = "high" if i % 2 == 0 else "low"  # 4 high, 3 low
        created = await client.post(
            TASKS, json={"title": f"task {i}", "priority": priority}, headers=owner.headers
        )
        assert created.status_code == 201
    return owner


async def test_a_middle_page_links_to_all_four_keeping_the_filters(
    client: httpx.AsyncClient, account: Account
) -> None:
    response = await client.get(f"{TASKS}?priority=high&sort=title&size=1&page=2", headers=account.headers)
    assert response.status_code == 200
    found = links(response)
    assert list(found) == ["first", "prev", "next", "last"]
    assert found["next"] == f"{TASKS}?page=3&size=1&priority=high&sort=title"
    for rel, page in {"first": "1", "prev": "1", "next": "3", "last": "4"}.items():
        path, query = page_of(found[rel])
        assert path == TASKS
        assert query == {"page": [page], "size": ["1"], "priority": ["high"], "sort": ["title"]}


async def test_the_ends_have_no_prev_or_next_and_an_empty_list_one_page(
    client: httpx.AsyncClient, account: Account
) -> None:
    first = links(await client.get(f"{TASKS}?size=3", headers=account.headers))
    assert list(first) == ["first", "next", "last"]
    assert first["last"] == f"{TASKS}?page=3&size=3"
    last = links(await client.get(f"{TASKS}?size=3&page=3", headers=account.headers))
    assert list(last) == ["first", "prev", "last"]
    empty = links(await client.get(f"{TASKS}?q=nothing-matches", headers=account.headers))
    assert empty == {
        "first": f"{TASKS}?page=1&size=20&q=nothing-matches",
        "last": f"{TASKS}?page=1&size=20&q=nothing-matches",
    }
    beyond = links(await client.get(f"{TASKS}?size=3&page=9", headers=account.headers))
    assert page_of(beyond["prev"])[1]["page"] == ["3"]  # back to the last page that exists


async def test_following_next_visits_every_item_once(client: httpx.AsyncClient, account: Account) -> None:
    seen: list[str] = []
    target: str | None = f"{TASKS}?size=2&sort=title"
    while target is not None:
        response = await client.get(target, headers=account.headers)
        seen += [task["title"] for task in response.json()["items"]]
        target = links(response).get("next")
    assert seen == [f"task {i}" for i in range(7)]


async def test_links_never_come_from_the_host_header(client: httpx.AsyncClient, account: Account) -> None:
    response = await client.get(
        f"{TASKS}?size=2",
        headers={**account.headers, "Host": "evil.example.com", "X-Forwarded-Host": "evil.example.com"},
    )
    assert response.status_code == 200
    assert "evil" not in response.headers["link"]
    assert all(target.startswith(f"{TASKS}?") for target in links(response).values())


async def get_raw(app: Any, path: str, query_string: bytes, headers: dict[str, str]) -> httpx.Response:
    """A GET whose query string reaches the app byte for byte (httpx would re-quote it), as
    a lenient HTTP parser may pass it on."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query_string,
        "headers": [
            (b"host", b"testserver"),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return httpx.Response(start["status"], headers=start["headers"], content=body)


async def test_hostile_query_strings_cannot_break_the_header(app: Any, account: Account) -> None:
    """Whatever a client puts in the query, each link stays one well-formed <URI-reference>, and
    the parameters mean the same when the link is followed."""
    raw = b'x=a%3Eb%2C%20c&y=<z>&w="quoted";rel="evil", <http://evil.example>&p%61ge=5&page=2&size=2&q=task'
    response = await get_raw(app, TASKS, raw, account.headers)
    assert response.status_code == 200, response.text
    found = links(response)  # parses strictly
    assert set(found) == {"first", "prev", "next", "last"}
    assert "evil.example" not in response.headers["link"].split(">")[0].split("<")[0]
    assert all(target.startswith(f"{TASKS}?") for target in found.values())
    _, query = page_of(found["next"])
    assert query["x"] == ["a>b, c"]
    assert query["y"] == ["<z>"]
    assert query["page"] == ["3"]  # a disguised page (p%61ge) is dropped with the real one
    assert "p%61ge" not in found["next"]


async def test_every_list_carries_links(client: httpx.AsyncClient, account: Account) -> None:
    await add_member(client, account, "bob")
    response = await client.get("/api/v1/users?size=1", headers=account.headers)
    assert links(response)["next"] == "/api/v1/users?page=2&size=1"


def test_the_spec_declares_link_on_every_page_and_x_request_id_on_every_response() -> None:
    paged, pages = set(), set()
    for operations in SPEC["paths"].values():
        for operation in operations.values():
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            ok = operation["responses"].get("200", {})
            if (
                ok.get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref", "")
                .startswith("#/components/schemas/Page_")
            ):
                pages.add(operation["operationId"])
            if {"page", "size"} <= names:
                paged.add(operation["operationId"])
                assert "Link" in ok["headers"], operation["operationId"]
            for status, response in operation["responses"].items():
                assert response["headers"]["X-Request-ID"] == {"$ref": "#/components/headers/RequestId"}, (
                    operation["operationId"],
                    status,
                )
    # Every operation answering a Page takes page and size (and so declares Link), and the
    # check is not vacuous: the collections of the API are among them.
    assert paged == pages
    assert {"tasks_list", "users_list", "webhooks_list"} <= paged
    assert SPEC["components"]["headers"]["RequestId"]["schema"]["type"] == "string"
