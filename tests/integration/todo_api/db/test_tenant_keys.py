"""Every key of every tenant table includes its tenant, asked of the migrated catalog: what a
distribution by tenant (Citus, docs/scaling.md) requires of a table's primary key, unique
constraints and unique indexes, and of the foreign keys between tenant tables.

The tenant tables are the ones the models declare tenant-owned (with their tenant key:
``id`` for ``tenant`` itself), and any table of the database with a ``tenant_id`` column
must be one of them: nothing here lists todo_api's tables, so a new table is held to the
rule the moment its migration exists. The only exceptions are named below, with the reason
and the release that removes them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping

import asyncpg
import pytest
from alembic import op
from sqlalchemy import MetaData, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from platform_common.db import rls
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.tables import table_of, tenant_owned, tenant_tables
from tests.database import apply, connected
from todo_api.models import metadata

# Unique indexes kept without the tenant for the previous release during a rolling deploy
# (expand/contract, migration 9e4c2b7d1f30); the next release's migration drops each, and
# takes it off this list. Each has a tenant-inclusive twin the current code uses.
TRANSITIONAL: dict[tuple[str, str], str] = {
    ("idempotency_key", "uq_idempotency_key_user_id_key"): (
        "the previous release's ON CONFLICT (user_id, key); this release's names the primary key"
    ),
    ("task", "uq_task_list_id_parent_id_position"): (
        "the previous release's ON CONFLICT (list_id, parent_id, position); this release's names "
        "uq_task_tenant_id_list_id_parent_id_position"
    ),
}

# Every unique index (primary keys and unique constraints are unique indexes too) of the
# schema, with its columns (NULL for an expression).
_UNIQUE_INDEXES = """
    SELECT t.relname AS "table", i.relname AS index,
           ARRAY(SELECT a.attname FROM unnest(x.indkey) AS k(n)
                 LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n) AS columns
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relnamespace = current_schema()::regnamespace AND x.indisunique
"""
# Every foreign key of the schema: both tables and the column pairs, in order.
_FOREIGN_KEYS = """
    SELECT c.conname AS name, t.relname AS "table", r.relname AS referenced,
           ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
           ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS referred
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_class r ON r.oid = c.confrelid
    WHERE c.connamespace = current_schema()::regnamespace AND c.contype = 'f'
"""
_WITH_TENANT_ID = """
    SELECT DISTINCT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
      AND a.attname = 'tenant_id' AND NOT a.attisdropped
"""


async def key_problems(connection: asyncpg.Connection, tenant_tables: Mapping[str, str]) -> list[str]:
    """What would stop the schema from being distributed by tenant: a unique index of a tenant
    table without its tenant key, a foreign key between tenant tables that does not carry the
    tenant across, a table with ``tenant_id`` that is not declared tenant-owned."""
    problems = [
        f"table {name} has tenant_id but is not declared tenant-owned"
        for (name,) in await connection.fetch(_WITH_TENANT_ID)
        if name not in tenant_tables
    ]
    for table, index, columns in await connection.fetch(_UNIQUE_INDEXES):
        if table in tenant_tables and tenant_tables[table] not in columns:
            problems.append(f"unique index {index} on {table} lacks {tenant_tables[table]}")
    for name, table, referenced, columns, referred in await connection.fetch(_FOREIGN_KEYS):
        if table in tenant_tables and referenced in tenant_tables:
            pair = (tenant_tables[table], tenant_tables[referenced])
            if pair not in zip(columns, referred, strict=True):
                problems.append(f"foreign key {name} from {table} to {referenced} does not match {pair}")
    return sorted(problems)


def _transitional() -> list[str]:
    return sorted(f"unique index {index} on {table} lacks tenant_id" for table, index in TRANSITIONAL)


async def test_every_key_of_every_tenant_table_includes_its_tenant(database: ProvisionedDatabase) -> None:
    """Exactly the named transitional indexes lack it: a new one fails, and one the contract
    step dropped must leave the list."""
    async with connected(database.owner_url) as connection:
        assert await key_problems(connection, tenant_tables(metadata)) == _transitional()


class WidgetModel(SQLModel, registry=registry(metadata=MetaData())):
    """A metadata of its own, so todo_api's models stay as they are."""


class Widget(WidgetModel, table=True):
    """A service's next tenant table, keyed as a migration could get it wrong."""

    __tablename__ = "tenant_keys_widget"
    __table_args__ = (UniqueConstraint("code", name="uq_tenant_keys_widget_code"), tenant_owned())

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID
    code: str
    task_id: uuid.UUID


