"""A real PostgreSQL for the tests: the server named by TEST_DATABASE_URL, or an embedded one.

Each test session provisions its own fresh database (owner and runtime roles, as in
production), migrates it to head as the owner, and drops it at the end.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection, NullPool
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from tools.embedded_postgres import superuser_url

from platform_common.db.provision import ProvisionedDatabase, drop_database
from platform_common.db.rls import grant_runtime_access
from platform_common.db.tables import append_only_tables
from todo_api.core.provisioning import provision
from todo_api.models import metadata

ROOT = Path(__file__).resolve().parent.parent
_TRUNCATE_ALL = """
DO $$ BEGIN
  EXECUTE (SELECT 'TRUNCATE ' || string_agg(format('%I', tablename), ', ') || ' CASCADE'
           FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version');
END $$
"""


def async_engine(url: str, **options: Any) -> AsyncEngine:
    """A SQLAlchemy engine on ``url`` through asyncpg, for tests that write or inspect rows
    directly (the service itself runs on asyncpg's own pool)."""
    return create_async_engine(make_url(url).set(drivername="postgresql+asyncpg"), **options)


def alembic_config(url: str, app_role: str | None = None) -> Config:
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.attributes["url"] = url
    if app_role:
        config.attributes["app_role"] = app_role
    return config


async def migrate(url: str, revision: str = "head", *, app_role: str | None = None) -> None:
    """``alembic upgrade``; env.py runs its own event loop, so it goes to a thread."""
    await asyncio.to_thread(command.upgrade, alembic_config(url, app_role), revision)


async def downgrade(url: str, revision: str = "base") -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)


async def apply(url: str, step: Callable[[], None], *, app_role: str | None = None) -> None:
    """Run ``step`` on ``url`` in one transaction as Alembic runs a revision: its ``op.*`` calls
    and ``platform_common.db.rls`` helpers work inside it. Then grant ``app_role`` access, as
    todo-api's migration environment does after migrating (its append-only tables withheld)."""
    engine = async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_operate, step, app_role)
    finally:
        await engine.dispose()


def _operate(connection: Connection, step: Callable[[], None], app_role: str | None) -> None:
    with Operations.context(MigrationContext.configure(connection)):
        step()
    if app_role:
        grant_runtime_access(connection, app_role, append_only=append_only_tables(metadata))


@contextmanager
def admin_url() -> Iterator[str]:
    """A superuser URL: TEST_DATABASE_URL, or an embedded server in a temporary directory."""
    with (
        tempfile.TemporaryDirectory(prefix="todo-test-pg-") as parent,
        superuser_url(Path(parent) / "data", override_env="TEST_DATABASE_URL") as url,
    ):
        yield url


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[asyncpg.Connection]:
    """One asyncpg connection as ``url``'s login, closed at the end of the block."""
    connection = await asyncpg.connect(url)
    try:
        yield connection
    finally:
        await connection.close()


async def empty_tables(owner_url: str) -> None:
    """TRUNCATE every table but Alembic's, as the owner, in one statement."""
    async with connected(owner_url) as connection:
        await connection.execute(_TRUNCATE_ALL)


async def fresh_database(admin: str, *, migrated: bool = True) -> ProvisionedDatabase:
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    provisioned = await provision(admin, database=name, recreate=True)
    if migrated:
        await migrate(provisioned.owner_url, app_role=provisioned.app_role)
    return provisioned


async def drop(admin: str, provisioned: ProvisionedDatabase) -> None:
    database = make_url(provisioned.owner_url).database
    assert database
    await drop_database(admin, database)


@asynccontextmanager
async def provisioned_database(admin: str, *, migrated: bool = True) -> AsyncIterator[ProvisionedDatabase]:
    """A fresh database for the block (migrated to head unless told otherwise), then dropped."""
    provisioned = await fresh_database(admin, migrated=migrated)
    try:
        yield provisioned
    finally:
        await drop(admin, provisioned)


def record_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement asyncpg sends from now on (the test's ``monkeypatch`` undoes it), in
    order: to count round trips where the answer's time must not tell a branch."""
    sent: list[str] = []
    for name in ("execute", "fetch", "fetchrow", "fetchval"):
        original = getattr(asyncpg.connection.Connection, name)

        async def recording(self: Any, query: str, *args: Any, _original: Any = original, **kw: Any) -> Any:
            sent.append(query)
            return await _original(self, query, *args, **kw)

        monkeypatch.setattr(asyncpg.connection.Connection, name, recording)
    return sent
