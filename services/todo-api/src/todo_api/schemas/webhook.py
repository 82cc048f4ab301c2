"""Webhooks: a user's subscriptions to events about their own data, and their deliveries."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from todo_api.schemas.common import NO_NUL, ReadModel, RequestModel
from todo_api.schemas.datetimes import StoredDateTime


class EventType(StrEnum):
    """What a webhook may subscribe to."""

    TASK_CREATED = "task.created"
    TASK_UPDATED = "task.updated"
    TASK_COMPLETED = "task.completed"
    TASK_DELETED = "task.deleted"  # to the trash
    TASK_MOVED = "task.moved"
    TASK_RESTORED = "task.restored"
    LIST_CREATED = "list.created"
    LIST_UPDATED = "list.updated"
    LIST_DELETED = "list.deleted"


PING = "webhook.ping"  # sent by POST /webhooks/{id}/ping, whatever the subscription

MAX_URL_LENGTH = 2048
# http(s) and no whitespace or control characters; the rest (host, credentials, where it
# resolves) is checked by the egress rules, which the schema cannot express.
WebhookUrl = Annotated[
    str,
    Field(
        max_length=MAX_URL_LENGTH,
        pattern=r"^https?://[^\x00-\x20\x7f]+$",
        json_schema_extra={"format": "uri"},
        examples=["https://hooks.example.com/todo"],
    ),
]


def _distinct(events: list[EventType]) -> list[EventType]:
    return list(dict.fromkeys(events))


EventTypes = Annotated[
    list[EventType],
    Field(min_length=1, max_length=len(EventType), examples=[["task.created", "task.completed"]]),
    AfterValidator(_distinct),
]
Description = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL), Field(examples=["Chat bot"])]


class WebhookCreate(RequestModel):
    url: WebhookUrl
    events: EventTypes
    description: Description = ""


class WebhookUpdate(RequestModel):
    url: WebhookUrl = Field(default=None)  # type: ignore[assignment]
    events: EventTypes = Field(default=None)  # type: ignore[arg-type]
    description: Description = Field(default=None)  # type: ignore[assignment]
    enabled: bool = Field(default=None, description="true re-enables a webhook the dispatcher disabled.")  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        return {
            name: getattr(self, name) for name in self.model_fields_set if getattr(self, name) is not None
        }


class WebhookRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5b6f1f8e-8f7a-4c51-9a0e-1d2c3b4a5f60",
                    "url": "https://hooks.example.com/todo",
                    "events": ["task.created", "task.completed"],
                    "description": "Chat bot",
                    "enabled": True,
                    "disabled_reason": None,
                    "created_at": "2026-12-01T09:00:00Z",
                    "updated_at": "2026-12-01T09:00:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why the dispatcher disabled it (410 Gone, failing too long)."
    )
    created_at: StoredDateTime
    updated_at: StoredDateTime


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="Signing secret (Standard Webhooks, whsec_...): shown once, keep it.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class WebhookSecret(ReadModel):
    secret: str = Field(
        description="The new signing secret; the previous one keeps signing alongside it for 24 h.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class DeliveryRead(ReadModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    attempt: int
    status: str = Field(description="pending, succeeded or failed.")
    status_code: int | None = Field(description="The receiver's HTTP status, if it answered.")
    duration_ms: int | None
    error: str | None = Field(description="Why the attempt failed, when it did.")
    next_retry_at: StoredDateTime | None = Field(description="When the next attempt is due, if one is.")
    created_at: StoredDateTime
    finished_at: StoredDateTime | None
