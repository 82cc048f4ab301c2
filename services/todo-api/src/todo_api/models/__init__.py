"""SQLModel tables. Importing this package registers every table on ``metadata``."""

from todo_api.models.base import metadata
from todo_api.models.task import Task, TaskPriority
from todo_api.models.tenant import Tenant
from todo_api.models.user import User, UserRole

__all__ = ["Task", "TaskPriority", "Tenant", "User", "UserRole", "metadata"]
