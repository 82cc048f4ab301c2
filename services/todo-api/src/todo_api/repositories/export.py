"""What one user owns in the tenant, read for their export (``services.export``) in keyset
pages of a bounded size: each page a statement of its own, narrowed to the tenant and the
owner like every statement of an ``OwnedRepository``, ordered by an index of the owner's rows
so a page costs the same however far into the export it is.

The columns exported are the tables' own, all of them but what is not the user's data to
take away: a task's search vector (PostgreSQL derives it from the title and description)
a webhook's signing secrets and a personal access token's secret hash (``schemas.export`` documents the rest; a unit test checks
the two agree).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

from sqlalchemy import bindparam, tuple_
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import OWNER_PARAMETER, OwnedRepository, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import PersonalAccessToken, Task, TaskList, WebhookEndpoint


class OwnedPages(OwnedRepository):
    """One exported table: its columns (all but ``omitted``), the keyset order its pages are
    read in (an index of the owner's rows, ending in a unique column), and the column naming
    the owner. A subclass per table."""

    omitted: ClassVar[frozenset[str]] = frozenset()
    order: ClassVar[tuple[str, ...]]
    owner: ClassVar[str] = "owner_id"

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(column.name for column in cls.table.c if column.name not in cls.omitted)

    async def pages(self, size: int) -> AsyncIterator[list[Record]]:
        """The owner's rows, ``size`` at most per page, in keyset order."""
        page = await self.fetch(_page(type(self), first=True), limit=size)
        while page:
            yield page
            if len(page) < size:
                return
            last = page[-1]
            after = {f"after_{name}": last[name] for name in self.order}
            page = await self.fetch(_page(type(self), first=False), limit=size, **after)


class ListPages(OwnedPages):
    table = table_of(TaskList)
    order = ("position", "id")


class TaskPages(OwnedPages):
    """Every task of the owner, trashed ones and subtasks too, in their change order."""

    table = table_of(Task)
    omitted = frozenset({"search_vector"})
    order = ("change_seq", "id")


class WebhookPages(OwnedPages):
    table = table_of(WebhookEndpoint)
    omitted = frozenset({"secret", "previous_secret"})
    order = ("created_at", "id")


class TokenPages(OwnedPages):
    table = table_of(PersonalAccessToken)
    omitted = frozenset({"secret_hash"})
    order = ("created_at", "id")


@cached_statement
def _page(pages: type[OwnedPages], *, first: bool) -> ClauseElement:
    table, owner = pages.table, pages.table.c[pages.owner]
    order = [table.c[name] for name in pages.order]
    statement = (
        pages.scope.select(*(table.c[name] for name in pages.columns()))
        .where(owner == bindparam(OWNER_PARAMETER, type_=owner.type))
        .order_by(*order)
        .limit(bindparam("limit"))
    )
    if first:
        return statement
    after = [bindparam(f"after_{column.name}", type_=column.type) for column in order]
    return statement.where(tuple_(*order) > tuple_(*after))
