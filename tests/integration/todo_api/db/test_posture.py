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

from platform_common.db.posture import posture_problems
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.tables import tenant_tables
from platform_common.settings import Environment
from todo_api.core.config import Settings
from todo_api.main import create_app
from todo_api.models import metadata

TENANT_TABLES = tuple(tenant_tables(metadata))


def on_test_database(url: str, database: ProvisionedDatabase) -> str:
    """``url``'s login, connected to the provisioned test database."""
    name = make_url(database.owner_url).database
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@asynccontextmanager
async def connected_as(url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(url)
    try:
        yield connection
    finally:
        await connection.close()


async def problems_as(url: str) -> list[str]:
    async with connected_as(url) as connection:
        return await posture_problems(connection, TENANT_TABLES)


async def test_the_runtime_role_is_safe(database: ProvisionedDatabase) -> None:
    assert await problems_as(database.app_url) == []


async def test_the_owner_role_owns_every_table(database: ProvisionedDatabase) -> None:
    problems = await problems_as(database.owner_url)
    owned = {problem.removeprefix("the database role owns table ") for problem in problems}
    assert owned >= {*TENANT_TABLES, "alembic_version"}
    assert all(problem.startswith("the database role owns table ") for problem in problems)


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
    async with connected_as(database.app_url) as connection:
        problems = await posture_problems(connection, ["alembic_version", "no_such_table"])
    assert problems == [
        "table alembic_version lacks forced row-level security",
        "table no_such_table is missing",
    ]


def production(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment=Environment.PRODUCTION,
        secret_key=SecretStr(secrets.token_urlsafe(32)),
        data_encryption_key=SecretStr(secrets.token_urlsafe(32)),
        trusted_hosts=["api.example.com"],
        metrics_port=0,  # a free port: another process may hold the default
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
