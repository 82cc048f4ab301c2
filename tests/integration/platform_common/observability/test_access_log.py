"""One canonical access line per request; the traceback of a 5xx is on it, once."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware

from platform_common.errors import NotFound
from platform_common.observability.request_context import bind_identity
from tests.integration.platform_common.observability.conftest import CLIENT_IP, ObservedApp
from tests.spans import recorded_spans, server_spans

TENANT = "6f1c3e52-1d2b-4c6e-9a51-7d3f1b2c4e5a"
USER = "0b7e6f0e-3c1a-4a7e-8d4b-2f5e9c1a7b3d"


def items_router(dependency: object) -> APIRouter:
    router = APIRouter(prefix="/api/v1/items")

    @router.get("/{item_id}", dependencies=[Depends(dependency)])
    async def get_item(item_id: int) -> dict[str, int]:
        logging.getLogger("app").info("item_read")
        return {"id": item_id}

    return router


async def authenticate(request: Request) -> None:
    bind_identity(request, tenant_id=TENANT, user_id=USER)


def authenticate_in_thread(request: Request) -> None:  # FastAPI runs it in the thread pool
    bind_identity(request, tenant_id=TENANT, user_id=USER)


async def test_one_canonical_line_with_ids_route_and_caller(observed: ObservedApp) -> None:
    observed.router.include_router(items_router(authenticate))
    spans = recorded_spans()
    async with observed.serve() as client:
        response = await client.get("/api/v1/items/7", headers={"X-Request-ID": "req-0123456789"})
    assert response.status_code == 200
    [line] = observed.access_lines()
    [server] = server_spans(spans)
    assert line["event"] == "http_request"
    assert line["level"] == "info"
    assert {key: line[key] for key in ("request_id", "tenant_id", "user_id", "method", "route", "path")} == {
        "request_id": "req-0123456789",
        "tenant_id": TENANT,
        "user_id": USER,
        "method": "GET",
        "route": "/api/v1/items/{item_id}",
        "path": "/api/v1/items/7",
    }
    assert line["status"] == 200
    assert line["client_ip"] == CLIENT_IP
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert re.fullmatch(r"[0-9a-f]{32}", line["trace_id"])
    assert re.fullmatch(r"[0-9a-f]{16}", line["span_id"])
    assert (line["trace_id"], line["span_id"]) == (
        f"{server.context.trace_id:032x}",
        f"{server.context.span_id:016x}",
    )
    assert "exception" not in line


@pytest.mark.parametrize("dependency", [authenticate, authenticate_in_thread], ids=["async", "sync"])
@pytest.mark.parametrize("base_http_middleware", [False, True], ids=["pure-asgi", "base-http-middleware"])
async def test_identity_bound_in_a_dependency_reaches_the_access_line(
    observed: ObservedApp, dependency: object, base_http_middleware: bool
) -> None:
    """Context variables set there would not propagate out; the scope holder does."""
    observed.router.include_router(items_router(dependency))
    if base_http_middleware:  # runs the app in another task, as slowapi's middleware does

        async def passthrough(request: Request, call_next):  # type: ignore[no-untyped-def]
            return await call_next(request)

        observed.middleware.append(Middleware(BaseHTTPMiddleware, dispatch=passthrough))
    async with observed.serve() as client:
        await client.get("/api/v1/items/1")
    [app_line] = [line for line in observed.log_lines() if line["event"] == "item_read"]
    [access] = observed.access_lines()
    assert (access["tenant_id"], access["user_id"]) == (TENANT, USER)
    assert (app_line["tenant_id"], app_line["user_id"]) == (TENANT, USER)


async def test_anonymous_requests_carry_empty_identity(observed: ObservedApp) -> None:
    async with observed.serve() as client:
        await client.get("/nowhere")
    [line] = observed.access_lines()
    assert (line["tenant_id"], line["user_id"], line["route"], line["status"]) == (
        None,
        None,
        "unmatched",
        404,
    )


async def test_4xx_lines_carry_no_exception(observed: ObservedApp) -> None:
    @observed.router.get("/missing/{item_id}")
    async def missing(item_id: int) -> None:
        raise NotFound("no such item")

    @observed.router.get("/forbidden")
    async def forbidden() -> None:
        raise HTTPException(status_code=403)

    async with observed.serve() as client:
        statuses = [
            (await client.get(path)).status_code for path in ("/missing/1", "/missing/x", "/forbidden")
        ]
    assert statuses == [404, 422, 403]
    lines = observed.access_lines()
    assert [line["status"] for line in lines] == statuses
    assert all(line["level"] == "info" and "exception" not in line for line in lines)
    assert not [line for line in observed.log_lines() if "exception" in line]


async def test_5xx_traceback_is_logged_once_on_the_access_line(observed: ObservedApp) -> None:
    @observed.router.get("/boom/{item_id}")
    async def boom(item_id: int) -> None:
        raise RuntimeError("the disk is on fire")

    spans = recorded_spans()
    async with observed.serve() as client:
        response = await client.get("/boom/3")
    assert response.status_code == 500
    with_exception = [line for line in observed.log_lines() if "exception" in line]
    assert len(with_exception) == 1
    [line] = with_exception
    assert (line["logger"], line["level"], line["status"], line["route"]) == (
        "access",
        "error",
        500,
        "/boom/{item_id}",
    )
    [error] = line["exception"]
    assert (error["exc_type"], error["exc_value"]) == ("RuntimeError", "the disk is on fire")
    assert error["frames"][-1]["name"] == "boom"
    assert all(set(frame) == {"filename", "lineno", "name"} for frame in error["frames"])  # no locals
    assert not [line for line in observed.log_lines() if line["event"] == "unhandled_exception"]
    [server] = server_spans(spans)
    assert [event.name for event in server.events] == ["exception"]


async def test_uvicorn_access_log_is_replaced(observed: ObservedApp) -> None:
    async with observed.serve():
        pass
    assert logging.getLogger("uvicorn.access").disabled
