"""The classic fuzzer findings, pinned one by one against the live service, so a regression
shows up by name rather than as a shrunk Schemathesis case: each answer is a documented
status with the error envelope, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "openapi.json").read_text())
NIL = "00000000-0000-0000-0000-000000000000"


def _documented(method: str, template: str, status: int) -> bool:
    return str(status) in SPEC["paths"][template][method.lower()]["responses"]


def _envelope(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, object] = response.json()
    assert isinstance(body["errors"], list)
    assert body["errors"][0]["status"] == str(status)
    return body


@pytest.fixture(scope="module")
def api(live_api: str, fresh_bearer: Callable[[], dict[str, str]]) -> httpx.Client:
    return httpx.Client(base_url=f"{live_api}/api/v1", headers=fresh_bearer())


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("POST", "/tasks", None, {"title": "a\x00b"}),
        ("POST", "/tasks", None, {"title": "a", "tags": ["x\x00"]}),
        ("GET", "/tasks", {"q": "a\x00"}, None),
        ("PATCH", "/users/me", None, {"full_name": "\x00"}),
        ("POST", "/auth/refresh", None, {"refresh_token": "\x00"}),
    ],
)
def test_nul_bytes_are_422(api: httpx.Client, method: str, path: str, params: object, body: object) -> None:
    _envelope(api.request(method, path, params=params, json=body), 422)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "in_utc"),
    [
        ("0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z"),  # before year 1 once in UTC
        ("9999-12-31T23:00:00-14:00", "9999-12-31T23:59:59.999999Z"),  # after year 9999 in UTC
    ],
)
def test_date_times_at_the_ends_of_the_calendar_are_clamped_not_500(
    api: httpx.Client, value: str, in_utc: str
) -> None:
    """Valid RFC 3339 (the schema's format: date-time), so accepted; Python cannot hold them in
    UTC, so they are clamped to its range (exact for filters)."""
    created = api.post("/tasks", json={"title": "x", "due_at": value})
    assert created.status_code == 201, created.text
    assert created.json()["due_at"] == in_utc
    # Read back from PostgreSQL (where these two are stored as -infinity / infinity), still UTC.
    assert api.get(f"/tasks/{created.json()['id']}").json()["due_at"] == in_utc
    assert api.get("/tasks", params={"due_before": value, "due_after": value}).status_code == 200


def test_page_numbers_past_the_documented_maximum_are_422(api: httpx.Client) -> None:
    # OFFSET is a bigint in PostgreSQL: 2**63 would be a database error, so the spec caps it.
    _envelope(api.get("/tasks", params={"page": 2**63}), 422)
    assert api.get("/tasks", params={"page": 1_000_000, "size": 100}).status_code == 200


@pytest.mark.parametrize("path", ["/tasks/not-a-uuid", "/tasks/1", "/users/%00", f"/users/{NIL}x"])
def test_malformed_ids_in_paths_are_404(api: httpx.Client, path: str) -> None:
    _envelope(api.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("PUT", "/tasks", "/api/v1/tasks"),
        ("PUT", f"/tasks/{NIL}", "/api/v1/tasks/{task_id}"),
        ("DELETE", "/users/me", "/api/v1/users/me"),
        ("GET", "/auth/token", "/api/v1/auth/token"),
    ],
)
def test_405_lists_the_documented_methods_in_allow(
    api: httpx.Client, method: str, path: str, template: str
) -> None:
    response = api.request(method, path)
    _envelope(response, 405)
    documented = {m.upper() for m in SPEC["paths"][template]}
    assert set(response.headers["allow"].split(", ")) == documented


@pytest.mark.parametrize(
    ("path", "content_type", "content"),
    [
        ("/tasks", "text/plain", b'{"title": "x"}'),
        ("/tasks", None, b'{"title": "x"}'),
        ("/auth/signup", "application/xml", b"<signup/>"),
        ("/auth/token", "application/json", b'{"username": "a@b.c", "password": "x"}'),
        ("/auth/token", "multipart/form-data; boundary=x", b"--x--\r\n"),
    ],
)
def test_undeclared_media_types_are_415(
    api: httpx.Client, path: str, content_type: str | None, content: bytes
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    request = api.build_request("POST", path, content=content, headers=headers)
    if content_type is None:
        request.headers.pop("Content-Type", None)  # httpx adds none for raw content
    body = _envelope(api.send(request), 415)
    assert body["errors"][0]["source"] == {"header": "Content-Type"}  # type: ignore[index]
    assert _documented("POST", f"/api/v1{path}", 415)


def test_undecodable_body_is_a_documented_400(api: httpx.Client) -> None:
    response = api.post("/tasks", content=b'{"title": "\xff"}', headers={"Content-Type": "application/json"})
    _envelope(response, 400)
    assert _documented("POST", "/api/v1/tasks", 400)


def test_oauth2_form_login_and_its_failures(live_api: str) -> None:
    """RFC 6749 §5.2: every refusal is a 400 whose ``error`` a stock OAuth2 client reads."""
    token_url = f"{live_api}/api/v1/auth/token"

    def refused(form: dict[str, str]) -> object:
        response = httpx.post(token_url, data=form)
        body = _envelope(response, 400)
        assert _documented("POST", "/api/v1/auth/token", 400)
        return body["error"]  # type: ignore[index]

    assert refused({"username": "nobody@example.com", "password": "x" * 12}) == "invalid_grant"
    assert refused({"grant_type": "refresh_token", "refresh_token": "unknown"}) == "invalid_grant"
    assert refused({"username": "a\x00@example.com", "password": "x" * 12}) == "invalid_request"
    assert refused({"username": "a@example.com"}) == "invalid_request"
    assert refused({"username": "a@b.c", "password": "p", "grant_type": "code"}) == "unsupported_grant_type"


def _follow(link: dict[str, Any], response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The task id and headers a link's runtime expressions take from ``response``."""
    task_id, headers = "", {}
    for parameter, expression in link["parameters"].items():
        if expression == "$response.body#/id":
            value = response.json()["id"]
        else:
            assert expression.startswith("$response.header."), expression
            value = response.headers[expression.removeprefix("$response.header.")]
        if parameter.startswith("header."):
            headers[parameter.removeprefix("header.")] = value
        else:
            task_id = value
    return task_id, headers


def test_the_spec_links_a_tasks_etag_into_the_next_writes_if_match(api: httpx.Client) -> None:
    """A stateful client following the links writes the version it just saw: each write goes
    through, where a guessed If-Match would almost always be a 412."""
    tasks, task = SPEC["paths"]["/api/v1/tasks"], SPEC["paths"]["/api/v1/tasks/{task_id}"]
    created = api.post("/tasks", json={"title": "linked"})
    task_id, headers = _follow(tasks["post"]["responses"]["201"]["links"]["tasks_update"], created)
    updated = api.patch(f"/tasks/{task_id}", json={"title": "v2"}, headers=headers)
    assert (updated.status_code, headers) == (200, {"if-match": '"1"'})
    task_id, headers = _follow(task["patch"]["responses"]["200"]["links"]["tasks_update"], updated)
    again = api.patch(f"/tasks/{task_id}", json={"title": "v3"}, headers=headers)
    assert (again.status_code, headers) == (200, {"if-match": '"2"'})
    got = api.get(f"/tasks/{task_id}")
    task_id, headers = _follow(task["get"]["responses"]["200"]["links"]["tasks_delete"], got)
    assert (api.delete(f"/tasks/{task_id}", headers=headers).status_code, headers) == (
        204,
        {"if-match": '"3"'},
    )


def test_a_body_on_a_get_or_delete_over_the_limit_is_a_documented_413(api: httpx.Client) -> None:
    for method in ("GET", "DELETE"):
        response = api.request(method, f"/tasks/{NIL}", content=b"x" * (1024 * 1024 + 1))
        _envelope(response, 413)
        assert _documented(method, "/api/v1/tasks/{task_id}", 413)
