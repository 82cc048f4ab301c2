"""App factory: ``uvicorn todo_api.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from platform_common.error_handlers import install_error_handlers
from platform_common.logging import configure_logging
from platform_common.request_id import request_id_middleware

from todo_api import __version__
from todo_api.api.endpoints import health
from todo_api.api.router import api_router
from todo_api.core.config import Settings, get_settings
from todo_api.db.engine import create_engine
from todo_api.db.session import create_session_factory


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    json_logs = settings.log_format == "json" or (settings.log_format == "auto" and settings.is_production)
    configure_logging(settings.log_level, json_output=json_logs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="todo-api",
        version=__version__,
        summary="Secure multi-tenant REST API for todos.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(api_router)
    # Outermost: every response, errors included, carries the request id.
    app.add_middleware(request_id_middleware)
    return app