WIDGET = table_of(Widget).name


@pytest.fixture
async def widget_table(database: ProvisionedDatabase) -> AsyncIterator[None]:
    def create() -> None:
        table_of(Widget).create(op.get_bind())
        op.create_foreign_key("fk_widget_task", WIDGET, "task", ["tenant_id", "task_id"], ["tenant_id", "id"])
        op.create_foreign_key(
            "fk_widget_task_swapped", WIDGET, "task", ["task_id", "tenant_id"], ["tenant_id", "id"]
        )
        rls.enable_tenant_isolation(WIDGET)

    await apply(database.owner_url, create, app_role=database.app_role)
    yield
    await apply(database.owner_url, lambda: op.drop_table(WIDGET))


async def test_a_new_tenant_table_keyed_without_its_tenant_is_reported(
    database: ProvisionedDatabase, widget_table: None
) -> None:
    async with connected(database.owner_url) as connection:
        undeclared = await key_problems(connection, tenant_tables(metadata))
        declared = await key_problems(connection, {**tenant_tables(metadata), WIDGET: "tenant_id"})
    assert sorted(set(undeclared) - set(_transitional())) == [
        f"table {WIDGET} has tenant_id but is not declared tenant-owned"
    ]
    assert sorted(set(declared) - set(_transitional())) == [
        f"foreign key fk_widget_task_swapped from {WIDGET} to task does not match ('tenant_id', 'tenant_id')",
        f"unique index {WIDGET}_pkey on {WIDGET} lacks tenant_id",
        f"unique index uq_{WIDGET}_code on {WIDGET} lacks tenant_id",
    ]


# The global uniqueness rules kept outside the tenant tables (migration 9e4c2b7d1f30).
_SIGN_UP = """
    WITH t AS (INSERT INTO tenant (id, slug, name) VALUES ($1, $2, 'n') RETURNING id)
    INSERT INTO "user" (tenant_id, email, hashed_password, full_name) SELECT id, $3, 'x', '' FROM t
"""


async def _as_tenant(database: ProvisionedDatabase, tenant: uuid.UUID, statement: str, *args: object) -> str:
    """Run ``statement`` as the runtime role inside ``tenant``."""
    async with connected(database.app_url) as connection, connection.transaction():
        await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
        return await connection.execute(statement, *args)


async def test_emails_and_slugs_stay_unique_across_tenants(
    database: ProvisionedDatabase, clean_database: None
) -> None:
    """Under the constraint names the service maps, whatever code writes the rows (here the
    previous release's sign-up, a user row without a person). A slug is freed with its
    tenant; an address belongs to its person, who outlives their memberships."""
    first, second = uuid.uuid4(), uuid.uuid4()
    await _as_tenant(database, first, _SIGN_UP, first, "first", "ada@example.com")
    with pytest.raises(asyncpg.UniqueViolationError) as taken:
        await _as_tenant(database, second, _SIGN_UP, second, "first", "bob@example.com")
    assert taken.value.constraint_name == "uq_tenant_slug"
    with pytest.raises(asyncpg.UniqueViolationError) as taken:
        await _as_tenant(database, second, _SIGN_UP, second, "second", "ada@example.com")
    assert taken.value.constraint_name == "uq_user_email"

    assert await _as_tenant(database, first, "DELETE FROM tenant") == "DELETE 1"
    await _as_tenant(database, second, _SIGN_UP, second, "first", "bob@example.com")
    third = uuid.uuid4()
    with pytest.raises(asyncpg.UniqueViolationError) as taken:
        await _as_tenant(database, third, _SIGN_UP, third, "third", "ada@example.com")
    assert taken.value.constraint_name == "uq_user_email"


async def test_the_runtime_role_reads_no_registry(
    database: ProvisionedDatabase, clean_database: None
) -> None:
    tenant = uuid.uuid4()
    await _as_tenant(database, tenant, _SIGN_UP, tenant, "acme", "ada@example.com")
    async with connected(database.app_url) as connection:
        assert await connection.fetchval("SELECT count(*) FROM person") == 0
        for registry in ("user_email", "tenant_slug"):
            assert await connection.fetchval(f"SELECT count(*) FROM {registry}") == 0  # noqa: S608
            await connection.execute(f"SELECT set_config('app.definer_keep_{registry}', 'on', false)")
            assert await connection.fetchval(f"SELECT count(*) FROM {registry}") == 0  # noqa: S608
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute("INSERT INTO user_email (email) VALUES ('mallory@example.com')")
