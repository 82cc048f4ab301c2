"""The start-up posture check: only a role that row-level security binds may serve production."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from platform_common.settings import Environment
from todo_api.core.config import Settings
from todo_api.db.posture import posture_problems
from todo_api.db.provision import ProvisionedDatabase
from todo_api.main import create_app
from todo_api.models import TENANT_TABLES


def on_test_database(url: str, database: ProvisionedDatabase) -> str:
    """``url``'s login, connected to the provisioned test database."""
    name = make_url(database.owner_url).database
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@asynccontextmanager
async def engine_for(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(Settings(database_url=url).database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def problems_as(url: str) -> list[str]:
    async with engine_for(url) as engine:
        return await posture_problems(engine, TENANT_TABLES)


async def test_the_runtime_role_is_safe(database: ProvisionedDatabase) -> None:
    assert await problems_as(database.app_url) == []


async def test_the_owner_role_owns_every_tenant_table(database: ProvisionedDatabase) -> None:
    problems = await problems_as(database.owner_url)
    assert sorted(problems) == sorted(f"the database role owns table {table}" for table in TENANT_TABLES)


async def test_a_superuser_is_unsafe(database: ProvisionedDatabase, postgres_admin_url: str) -> None:
    assert "the database role is a superuser" in await problems_as(
        on_test_database(postgres_admin_url, database)
    )


async def test_a_role_with_bypassrls_is_unsafe(
    database: ProvisionedDatabase, postgres_admin_url: str
) -> None:
    role = f"todo_test_bypass_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(make_url(postgres_admin_url).render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER BYPASSRLS')
        url = make_url(on_test_database(database.app_url, database)).set(username=role)
        assert await problems_as(url.render_as_string(hide_password=False)) == [
            "the database role has BYPASSRLS"
        ]
    finally:
        await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.close()


async def test_tables_without_forced_security_or_missing_are_reported(database: ProvisionedDatabase) -> None:
    async with engine_for(database.app_url) as engine:
        problems = await posture_problems(engine, ["alembic_version", "no_such_table"])
    assert problems == [
        "table alembic_version lacks forced row-level security",
        "table no_such_table is missing",
    ]


def production(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment=Environment.PRODUCTION,
        secret_key=SecretStr(secrets.token_urlsafe(32)),
        trusted_hosts=["api.example.com"],
        log_format="console",  # leave the process-wide logging setup as the other tests expect it
    )


@pytest.mark.parametrize("login", ["owner", "superuser"])
async def test_production_refuses_to_start_with_an_unsafe_role(
    database: ProvisionedDatabase, postgres_admin_url: str, login: str
) -> None:
    url = {"owner": database.owner_url, "superuser": on_test_database(postgres_admin_url, database)}[login]
    app = create_app(production(url))
    with pytest.raises(RuntimeError, match="unsafe database posture"):
        async with app.router.lifespan_context(app):
            pytest.fail("the app started")


async def test_production_starts_with_the_runtime_role(database: ProvisionedDatabase) -> None:
    app = create_app(production(database.app_url))
    async with app.router.lifespan_context(app):
        pass
