"""The migrations are the schema: they apply, reverse, and agree with the models."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from platform_common.db.provision import ProvisionedDatabase
from tests.database import async_engine, downgrade, migrate, provisioned_database
from tests.integration.rows import execute
from todo_api.models import RETIRED_COLUMNS, include_in_autogenerate, metadata


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
                            "include_object": include_in_autogenerate,
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


BEFORE_TAGS = "7b2d4e6f8a10"
TENANT = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
# Stored tags before re-normalisation -> after: controls removed, NFC, trimmed, case-folded,
# empty ones dropped, duplicates merged.
STORED_TAGS = {
    "0f8fad5b-d9cb-469f-a165-70867728950e": (["work"], ["work"]),
    "16fd2706-8baf-433b-82eb-8c7fada847da": (
        ["Work", " work ", "\x1fwork", "Cafe\u0301", "caf\u00e9", "\x07", "STRASSE", "stra\u00dfe"],
        ["work", "caf\u00e9", "strasse"],
    ),
}


async def _task_tags(engine: AsyncEngine) -> dict[str, tuple[list[str], int]]:
    rows = await execute(engine, TENANT, "SELECT id::text, tags, version FROM task")
    return {row.id: (row.tags, row.version) for row in rows}


async def _insert_tasks(engine: AsyncEngine) -> None:
    await execute(engine, TENANT, "INSERT INTO tenant (id, slug, name) VALUES (:t, 'acme', 'Acme')", t=TENANT)
    [(user_id,)] = await execute(
        engine,
        TENANT,
        "INSERT INTO \"user\" (tenant_id, email, hashed_password, full_name) VALUES (:t, 'a@acme.io', 'x', '')"
        " RETURNING id",
        t=TENANT,
    )
    for task_id, (tags, _) in STORED_TAGS.items():
        await execute(
            engine,
            TENANT,
            "INSERT INTO task (id, tenant_id, owner_id, title, description, tags)"
            " VALUES (:id, :t, :owner, 'x', '', :tags)",
            id=task_id,
            t=TENANT,
            owner=user_id,
            tags=tags,
        )


async def test_tags_are_renormalised_under_forced_row_level_security(
    empty_database: ProvisionedDatabase,
) -> None:
    """The owner runs it, and FORCE binds the owner: the revision lifts it for its own
    transaction only. A changed row gets a new version (its ETag); others keep theirs."""
    url = empty_database.owner_url
    await migrate(url, BEFORE_TAGS)
    # NullPool: each migration's DDL must not wait on a connection this test keeps open.
    engine = async_engine(url, poolclass=NullPool)
    try:
        await _insert_tasks(engine)
        await migrate(url)
        renormalised = {
            task_id: (after, 1 if after == before else 2) for task_id, (before, after) in STORED_TAGS.items()
        }
        assert await _task_tags(engine) == renormalised
        forced = await execute(
            engine, TENANT, "SELECT relforcerowsecurity FROM pg_class WHERE relname = 'task'"
        )
        assert forced[0][0] is True

        await downgrade(url, BEFORE_TAGS)  # a no-op: the old spellings are gone
        assert await _task_tags(engine) == renormalised
        await migrate(url)  # normalised tags stay as they are
        assert await _task_tags(engine) == renormalised
    finally:
        await engine.dispose()


BEFORE_DELTA = "70f3f18bae6a"


async def test_existing_tasks_are_numbered_in_the_order_they_were_written(
    empty_database: ProvisionedDatabase,
) -> None:
    """Per owner, oldest write first; the owner's counter continues after the last number,
    and downgrading takes the column and the tables away again."""
    url = empty_database.owner_url
    await migrate(url, BEFORE_DELTA)
    engine = async_engine(url, poolclass=NullPool)
    try:
        await _insert_tasks(engine)
        first, second = STORED_TAGS  # written second, then first
        await execute(
            engine,
            TENANT,
            "UPDATE task SET updated_at = now() - CASE id WHEN :a THEN interval '1 hour' ELSE interval '2 hours' END"
            " RETURNING id",
            a=first,
        )
        await migrate(url)
        numbered = await execute(engine, TENANT, "SELECT id::text, change_seq FROM task ORDER BY change_seq")
        assert [(row.id, row.change_seq) for row in numbered] == [(second, 1), (first, 2)]
        counters = await execute(engine, TENANT, "SELECT version, purged_seq FROM sync_state")
        assert [tuple(row) for row in counters] == [(2, 0)]

        await downgrade(url, BEFORE_DELTA)
        assert not {"sync_state", "task_tombstone"} & await _tables(url)
        columns = await execute(
            engine, TENANT, "SELECT column_name FROM information_schema.columns WHERE table_name = 'task'"
        )
        assert "change_seq" not in {row[0] for row in columns}
    finally:
        await engine.dispose()
