"""The scheduled purge's functions called as the job calls them (the runtime role, one
batch per call), and rows aged past a retention: what tests of the trash and of delta sync
need to see what a purge leaves behind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.db.provision import ProvisionedDatabase
from tests.database import connected
from tests.integration.rows import execute

RETENTION = timedelta(days=30)


async def purge_batch(
    database: ProvisionedDatabase, function: str, *, batch: int = 1000, retention: timedelta = RETENTION
) -> int:
    """One call of ``function`` (``purge_trashed_tasks``, ``purge_expired_tombstones``) as the
    runtime role; how many rows it deleted."""
    async with connected(database.app_url) as connection:
        # The function name is one of the test's constants; the arguments are placeholders.
        return int(await connection.fetchval(f"SELECT {function}($1, $2)", batch, retention))


async def age(
    owner_engine: AsyncEngine, tenant_id: str, table: str, *, days: int, where: str = "true"
) -> int:
    """Move ``deleted_at`` of the tenant's ``table`` rows matching ``where`` ``days`` back; how
    many rows moved (``task``: only trashed ones)."""
    rows = await execute(
        owner_engine,
        tenant_id,
        f"UPDATE {table} SET deleted_at = deleted_at - make_interval(days => :days) "  # noqa: S608  # test constants
        f"WHERE deleted_at IS NOT NULL AND ({where}) RETURNING 1",
        days=days,
    )
    return len(rows)
