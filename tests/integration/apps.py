"""The app under test: settings that bind no fixed port, and an app served in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from todo_api.core.config import Settings
from todo_api.main import create_app


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """todo-api's settings for a test. ``METRICS_PORT=0``: each app's metrics listener takes a
    free port, so the suite passes while anything else listens on 9100 (a developer's own
    ``./tools/task run``, another test run)."""
    defaults = {
        "database_url": database_url,
        "environment": "test",
        "metrics_port": 0,
        # A small pool kept open (it grows under load): many apps run against one server.
        "database_pool_size": 2,
        "database_max_overflow": 8,
    }
    return Settings(**{**defaults, **overrides})


@asynccontextmanager
async def serving(
    app: FastAPI, *, base_url: str = "http://testserver", **transport: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """``app`` with its lifespan run (pool, posture check, metrics listener), driven in-process
    through ``httpx.ASGITransport(app, **transport)``."""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app, **transport), base_url=base_url) as client,
    ):
        yield client


@asynccontextmanager
async def serve(settings: Settings, peer: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own for ``settings`` (on the same database), seen from client address ``peer``."""
    async with serving(create_app(settings), client=(peer, 50000)) as client:
        yield client
