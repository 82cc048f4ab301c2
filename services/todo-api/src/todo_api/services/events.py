"""Events about a caller's own resources, emitted in the request's unit of work (the outbox:
delivered if and only if the request's changes commit). Each carries the resource as the
API returns it, and names the caller as its owner: only the caller's webhooks hear it."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from platform_common.events.outbox import Event
from todo_api.schemas.webhook import EventType
from todo_api.services.auth import Caller


class OwnEvents:
    def __init__(self, caller: Caller) -> None:
        self.transaction = caller.transaction
        self.owner_id = caller.id

    async def emit(self, event_type: EventType, resource: BaseModel) -> uuid.UUID:
        return await self.transaction.emit(self._event(event_type, resource))

    async def amend(self, event_id: uuid.UUID, event_type: EventType, resource: BaseModel) -> None:
        """Make an event emitted earlier in the request carry ``resource`` as written."""
        await self.transaction.amend(event_id, self._event(event_type, resource))

    def _event(self, event_type: EventType, resource: BaseModel) -> Event:
        return Event(event_type.value, resource.model_dump(mode="json"), self.owner_id)
