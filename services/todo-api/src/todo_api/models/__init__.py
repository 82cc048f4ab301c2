"""SQLModel tables. Importing this package registers every table on ``metadata``."""

from todo_api.models.auth import AuthSession, RefreshToken, RevokedAccessToken
from todo_api.models.base import metadata
from todo_api.models.events import OutboxEvent, WebhookDelivery, WebhookEndpoint
from todo_api.models.idempotency import IdempotencyKey
from todo_api.models.task import Task, TaskPriority
from todo_api.models.tenant import Tenant
from todo_api.models.user import User, UserRole

__all__ = [
    "AuthSession",
    "IdempotencyKey",
    "OutboxEvent",
    "RefreshToken",
    "RevokedAccessToken",
    "Task",
    "TaskPriority",
    "Tenant",
    "User",
    "UserRole",
    "WebhookDelivery",
    "WebhookEndpoint",
    "metadata",
]
