"""Delta sync: what changed in the caller's tasks since a cursor, never missing a change.

Changes are numbered per owner in commit order (``repositories.sync``), so "everything after
the last number a client received" is exactly what it has not seen, however writers race
with its paging. Without a cursor, a client pages through its live tasks in the same order
and goes on with the cursors it is given: a full sync is a delta from the beginning.

A cursor is refused with 410 when deletions it would need may be gone: issued longer ago
than the tombstone retention, or behind a tombstone already purged. The client then syncs
from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from platform_common.errors import APIError, BadRequest, ErrorSource
from todo_api.core.delta_cursor import DeltaCursor, DeltaCursorCodec, InvalidCursorError
from todo_api.repositories.sync import START, ChangeCounter, DeltaRepository, Position
from todo_api.schemas.task import TaskDelta, TaskRead
from todo_api.services.auth import Caller

_CURSOR = ErrorSource(parameter="cursor")
_EXPIRED = "Deletions since this cursor are no longer kept; sync again without a cursor"


class InvalidCursor(BadRequest):
    code = "invalid_cursor"
    title = "Invalid sync cursor"


class CursorExpired(APIError):
    status_code = 410
    code = "cursor_expired"
    title = "Sync cursor expired: sync again from scratch"


@dataclass(frozen=True)
class DeltaPolicy:
    cursors: DeltaCursorCodec
    retention: timedelta


class DeltaService:
    def __init__(self, caller: Caller, policy: DeltaPolicy) -> None:
        self.caller = caller
        self.policy = policy
        self.changes = DeltaRepository(caller.transaction, caller.id)
        self.counter = ChangeCounter(caller.transaction, caller.id)

    async def delta(self, cursor: str | None, size: int) -> TaskDelta:
        now = datetime.now(UTC)
        after = START if cursor is None else self._position(cursor, now)
        # One more than asked: whether there is more, without another query.
        rows = await self.changes.changes(after, limit=size + 1, with_tombstones=cursor is not None)
        # Read after the page, so a purge that committed before the page was read is seen
        # here (a purge after it finds the page already holding those tombstones).
        if cursor is not None and after.seq < await self.counter.purged_seq():
            raise CursorExpired(_EXPIRED, source=_CURSOR)
        page = rows[:size]
        items = [TaskRead.from_row(row) for row in page if not row["deleted"]]
        deleted = [row["position_id"] for row in page if row["deleted"]]
        last = Position(page[-1]["position_seq"], page[-1]["position_id"]) if page else after
        next_cursor = DeltaCursor(
            self.caller.transaction.tenant_id, self.caller.id, last.seq, last.task_id, now
        )
        return TaskDelta(
            items=items,
            deleted=deleted,
            next_cursor=self.policy.cursors.encode(next_cursor),
            has_more=len(rows) > size,
        )

    def _position(self, text: str, now: datetime) -> Position:
        try:
            cursor = self.policy.cursors.decode(
                text, tenant_id=self.caller.transaction.tenant_id, owner_id=self.caller.id
            )
        except InvalidCursorError:
            raise InvalidCursor("The cursor was not issued by this service to you", source=_CURSOR) from None
        if cursor.issued_at < now - self.policy.retention:
            raise CursorExpired(_EXPIRED, source=_CURSOR)
        return Position(cursor.seq, cursor.task_id)
