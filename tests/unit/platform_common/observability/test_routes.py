"""Route templates with FastAPI's nested routers (which no longer copy included routes)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from platform_common.observability.routes import UNMATCHED, RouteTemplates, arrival


def build_app() -> tuple[FastAPI, list[str]]:
    app = FastAPI()
    tasks = APIRouter(prefix="/tasks")

    @tasks.get("/{task_id}")
    async def get_task(task_id: int) -> dict[str, int]:
        return {"id": task_id}

    @tasks.post("")
    async def create_task() -> None:
        return None

    api = APIRouter(prefix="/api/v1")
    api.include_router(tasks)
    app.include_router(api)
    app.include_router(tasks, prefix="/legacy")  # the same route objects under a second prefix

    @app.get("/healthz")
    async def healthz() -> None:
        return None

    sub = FastAPI()

    @sub.get("/files/{name}")
    async def file(name: str) -> None:
        return None

    app.mount("/static", sub)

    async def plain(request: Request) -> PlainTextResponse:
        return PlainTextResponse("plain")

    app.add_route("/plain/{name}", plain)  # a Starlette route: FastAPI sets no scope["route"]

    resolved: list[str] = []
    templates = RouteTemplates()
    inner = app.build_middleware_stack

    def build_middleware_stack() -> object:
        stack = inner()

        async def recording(scope: Scope, receive: Receive, send: Send) -> None:
            arrived = arrival(scope)
            await stack(scope, receive, send)
            resolved.append(templates.resolve(scope, arrived))

        return recording

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign,assignment]
    return app, resolved


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/api/v1/tasks/42", "/api/v1/tasks/{task_id}"),
        ("GET", "/api/v1/tasks/not-a-number", "/api/v1/tasks/{task_id}"),  # 422: still the route
        ("POST", "/api/v1/tasks", "/api/v1/tasks"),
        ("DELETE", "/api/v1/tasks/42", "/api/v1/tasks/{task_id}"),  # 405: the route that exists
        ("GET", "/legacy/tasks/42", "/legacy/tasks/{task_id}"),
        ("GET", "/healthz", "/healthz"),
        ("GET", "/static/files/a.txt", "/static/{path}"),
        ("GET", "/openapi.json", "/openapi.json"),
        ("GET", "/docs", "/docs"),
        ("GET", "/plain/x", "/plain/{name}"),
        ("GET", "/api/v1/tasks/", UNMATCHED),  # answered by a redirect to /api/v1/tasks
        ("GET", "/api/v1/nothing/here", UNMATCHED),
        ("GET", "/wp-login.php", UNMATCHED),
    ],
)
async def test_template_of_each_kind_of_route(method: str, path: str, template: str) -> None:
    app, resolved = build_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        await client.request(method, path)
    assert resolved == [template]


async def test_routes_added_after_the_first_request_resolve_too() -> None:
    app, resolved = build_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        await client.get("/healthz")

        @app.get("/late/{item}")
        async def late(item: str) -> None:
            return None

        await client.get("/late/x")
    assert resolved == ["/healthz", "/late/{item}"]
