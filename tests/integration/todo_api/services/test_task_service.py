"""TaskService's rules without HTTP: a task is its owner's alone, writes honour ETag
preconditions, and a repeated Idempotency-Key replays the first creation."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.errors import NotFound, PreconditionFailed, UnprocessableEntity
from tests.integration.rows import execute
from tests.integration.todo_api.services.conftest import Backend, Person
from todo_api.schemas.task import TaskCreate, TaskRead, TaskUpdate
from todo_api.services import tasks as task_service
from todo_api.services.errors import TaskQuotaExceeded
from todo_api.services.tasks import TaskService, etag_for


@pytest.fixture
async def owner(backend: Backend) -> Person:
    return await backend.signup("acme")


async def create(backend: Backend, person: Person, title: str = "write report") -> TaskRead:
    async with backend.acting_as(person) as caller:
        created = await TaskService(caller).create(TaskCreate(title=title))
    return created.task


async def test_another_users_task_does_not_exist_for_them(backend: Backend, owner: Person) -> None:
    task = await create(backend, owner)
    colleague = await backend.add_member(owner, "bob")
    async with backend.acting_as(colleague) as caller:
        tasks = TaskService(caller)
        for attempt in (
            tasks.get(task.id),
            tasks.update(task.id, TaskUpdate(title="mine now"), None),
            tasks.delete(task.id, None),
        ):
            with pytest.raises(NotFound):
                await attempt
    async with backend.acting_as(owner) as caller:
        assert await TaskService(caller).get(task.id) == task


async def test_a_stale_etag_is_refused_and_the_current_one_is_named(backend: Backend, owner: Person) -> None:
    task = await create(backend, owner)
    async with backend.acting_as(owner) as caller:
        updated = await TaskService(caller).update(task.id, TaskUpdate(completed=True), etag_for(task))
    assert (updated.version, updated.completed) == (task.version + 1, True)
    assert updated.completed_at is not None

    async with backend.acting_as(owner) as caller:
        tasks = TaskService(caller)
        for write in (
            tasks.update(task.id, TaskUpdate(title="lost update"), etag_for(task)),
            tasks.delete(task.id, etag_for(task)),
        ):
            with pytest.raises(PreconditionFailed) as refused:
                await write
            assert refused.value.headers["ETag"] == etag_for(updated)
        assert await tasks.get(task.id) == updated


async def test_any_listed_or_wildcard_etag_matches(backend: Backend, owner: Person) -> None:
    task = await create(backend, owner)
    async with backend.acting_as(owner) as caller:
        tasks = TaskService(caller)
        listed = await tasks.update(task.id, TaskUpdate(title="a"), f'"999", {etag_for(task)}')
        wildcard = await tasks.update(task.id, TaskUpdate(title="b"), "*")
        await tasks.delete(task.id, etag_for(wildcard))
    assert (listed.version, wildcard.version) == (task.version + 1, task.version + 2)


async def test_reopening_a_task_clears_its_completion_time(backend: Backend, owner: Person) -> None:
    async with backend.acting_as(owner) as caller:
        tasks = TaskService(caller)
        done = (await tasks.create(TaskCreate(title="done", completed=True))).task
        reopened = await tasks.update(done.id, TaskUpdate(completed=False), None)
    assert done.completed_at is not None
    assert (reopened.completed, reopened.completed_at) == (False, None)


async def test_a_repeated_idempotency_key_replays_and_a_changed_body_is_refused(
    backend: Backend, owner: Person
) -> None:
    async with backend.acting_as(owner) as caller:
        first = await TaskService(caller).create(TaskCreate(title="once"), "key-1")
    async with backend.acting_as(owner) as caller:
        tasks = TaskService(caller)
        again = await tasks.create(TaskCreate(title="once"), "key-1")
        with pytest.raises(UnprocessableEntity):
            await tasks.create(TaskCreate(title="twice"), "key-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.task == first.task


async def test_the_quota_refuses_a_create_unless_told_not_to_enforce_it(
    backend: Backend, owner: Person
) -> None:
    """A task the service must create whatever the owner holds (the next occurrence of a
    recurring task) passes ``enforce_quota=False``; every other create is refused at the quota."""
    async with backend.acting_as(owner) as caller:
        await TaskService(caller, quota=1).create(TaskCreate(title="the one allowed"))
    async with backend.acting_as(owner) as caller:
        with pytest.raises(TaskQuotaExceeded):
            await TaskService(caller, quota=1).create(TaskCreate(title="one too many"))
    async with backend.acting_as(owner) as caller:
        tasks = TaskService(caller, quota=1)
        created = await tasks.create(TaskCreate(title="next occurrence"), enforce_quota=False)
        assert (await tasks.stats(ZoneInfo("UTC"))).total == 2
    assert created.replayed is False


async def test_a_key_taken_meanwhile_is_retried_and_the_event_announces_the_task_as_written(
    backend: Backend, owner: Person, owner_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The creation's event is emitted before its insert, with the key it means to take. When
    a concurrent creation took that key first (forced here: the first key drawn is the other
    task's), the insert is retried with another, and the event amended to the task as written."""
    first = await create(backend, owner, "first")
    keys = iter([first.position])
    drawn = task_service.jittered_key_after
    monkeypatch.setattr(task_service, "jittered_key_after", lambda last: next(keys, None) or drawn(last))
    second = await create(backend, owner, "second")
    assert second.position > first.position
    [event] = await execute(
        owner_engine,
        str(owner.tenant_id),
        "SELECT data FROM outbox_event WHERE type = 'task.created' AND data->>'id' = :id",
        id=str(second.id),
    )
    assert event.data == second.model_dump(mode="json")
