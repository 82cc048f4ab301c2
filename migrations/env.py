"""Alembic environment: async, driven by the service's settings, run as the owner role.

The URL comes from ``config.attributes["url"]`` (tests, tools) or from
MIGRATIONS_DATABASE_URL / DATABASE_URL. After migrating, the runtime role named by
DATABASE_APP_ROLE is granted data access (and nothing else) on every table, and the right to
execute the schema's functions (the narrow pre-tenant lookups); the tables the models declare
append-only (the audit trail) it may insert into and read, never update or delete.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from platform_common.db.rls import grant_runtime_access
from platform_common.db.settings import MigrationSettings
from platform_common.db.tables import append_only_tables
from todo_api.models import include_in_autogenerate, metadata

config = context.config
target_metadata = metadata


def _asyncpg(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        include_object=include_in_autogenerate,
    )
    with context.begin_transaction():
        context.run_migrations()
        app_role = config.attributes.get("app_role") or MigrationSettings().database_app_role
        if app_role and not context.is_offline_mode():
            grant_runtime_access(connection, app_role, append_only=append_only_tables(metadata))


async def _run_online(url: str) -> None:
    engine = create_async_engine(_asyncpg(url), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def main() -> None:
    url = config.attributes.get("url") or MigrationSettings().url
    if context.is_offline_mode():
        context.configure(url=_asyncpg(url), target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_online(url))


main()
