"""The pool and the unit of work: one connection, one transaction, one tenant per request.

``Database.transaction(tenant_id)`` is the unit of work. It opens the transaction and sets
the tenant for row-level security in **one** round trip (``BEGIN`` and ``set_config`` sent
as one simple query), lends the connection to the repositories, and commits when the block
succeeds or rolls back when it raises. Repositories never commit.

The tenant is entered exactly once per transaction, through ``Transaction.enter_tenant``
(or the ``tenant_id`` argument, which does the same in the opening round trip); the
setting is transaction-local (``set_config(..., true)``), so a pooled connection never
carries one request's tenant into the next. Before a tenant is entered, the only reads
allowed are the declared pre-tenant lookups (``platform_common.db.lookups``).

Why asyncpg directly rather than SQLAlchemy's session: on the request path the ORM's
unit-of-work machinery, statement building and the greenlet bridge cost several times the
database work itself. SQLModel remains the schema (tables, Alembic metadata), and
statements are still written with SQLAlchemy Core, compiled once (``statements``).

Behind a transaction-pooling PgBouncer (``DATABASE_POOLER=transaction``) each transaction
may run on another server connection, so nothing may live in the session: asyncpg's named
statement cache is off (``DatabaseSettings.statement_cache_size``), and ``statement_timeout``,
which PgBouncer refuses as a startup parameter, is set per transaction (``SET LOCAL``) in the
same opening round trip. The tenant was already transaction-local. The dispatcher, which
LISTENs and holds its queue connection, always connects directly.

Pool hygiene: a connection goes back to the pool without asyncpg's default reset query
(``RESET ALL``, ``UNLISTEN *``, ... a round trip per request). Nothing on the request path
changes session state: settings are transaction-local, and an unfinished transaction is
still rolled back by asyncpg before the connection is reused.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeAlias

import asyncpg
import orjson

from platform_common.db.errors import is_connection_lost
from platform_common.db.lookups import PreTenantLookup
from platform_common.db.settings import DatabaseSettings
from platform_common.db.statements import Statement
from platform_common.db.turns import Turns
from platform_common.errors import APIError
from platform_common.events import outbox, queue

# asyncpg ships no types: a row is read by column name, which is all the code relies on.
Record: TypeAlias = Mapping[str, Any]


@dataclass(frozen=True)
class PoolStats:
    size: int  # connections open now
    idle: int
    min_size: int
    max_size: int

    @property
    def checked_out(self) -> int:
        return self.size - self.idle


async def init_connection(connection: asyncpg.Connection) -> None:
    """JSON columns as Python values (orjson both ways): every pool's connection set-up (the
    benchmark's floor app uses it too, to write what the service writes)."""
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, schema="pg_catalog", encoder=_json_text, decoder=orjson.loads, format="text"
        )


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


async def _keep_session_state(connection: asyncpg.Connection) -> None:
    """The pool's reset hook: nothing to reset (see the module docstring)."""


