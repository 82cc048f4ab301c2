"""Pool gauges against a real PostgreSQL pool."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from platform_common.observability.pool_metrics import sample_pool
from todo_api.core.config import Settings
from todo_api.db.provision import ProvisionedDatabase


def gauges() -> dict[str, float | None]:
    names = ("db_pool_size", "db_pool_checked_out", "db_pool_overflow", "db_pool_max_overflow")
    return {name: REGISTRY.get_sample_value(name) for name in names}


@pytest.fixture
async def engine(database: ProvisionedDatabase) -> AsyncIterator[AsyncEngine]:
    url = Settings(database_url=database.app_url).database_url
    engine = create_async_engine(url, pool_size=2, max_overflow=3)
    yield engine
    await engine.dispose()


async def test_gauges_follow_connections_in_and_beyond_the_pool(engine: AsyncEngine) -> None:
    connections = [await engine.connect() for _ in range(3)]
    sample_pool(engine)
    assert gauges() == {
        "db_pool_size": 2,
        "db_pool_checked_out": 3,
        "db_pool_overflow": 1,
        "db_pool_max_overflow": 3,
    }
    for connection in connections:
        await connection.close()
    sample_pool(engine)
    assert gauges()["db_pool_checked_out"] == 0


async def test_an_idle_new_pool_reports_no_overflow(engine: AsyncEngine) -> None:
    """SQLAlchemy counts overflow from -pool_size while the pool fills; the gauge never goes below 0."""
    sample_pool(engine)
    assert gauges()["db_pool_overflow"] == 0
    assert gauges()["db_pool_checked_out"] == 0
