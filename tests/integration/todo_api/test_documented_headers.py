"""The spec documents the headers the server sends: each response below carries every header
its status documents as required, and every header it carries (of those clients act on) is
documented, with a value its schema allows."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import jsonschema_rs
import pytest

from tests.integration.factories import signup
from todo_api.core.config import Settings
from todo_api.main import create_app

TASKS = "/api/v1/tasks"
TASK = "/api/v1/tasks/{task_id}"
# Headers a client acts on; the security headers (nosniff, ...) are the same on every response.
WATCHED = {
    "etag",
    "location",
    "idempotent-replayed",
    "x-request-id",
    "www-authenticate",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
}


def _documented(spec: dict[str, Any], method: str, template: str, status: int) -> dict[str, dict[str, Any]]:
    response = spec["paths"][template][method.lower()]["responses"][str(status)]
    headers = {}
    for name, header in response.get("headers", {}).items():
        if "$ref" in header:
            header = spec["components"]["headers"][header["$ref"].rsplit("/", 1)[1]]
        headers[name.lower()] = header
    return headers


def assert_headers_documented(
    spec: dict[str, Any], method: str, template: str, response: httpx.Response
) -> None:
    documented = _documented(spec, method, template, response.status_code)
    missing = [
        name
        for name, header in documented.items()
        if header.get("required", False) and name not in response.headers  # OpenAPI: false unless said
    ]
    assert missing == [], (method, template, response.status_code)
    undocumented = sorted(WATCHED & set(response.headers) - set(documented))
    assert undocumented == [], (method, template, response.status_code)
    for name in WATCHED & set(response.headers):
        schema = documented[name]["schema"]
        value: object = response.headers[name]
        if schema.get("type") == "integer":
            value = int(response.headers[name])
        assert jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value), (name, value)


@pytest.fixture
async def limited(settings: Settings, clean_database: None) -> Any:
    update = {"service_name": f"test-{uuid.uuid4().hex[:8]}", "rate_limit_authenticated": "8/hour"}
    app = create_app(settings.model_copy(update=update))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_every_answer_of_the_task_workflow_documents_its_headers(limited: httpx.AsyncClient) -> None:
    client = limited
    spec = (await client.get("/openapi.json")).json()
    owner = await signup(client, "acme")
    keyed = {**owner.headers, "Idempotency-Key": "k-1"}

    created = await client.post(TASKS, json={"title": "x"}, headers=keyed)
    replayed = await client.post(TASKS, json={"title": "x"}, headers=keyed)
    url = created.headers["location"]
    answers = [
        ("POST", TASKS, created),
        ("POST", TASKS, replayed),
        ("GET", TASK, await client.get(url, headers=owner.headers)),
        ("GET", TASK, await client.get(url, headers={**owner.headers, "If-None-Match": 'W/"1"'})),
        (
            "PATCH",
            TASK,
            await client.patch(url, json={"title": "y"}, headers={**owner.headers, "If-Match": '"9"'}),
        ),
        ("GET", TASKS, await client.get(TASKS)),  # no token
        (
            "GET",
            TASKS,
            await client.request("GET", TASKS, content=b"x" * (1024 * 1024 + 1), headers=owner.headers),
        ),
    ]
    while (refused := await client.get(TASKS, headers=owner.headers)).status_code != 429:
        answers.append(("GET", TASKS, refused))
    answers.append(("GET", TASKS, refused))
    assert [response.status_code for _, _, response in answers[:7]] == [201, 201, 200, 304, 412, 401, 413]
    for method, template, response in answers:
        assert_headers_documented(spec, method, template, response)
