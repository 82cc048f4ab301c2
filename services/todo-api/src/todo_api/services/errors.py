"""Mapping of database constraint violations to API errors."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from platform_common.errors import Conflict

_CONFLICTS = {
    "uq_user_email": "A user with this e-mail address already exists",
    "uq_tenant_slug": "This tenant slug is already taken",
}


def conflict_from(exc: IntegrityError) -> Conflict | None:
    """A 409 for a known unique constraint, or None to let the error propagate."""
    constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
    message = _CONFLICTS.get(constraint or "")
    return Conflict(message) if message else None
