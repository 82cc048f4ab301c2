"""Database constraints whose violation the service explains with its own error."""

from __future__ import annotations

from collections.abc import Callable

from platform_common.errors import APIError, Conflict

KNOWN_CONSTRAINTS: dict[str, Callable[[], APIError]] = {
    "uq_user_email": lambda: Conflict("A user with this e-mail address already exists"),
    "uq_tenant_slug": lambda: Conflict("This tenant slug is already taken"),
}
