"""Turns: the transactions of one process that will wait for the same row queue here first.

Some writes take turns on one row by design: an owner's change counter, an upsert whose row
lock is held until commit, orders that owner's writes for delta sync (and the task quota's
count). When many requests of one process wait for such a row inside PostgreSQL, every
commit wakes all of them to fight for the row again; on the benchmark's 32 concurrent
creates by one user the backends' wake-ups and retries cost more CPU than the writes, and
the turn passed slowly (141 creates/s). A turn taken in the process first makes them wait
here instead, in arrival order (``asyncio.Lock`` is FIFO): PostgreSQL sees at most one
waiter per process and row.

The row lock stays the guarantee: other processes and replicas still meet there. A turn is
taken immediately before the row lock is requested and given back as the transaction ends
(its COMMIT or ROLLBACK sent), so it never changes which transaction waits for which (a
waiter for the turn would otherwise wait for the row), only where: the next holder waits for
that COMMIT on the row itself, which PostgreSQL hands over without a round trip.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holding or waiting; the entry goes when the last one leaves


class Turns:
    """One FIFO turn per key, created on first use and dropped when nobody holds or awaits
    it, so the table stays as small as the number of keys in use right now."""

    def __init__(self) -> None:
        self._turns: dict[Hashable, _Turn] = {}

    def __len__(self) -> int:
        """Keys held or awaited right now."""
        return len(self._turns)

    async def acquire(self, key: Hashable) -> None:
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.users += 1
        try:
            await turn.lock.acquire()
        except BaseException:  # cancelled while waiting (the client went away)
            self._leave(key, turn)
            raise

    def release(self, key: Hashable) -> None:
        turn = self._turns[key]
        turn.lock.release()
        self._leave(key, turn)

    def _leave(self, key: Hashable, turn: _Turn) -> None:
        turn.users -= 1
        if not turn.users:
            del self._turns[key]
