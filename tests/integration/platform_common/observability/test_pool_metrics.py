"""Pool gauges against a real PostgreSQL pool."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY

from platform_common.db.database import Database
from platform_common.db.provision import ProvisionedDatabase
from platform_common.observability.pool_metrics import sample_pool
from todo_api.core.config import Settings


def gauges() -> dict[str, float | None]:
    names = ("db_pool_size", "db_pool_checked_out", "db_pool_overflow", "db_pool_max_overflow")
    return {name: REGISTRY.get_sample_value(name) for name in names}


@pytest.fixture
async def database_pool(database: ProvisionedDatabase) -> AsyncIterator[Database]:
    settings = Settings(database_url=database.app_url, database_pool_size=2, database_max_overflow=3)
    pool = Database(settings, application_name="pool-metrics-test")
    await pool.connect()
    yield pool
    await pool.close()


async def test_gauges_follow_connections_in_and_beyond_the_pool(database_pool: Database) -> None:
    connections = [await database_pool.pool.acquire() for _ in range(3)]
    sample_pool(database_pool.stats())
    assert gauges() == {
        "db_pool_size": 2,
        "db_pool_checked_out": 3,
        "db_pool_overflow": 1,
        "db_pool_max_overflow": 3,
    }
    for connection in connections:
        await database_pool.pool.release(connection)
    sample_pool(database_pool.stats())
    assert gauges()["db_pool_checked_out"] == 0


async def test_an_idle_new_pool_reports_its_size_and_no_overflow(database_pool: Database) -> None:
    sample_pool(database_pool.stats())
    assert gauges()["db_pool_size"] == 2
    assert gauges()["db_pool_overflow"] == 0
    assert gauges()["db_pool_checked_out"] == 0
