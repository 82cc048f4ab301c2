"""Fixtures for tests that need the real database and the real ASGI app.

With ``TEST_PGBOUNCER=1`` the runtime role reaches the database through a PgBouncer in
transaction pooling mode (``tools/pgbouncer.py``) and every app runs with
``DATABASE_POOLER=transaction``, as a deployment behind such a pooler does; the owner
(migrations, cleanup) stays direct. CI runs the core API tests this way too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from tools.pgbouncer import running_pgbouncer

from platform_common.db.provision import ProvisionedDatabase
from tests.database import async_engine, connected, empty_tables, provisioned_database
from tests.integration.apps import settings_for
from tests.integration.factories import Account, signup
from todo_api.core.config import Settings
from todo_api.main import create_app


@pytest.fixture(scope="session")
async def database(postgres_admin_url: str) -> AsyncIterator[ProvisionedDatabase]:
    async with provisioned_database(postgres_admin_url) as provisioned:
        if os.environ.get("TEST_PGBOUNCER") != "1":
            yield provisioned
            return
        with (
            tempfile.TemporaryDirectory(prefix="todo-test-pgbouncer-") as workdir,
            # Two server connections, fewer than the clients a test opens, so transactions of
            # different clients (and tenants) share them.
            running_pgbouncer(
                provisioned.app_url, [provisioned.app_role], Path(workdir), pool_size=2
            ) as pooler,
            pytest.MonkeyPatch.context() as environment,
        ):
            environment.setenv("DATABASE_POOLER", "transaction")
            yield replace(provisioned, app_url=pooler.route(provisioned.app_url))


@pytest.fixture(scope="session")
async def owner_engine(database: ProvisionedDatabase) -> AsyncIterator[AsyncEngine]:
    """The schema owner's connection: for test setup and cleanup, never for the app."""
    engine = async_engine(database.owner_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def every_tenant(
    database: ProvisionedDatabase, postgres_admin_url: str
) -> AsyncIterator[asyncpg.Connection]:
    """A superuser's connection to the test database: it sees every tenant's rows and the
    global tables (row-level security binds the schema owner too)."""
    name = make_url(database.owner_url).database
    url = make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    async with connected(url) as connection:
        yield connection


@pytest.fixture
async def clean_database(database: ProvisionedDatabase) -> AsyncIterator[None]:
    """Each test starts from empty tables and leaves none of its rows behind."""
    yield
    await empty_tables(database.owner_url)


@pytest.fixture
def settings(database: ProvisionedDatabase, request: pytest.FixtureRequest) -> Settings:
    """The app's settings; a test changes some with
    ``@pytest.mark.parametrize("settings", [{"field": value}], indirect=True)``."""
    return settings_for(database.app_url, **getattr(request, "param", {}))


@pytest.fixture
async def app(settings: Settings, clean_database: None) -> AsyncIterator[object]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> Account:
    """The owner of tenant ``acme``, logged in through the API (so with a refresh token)."""
    return await signup(client, "acme")
