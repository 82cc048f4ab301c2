"""The floor: the least any authenticated read of this design can cost in Python.

Every real request opens a transaction, sets ``app.tenant_id`` for row-level security,
reads the caller's user row and commits: four round trips. This app does exactly that with
asyncpg directly, as the runtime role and under RLS, and nothing else (no token, ORM,
logging, tracing, metrics or limits). Its share of the baseline bounds what scenario (a)
could reach if everything the service adds cost nothing.

``POST /floor/tasks`` is the same for scenario (d): the transaction and the tenant, the
event (the platform's outbox, as the service queues it), the service's own creation
statement (``create_statement``: the owner's change counter within the quota, and the
insert), then COMMIT. One user's creations take turns on their counter
row from that statement to the end of the COMMIT (delta sync's commit order, the quota), so
with every request of one user this row is what PostgreSQL allows them on this machine,
whatever the service does around it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg
from fastapi import FastAPI, Request
from tools.bench.seed import BENCH_LIST_ID, CREATED_TITLE_PREFIX

from platform_common.db.database import Transaction, init_connection
from platform_common.events.outbox import Event
from todo_api.repositories.tasks import create_statement

_READ_USER = 'SELECT id, email, role, is_active, token_version FROM "user" WHERE tenant_id = $1 AND id = $2'


def create_app() -> FastAPI:
    tenant_id, user_id = os.environ["FLOOR_TENANT_ID"], os.environ["FLOOR_USER_ID"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = os.environ["FLOOR_DATABASE_URL"]
        app.state.pool = await asyncpg.create_pool(url, min_size=10, max_size=20, init=init_connection)
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

    @app.post("/floor/tasks", status_code=201)
    async def create(request: Request) -> dict[str, object]:
        now = datetime.now(UTC)
        task = {
            "id": uuid.uuid4(),
            "title": f"{CREATED_TITLE_PREFIX} floor",
            "description": "",
            "list_id": BENCH_LIST_ID,
            "position": "z" + uuid.uuid4().hex,  # after every seeded key; removed after the run
            "created_at": now,
            "updated_at": now,
        }
        statement = create_statement(tuple(sorted(task)))
        values = {**task, "tenant_id": tenant_id, "owner_id": user_id, "quota": 2**62}
        event = Event("task.created", {"id": str(task["id"]), "title": task["title"]}, uuid.UUID(user_id))
        async with request.app.state.pool.acquire() as connection:
            transaction = Transaction(connection)
            await transaction.begin(uuid.UUID(tenant_id))  # BEGIN and the tenant, one round trip
            try:
                await transaction.emit(event)  # the outbox row and its job (whose trigger NOTIFYs)
                row = await connection.fetchrow(statement.sql, *statement.args(values))
                await transaction.commit()
            finally:
                await transaction.rollback()  # a no-op once committed
        return {"id": str(row["id"])}

    return app
