"""Connection-pool gauges of one SQLAlchemy ``AsyncEngine``, sampled every few seconds.

Sampled rather than computed at scrape time: with several workers the scrape is answered
from the gauge files every worker writes (``multiprocess_mode="livesum"`` sums the live
ones), so each worker must publish its own pool's numbers. Saturation is
``checked_out / (size + max_overflow)``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

SAMPLE_INTERVAL_SECONDS = 5.0
logger = structlog.get_logger(__name__)

POOL_SIZE = Gauge("db_pool_size", "Persistent connections the pool keeps.", multiprocess_mode="livesum")
POOL_CHECKED_OUT = Gauge(
    "db_pool_checked_out", "Connections currently lent to requests.", multiprocess_mode="livesum"
)
POOL_OVERFLOW = Gauge(
    "db_pool_overflow", "Connections open beyond the pool size right now.", multiprocess_mode="livesum"
)
POOL_MAX_OVERFLOW = Gauge(
    "db_pool_max_overflow", "Connections the pool may open beyond its size.", multiprocess_mode="livesum"
)


def sample_pool(engine: AsyncEngine) -> None:
    pool = engine.pool
    if not isinstance(pool, QueuePool):  # NullPool, StaticPool: nothing to saturate
        return
    POOL_SIZE.set(pool.size())
    POOL_CHECKED_OUT.set(pool.checkedout())
    # overflow() counts from -size while the pool fills; only connections beyond it matter.
    POOL_OVERFLOW.set(max(pool.overflow(), 0))
    POOL_MAX_OVERFLOW.set(pool._max_overflow)  # no public accessor; pinned by a test


async def sample_pool_forever(engine_getter: Callable[[], AsyncEngine]) -> None:
    """Until cancelled; the getter is called each time, so a replaced engine is followed.

    A failed sample is logged and retried, never allowed to end the loop (or the shutdown).
    """
    while True:
        try:
            sample_pool(engine_getter())
        except Exception as exc:
            logger.warning("pool_sample_failed", error=repr(exc))
        await asyncio.sleep(SAMPLE_INTERVAL_SECONDS)
