"""The async engine: asyncpg under SQLAlchemy's pool, sized and timed from settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from todo_api.core.config import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    server_settings = {"application_name": settings.service_name}
    if settings.database_statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.database_statement_timeout_ms)
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout,
        pool_recycle=settings.database_pool_recycle,
        # Off by default: under asyncpg a ping is BEGIN, a query and ROLLBACK on every checkout,
        # as many round trips as the request's own work. Without it, the first statement on a
        # connection a restart dropped fails (503 with Retry-After) and SQLAlchemy invalidates
        # the whole pool, so the requests after it get fresh connections.
        pool_pre_ping=settings.database_pool_pre_ping,
        connect_args={
            "timeout": settings.database_connect_timeout,
            "server_settings": server_settings,
        },
    )
