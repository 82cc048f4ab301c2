"""Events about a caller's own resources, emitted in the request's unit of work (the outbox:
delivered if and only if the request's changes commit). Each carries the resource as the
API returns it, and names the caller as its owner: only the caller's webhooks hear it."""

from __future__ import annotations

from pydantic import BaseModel

from platform_common.events.outbox import Event
from todo_api.schemas.webhook import EventType
from todo_api.services.auth import Caller


class OwnEvents:
    def __init__(self, caller: Caller) -> None:
        self.transaction = caller.transaction
        self.owner_id = caller.id

    async def emit(self, event_type: EventType, resource: BaseModel) -> None:
        await self.transaction.emit(Event(event_type.value, resource.model_dump(mode="json"), self.owner_id))
