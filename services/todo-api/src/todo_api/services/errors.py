"""The service's own errors: rules of its own (the task quota), and database constraints whose
violation it explains with its own error."""

from __future__ import annotations

from collections.abc import Callable

from platform_common.errors import APIError, BadRequest, Conflict, ErrorSource, NotFound, UnprocessableEntity


class TaskQuotaExceeded(Conflict):
    """The user owns ``TASK_QUOTA_PER_USER`` tasks (trashed ones count): a bound on what one
    account can make the database hold. Deleting tasks makes room."""

    code = "task_quota_exceeded"
    title = "Task quota exceeded"


class UnmailableAddress(BadRequest):
    """An address the outbox cannot send to (today: a local part that is not ASCII, which
    needs SMTPUTF8): its owner could never get the link. Decided by the address's shape
    alone, so it tells nothing about accounts."""

    code = "unmailable_address"

    def __init__(self) -> None:
        super().__init__(
            "We cannot send e-mail to this address yet (its part before @ must be ASCII)",
            source=ErrorSource(pointer="/email"),
        )


class TenantNotFound(NotFound):
    """Every authenticated request into a tenant its owner asked to delete (disabled, pending
    its purge), whatever the credential: the tenant is gone for its members at once, as it
    will be for good after the purge. Only its owner's GET and DELETE of
    ``/tenants/current/deletion`` still answer."""

    code = "tenant_not_found"
    title = "Tenant not found"

    def __init__(self) -> None:
        super().__init__("This tenant does not exist or is being deleted")


class DeletionNotConfirmed(UnprocessableEntity):
    """A deletion request whose ``confirm`` is not the tenant's slug: the owner must type the
    slug, so a stray request (or a script aimed at the wrong tenant) deletes nothing."""

    code = "deletion_not_confirmed"
    title = "Deletion not confirmed"

    def __init__(self) -> None:
        super().__init__(
            "Type the tenant's slug in `confirm` to delete it", source=ErrorSource(pointer="/confirm")
        )


KNOWN_CONSTRAINTS: dict[str, Callable[[], APIError]] = {
    "uq_user_email": lambda: Conflict("A user with this e-mail address already exists"),
    "uq_tenant_slug": lambda: Conflict("This tenant slug is already taken"),
    "uq_user_person_id_tenant_id": lambda: Conflict("This person is already a member of the tenant"),
}
