"""Rows read and written directly, for states the public API cannot produce on demand.

An expired refresh token or a bcrypt hash from before argon2id cannot be made through
HTTP, so tests write them as the schema owner. The statements are plain SQL, never the
service's models, so these tests outlive any rewrite of its data layer. Row-level security
is forced on the owner too: every statement runs in its tenant's context.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


async def execute(engine: AsyncEngine, tenant_id: str, statement: str, **params: Any) -> list[Row[Any]]:
    """Run ``statement`` as ``tenant_id`` in its own transaction; its rows, if it returns any.

    Give an UPDATE a RETURNING clause and check the rows: a write that matched nothing
    would leave a test proving nothing.
    """
    async with engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": tenant_id})
        result = await conn.execute(text(statement), params)
        return list(result.all()) if result.returns_rows else []


@asynccontextmanager
async def row_locks(
    engine: AsyncEngine, tenant_id: str, locking: str, **params: Any
) -> AsyncIterator[AsyncConnection]:
    """Hold the row locks of ``locking`` (a ``SELECT ... FOR UPDATE``) as ``tenant_id`` for the
    block; what the block writes through the connection it gets commits when it ends."""
    async with engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": tenant_id})
        await conn.execute(text(locking), params)
        yield conn


async def wait_for_blocked_statements(engine: AsyncEngine, count: int = 1) -> None:
    """Until ``count`` sessions of this database wait for a lock (a test holding a row lock
    lines concurrent requests up behind it, then lets them go at once)."""
    blocked = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0"
    )
    async with engine.connect() as conn:
        for _ in range(1000):
            if await conn.scalar(blocked) >= count:
                return
            # A transaction reads pg_stat_activity once and keeps that snapshot: end it, or
            # every later poll sees the sessions as they were at the first.
            await conn.rollback()
            await asyncio.sleep(0.01)
        activity = await conn.execute(
            text(
                "SELECT state, wait_event_type, wait_event, left(query, 80) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        sessions = "\n".join(map(str, activity.all()))
    raise AssertionError(f"fewer than {count} statements ever waited for a lock; sessions:\n{sessions}")
