"""Alembic environment: async, driven by the service's settings, run as the owner role.

The URL comes from ``config.attributes["url"]`` (tests, tools) or from
MIGRATIONS_DATABASE_URL / DATABASE_URL. After migrating, the runtime role named by
DATABASE_APP_ROLE is granted data access (and nothing else) on every table, and the right to
execute the schema's functions (the narrow pre-tenant lookups).
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from platform_common.db.settings import MigrationSettings
from platform_common.events.queue import outside_the_queue
from todo_api.models import metadata

config = context.config
target_metadata = metadata


def _asyncpg(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def _grant_runtime_access(connection: Connection, role: str) -> None:
    quoted = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        # The pre-tenant lookups (SECURITY DEFINER functions, revoked from PUBLIC) and
        # app_current_tenant(): executing them is all the runtime role may do with functions.
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {quoted}",
        f"REVOKE ALL ON alembic_version FROM {quoted}",
    ):
        connection.execute(text(statement))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        include_object=outside_the_queue,
    )
    with context.begin_transaction():
        context.run_migrations()
        app_role = config.attributes.get("app_role") or MigrationSettings().database_app_role
        if app_role and not context.is_offline_mode():
            _grant_runtime_access(connection, app_role)


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
