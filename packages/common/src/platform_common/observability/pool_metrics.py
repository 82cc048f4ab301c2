"""Connection-pool gauges of the service's database pool, sampled every few seconds.

Sampled rather than computed at scrape time: with several workers the scrape is answered
from the gauge files every worker writes (``multiprocess_mode="livesum"`` sums the live
ones), so each worker must publish its own pool's numbers. Saturation is
``checked_out / (size + max_overflow)``: ``size`` is the connections the pool keeps
(DATABASE_POOL_SIZE), ``max_overflow`` how many more it may open under burst.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from prometheus_client import Gauge

from platform_common.db.database import PoolStats

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


def sample_pool(stats: PoolStats) -> None:
    POOL_SIZE.set(stats.min_size)
    POOL_CHECKED_OUT.set(stats.checked_out)
    POOL_OVERFLOW.set(max(stats.size - stats.min_size, 0))
    POOL_MAX_OVERFLOW.set(stats.max_size - stats.min_size)


async def sample_pool_forever(stats: Callable[[], PoolStats]) -> None:
    """Until cancelled. A failed sample is logged and retried, never allowed to end the loop."""
    while True:
        try:
            sample_pool(stats())
        except Exception as exc:
            logger.warning("pool_sample_failed", error=repr(exc))
        await asyncio.sleep(SAMPLE_INTERVAL_SECONDS)
