"""The repository base refuses a statement that could reach past its tenant or owner.

A statement that does not start from its table's tenant scope, or one of an owned table
that is not narrowed to the owner, never runs; and the tenant and the owner come only from
the repository, never from the values a method passes. Run on the service tier's unit of work.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from platform_common.db.database import Database
from platform_common.db.repository import owner_condition
from platform_common.db.statements import compile_statement
from platform_common.db.tables import table_of
from tests.integration.todo_api.services.conftest import Backend
from todo_api.models import User
from todo_api.repositories.tasks import TaskRepository
from todo_api.repositories.users import UserRepository
from todo_api.schemas.task import TaskCreate
from todo_api.services.tasks import TaskService


async def test_a_statement_without_the_tenant_scope_is_refused(service_database: Database) -> None:
    unscoped = compile_statement(select(table_of(User)))
    async with service_database.transaction(uuid.uuid4()) as transaction:
        with pytest.raises(RuntimeError, match="must start from its tenant scope"):
            await UserRepository(transaction).fetch(unscoped)


async def test_a_statement_of_an_owned_table_without_its_owner_is_refused(service_database: Database) -> None:
    tenant_only = compile_statement(TaskRepository.scope.select())
    async with service_database.transaction(uuid.uuid4()) as transaction:
        with pytest.raises(RuntimeError, match="narrowed to its owner"):
            await TaskRepository(transaction, uuid.uuid4()).fetch(tenant_only)


async def test_a_tenant_or_owner_passed_as_a_value_is_overridden(backend: Backend) -> None:
    acme = await backend.signup("acme")
    async with backend.acting_as(acme) as caller:
        await TaskService(caller).create(TaskCreate(title="mine"))
    count_users = compile_statement(UserRepository.scope.select(func.count()))
    count_tasks = compile_statement(
        TaskRepository.scope.select(func.count()).where(owner_condition(TaskRepository.table))
    )
    async with backend.database.transaction(acme.tenant_id) as transaction:
        users = UserRepository(transaction)
        assert await users.fetchval(count_users, tenant_id=uuid.uuid4()) == 1
        tasks = TaskRepository(transaction, acme.user_id)
        assert await tasks.fetchval(count_tasks, tenant_id=uuid.uuid4(), owner_id=uuid.uuid4()) == 1
