"""The migrations are the schema: they apply, reverse, and agree with the models."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.tables import keep_retired_columns
from tests.database import async_engine, downgrade, migrate, provisioned_database
from todo_api.models import RETIRED_COLUMNS, metadata


@pytest.fixture
async def empty_database(postgres_admin_url: str) -> AsyncIterator[ProvisionedDatabase]:
    async with provisioned_database(postgres_admin_url, migrated=False) as provisioned:
        yield provisioned


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
                            "include_object": keep_retired_columns(RETIRED_COLUMNS),
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


async def test_retired_columns_are_still_in_the_schema_and_no_longer_mapped(
    database: ProvisionedDatabase,
) -> None:
    """The previous release keeps writing them until the next release's migration drops them
    (and takes them off the list): the list names exactly such columns."""
    engine = async_engine(database.owner_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
                )
            )
            in_schema = {(table, column) for table, column in rows}
    finally:
        await engine.dispose()
    for table, columns in RETIRED_COLUMNS.items():
        for column in columns:
            assert (table, column) in in_schema
            assert column not in metadata.tables[table].c
