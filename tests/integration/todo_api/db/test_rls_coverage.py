"""Tenant safety derived from the models, not remembered: every table the models declare
tenant-owned has forced row-level security and the isolation policy in the migrated
database, the runtime role owns none of them, and every table says what it is.

Nothing here lists todo_api's tables: a new tenant model is covered the moment it exists,
and if its migration forgot the table or its RLS step, the first test fails.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from alembic import op
from sqlalchemy import MetaData
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from platform_common.db import rls
from platform_common.db.posture import coverage_problems
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.tables import global_tables, table_of, tenant_owned, tenant_tables
from tests.database import apply, connected
from todo_api.models import metadata

# The tables that may hold every tenant's rows (each model says why): adding one is a
# decision this file has to be changed for, not a declaration that slips through. Today the
# registries of the two values unique across tenants, e-mails and slugs (values only, under
# forced row-level security that admits only the owner's trigger: migration 9e4c2b7d1f30),
# and the people (address and password hash, reached only through narrow definer functions:
# migration 3f6b2d8e1c47).
GLOBAL_TABLES = {"person", "user_email", "tenant_slug"}


async def problems_of(database: ProvisionedDatabase, models: MetaData) -> list[str]:
    """What the runtime role's view of the migrated database says about ``models``."""
    async with connected(database.app_url) as connection:
        return await coverage_problems(connection, models)


async def test_every_tenant_table_of_the_models_is_isolated_in_the_migrated_database(
    database: ProvisionedDatabase,
) -> None:
    assert await problems_of(database, metadata) == []


def test_every_table_is_tenant_owned_or_a_named_global_table() -> None:
    assert set(global_tables(metadata)) == GLOBAL_TABLES
    assert set(tenant_tables(metadata)) | GLOBAL_TABLES == set(metadata.tables)


# A service's next models, on metadata of their own so todo_api's models stay as they are.
gadgets, gizmos = MetaData(), MetaData()


class GadgetModel(SQLModel, registry=registry(metadata=gadgets)):
    """Tables registered on ``gadgets`` (a registry makes SQLModel's base abstract)."""


class GizmoModel(SQLModel, registry=registry(metadata=gizmos)):
    pass


class Gadget(GadgetModel, table=True):
    __tablename__ = "rls_coverage_gadget"
    __table_args__ = (tenant_owned(),)

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID


class Gizmo(GizmoModel, table=True):
    __tablename__ = "rls_coverage_gizmo"  # declares neither tenant_owned() nor global_table()

    id: uuid.UUID = Field(primary_key=True)


GADGET = table_of(Gadget).name


@pytest.fixture
async def gadget_table(database: ProvisionedDatabase) -> AsyncIterator[None]:
    """The gadget's table as a migration that forgot its RLS step would leave it."""
    await apply(
        database.owner_url, lambda: table_of(Gadget).create(op.get_bind()), app_role=database.app_role
    )
    yield
    await apply(database.owner_url, lambda: op.drop_table(GADGET))


async def test_a_table_that_declares_no_tenancy_is_reported(database: ProvisionedDatabase) -> None:
    assert await problems_of(database, gizmos) == [
        "table rls_coverage_gizmo declares neither tenant_owned() nor global_table()"
    ]


async def test_a_new_tenant_model_without_its_migration_is_reported(database: ProvisionedDatabase) -> None:
    assert await problems_of(database, gadgets) == [
        "table rls_coverage_gadget is missing",
        "table rls_coverage_gadget lacks the tenant_isolation policy on tenant_id",
    ]


async def test_a_migration_without_the_rls_step_is_reported_until_it_has_it(
    database: ProvisionedDatabase, gadget_table: None
) -> None:
    assert await problems_of(database, gadgets) == [
        "table rls_coverage_gadget lacks forced row-level security",
        "table rls_coverage_gadget lacks the tenant_isolation policy on tenant_id",
    ]
    await apply(database.owner_url, lambda: rls.enable_tenant_isolation(GADGET))
    assert await problems_of(database, gadgets) == []


async def test_a_policy_that_lets_the_runtime_role_past_the_tenant_is_reported(
    database: ProvisionedDatabase, gadget_table: None
) -> None:
    def isolated_with_a_hole() -> None:
        rls.enable_tenant_isolation(GADGET)
        op.execute(f"CREATE POLICY everything ON {GADGET} FOR SELECT USING (true)")

    await apply(database.owner_url, isolated_with_a_hole)
    assert await problems_of(database, gadgets) == [
        "policy everything on table rls_coverage_gadget admits the database role"
    ]


async def test_an_isolation_policy_on_the_wrong_column_is_reported(
    database: ProvisionedDatabase, gadget_table: None
) -> None:
    await apply(database.owner_url, lambda: rls.enable_tenant_isolation(GADGET, key="id"))
    assert await problems_of(database, gadgets) == [
        "policy tenant_isolation on table rls_coverage_gadget admits the database role",
        "table rls_coverage_gadget lacks the tenant_isolation policy on tenant_id",
    ]
