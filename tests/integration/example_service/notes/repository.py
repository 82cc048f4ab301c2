"""Every statement starts from the tenant scope of ``TenantRepository``."""

from __future__ import annotations

from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, affected_rows, cached_statement

from .models import NOTES


class NoteRepository(TenantRepository):
    table = NOTES

    async def add(self, body: str, *, done: bool) -> Record:
        row = await self.fetchrow(_insert(), body=body, done=done)
        assert row is not None  # INSERT ... RETURNING returns the row
        return row

    async def all(self) -> list[Record]:
        return await self.fetch(_all())

    async def purge_done(self) -> int:
        return affected_rows(await self.execute(_purge_done()))


@cached_statement
def _insert() -> ClauseElement:
    scope = NoteRepository.scope
    return scope.insert(**scope.bound("body", "done")).returning(NOTES)


@cached_statement
def _all() -> ClauseElement:
    return NoteRepository.scope.select().order_by(NOTES.c.body)


@cached_statement
def _purge_done() -> ClauseElement:
    return NoteRepository.scope.delete().where(NOTES.c.done)
