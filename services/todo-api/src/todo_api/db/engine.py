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
        pool_pre_ping=True,  # a connection dropped by a database restart is replaced, not used
        connect_args={
            "timeout": settings.database_connect_timeout,
            "server_settings": server_settings,
        },
    )
