"""App factory: ``uvicorn todo_api.main:create_app --factory``.

Everything that is not about todos (lifespan, error handlers, health routes, middleware
order, observability) comes from ``platform_common.app.create_service_app``.
"""

from __future__ import annotations

from fastapi import FastAPI

from platform_common.app import create_service_app
from todo_api import __version__
from todo_api.api.router import API_ROUTERS
from todo_api.core.config import Settings, get_settings
from todo_api.core.runtime import TodoRuntime


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        TodoRuntime(settings or get_settings()),
        title="todo-api",
        version=__version__,
        summary="Secure multi-tenant REST API for todos.",
        routers=API_ROUTERS,
    )
