"""The transactional outbox: an event and its job exist if and only if the unit of work committed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import orjson
import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from pgqueuer import AsyncpgDriver, Queries

from platform_common.db.database import Database
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.settings import DatabaseSettings
from platform_common.events.outbox import MAX_EVENT_BYTES, Event, EventTooLarge
from platform_common.events.queue import FAN_OUT
from tests.integration.factories import Account, signup


class Rolledback(Exception):
    pass


@pytest.fixture
async def runtime_database(database: ProvisionedDatabase) -> AsyncIterator[Database]:
    db = Database(DatabaseSettings(database_url=database.app_url), application_name="outbox-test")
    await db.connect()
    yield db
    await db.close()


@pytest.fixture
async def owner(database: ProvisionedDatabase) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database.owner_url)
    yield connection
    await connection.close()


@pytest.fixture
async def account(client: httpx.AsyncClient) -> Account:
    return await signup(client, "outbox")


async def events_of(owner: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
        return await owner.fetch("SELECT * FROM outbox_event ORDER BY created_at")


async def jobs(owner: asyncpg.Connection) -> list[dict[str, object]]:
    rows = await owner.fetch("SELECT entrypoint, status, payload FROM pgqueuer ORDER BY id")
    return [{**dict(row), "payload": orjson.loads(row["payload"])} for row in rows]


async def test_a_committed_event_has_its_row_and_its_job(
    runtime_database: Database, owner: asyncpg.Connection, account: Account
) -> None:
    tenant_id = uuid.UUID(account.tenant_id)
    async with runtime_database.transaction(tenant_id) as transaction:
        event_id = await transaction.emit(
            Event("thing.happened", {"n": 1}, owner_id=uuid.UUID(account.user_id))
        )

    [event] = await events_of(owner, account.tenant_id)
    assert (event["id"], event["type"], event["data"]) == (event_id, "thing.happened", '{"n": 1}')
    assert str(event["owner_id"]) == account.user_id
    assert await jobs(owner) == [
        {
            "entrypoint": FAN_OUT,
            "status": "queued",
            "payload": {"tenant_id": account.tenant_id, "id": str(event_id)},
        }
    ]


async def test_a_rolled_back_unit_of_work_leaves_neither_event_nor_job(
    runtime_database: Database, owner: asyncpg.Connection, account: Account
) -> None:
    async def emit_then_fail() -> None:
        async with runtime_database.transaction(uuid.UUID(account.tenant_id)) as transaction:
            await transaction.emit(Event("thing.happened", {"n": 2}))
            raise Rolledback

    with pytest.raises(Rolledback):
        await emit_then_fail()
    assert await events_of(owner, account.tenant_id) == []
    assert await jobs(owner) == []


async def test_the_event_keeps_the_trace_context_it_was_emitted_in(
    runtime_database: Database, owner: asyncpg.Connection, account: Account
) -> None:
    context = SpanContext(0xABC, 0xDEF, is_remote=False, trace_flags=TraceFlags(1))
    with trace.use_span(NonRecordingSpan(context)):
        async with runtime_database.transaction(uuid.UUID(account.tenant_id)) as transaction:
            await transaction.emit(Event("thing.happened", {}))
    [event] = await events_of(owner, account.tenant_id)
    assert event["traceparent"] == f"00-{0xABC:032x}-{0xDEF:016x}-01"


async def test_an_event_cannot_be_written_into_another_tenant(
    runtime_database: Database, owner: asyncpg.Connection, client: httpx.AsyncClient, account: Account
) -> None:
    """Row-level security on the outbox: the job names a tenant, the row must belong to it."""
    other = await signup(client, "outbox-other")
    async with runtime_database.transaction(uuid.UUID(account.tenant_id)) as transaction:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await transaction.connection.execute(
                "INSERT INTO outbox_event (id, tenant_id, type, data) VALUES ($1, $2, 'x', '{}')",
                uuid.uuid4(),
                uuid.UUID(other.tenant_id),
            )


async def test_the_migrated_queue_is_the_schema_the_installed_pgqueuer_declares(
    owner: asyncpg.Connection,
) -> None:
    plan = await Queries(AsyncpgDriver(owner)).plan_upgrade()
    assert list(plan.statements) == []


async def test_an_event_larger_than_receivers_are_promised_is_refused(
    runtime_database: Database, owner: asyncpg.Connection, account: Account
) -> None:
    async def emit_too_much() -> None:
        async with runtime_database.transaction(uuid.UUID(account.tenant_id)) as transaction:
            await transaction.emit(Event("thing.happened", {"text": "x" * MAX_EVENT_BYTES}))

    with pytest.raises(EventTooLarge):
        await emit_too_much()
    assert await events_of(owner, account.tenant_id) == []
