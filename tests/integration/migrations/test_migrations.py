"""The migrations are the schema: they apply, reverse, and agree with the models."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from platform_common.db.provision import ProvisionedDatabase
from tests.database import async_engine, downgrade, migrate, provisioned_database
from tests.integration.rows import execute
from todo_api.models import RETIRED_COLUMNS, include_in_autogenerate, metadata
from todo_api.services.ordering import key_between


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


BEFORE_TASK_COUNT = "4d8e2a6c9b17"


async def test_existing_tasks_are_counted_for_the_quota(empty_database: ProvisionedDatabase) -> None:
    """Each owner's tasks (trashed ones too) are counted on their counter row, made if the
    owner has none; from then on the triggers keep the count, and a downgrade takes them
    and the column away."""
    url = empty_database.owner_url
    await migrate(url)
    engine = async_engine(url, poolclass=NullPool)
    try:
        await _insert_tasks(engine)
        await downgrade(url, BEFORE_TASK_COUNT)
        await execute(
            engine,
            TENANT,
            "UPDATE task SET deleted_at = now() WHERE id = :id RETURNING 1",
            id=next(iter(STORED_TAGS)),
        )
        await execute(engine, TENANT, "DELETE FROM sync_state RETURNING 1")
        await migrate(url)
        counted = await execute(engine, TENANT, "SELECT task_count FROM sync_state")
        assert [row.task_count for row in counted] == [len(STORED_TAGS)]
        await execute(
            engine, TENANT, "DELETE FROM task WHERE id = :id RETURNING 1", id=next(iter(STORED_TAGS))
        )
        counted = await execute(engine, TENANT, "SELECT task_count FROM sync_state")
        assert [row.task_count for row in counted] == [len(STORED_TAGS) - 1]

        await downgrade(url, BEFORE_TASK_COUNT)
        columns = await execute(
            engine,
            TENANT,
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'sync_state'",
        )
        assert "task_count" not in {row[0] for row in columns}
    finally:
        await engine.dispose()


BEFORE_LISTS = "5a9900a0254a"


async def test_existing_users_get_an_inbox_holding_their_tasks_in_creation_order(
    empty_database: ProvisionedDatabase,
) -> None:
    """Migration ``b3c8e1f4a9d2`` under forced row-level security: one default list per user,
    every task in its owner's Inbox at the top level, positions in creation order (valid
    fractional-index keys the service can place others between). Down and up again."""
    url = empty_database.owner_url
    await migrate(url, BEFORE_LISTS)
    engine = async_engine(url, poolclass=NullPool)
    try:
        await execute(
            engine, TENANT, "INSERT INTO tenant (id, slug, name) VALUES (:t, 'acme', 'Acme')", t=TENANT
        )
        users = [
            row.id
            for row in await execute(
                engine,
                TENANT,
                'INSERT INTO "user" (tenant_id, email, hashed_password, full_name) '
                "VALUES (:t, 'a@acme.io', 'x', ''), (:t, 'b@acme.io', 'x', ''), (:t, 'c@acme.io', 'x', '') "
                "RETURNING id",
                t=TENANT,
            )
        ]
        titles = {users[0]: ["first", "second", "third"], users[1]: ["only"]}
        for owner, owned in titles.items():
            for minute, title in enumerate(owned):
                await execute(
                    engine,
                    TENANT,
                    "INSERT INTO task (tenant_id, owner_id, title, description, created_at) "
                    "VALUES (:t, :owner, :title, '', now() + :minute * interval '1 minute')",
                    t=TENANT,
                    owner=owner,
                    title=title,
                    minute=minute,
                )
        await migrate(url)

        lists = await execute(engine, TENANT, "SELECT id, owner_id, name, is_default FROM task_list")
        assert sorted((row.owner_id, row.name, row.is_default) for row in lists) == sorted(
            (user, "Inbox", True) for user in users
        )
        inbox = {row.owner_id: row.id for row in lists}
        tasks = await execute(
            engine, TENANT, "SELECT owner_id, list_id, parent_id, title, position FROM task ORDER BY position"
        )
        for owner, owned in titles.items():
            mine = [row for row in tasks if row.owner_id == owner]
            assert [row.title for row in mine] == owned
            assert {(row.list_id, row.parent_id) for row in mine} == {(inbox[owner], None)}
            key_between(mine[0].position, mine[-1].position if len(mine) > 1 else None)  # valid keys

        await downgrade(url, BEFORE_LISTS)
        assert "task_list" not in await _tables(url)
        assert len(await execute(engine, TENANT, "SELECT id FROM task")) == 4
        await migrate(url)
        assert await _schema_diff(url) == []
    finally:
        await engine.dispose()


async def test_the_previous_release_can_still_add_tasks_and_users(database: ProvisionedDatabase) -> None:
    """It writes neither list_id nor position, nor a default list for a user it creates: the
    trigger places its tasks (the default list, after the last), and the service makes a
    missing default list on first use."""
    engine = async_engine(database.owner_url, poolclass=NullPool)
    tenant = str(uuid.uuid4())
    try:
        await execute(
            engine, tenant, "INSERT INTO tenant (id, slug, name) VALUES (:t, 'old', 'Old')", t=tenant
        )
        [(owner,)] = await execute(
            engine,
            tenant,
            'INSERT INTO "user" (tenant_id, email, hashed_password, full_name) '
            "VALUES (:t, 'old@old.io', 'x', '') RETURNING id",
            t=tenant,
        )
        [(inbox,)] = await execute(
            engine,
            tenant,
            "INSERT INTO task_list (tenant_id, owner_id, name, position, is_default) "
            "VALUES (:t, :o, 'Inbox', 'a0', true) RETURNING id",
            t=tenant,
            o=owner,
        )
        placed = [
            (
                await execute(
                    engine,
                    tenant,
                    "INSERT INTO task (tenant_id, owner_id, title, description) "
                    "VALUES (:t, :o, 'old', '') RETURNING list_id, position",
                    t=tenant,
                    o=owner,
                )
            )[0]
            for _ in range(3)
        ]
        assert {row.list_id for row in placed} == {inbox}
        positions = [row.position for row in placed]
        assert positions == sorted(positions)
        assert len(set(positions)) == 3
        key_between(positions[-1], None)  # keys the service can place after
    finally:
        await execute(engine, tenant, "DELETE FROM tenant WHERE id = :t", t=tenant)
        await engine.dispose()


BEFORE_PERSONS = "5a7c3e9d1b42"


async def test_existing_users_become_people_and_the_previous_release_stays_in_step(
    empty_database: ProvisionedDatabase,
) -> None:
    """Migration ``3f6b2d8e1c47`` under forced row-level security: each existing user becomes
    a person with its address and password hash. The previous release's writes keep working
    and in step: its new user gets a person (a taken address is still ``uq_user_email``), and
    its password change reaches the person, whose change reaches every membership's copy."""
    url = empty_database.owner_url
    await migrate(url)
    await downgrade(url, BEFORE_PERSONS)
    engine = async_engine(url, poolclass=NullPool)
    tenant = str(uuid.uuid4())
    login = "SELECT person_id, hashed_password, user_id FROM auth_login_person(:e)"
    try:
        await execute(
            engine, tenant, "INSERT INTO tenant (id, slug, name) VALUES (:t, 'old', 'Old')", t=tenant
        )
        [(ada,)] = await execute(
            engine,
            tenant,
            'INSERT INTO "user" (tenant_id, email, hashed_password, full_name) '
            "VALUES (:t, 'ada@old.io', 'hash-a', '') RETURNING id",
            t=tenant,
        )
        await migrate(url)
        [person] = await execute(engine, tenant, login, e="ada@old.io")
        assert (person.hashed_password, person.user_id) == ("hash-a", ada)

        [(bob,)] = await execute(
            engine,
            tenant,
            'INSERT INTO "user" (tenant_id, email, hashed_password, full_name) '
            "VALUES (:t, 'bob@old.io', 'hash-b', '') RETURNING id",
            t=tenant,
        )
        assert [row.user_id for row in await execute(engine, tenant, login, e="bob@old.io")] == [bob]
        with pytest.raises(IntegrityError, match="uq_user_email"):
            await execute(
                engine,
                tenant,
                'INSERT INTO "user" (tenant_id, email, hashed_password, full_name) '
                "VALUES (:t, 'ada@old.io', 'x', '') RETURNING id",
                t=tenant,
            )
        await execute(
            engine, tenant, "UPDATE \"user\" SET hashed_password = 'hash-a2' WHERE id = :u RETURNING 1", u=ada
        )
        [person] = await execute(engine, tenant, login, e="ada@old.io")
        assert person.hashed_password == "hash-a2"
        await execute(
            engine,
            tenant,
            "SELECT 1 FROM auth_set_member_password(:u, 'hash-a3', false)",
            u=ada,
        )
        copies = await execute(engine, tenant, 'SELECT hashed_password FROM "user" WHERE id = :u', u=ada)
        assert [row.hashed_password for row in copies] == ["hash-a3"]

        await downgrade(url, BEFORE_PERSONS)
        users = await execute(engine, tenant, 'SELECT email, hashed_password FROM "user" ORDER BY email')
        assert [tuple(row) for row in users] == [("ada@old.io", "hash-a3"), ("bob@old.io", "hash-b")]
    finally:
        await execute(engine, tenant, "DELETE FROM tenant WHERE id = :t", t=tenant)
        await engine.dispose()
