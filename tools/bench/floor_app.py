"""The floor: the least any authenticated read of this design can cost in Python.

Every real request opens a transaction, sets ``app.tenant_id`` for row-level security,
reads the caller's user row and commits: four round trips. This app does exactly that with
asyncpg directly, as the runtime role and under RLS, and nothing else (no token, ORM,
logging, tracing, metrics or limits). Its share of the baseline bounds what scenario (a)
could reach if everything the service adds cost nothing.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request

_READ_USER = 'SELECT id, email, role, is_active, token_version FROM "user" WHERE tenant_id = $1 AND id = $2'


def create_app() -> FastAPI:
    tenant_id, user_id = os.environ["FLOOR_TENANT_ID"], os.environ["FLOOR_USER_ID"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = os.environ["FLOOR_DATABASE_URL"]
        app.state.pool = await asyncpg.create_pool(url, min_size=10, max_size=20)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)

    @app.get("/floor")
    async def floor(request: Request) -> dict[str, object]:
        async with request.app.state.pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
            row = await connection.fetchrow(_READ_USER, tenant_id, user_id)
        return {"id": str(row["id"]), "email": row["email"], "active": row["is_active"]}

    return app