class Database:
    """One asyncpg pool per process, opened in the application's lifespan."""

    def __init__(self, settings: DatabaseSettings, *, application_name: str) -> None:
        self.settings = settings
        self.application_name = application_name
        self._pool: asyncpg.Pool | None = None
        self._begin = _begin_sql(settings)
        self.turns = Turns()

    async def connect(self) -> None:
        try:
            self._pool = await self._create_pool(self.settings.database_pool_size)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            # The server is down: start anyway (readiness reports it) with a pool that
            # opens connections on first use, so the service recovers without a restart.
            self._pool = await self._create_pool(0)

    def _create_pool(self, min_size: int) -> asyncpg.Pool:
        settings = self.settings
        server_settings = {"application_name": self.application_name}
        if settings.database_statement_timeout_ms and settings.database_pooler == "none":
            server_settings["statement_timeout"] = str(settings.database_statement_timeout_ms)
        return asyncpg.create_pool(
            settings.database_url,
            min_size=min_size,
            max_size=settings.database_pool_size + settings.database_max_overflow,
            max_inactive_connection_lifetime=settings.database_pool_recycle,
            timeout=settings.database_connect_timeout,
            statement_cache_size=settings.statement_cache_size,
            server_settings=server_settings,
            init=init_connection,
            reset=_keep_session_state,
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database is not connected (the app's lifespan has not started)")
        return self._pool

    def stats(self) -> PoolStats:
        pool = self.pool
        return PoolStats(pool.get_size(), pool.get_idle_size(), pool.get_min_size(), pool.get_max_size())

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection for work outside a request's unit of work (probes, checks)."""
        async with self._acquired() as connection:
            yield connection

    @asynccontextmanager
    async def transaction(
        self, tenant_id: uuid.UUID | None = None, *, snapshot: bool = False
    ) -> AsyncIterator[Transaction]:
        """The unit of work. Commits on success; an ``APIError`` with ``keep_changes``
        commits too (a revoked token family must outlive the 401 it causes).

        ``snapshot=True``: a read-only ``REPEATABLE READ`` transaction, every statement of it
        reading the one snapshot its first statement took (a long read made of many
        statements, such as an export read in pages, sees one consistent state)."""
        begin = self._begin.replace("BEGIN", _SNAPSHOT_BEGIN, 1) if snapshot else self._begin
        async with self._acquired() as connection:
            transaction = Transaction(connection, begin, self.turns)
            await transaction.begin(tenant_id)
            try:
                yield transaction
            except APIError as exc:
                await (transaction.commit() if exc.keep_changes else transaction.rollback())
                raise
            except BaseException:
                await transaction.rollback()
                raise
            await transaction.commit()

    @asynccontextmanager
    async def _acquired(self) -> AsyncIterator[asyncpg.Connection]:
        pool = self.pool
        connection = await pool.acquire(timeout=self.settings.database_pool_timeout)
        try:
            yield connection
        except BaseException as exc:
            if is_connection_lost(exc):
                # The server restarted or dropped us: every pooled connection is as dead as
                # this one. Replace them all now rather than failing one request per corpse.
                pool.expire_connections()
            raise
        finally:
            await pool.release(connection)


class Transaction:
    """One open transaction on one connection: what repositories run their statements in."""

    __slots__ = ("_begin", "_held", "_tenant_id", "_turns", "connection", "open")

    def __init__(
        self, connection: asyncpg.Connection, begin: str = "BEGIN", turns: Turns | None = None
    ) -> None:
        self.connection = connection
        self._begin = begin
        self._tenant_id: uuid.UUID | None = None
        self._turns = turns
        self._held: list[Hashable] = []
        self.open = False

    @property
    def tenant_id(self) -> uuid.UUID:
        """The tenant this transaction was entered for; repositories scope every query by it."""
        if self._tenant_id is None:
            raise RuntimeError("no tenant entered in this transaction")
        return self._tenant_id

    async def begin(self, tenant_id: uuid.UUID | None) -> None:
        if tenant_id is None:
            await self.connection.execute(self._begin)
        else:
            # One round trip: BEGIN and the tenant. Simple-query protocol has no bind
            # parameters, so the value is inlined; it is a uuid.UUID, whose text form is
            # hex digits and dashes only (checked by the type, not by escaping).
            await self.connection.execute(f"{self._begin}; {_set_tenant_sql(tenant_id)}")
            self._tenant_id = tenant_id
        self.open = True

    async def enter_tenant(self, tenant_id: uuid.UUID, *, synchronous_commit: bool = True) -> None:
        """Set the tenant of a transaction begun without one (sign-up, login, refresh: the
        tenant is learnt from a pre-tenant lookup). Once per transaction: switching tenants
        mid-transaction would mix two tenants' rows in one unit of work.

        ``synchronous_commit=False`` (in the same round trip) lets this transaction's COMMIT
        return before its WAL reaches the disk, so a commit that wrote takes as long as one
        that did not (PostgreSQL's ``synchronous_commit = off``, for this transaction only):
        for a record whose loss in a crash of the next fraction of a second is acceptable,
        where the time of the answer must not tell whether anything was written."""
        if self._tenant_id is not None:
            if self._tenant_id == tenant_id:
                return
            raise RuntimeError("a transaction serves one tenant")
        sql = _set_tenant_sql(tenant_id)
        await self.connection.execute(sql if synchronous_commit else f"{sql}; {_ASYNCHRONOUS_COMMIT}")
        self._tenant_id = tenant_id

    async def lookup(self, lookup: PreTenantLookup, *args: Any) -> Record | None:
        """One of the declared pre-tenant reads (a ``SECURITY DEFINER`` function)."""
        row: Record | None = await self.connection.fetchrow(lookup.sql, *args)
        return row

    async def lookup_all(self, lookup: PreTenantLookup, *args: Any) -> list[Record]:
        """``lookup``, for a declared function that returns several rows."""
        rows: list[Record] = await self.connection.fetch(lookup.sql, *args)
        return rows

    async def emit(self, event: outbox.Event) -> uuid.UUID:
        """Record ``event`` as part of this unit of work (``platform_common.events.outbox``):
        it is delivered if and only if the transaction commits."""
        return await outbox.emit(self, event)

    async def amend(self, event_id: uuid.UUID, event: outbox.Event) -> None:
        """Replace the data of an event this unit of work emitted (``outbox.amend``)."""
        await outbox.amend(self, event_id, event)

    async def enqueue(
        self, entrypoint: str, refs: Sequence[queue.JobRef], delay: timedelta | None = None
    ) -> None:
        """Queue jobs (``(tenant_id, id)`` each) as part of this unit of work."""
        await queue.enqueue(self.connection, entrypoint, refs, delay)

    async def take_turn(self, key: Hashable) -> None:
        """Wait until no other transaction of this process holds ``key``'s turn, then hold it
        until this transaction ends (``platform_common.db.turns``). Take it immediately before
        the statement that locks the row ``key`` names; a second call is a no-op."""
        if self._turns is None or key in self._held:
            return
        await self._turns.acquire(key)
        self._held.append(key)

    async def commit(self) -> None:
        if self.open:
            self.open = False
            self._end_turns()
            await self.connection.execute("COMMIT")

    async def rollback(self) -> None:
        if self.open:
            self.open = False
            self._end_turns()
            try:
                await self.connection.execute("ROLLBACK")
            except Exception as exc:
                if not is_connection_lost(exc):
                    raise
                # A dead connection has no transaction left to roll back; the pool drops it.

    def _end_turns(self) -> None:
        """Give the turns back as the transaction ends: the next holder's statement may reach
        the row while the COMMIT is on its way, and waits there for it (one waiter per
        process and row), so PostgreSQL hands the row over the moment this transaction ends,
        without a pass through this process's event loop in between."""
        if self._turns is not None:
            for key in self._held:
                self._turns.release(key)
        self._held.clear()

    # Running compiled statements. Repositories call these with the tenant filled in.
    async def fetch(self, statement: Statement, values: Mapping[str, Any]) -> list[Record]:
        rows: list[Record] = await self.connection.fetch(statement.sql, *statement.args(values))
        return rows

    async def fetchrow(self, statement: Statement, values: Mapping[str, Any]) -> Record | None:
        row: Record | None = await self.connection.fetchrow(statement.sql, *statement.args(values))
        return row

    async def fetchval(self, statement: Statement, values: Mapping[str, Any]) -> Any:  # noqa: ANN401  # a column of any type
        return await self.connection.fetchval(statement.sql, *statement.args(values))

    async def execute(self, statement: Statement, values: Mapping[str, Any]) -> str:
        status: str = await self.connection.execute(statement.sql, *statement.args(values))
        return status

    async def executemany(self, statement: Statement, rows: Sequence[Mapping[str, Any]]) -> None:
        await self.connection.executemany(statement.sql, [statement.args(row) for row in rows])


def _begin_sql(settings: DatabaseSettings) -> str:
    """``BEGIN``, and behind a transaction pooler the statement timeout for this transaction
    only (a connection-level setting would stay on whichever server connection it reached)."""
    timeout = settings.database_statement_timeout_ms
    if settings.database_pooler == "none" or not timeout:
        return "BEGIN"
    return f"BEGIN; SET LOCAL statement_timeout = {int(timeout)}"


_SNAPSHOT_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
_ASYNCHRONOUS_COMMIT = "SET LOCAL synchronous_commit TO off"


def _set_tenant_sql(tenant_id: uuid.UUID) -> str:
    if not isinstance(tenant_id, uuid.UUID):  # the inlining above relies on it
        raise TypeError("tenant_id must be a uuid.UUID")
    return f"SELECT set_config('app.tenant_id', '{tenant_id}', true)"
