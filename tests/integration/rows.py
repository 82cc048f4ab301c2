"""Rows read and written directly, for states the public API cannot produce on demand.

An expired refresh token or a bcrypt hash from before argon2id cannot be made through
HTTP, so tests write them as the schema owner. The statements are plain SQL, never the
service's models, so these tests outlive any rewrite of its data layer. Row-level security
is forced on the owner too: every statement runs in its tenant's context.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncEngine


async def execute(engine: AsyncEngine, tenant_id: str, statement: str, **params: Any) -> list[Row[Any]]:
    """Run ``statement`` as ``tenant_id`` in its own transaction; its rows, if it returns any.

    Give an UPDATE a RETURNING clause and check the rows: a write that matched nothing
    would leave a test proving nothing.
    """
    async with engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": tenant_id})
        result = await conn.execute(text(statement), params)
        return list(result.all()) if result.returns_rows else []
