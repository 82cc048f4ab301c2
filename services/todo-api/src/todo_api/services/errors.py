"""The service's own errors: rules of its own (the task quota), and database constraints whose
violation it explains with its own error."""

from __future__ import annotations

from collections.abc import Callable

from platform_common.errors import APIError, Conflict


class TaskQuotaExceeded(Conflict):
    """The user owns ``TASK_QUOTA_PER_USER`` tasks (trashed ones count): a bound on what one
    account can make the database hold. Deleting tasks makes room."""

    code = "task_quota_exceeded"
    title = "Task quota exceeded"


KNOWN_CONSTRAINTS: dict[str, Callable[[], APIError]] = {
    "uq_user_email": lambda: Conflict("A user with this e-mail address already exists"),
    "uq_tenant_slug": lambda: Conflict("This tenant slug is already taken"),
    "uq_user_person_id_tenant_id": lambda: Conflict("This person is already a member of the tenant"),
}
