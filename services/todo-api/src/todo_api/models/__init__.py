"""SQLModel tables. Importing this package registers every table on ``metadata``."""

from todo_api.models.auth import RefreshToken, RevokedAccessToken
from todo_api.models.base import metadata
from todo_api.models.idempotency import IdempotencyKey
from todo_api.models.task import Task, TaskPriority
from todo_api.models.tenant import Tenant
from todo_api.models.user import User, UserRole

__all__ = [
    "IdempotencyKey",
    "RefreshToken",
    "RevokedAccessToken",
    "Task",
    "TaskPriority",
    "Tenant",
    "User",
    "UserRole",
    "metadata",
]

# Tables whose rows belong to one tenant: row-level security covers each of them.
TENANT_TABLES = ("tenant", "user", "task", "refresh_token", "revoked_access_token", "idempotency_key")
