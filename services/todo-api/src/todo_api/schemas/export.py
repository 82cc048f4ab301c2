"""The document of ``GET /users/me/export``: everything the caller owns in the tenant.

Each section is produced after the other, in this order, as the response streams; a list
section is read in pages, so the document's size never has to fit in memory. Lists, tasks
webhooks and personal access tokens carry every column of their table (``repositories.export``)
but a task's search vector, a webhook's signing secrets and a token's secret hash.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from todo_api.models.task import TaskPriority
from todo_api.schemas.common import ReadModel
from todo_api.schemas.user import MembershipRead, UserRead

EXPORT_FORMAT = "todo-export/1"


class ExportedList(ReadModel):
    id: uuid.UUID
    tenant_id: uuid.UUID
    owner_id: uuid.UUID
    name: str
    position: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


class ExportedTask(ReadModel):
    """A task as stored: trashed ones (``deleted_at`` set) and subtasks (``parent_id``) too."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    owner_id: uuid.UUID
    title: str
    description: str
    completed: bool
    completed_at: datetime | None
    priority: TaskPriority
    due_at: datetime | None
    tags: list[str]
    version: int
    change_seq: int
    recurrence: str | None
    occurrences_left: int | None
    next_occurrence_id: uuid.UUID | None
    occurrence_spawned: bool
    list_id: uuid.UUID
    parent_id: uuid.UUID | None
    position: str
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ExportedWebhook(ReadModel):
    """A webhook subscription, without its signing secrets."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    owner_id: uuid.UUID
    url: str
    description: str
    events: list[str]
    enabled: bool
    previous_secret_expires_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class ExportedToken(ReadModel):
    """A personal access token, without its secret (only its hash is stored, and not exported)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    owner_id: uuid.UUID
    name: str
    scopes: list[str]
    expires_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class ExportDocument(ReadModel):
    """Everything the caller owns in the token's tenant, as of one moment (one snapshot)."""

    model_config = ConfigDict(title="ExportDocument")

    format: Literal["todo-export/1"] = Field(description="The document's format and version.")
    exported_at: datetime
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    profile: UserRead
    memberships: list[MembershipRead] = Field(description="As `GET /users/me/memberships` lists them.")
    lists: list[ExportedList]
    tasks: list[ExportedTask]
    webhooks: list[ExportedWebhook]
    tokens: list[ExportedToken] = Field(
        description="The caller's personal access tokens, never their secrets."
    )
