"""A person's deletion of their own membership (``POST /users/me/deletion``): the right to
erasure, in the token's tenant.

The caller confirms with their password (checked as a password change checks the current
one: a wrong one is a 403 counted toward the same lockout). The tenant's last active owner
is refused (409) until they hand ownership on or delete the tenant: a tenant is never left
without an owner. Then, in the one unit of work, ``account_forget_member`` (migration
``e2b9c7d4a1f8``) deletes the membership and, through the foreign keys' cascades, everything
it owns (lists, tasks, webhooks and their deliveries, outbox events, sessions, refresh
tokens, reset links, idempotency records, the change log), strips the audit trail of the
member's request addresses and user agents and of any address or name in events about them,
deletes the mail and the invitations of their address in the tenant, and deletes the person
(address and password hash) when no membership is left. The rows go with the membership: no
event is emitted for them (no ``task.deleted`` per task).

The trail keeps one ``account.deleted`` event, ids only (no address, no user agent): the
tenant's record that the membership existed and ended.
"""

from __future__ import annotations

from todo_api.models import UserRole
from todo_api.repositories.people import PersonRepository
from todo_api.repositories.tenants import TenantRowRepository
from todo_api.repositories.users import UserRepository
from todo_api.schemas.audit import AuditEventType
from todo_api.services.audit import UNKNOWN_ORIGIN, AuditTrail
from todo_api.services.auth import AuthService, Caller
from todo_api.services.errors import LastOwner


class AccountDeletionService:
    def __init__(self, caller: Caller, auth: AuthService) -> None:
        self.caller = caller
        self.auth = auth
        self.transaction = caller.transaction

    async def delete(self, password: str) -> None:
        caller = self.caller
        await self.auth.check_password(caller, password, pointer="/password")
        users = UserRepository(self.transaction)
        # Serialise with role changes and other deletions: two owners leaving at once must
        # not both see the other as the one who stays.
        await TenantRowRepository(self.transaction).get(for_update=True)
        me = await users.get(caller.id, for_update=True)
        owner = me is not None and me["role"] == UserRole.OWNER and me["is_active"]
        if owner and await users.count_active_owners() <= 1:
            raise LastOwner(
                "You are the tenant's only owner: make another member owner, or delete the tenant"
            )
        person_deleted = await PersonRepository(self.transaction).forget_member(caller.id)
        await AuditTrail(self.transaction, UNKNOWN_ORIGIN).record(
            AuditEventType.ACCOUNT_DELETED,
            actor_id=caller.id,
            subject_id=caller.id,
            details={"role": caller.user["role"], "person_deleted": person_deleted},
        )
