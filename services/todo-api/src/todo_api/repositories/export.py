"""What one user owns in the tenant, read for their export (``services.export``) in keyset
pages of a bounded size: each page a statement of its own, narrowed to the tenant and the
owner like every statement of an ``OwnedRepository``, ordered by an index of the owner's rows
so a page costs the same however far into the export it is.

The columns exported are the tables' own, all of them but what is not the user's data to
take away: a task's search vector (PostgreSQL derives it from the title and description)
and a webhook's signing secrets (``ExportedWebhook`` in ``schemas.export`` documents them;
a unit test checks the two agree).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, tuple_
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import OWNER_PARAMETER, OwnedRepository, TenantScope, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import Task, TaskList, WebhookEndpoint

_TASK = table_of(Task)


@dataclass(frozen=True)
class OwnedRows:
    """One exported table: its columns, the keyset order its pages are read in (an index of
    the owner's rows, ending in a unique column), and the column naming the owner."""

    table: Table
    omitted: frozenset[str]
    order: tuple[str, ...]
    owner: str = "owner_id"  # the column naming the user who owns the row

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.table.c if column.name not in self.omitted)


LISTS = OwnedRows(table_of(TaskList), frozenset(), ("position", "id"))
# Trashed tasks and subtasks too: every task of the owner, in their change order.
TASKS = OwnedRows(_TASK, frozenset({"search_vector"}), ("change_seq", "id"))
WEBHOOKS = OwnedRows(
    table_of(WebhookEndpoint), frozenset({"secret", "previous_secret"}), ("created_at", "id")
)


class ExportRepository(OwnedRepository):
    table = _TASK  # the statements below name their own tables, each narrowed to the owner

    async def pages(self, rows: OwnedRows, size: int) -> AsyncIterator[list[Record]]:
        """The owner's rows of ``rows.table``, ``size`` at most per page, in keyset order."""
        page = await self.fetch(_page(rows, first=True), limit=size)
        while page:
            yield page
            if len(page) < size:
                return
            last = page[-1]
            after = {f"after_{name}": last[name] for name in rows.order}
            page = await self.fetch(_page(rows, first=False), limit=size, **after)


@cached_statement
def _page(rows: OwnedRows, *, first: bool) -> ClauseElement:
    table = rows.table
    order = [table.c[name] for name in rows.order]
    statement = (
        TenantScope(table)
        .select(*(table.c[name] for name in rows.columns))
        .where(table.c[rows.owner] == bindparam(OWNER_PARAMETER, type_=table.c[rows.owner].type))
        .order_by(*order)
        .limit(bindparam("limit"))
    )
    if first:
        return statement
    after = [bindparam(f"after_{column.name}", type_=column.type) for column in order]
    return statement.where(tuple_(*order) > tuple_(*after))
