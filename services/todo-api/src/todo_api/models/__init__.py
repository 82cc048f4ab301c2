"""SQLModel tables. Importing this package registers every table on ``metadata``."""

from typing import Any

from platform_common.db.tables import keep_retired_columns
from platform_common.events.queue import outside_the_queue
from todo_api.models.audit import MAX_USER_AGENT_LENGTH, AuditEvent
from todo_api.models.auth import (
    AuthSession,
    PasswordResetToken,
    PendingSignup,
    RefreshToken,
    RevokedAccessToken,
)
from todo_api.models.base import RETIRED_COLUMNS, metadata
from todo_api.models.events import MailMessage, OutboxEvent, WebhookDelivery, WebhookEndpoint
from todo_api.models.idempotency import IdempotencyKey
from todo_api.models.invitation import Invitation
from todo_api.models.personal_token import PersonalAccessToken
from todo_api.models.sync import SyncState, TaskTombstone
from todo_api.models.task import Task, TaskPriority
from todo_api.models.task_list import DEFAULT_LIST_NAME, TaskList
from todo_api.models.tenant import Tenant, TenantSlug
from todo_api.models.user import Person, User, UserEmail, UserRole

__all__ = [
    "DEFAULT_LIST_NAME",
    "MAX_USER_AGENT_LENGTH",
    "RETIRED_COLUMNS",
    "AuditEvent",
    "AuthSession",
    "IdempotencyKey",
    "Invitation",
    "MailMessage",
    "OutboxEvent",
    "PasswordResetToken",
    "PendingSignup",
    "Person",
    "PersonalAccessToken",
    "RefreshToken",
    "RevokedAccessToken",
    "SyncState",
    "Task",
    "TaskList",
    "TaskPriority",
    "TaskTombstone",
    "Tenant",
    "TenantSlug",
    "User",
    "UserEmail",
    "UserRole",
    "WebhookDelivery",
    "WebhookEndpoint",
    "metadata",
]


_keep_retired = keep_retired_columns(RETIRED_COLUMNS)


def include_in_autogenerate(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:  # noqa: ANN401  # Alembic's hook signature
    """Alembic's ``include_object``: what autogenerate compares with the models. Not the queue
    library's tables (created from its DDL), not columns retired but kept for the previous
    release (``RETIRED_COLUMNS``)."""
    return outside_the_queue(item, name, kind, reflected, compare_to) and _keep_retired(
        item, name, kind, reflected, compare_to
    )
