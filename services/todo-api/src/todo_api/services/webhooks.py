"""Webhook rules: a user's own subscriptions, a bounded number of them, to targets the egress
rules allow; secrets shown once and stored encrypted; pings and redeliveries scheduled in
the request's unit of work (the dispatcher delivers them). Creating and deleting one is
recorded in the audit trail with the target's host only: a URL's path or query may carry a
credential of the receiver's."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from platform_common.db.database import Record
from platform_common.errors import Conflict, ErrorSource, NotFound, UnprocessableEntity
from platform_common.events import outbox
from platform_common.http.egress import EgressPolicy, Resolver, TargetRefused, check_target
from platform_common.pagination import PageQuery
from platform_common.webhooks.deliveries import Deliveries
from platform_common.webhooks.secrets import SecretBox
from platform_common.webhooks.signing import new_secret
from todo_api.repositories.users import UserRepository
from todo_api.repositories.webhooks import DeliveryRepository, WebhookRepository
from todo_api.schemas.audit import AuditEventType
from todo_api.schemas.personal_token import Scope
from todo_api.schemas.webhook import (
    PING,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookSecret,
    WebhookUpdate,
)
from todo_api.services.audit import AuditTrail, Origin
from todo_api.services.auth import Caller
from todo_api.services.pages import rows_and_total

# How long the previous secret keeps signing after a rotation, so receivers can switch over.
PREVIOUS_SECRET_OVERLAP = timedelta(hours=24)


# A webhook sends the data of its events to a URL of its owner's choosing: a personal access
# token may subscribe a webhook to (or redirect, or redeliver) only events whose data it may read.
_EVENT_SCOPES = {"task": Scope.TASKS_READ.value, "list": Scope.LISTS_READ.value}


def data_scopes(events: Iterable[str]) -> set[str]:
    """The read scopes the data of ``events`` needs (a ping carries none)."""
    kinds = {str(event).partition(".")[0] for event in events}
    return {_EVENT_SCOPES[kind] for kind in kinds if kind in _EVENT_SCOPES}


@dataclass(frozen=True)
class WebhookPolicy:
    """What the service needs from the runtime, built once per process."""

    max_per_user: int
    egress: EgressPolicy
    resolver: Resolver
    secrets: SecretBox


class WebhookService:
    def __init__(self, caller: Caller, policy: WebhookPolicy, origin: Origin) -> None:
        self.caller = caller
        self.policy = policy
        self.webhooks = WebhookRepository(caller.transaction, caller.id)
        self.deliveries = DeliveryRepository(caller.transaction, caller.id)
        self.audit = AuditTrail(caller.transaction, origin)

    async def create(self, request: WebhookCreate) -> WebhookCreated:
        self.caller.require(data_scopes(request.events))
        await self._check_url(request.url)
        # One create at a time per user (the row lock), so concurrent ones cannot pass the limit.
        await UserRepository(self.caller.transaction).get(self.caller.id, for_update=True)
        if await self.webhooks.count() >= self.policy.max_per_user:
            raise Conflict(f"You already have the maximum of {self.policy.max_per_user} webhooks")
        secret = new_secret()
        row = await self.webhooks.insert(
            {
                "url": request.url,
                "events": [event.value for event in request.events],
                "description": request.description,
                "secret": self.policy.secrets.seal(secret),
            }
        )
        await self._record(AuditEventType.WEBHOOK_CREATED, row["id"], row["url"], {"events": row["events"]})
        return WebhookCreated(**WebhookRead.from_row(row).model_dump(), secret=secret)

    async def page(self, params: PageQuery) -> tuple[list[WebhookRead], int]:
        rows = await self.webhooks.page(limit=params.limit, offset=params.offset)
        rows, total = await rows_and_total(rows, params, self.webhooks.count)
        return [WebhookRead.from_row(row) for row in rows], total

    async def get(self, webhook_id: uuid.UUID) -> WebhookRead:
        return WebhookRead.from_row(await self._get(webhook_id))

    async def update(self, webhook_id: uuid.UUID, request: WebhookUpdate) -> WebhookRead:
        changes = request.changes()
        if "url" in changes:
            await self._check_url(changes["url"])
        if "events" in changes:
            changes["events"] = [event.value for event in changes["events"]]
        if changes.get("enabled"):
            changes.update(disabled_reason=None, failing_since=None)
        if self.caller.scopes is not None:  # a token: it may direct only data it may read
            events = changes.get("events") or (await self._get(webhook_id))["events"]
            self.caller.require(data_scopes(events))
        row = await self.webhooks.update(webhook_id, changes) if changes else await self._get(webhook_id)
        if row is None:
            raise NotFound("Webhook not found")
        return WebhookRead.from_row(row)

    async def delete(self, webhook_id: uuid.UUID) -> None:
        url = await self.webhooks.delete(webhook_id)
        if url is None:
            raise NotFound("Webhook not found")
        await self._record(AuditEventType.WEBHOOK_DELETED, webhook_id, url)

    async def _record(
        self,
        event_type: AuditEventType,
        webhook_id: uuid.UUID,
        url: str,
        details: dict[str, object] | None = None,
    ) -> None:
        host = urlsplit(url).hostname
        await self.audit.record(
            event_type,
            actor_id=self.caller.id,
            subject_id=webhook_id,
            details={"host": host, **(details or {})},
        )

    async def rotate_secret(self, webhook_id: uuid.UUID) -> WebhookSecret:
        current = await self._get(webhook_id, for_update=True)
        secret = new_secret()
        await self.webhooks.update(
            webhook_id,
            {
                "secret": self.policy.secrets.seal(secret),
                "previous_secret": current["secret"],
                "previous_secret_expires_at": datetime.now(UTC) + PREVIOUS_SECRET_OVERLAP,
            },
        )
        return WebhookSecret(secret=secret)

    async def ping(self, webhook_id: uuid.UUID) -> DeliveryRead:
        webhook = await self._enabled(webhook_id)
        data = {"webhook_id": str(webhook_id), "url": webhook["url"]}
        event_id = await outbox.record(self.caller.transaction, outbox.Event(PING, data, self.caller.id))
        return await self._schedule(webhook_id, event_id, PING, attempt=1)

    async def deliveries_of(self, webhook_id: uuid.UUID, params: PageQuery) -> tuple[list[DeliveryRead], int]:
        await self._get(webhook_id)
        rows = await self.deliveries.page(webhook_id, limit=params.limit, offset=params.offset)
        rows, total = await rows_and_total(rows, params, lambda: self._count_deliveries(webhook_id))
        return [DeliveryRead.from_row(row) for row in rows], total

    async def redeliver(self, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> DeliveryRead:
        await self._enabled(webhook_id)
        delivery = await self.deliveries.get(webhook_id, delivery_id)
        if delivery is None:
            raise NotFound("Delivery not found")
        self.caller.require(data_scopes([delivery["event_type"]]))
        attempt = await self.deliveries.next_attempt(webhook_id, delivery["event_id"])
        return await self._schedule(webhook_id, delivery["event_id"], delivery["event_type"], attempt)

    async def _count_deliveries(self, webhook_id: uuid.UUID) -> int:
        first = await self.deliveries.page(webhook_id, limit=1, offset=0)
        return int(first[0]["total"]) if first else 0

    async def _schedule(
        self, webhook_id: uuid.UUID, event_id: uuid.UUID, event_type: str, attempt: int
    ) -> DeliveryRead:
        scheduled = Deliveries(self.caller.transaction)
        delivery_id = await scheduled.schedule(webhook_id, event_id, event_type, attempt)
        row = await self.deliveries.get(webhook_id, delivery_id)
        if row is None:  # pragma: no cover - written just above, in this transaction
            raise NotFound("Delivery not found")
        return DeliveryRead.from_row(row)

    async def _check_url(self, url: str) -> None:
        try:
            await check_target(url, self.policy.egress, self.policy.resolver)
        except TargetRefused as refused:
            raise UnprocessableEntity(str(refused), source=ErrorSource(pointer="/url")) from refused

    async def _get(self, webhook_id: uuid.UUID, *, for_update: bool = False) -> Record:
        webhook = await self.webhooks.get(webhook_id, for_update=for_update)
        if webhook is None:
            raise NotFound("Webhook not found")
        return webhook

    async def _enabled(self, webhook_id: uuid.UUID) -> Record:
        webhook = await self._get(webhook_id)
        if not webhook["enabled"]:
            raise Conflict(f"The webhook is disabled: {webhook['disabled_reason'] or 'by its owner'}")
        return webhook
