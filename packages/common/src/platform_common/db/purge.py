"""Retention purges: delete rows that outlived their use, in bounded batches, across tenants.

A service lists what it purges as ``Purge`` entries, one line each; each names a
``SECURITY DEFINER`` function a migration created with
``platform_common.db.rls.create_purge_function`` (which holds the condition, so the caller
cannot widen it) and, for a kind kept for a configured time, that retention. ``purge()``
calls each function until it deletes less than a batch: every call is one statement in
its own transaction (autocommit), so locks are held for one batch only and a run stopped
half-way has kept everything it did.

Which role runs it: the service's runtime role (``DATABASE_URL``), the one every other
process of the service uses. It cannot read or delete across tenants by itself (row-level
security); the functions, owned by the schema owner, are the only cross-tenant act it gains,
and each can remove only rows already past their retention. The owner's credentials stay
in the migration job.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import structlog
from pydantic import Field

from platform_common.db.database import Database
from platform_common.settings import PlatformSettings

logger = structlog.get_logger(__name__)

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PurgeSettings(PlatformSettings):
    """PURGE_BATCH_SIZE: how many rows one statement deletes at most."""

    purge_batch_size: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="Rows one purge statement deletes at most (one short transaction each).",
    )


@dataclass(frozen=True)
class Purge:
    """One kind of row to purge: ``kind`` names it in logs, ``function`` is its purge
    function, ``retention`` the age it is kept for when the function takes one, and
    ``arguments`` what else it takes after those (bound as parameters, never spliced)."""

    kind: str
    function: str
    retention: timedelta | None = None
    arguments: tuple[object, ...] = ()
    sql: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not _IDENTIFIER.fullmatch(self.function):
            raise ValueError(f"not a plain SQL identifier: {self.function!r}")
        count = 1 + (self.retention is not None) + len(self.arguments)
        placeholders = ", ".join(f"${number}" for number in range(1, count + 1))
        # The name is a checked identifier and the arguments are placeholders: nothing to inject.
        object.__setattr__(self, "sql", f"SELECT {self.function}({placeholders})")

    def args(self, batch_size: int) -> tuple[object, ...]:
        leading = (batch_size,) if self.retention is None else (batch_size, self.retention)
        return (*leading, *self.arguments)


async def purge(database: Database, purges: Sequence[Purge], *, batch_size: int) -> dict[str, int]:
    """Run every purge to the end; ``{kind: rows deleted}``, also logged, one line per kind
    (``rows_purged``) and one for the run (``purge_finished``)."""
    deleted: dict[str, int] = {}
    started = time.perf_counter()
    for each in purges:
        kind_started = time.perf_counter()
        total = batches = 0
        while True:
            async with database.connection() as connection:
                count: int = await connection.fetchval(each.sql, *each.args(batch_size))
            total += count
            batches += 1
            if count < batch_size:
                break
        deleted[each.kind] = total
        logger.info(
            "rows_purged",
            kind=each.kind,
            deleted=total,
            batches=batches,
            duration_s=round(time.perf_counter() - kind_started, 3),
        )
    logger.info("purge_finished", deleted=deleted, duration_s=round(time.perf_counter() - started, 3))
    return deleted
