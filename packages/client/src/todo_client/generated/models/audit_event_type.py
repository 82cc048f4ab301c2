from typing import Literal

AuditEventType = Literal[
    "account.deleted",
    "auth.login.failed",
    "auth.login.succeeded",
    "auth.logout",
    "auth.password.changed",
    "auth.password.lockout",
    "auth.password.reset",
    "auth.password.reset_requested",
    "auth.session.revoked",
    "invitation.accepted",
    "invitation.created",
    "invitation.revoked",
    "tenant.deletion_cancelled",
    "tenant.deletion_requested",
    "token.created",
    "token.revoked",
    "user.activated",
    "user.created",
    "user.deactivated",
    "user.deleted",
    "user.role.changed",
    "webhook.created",
    "webhook.deleted",
]

AUDIT_EVENT_TYPE_VALUES: set[AuditEventType] = {
    "account.deleted",
    "auth.login.failed",
    "auth.login.succeeded",
    "auth.logout",
    "auth.password.changed",
    "auth.password.lockout",
    "auth.password.reset",
    "auth.password.reset_requested",
    "auth.session.revoked",
    "invitation.accepted",
    "invitation.created",
    "invitation.revoked",
    "tenant.deletion_cancelled",
    "tenant.deletion_requested",
    "token.created",
    "token.revoked",
    "user.activated",
    "user.created",
    "user.deactivated",
    "user.deleted",
    "user.role.changed",
    "webhook.created",
    "webhook.deleted",
}


def check_audit_event_type(value: str) -> AuditEventType:
    if value in AUDIT_EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {AUDIT_EVENT_TYPE_VALUES!r}")
