"""The migrations are the schema: they apply, reverse, and agree with the models."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from platform_common.db.provision import ProvisionedDatabase
from platform_common.events.queue import outside_the_queue
from tests.database import async_engine, downgrade, drop, fresh_database, migrate
from todo_api.models import metadata


@pytest.fixture
async def empty_database(postgres_admin_url: str) -> AsyncIterator[ProvisionedDatabase]:
    provisioned = await fresh_database(postgres_admin_url, migrated=False)
    yield provisioned
    await drop(postgres_admin_url, provisioned)


async def _schema_diff(url: str) -> list[object]:
    engine = async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync,
                        opts={
                            "compare_type": True,
                            "compare_server_default": True,
                            "include_object": outside_the_queue,
                        },
                    ),
                    metadata,
                )
            )
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_and_models_agree(empty_database: ProvisionedDatabase) -> None:
    url = empty_database.owner_url
    await migrate(url)
    assert {"tenant", "user", "task"} <= await _tables(url)
    assert await _schema_diff(url) == []

    await downgrade(url, "base")
    assert await _tables(url) == {"alembic_version"}

    await migrate(url)
    assert await _schema_diff(url) == []


async def test_runtime_role_gets_data_access_but_not_the_version_table(database: ProvisionedDatabase) -> None:
    engine = async_engine(database.app_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM tenant"))).scalar_one() == 0
            with pytest.raises(Exception, match="permission denied"):
                await conn.execute(text("SELECT * FROM alembic_version"))
    finally:
        await engine.dispose()
