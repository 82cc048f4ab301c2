"""Fixed-window counters: how many hits a key has in the current window.

Windows are aligned to the clock (a ``5/minute`` window is one calendar minute), so a
key's window and its reset time follow from the time alone, and one round trip counts
every policy of a request: the Redis backend sends ``INCR`` + ``EXPIRE`` for each key in
one pipeline.

Why not ``limits``' own storages (the library slowapi is built on, used here for the
notation): its synchronous storages need a thread hop per check on an async server, its
in-memory storage starts a timer thread, and its asyncio in-memory storage schedules a
task that scans every key on each hit; its asyncio Redis path costs two or three round
trips per policy. A request here pays one dictionary update per policy, or one Redis
round trip in all.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis

_STORAGE_TIMEOUT_SECONDS = 0.25  # a slow Redis must not hold requests


@dataclass(frozen=True, slots=True)
class WindowKey:
    """One policy's counter for one subject (a user, an IP, an account)."""

    name: str  # prefix:policy:subject
    period: int  # window length in seconds

    def current(self, now: float) -> tuple[str, float]:
        """The storage key of the window containing ``now``, and when that window ends."""
        index = int(now // self.period)
        return f"{self.name}:{index}", (index + 1) * self.period


class Counters(Protocol):
    async def hit(self, keys: Sequence[WindowKey], amount: int = 1) -> list[tuple[int, float]]:
        """Add ``amount`` to each key's window; its count afterwards and when it resets."""
        ...

    async def close(self) -> None: ...


class InProcessCounters:
    """One process's counters (development, a single replica). Expired windows are swept
    when the table has grown, so memory stays bounded by the keys of the live windows."""

    def __init__(self, sweep_above: int = 10_000) -> None:
        self._counts: dict[str, list[float]] = {}  # key -> [count, window end]
        self._sweep_above = sweep_above

    async def hit(self, keys: Sequence[WindowKey], amount: int = 1) -> list[tuple[int, float]]:
        now = time.time()
        results = []
        for key in keys:
            name, ends = key.current(now)
            entry = self._counts.get(name)
            if entry is None:
                entry = self._counts[name] = [0, ends]
            entry[0] = max(entry[0] + amount, 0)
            results.append((int(entry[0]), ends))
        if len(self._counts) > self._sweep_above:
            self._sweep(now)
        return results

    def _sweep(self, now: float) -> None:
        self._counts = {name: entry for name, entry in self._counts.items() if entry[1] > now}
        # Still large after the sweep: allow twice as many before the next one (amortised O(1)).
        self._sweep_above = max(self._sweep_above, 2 * len(self._counts))

    async def close(self) -> None:
        self._counts.clear()


class RedisCounters:
    """Counters in Redis, shared by every replica; one pipelined round trip per request."""

    def __init__(self, url: str) -> None:
        self._redis = aioredis.Redis.from_url(
            url, socket_timeout=_STORAGE_TIMEOUT_SECONDS, socket_connect_timeout=_STORAGE_TIMEOUT_SECONDS
        )

    async def hit(self, keys: Sequence[WindowKey], amount: int = 1) -> list[tuple[int, float]]:
        now = time.time()
        windows = [key.current(now) for key in keys]
        async with self._redis.pipeline(transaction=False) as pipe:
            for name, ends in windows:
                pipe.incrby(name, amount)
                pipe.expireat(name, int(ends) + 1)
            replies = await pipe.execute()
        return [(max(int(count), 0), ends) for count, (_, ends) in zip(replies[::2], windows, strict=True)]

    async def close(self) -> None:
        await self._redis.aclose()


def counters_for(uri: str) -> Counters:
    return InProcessCounters() if uri.startswith("memory://") else RedisCounters(uri)
