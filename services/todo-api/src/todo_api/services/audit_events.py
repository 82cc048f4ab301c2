"""Reading the audit trail: owners and admins only, their own tenant's events, newest first."""

from __future__ import annotations

from todo_api.repositories.audit import AuditRepository
from todo_api.schemas.audit import AuditEventQuery, AuditEventRead
from todo_api.services.auth import Caller
from todo_api.services.pages import rows_and_total
from todo_api.services.users import require_admin


class AuditService:
    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self.events = AuditRepository(caller.transaction)

    async def page(self, query: AuditEventQuery) -> tuple[list[AuditEventRead], int]:
        require_admin(self.caller, "Only owners and admins may read the audit trail")
        event_type, actor_id = (query.type.value if query.type else None), query.actor
        rows = await self.events.page(
            event_type=event_type, actor_id=actor_id, limit=query.limit, offset=query.offset
        )
        rows, total = await rows_and_total(
            rows, query, lambda: self.events.count(event_type=event_type, actor_id=actor_id)
        )
        return [AuditEventRead.from_row(row) for row in rows], total
