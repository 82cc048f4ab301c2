"""The audit trail as owners and admins read it (``GET /api/v1/audit-events``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field

from platform_common.pagination import PageQuery
from todo_api.schemas.common import ReadModel


class AuditEventType(StrEnum):
    """What the audit trail records: `auth.login.succeeded`; `auth.login.failed` (a refused login
    naming an account of the tenant); `auth.logout`; `auth.session.revoked` (a refresh token
    reused, or of a user changed since, ended its session); `auth.password.changed`; `auth.password.lockout` (wrong current
    passwords ended every session of the user); `auth.password.reset_requested` (a reset link
    was mailed to an active account; never for an unknown address); `auth.password.reset` (a
    reset link set the password and ended every session); `user.created`, `user.deleted`,
    `user.role.changed`, `user.activated`, `user.deactivated` (by an owner or admin, or the
    owner's sign-up); `account.deleted` (a user deleted their own membership, with all it
    owned: ids only); `webhook.created`, `webhook.deleted`; `invitation.created`, `invitation.revoked` (by an owner or
    admin), `invitation.accepted` (by the invited person, now a member);
    `tenant.deletion_requested`, `tenant.deletion_cancelled` (by the owner); `token.created`,
    `token.revoked` (a personal access token, by its owner; details: its name and scopes)."""

    LOGIN_SUCCEEDED = "auth.login.succeeded"
    LOGIN_FAILED = "auth.login.failed"
    LOGOUT = "auth.logout"
    SESSION_REVOKED = "auth.session.revoked"
    PASSWORD_CHANGED = "auth.password.changed"  # noqa: S105  # an event's name
    PASSWORD_LOCKOUT = "auth.password.lockout"  # noqa: S105  # an event's name
    PASSWORD_RESET_REQUESTED = "auth.password.reset_requested"  # noqa: S105  # an event's name
    PASSWORD_RESET = "auth.password.reset"  # noqa: S105  # an event's name
    USER_CREATED = "user.created"
    USER_DELETED = "user.deleted"
    USER_ROLE_CHANGED = "user.role.changed"
    USER_ACTIVATED = "user.activated"
    USER_DEACTIVATED = "user.deactivated"
    ACCOUNT_DELETED = "account.deleted"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_DELETED = "webhook.deleted"
    INVITATION_CREATED = "invitation.created"
    INVITATION_REVOKED = "invitation.revoked"
    INVITATION_ACCEPTED = "invitation.accepted"
    TENANT_DELETION_REQUESTED = "tenant.deletion_requested"
    TENANT_DELETION_CANCELLED = "tenant.deletion_cancelled"
    TOKEN_CREATED = "token.created"  # noqa: S105  # an event's name
    TOKEN_REVOKED = "token.revoked"  # noqa: S105  # an event's name


class AuditEventRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b7e3c4a-2f1d-4e5b-9c8a-7d6e5f4a3b2c",
                    "tenant_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                    "type": "user.role.changed",
                    "actor_id": "16fd2706-8baf-433b-82eb-8c7fada847da",
                    "subject_id": "5b6f1f8e-8f7a-4c51-9a0e-1d2c3b4a5f60",
                    "ip": "203.0.113.7",
                    "user_agent": "Mozilla/5.0",
                    "created_at": "2026-12-01T09:00:00Z",
                    "details": {"from": "member", "to": "admin"},
                }
            ]
        }
    )

    id: uuid.UUID
    tenant_id: uuid.UUID
    # A string, not the enum: a release rolled back to stays able to list the events a newer
    # one recorded with types it does not know (the rows stay; the listing must not fail).
    type: str = Field(
        description=(
            "What happened: one of the `type` filter's values ("
            + ", ".join(f"`{member.value}`" for member in AuditEventType)
            + "); an event recorded by a newer release may carry a type not listed here, and is "
            "listed as it was stored."
        ),
        examples=[AuditEventType.USER_ROLE_CHANGED.value, AuditEventType.LOGIN_FAILED.value],
    )
    actor_id: uuid.UUID | None = Field(
        description="The user who acted; null when no one was authenticated (a failed login) or the service did."
    )
    subject_id: uuid.UUID | None = Field(
        description=(
            "What the event is about: a user's id (auth.*, user.*, invitation.accepted), a webhook's "
            "(webhook.*) or an invitation's (invitation.created, invitation.revoked)."
        )
    )
    ip: str | None = Field(
        description="The client's address, as the rate limits see it (TRUSTED_PROXIES); null when it is not an IP address."
    )
    user_agent: str | None = Field(description="The request's User-Agent, at most 512 characters.")
    created_at: datetime
    details: dict[str, Any] = Field(description="A few facts of the event (never a secret); keys by type.")


class AuditEventQuery(PageQuery):
    """``GET /audit-events?type=&actor=``: newest first."""

    type: AuditEventType | None = Field(default=None, description="Only events of this type.")
    actor: uuid.UUID | None = Field(default=None, description="Only events of this acting user (a user id).")
