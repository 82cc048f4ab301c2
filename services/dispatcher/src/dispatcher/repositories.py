"""The dispatcher's reads and writes, each inside the tenant its job names (row-level security
holds for the dispatcher exactly as for the API: it connects as the same runtime role)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, bindparam, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, affected_rows, cached_statement
from platform_common.db.tables import table_of
from platform_common.events.outbox import OutboxEvent
from platform_common.mail.outbox import MailMessage, MailStatus
from platform_common.webhooks.tables import DeliveryStatus, WebhookDelivery, WebhookEndpoint

_EVENT = table_of(OutboxEvent)
_DELIVERY = table_of(WebhookDelivery)
_ENDPOINT = table_of(WebhookEndpoint)
_MAIL = table_of(MailMessage)


class Events(TenantRepository):
    table = _EVENT

    async def get(self, event_id: uuid.UUID) -> Record | None:
        return await self.fetchrow(_event(), id=event_id)


class Attempts(TenantRepository):
    """A delivery attempt with its endpoint and event, and what became of it."""

    table = _DELIVERY

    async def load(self, delivery_id: uuid.UUID) -> Record | None:
        return await self.fetchrow(_attempt(), id=delivery_id)

    async def finish(self, delivery_id: uuid.UUID, outcome: Mapping[str, Any]) -> bool:
        """Record the outcome of a pending attempt; False when it was already recorded (the job
        ran twice: a worker presumed dead finished after all), so nothing follows twice."""
        return affected_rows(await self.execute(_finish(), id=delivery_id, **outcome)) == 1


class Endpoints(TenantRepository):
    table = _ENDPOINT

    async def succeeded(self, endpoint_id: uuid.UUID) -> None:
        await self.execute(_succeeded(), id=endpoint_id)

    async def failing_since(self, endpoint_id: uuid.UUID) -> Record:
        """Mark the endpoint failing (if it was not already); since when it has been."""
        row = await self.fetchrow(_failing(), id=endpoint_id)
        assert row is not None  # noqa: S101  # the attempt's endpoint exists: its row is locked by the FK
        return row

    async def disable(self, endpoint_id: uuid.UUID, reason: str) -> None:
        await self.execute(_disable(), id=endpoint_id, reason=reason)


class MailMessages(TenantRepository):
    """E-mails and their outcome. Each write is guarded by the number of attempts the caller
    saw, so a job run twice (its worker was presumed dead) records an attempt once."""

    table = _MAIL

    async def load(self, message_id: uuid.UUID) -> Record | None:
        return await self.fetchrow(_mail(), id=message_id)

    async def finish(
        self, message_id: uuid.UUID, attempts: int, status: MailStatus, error: str | None
    ) -> bool:
        """Sent, or failed for good: the sealed secrets are deleted in the same statement."""
        return (
            affected_rows(
                await self.execute(
                    _finish_mail(), id=message_id, attempts=attempts, status=status.value, error=error
                )
            )
            == 1
        )

    async def retry(self, message_id: uuid.UUID, attempts: int, error: str) -> bool:
        """A temporary failure: counted, the secrets kept for the next attempt."""
        return (
            affected_rows(await self.execute(_retry_mail(), id=message_id, attempts=attempts, error=error))
            == 1
        )


@cached_statement
def _mail() -> ClauseElement:
    return MailMessages.scope.select().where(_MAIL.c.id == bindparam("id"))


def _pending_mail_seen() -> Any:  # noqa: ANN401  # a SQL condition
    return and_(
        _MAIL.c.id == bindparam("id"),
        _MAIL.c.status == MailStatus.PENDING.value,
        _MAIL.c.attempts == bindparam("attempts", type_=_MAIL.c.attempts.type),
    )


def _mail_error() -> Any:  # noqa: ANN401  # a bound parameter
    return bindparam("error", type_=_MAIL.c.last_error.type)


@cached_statement
def _finish_mail() -> ClauseElement:
    return (
        MailMessages.scope.update()
        .where(_pending_mail_seen())
        .values(
            status=bindparam("status", type_=_MAIL.c.status.type),
            sealed=None,
            attempts=_MAIL.c.attempts + 1,
            last_error=_mail_error(),
            finished_at=func.now(),
        )
    )


@cached_statement
def _retry_mail() -> ClauseElement:
    return (
        MailMessages.scope.update()
        .where(_pending_mail_seen())
        .values(attempts=_MAIL.c.attempts + 1, last_error=_mail_error())
    )


@cached_statement
def _event() -> ClauseElement:
    return Events.scope.select().where(_EVENT.c.id == bindparam("id"))


@cached_statement
def _attempt() -> ClauseElement:
    event_on = and_(_EVENT.c.id == _DELIVERY.c.event_id, _EVENT.c.tenant_id == _DELIVERY.c.tenant_id)
    endpoint_on = and_(
        _ENDPOINT.c.id == _DELIVERY.c.endpoint_id, _ENDPOINT.c.tenant_id == _DELIVERY.c.tenant_id
    )
    return (
        Attempts.scope.select(
            _DELIVERY.c.id,
            _DELIVERY.c.endpoint_id,
            _DELIVERY.c.event_id,
            _DELIVERY.c.attempt,
            _DELIVERY.c.status,
            _ENDPOINT.c.url,
            _ENDPOINT.c.enabled,
            _ENDPOINT.c.secret,
            _ENDPOINT.c.previous_secret,
            (_ENDPOINT.c.previous_secret_expires_at > func.now()).label("previous_secret_valid"),
            _EVENT.c.type,
            _EVENT.c.data,
            _EVENT.c.created_at.label("event_created_at"),
            _EVENT.c.traceparent,
        )
        .join(_ENDPOINT, endpoint_on)
        .join(_EVENT, event_on)
        .where(_DELIVERY.c.id == bindparam("id"))
    )


@cached_statement
def _finish() -> ClauseElement:
    scope = Attempts.scope
    return (
        scope.update()
        .where(_DELIVERY.c.id == bindparam("id"), _DELIVERY.c.status == DeliveryStatus.PENDING.value)
        .values(
            **scope.bound("status", "status_code", "duration_ms", "error", "next_retry_at"),
            finished_at=func.now(),
        )
    )


def _endpoint_by_id() -> Any:  # noqa: ANN401  # a SQL condition
    return _ENDPOINT.c.id == bindparam("id")


@cached_statement
def _succeeded() -> ClauseElement:
    return Endpoints.scope.update().where(_endpoint_by_id()).values(failing_since=None)


@cached_statement
def _failing() -> ClauseElement:
    return (
        Endpoints.scope.update()
        .where(_endpoint_by_id())
        .values(failing_since=func.coalesce(_ENDPOINT.c.failing_since, func.now()))
        .returning((func.now() - _ENDPOINT.c.failing_since).label("failing_for"))
    )


@cached_statement
def _disable() -> ClauseElement:
    return (
        Endpoints.scope.update()
        .where(_endpoint_by_id())
        .values(
            enabled=False,
            disabled_reason=bindparam("reason", type_=_ENDPOINT.c.disabled_reason.type),
            updated_at=func.now(),
        )
    )
