"""A database error never writes the statement's values to the logs.

asyncpg's exceptions quote values: a unique or check violation's ``DETAIL`` holds the key or
the whole failing row, a bad cast quotes its input, and an argument asyncpg cannot encode is
quoted by asyncpg itself. Each request below makes the database (or the driver) fail on a
statement carrying ``DISTINCTIVE``, and the logs the app wrote, as JSON lines, must not
contain it, while still saying what failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from fastapi import Request

from platform_common.app import ServiceRuntime
from tests.integration.platform_common.observability.conftest import ObservedApp

DISTINCTIVE = "zebra-quartz-4711"

Statement = Callable[[asyncpg.Connection], Awaitable[object]]


async def unique_violation(connection: asyncpg.Connection) -> object:
    await connection.execute("CREATE TEMP TABLE probe (value text UNIQUE)")
    await connection.execute("INSERT INTO probe VALUES ($1)", DISTINCTIVE)
    return await connection.execute("INSERT INTO probe VALUES ($1)", DISTINCTIVE)


async def check_violation(connection: asyncpg.Connection) -> object:
    await connection.execute("CREATE TEMP TABLE probe (value text CHECK (length(value) < 5), n int)")
    return await connection.execute("INSERT INTO probe VALUES ($1, 1)", DISTINCTIVE)


async def invalid_cast(connection: asyncpg.Connection) -> object:
    return await connection.fetchval("SELECT $1::text::int", DISTINCTIVE)


async def argument_asyncpg_cannot_encode(connection: asyncpg.Connection) -> object:
    return await connection.fetchval("SELECT $1::int", DISTINCTIVE)


async def raised_by_the_database(connection: asyncpg.Connection) -> object:
    """An error whose message is made of the value (a trigger's ``RAISE``, a function's)."""
    return await connection.execute(f"DO $$ BEGIN RAISE EXCEPTION '%', '{DISTINCTIVE}'; END $$")


async def statement_timeout(connection: asyncpg.Connection) -> object:
    await connection.execute("SET LOCAL statement_timeout = 50")
    return await connection.fetchval("SELECT pg_sleep(1), $1::text", DISTINCTIVE)


@pytest.mark.parametrize(
    ("statement", "status", "sqlstate"),
    [
        (unique_violation, 409, "23505"),
        (check_violation, 422, "23514"),
        (invalid_cast, 500, "22P02"),
        (argument_asyncpg_cannot_encode, 500, None),
        (raised_by_the_database, 500, "P0001"),
        (statement_timeout, 503, "57014"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
async def test_a_database_error_logs_none_of_the_statements_values(
    observed: ObservedApp, statement: Statement, status: int, sqlstate: str | None
) -> None:
    @observed.router.post("/probe")
    async def probe(request: Request) -> None:
        runtime: ServiceRuntime = request.app.state.runtime
        async with runtime.database.connection() as connection, connection.transaction():
            await statement(connection)

    async with observed.serve(log_level="DEBUG") as client:
        response = await client.post("/probe")
    assert response.status_code == status, response.text
    assert DISTINCTIVE not in response.text
    output = observed.output()
    assert DISTINCTIVE not in output, output
    [access] = observed.access_lines()
    assert access["status"] == status
    if status == 500:  # what failed, and where, is still there to debug with
        assert sqlstate is None or sqlstate in output
        assert statement.__name__ in output
