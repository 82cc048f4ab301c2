"""The service as wired by ``create_app``: access lines, spans and metrics of real requests."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.integration.apps import serving
from tests.integration.factories import Account, signup
from tests.metrics import scrape
from tests.spans import children_of, recorded_spans, server_spans
from todo_api.core.config import Settings
from todo_api.main import create_app

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
TASK_LIST = "/api/v1/tasks"


@pytest.fixture
def json_app(settings: Settings, clean_database: None) -> FastAPI:
    """The app with JSON logs, as in production, exporting spans (to the tests' exporter)."""
    recorded_spans()  # an exporter before the app is built: the app instruments itself then
    return create_app(settings.model_copy(update={"log_format": "json"}))


@pytest.fixture
async def json_client(json_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(json_app) as client:
        yield client


def access_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "access"]


async def test_authenticated_task_list_yields_a_server_span_with_route_and_database_children(
    json_client: httpx.AsyncClient,
) -> None:
    account = await signup(json_client, "traced")
    spans = recorded_spans()
    response = await json_client.get(TASK_LIST, headers={**account.headers, "traceparent": TRACEPARENT})
    assert response.status_code == 200
    [server] = server_spans(spans)
    assert server.name == f"GET {TASK_LIST}"
    assert server.attributes is not None
    assert server.attributes["http.route"] == TASK_LIST
    assert f"{server.context.trace_id:032x}" == TRACE_ID  # the incoming trace is continued
    database = [span for span in children_of(spans, server) if (span.attributes or {}).get("db.system")]
    assert database, [span.name for span in children_of(spans, server)]
    assert {f"{span.context.trace_id:032x}" for span in database} == {TRACE_ID}
    statements = [str((span.attributes or {}).get("db.statement", "")) for span in database]
    assert any(re.search(r"\bFROM task\b", statement) for statement in statements), statements


async def test_the_access_line_names_the_caller_and_the_route(
    json_client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    account: Account = await signup(json_client, "logged")
    capsys.readouterr()
    missing = uuid.uuid4()
    response = await json_client.get(f"{TASK_LIST}/{missing}", headers=account.headers)
    assert response.status_code == 404
    [line] = access_lines(capsys)
    assert (line["tenant_id"], line["user_id"]) == (account.tenant_id, account.user_id)
    assert (line["route"], line["path"], line["status"]) == (
        f"{TASK_LIST}/{{task_id}}",
        f"{TASK_LIST}/{missing}",
        404,
    )
    assert line["request_id"] == response.headers["x-request-id"]
    assert "exception" not in line


async def test_readiness_probe_is_not_traced_even_its_query(json_client: httpx.AsyncClient) -> None:
    spans = recorded_spans()
    assert (await json_client.get("/readyz")).status_code == 200
    assert (await json_client.get("/healthz")).status_code == 200
    assert spans.get_finished_spans() == ()


async def test_metrics_are_on_their_own_port_never_on_the_public_one(
    json_app: FastAPI, json_client: httpx.AsyncClient, settings: Settings
) -> None:
    public = await json_client.get("/metrics")
    assert public.status_code == 404
    assert public.json()["errors"][0]["code"] == "not_found"
    await json_client.get("/healthz")
    metrics = scrape(json_app.state.metrics_server.port)
    assert (
        metrics[("http_requests_total", (("method", "GET"), ("route", "/healthz"), ("status", "200")))] >= 1
    )
    assert (
        metrics[("http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] >= 1
    )
    assert metrics[("db_pool_size", ())] == settings.database_pool_size
    assert metrics[("db_pool_max_overflow", ())] == settings.database_max_overflow
    assert ("auth_failures_total", (("reason", "expired"),)) in metrics
    assert ("rate_limit_rejections_total", (("scope", "ip"),)) in metrics
