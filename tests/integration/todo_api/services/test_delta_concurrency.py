"""No change is missed while writers race a paging client, on real PostgreSQL.

Writers run on connections of their own and hold their transactions open for a while after
writing (and some before), so commits land out of the order the writes began in. A plain
sequence (``nextval``) or a timestamp would let a reader move its cursor past a change that
commits later; the per-owner counter must not. The client applies every page to its copy,
and its copy must end equal to the database, every version it saw only ever rising.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, update

from platform_common.db.database import Database
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.statements import compile_statement
from platform_common.db.tables import table_of
from platform_common.pagination import PageQuery
from tests.integration.apps import settings_for
from tests.integration.todo_api.services.conftest import Backend, Person
from todo_api.core.delta_cursor import DeltaCursorCodec
from todo_api.models import Task
from todo_api.repositories.tasks import TaskRepository
from todo_api.schemas.task import TaskCreate, TaskFilter, TaskUpdate
from todo_api.services.auth import Caller
from todo_api.services.delta import DeltaPolicy, DeltaService
from todo_api.services.tasks import TaskService

WRITERS = 4
WRITES_PER_WRITER = 25


@pytest.fixture
async def pool(database: ProvisionedDatabase) -> AsyncIterator[Database]:
    """Room for every writer and the reader at once, each on a connection of its own."""
    settings = settings_for(database.app_url, database_pool_size=WRITERS + 2, database_max_overflow=0)
    pool = Database(settings, application_name="delta-concurrency")
    await pool.connect()
    yield pool
    await pool.close()


@asynccontextmanager
async def acting(backend: Backend, pool: Database, person: Person) -> AsyncIterator[Caller]:
    """``backend.acting_as`` on ``pool``: a unit of work of its own, on its own connection."""
    async with Backend(pool, backend.settings).acting_as(person) as caller:
        yield caller


async def writer(backend: Backend, pool: Database, person: Person, seed: int) -> None:
    rng = random.Random(seed)
    mine: list[uuid.UUID] = []
    for step in range(WRITES_PER_WRITER):
        async with acting(backend, pool, person) as caller:
            if rng.random() < 0.3:
                await asyncio.sleep(rng.uniform(0, 0.01))  # slow before writing
            tasks = TaskService(caller)
            roll = rng.random()
            if not mine or roll < 0.4:
                mine.append((await tasks.create(TaskCreate(title=f"w{seed} s{step}"))).task.id)
            elif roll < 0.8:
                patch = TaskUpdate(title=f"w{seed} s{step}", completed=rng.random() < 0.5)
                await tasks.update(rng.choice(mine), patch, None)
            else:
                victim = mine.pop(rng.randrange(len(mine)))
                await tasks.delete(victim, None)
            # Held open after the change is counted: later writers' commits must wait.
            await asyncio.sleep(rng.uniform(0, 0.02))


async def test_a_client_paging_during_concurrent_writes_misses_nothing(
    backend: Backend, pool: Database
) -> None:
    person = await backend.signup("acme")
    policy = DeltaPolicy(
        DeltaCursorCodec(backend.codec.keyring),
        timedelta(days=backend.settings.delta_tombstone_retention_days),
    )
    copy: dict[uuid.UUID, tuple[int, str, bool]] = {}
    cursor: str | None = None

    async def sync_once() -> bool:
        nonlocal cursor
        async with acting(backend, pool, person) as caller:
            page = await DeltaService(caller, policy).delta(cursor, size=7)
        for task in page.items:
            assert task.version >= copy.get(task.id, (0, "", False))[0], "a version went backwards"
            copy[task.id] = (task.version, task.title, task.completed)
        for task_id in page.deleted:
            copy.pop(task_id, None)
        cursor = page.next_cursor
        return page.has_more

    writers = asyncio.gather(*(writer(backend, pool, person, seed) for seed in range(WRITERS)))
    pages = 0
    while not writers.done():
        await sync_once()
        pages += 1
        await asyncio.sleep(0.003)
    await writers
    while await sync_once():
        pass

    async with acting(backend, pool, person) as caller:
        rows, total = await TaskService(caller).list(TaskFilter(), (), PageQuery(page=1, size=100))
    assert pages > 10  # the client really paged while the writers wrote
    assert total == len(rows)
    assert copy == {task.id: (task.version, task.title, task.completed) for task in rows}


async def test_a_write_of_task_without_change_seq_is_refused(backend: Backend) -> None:
    """The guard behind the hook: a new write statement that forgot ``change_seq`` cannot run."""
    person = await backend.signup("acme")
    task = table_of(Task)
    forgetful = compile_statement(
        update(task)
        .where(
            task.c.tenant_id == bindparam("tenant_id"),
            task.c.owner_id == bindparam("owner_id"),
        )
        .values(title="unstamped")
    )
    async with backend.acting_as(person) as caller:
        with pytest.raises(RuntimeError, match="change_seq"):
            await TaskRepository(caller.transaction, caller.id).execute(forgetful)
