"""Pages whose rows carry their list's ``total`` (counted in the same statement)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from platform_common.db.database import Record
from platform_common.pagination import PageQuery


async def rows_and_total(
    rows: list[Record], params: PageQuery, count: Callable[[], Awaitable[int]]
) -> tuple[list[Record], int]:
    """The page's rows and the list's total. A page past the end has no row to carry the
    total, so only then is it counted separately."""
    if rows:
        return rows, int(rows[0]["total"])
    return [], (await count() if params.offset else 0)
