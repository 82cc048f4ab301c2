from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from platform_common.db.database import Database
from todo_api.core.config import Settings


async def test_healthz_needs_no_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_answers_when_the_database_does(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200


async def test_readyz_is_503_in_the_envelope_when_the_database_is_unreachable(
    app: FastAPI, settings: Settings
) -> None:
    runtime = app.state.runtime
    healthy = runtime.database
    nowhere = settings.model_copy(
        update={"database_url": "postgresql://nobody@127.0.0.1:1/none", "database_connect_timeout": 1}
    )
    runtime.database = Database(nowhere, application_name="readiness-test")
    await runtime.database.connect()  # the server is down: a pool that connects on first use
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            response = await client.get("/readyz")
    finally:
        await runtime.database.close()
        runtime.database = healthy
    assert response.status_code == 503
    body = response.json()
    assert body["errors"][0]["code"] == "service_unavailable"
    assert body["meta"]["request_id"] == response.headers["x-request-id"]
    assert response.headers["retry-after"] == "5"
    assert "127.0.0.1" not in response.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_are_documented(client: httpx.AsyncClient, path: str) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert path in spec["paths"]
