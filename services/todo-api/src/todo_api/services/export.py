"""A user's export of their data (``GET /users/me/export``): one JSON document, streamed.

The document is written section after section (``ExportService.sections``): the profile,
the memberships, then each table the user owns, read in keyset pages of ``batch_size`` rows
(``repositories.export``) and written as each page arrives, so a user with 100,000 tasks is
exported with one page in memory at a time. Every read runs in the caller's transaction,
which for this route is a read-only snapshot that lasts as long as the stream
(``api.deps.StreamCallerDep``): the document is one moment's state, in the caller's tenant
under row-level security, narrowed to the caller's own rows by every statement.

A new section is one more ``(name, chunks)`` in ``sections`` and one more field of
``schemas.export.ExportDocument``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import orjson

from todo_api.repositories.export import ListPages, OwnedPages, TaskPages, TokenPages, WebhookPages
from todo_api.repositories.people import PersonRepository
from todo_api.schemas.export import EXPORT_FORMAT
from todo_api.schemas.user import MembershipRead, UserRead
from todo_api.services.auth import Caller

BATCH_SIZE = 500  # rows per page read, and per chunk written

Section = tuple[str, AsyncIterator[bytes]]


class ExportService:
    def __init__(self, caller: Caller, *, batch_size: int = BATCH_SIZE) -> None:
        self.caller = caller
        self.batch_size = batch_size

    def sections(self) -> list[Section]:
        """The document's sections, in order; each is read only when its turn comes."""
        return [
            ("profile", _value(UserRead.from_row(self.caller.user).model_dump(mode="json"))),
            ("memberships", self._memberships()),
            ("lists", self._owned(ListPages)),
            ("tasks", self._owned(TaskPages)),
            ("webhooks", self._owned(WebhookPages)),
            ("tokens", self._owned(TokenPages)),
        ]

    async def document(self) -> AsyncIterator[bytes]:
        """The whole document, in chunks of at most one page of rows each."""
        head = {
            "format": EXPORT_FORMAT,
            "exported_at": datetime.now(UTC),
            "tenant_id": self.caller.tenant_id,
            "user_id": self.caller.id,
        }
        yield _dumps(head)[:-1]  # the object stays open for the sections
        for name, chunks in self.sections():
            yield b"," + _dumps(name) + b":"
            async for chunk in chunks:
                yield chunk
        yield b"}"

    async def _memberships(self) -> AsyncIterator[bytes]:
        rows = await PersonRepository(self.caller.transaction).memberships(self.caller.id)
        memberships = [MembershipRead.of(row, current_tenant=self.caller.tenant_id) for row in rows]
        yield _dumps([membership.model_dump(mode="json") for membership in memberships])

    async def _owned(self, table: type[OwnedPages]) -> AsyncIterator[bytes]:
        """A JSON array of the caller's rows of one table, a page per chunk."""
        separator = b"["
        async for page in table(self.caller.transaction, self.caller.id).pages(self.batch_size):
            yield separator + b",".join(_dumps(dict(row)) for row in page)
            separator = b","
        yield b"[]" if separator == b"[" else b"]"


async def _value(value: object) -> AsyncIterator[bytes]:
    yield _dumps(value)


def _dumps(value: object) -> bytes:
    """JSON in UTC with a ``Z``: asyncpg reads PostgreSQL's +/-infinity (what the earliest and
    latest instants are stored as) as *naive* ``datetime.min`` / ``max``; every column is
    ``timestamptz``, so a naive value is UTC too (``schemas.datetimes.StoredDateTime``)."""
    return orjson.dumps(value, default=_uuid_text, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)


def _uuid_text(value: object) -> str:
    """asyncpg's own UUID type (a ``uuid.UUID`` subclass orjson does not take) as text."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")
