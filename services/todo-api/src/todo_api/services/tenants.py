"""The caller's own tenant: everyone reads it, owners and admins rename it, its owner deletes it.

Deletion (``TenantDeletion``): the owner types the slug again and gives their password; the
tenant is disabled at once (every credential of every member ends, every authenticated
request into it is 404 ``tenant_not_found``, logins into it are refused as a wrong password
is), and the scheduled purge deletes it with all its data once ``TENANT_DELETION_GRACE_DAYS``
have passed (``purge_deleted_tenants``). Until then its owner may log in to it (naming it),
which admits only GET and DELETE of ``/tenants/current/deletion``, and cancel.
"""

from __future__ import annotations

from datetime import timedelta

from platform_common.db.database import Record
from platform_common.errors import Conflict, Forbidden, NotFound
from todo_api.core.runtime import Credentials
from todo_api.models import UserRole
from todo_api.repositories.tenants import TenantRowRepository
from todo_api.schemas.audit import AuditEventType
from todo_api.services.audit import AuditTrail, Origin
from todo_api.services.auth import AuthService, Caller, revoke_tenant_credentials
from todo_api.services.errors import DeletionNotConfirmed, TenantNotFound
from todo_api.services.users import require_admin


class TenantService:
    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self.tenants = TenantRowRepository(caller.transaction)

    async def current(self) -> Record:
        tenant = await self.tenants.get()
        if tenant is None:  # deleted under a live token; RLS hides nothing else
            raise NotFound("Tenant not found")
        return tenant

    async def rename(self, name: str) -> Record:
        require_admin(self.caller)
        tenant = await self.tenants.rename(name)
        if tenant is None:
            raise NotFound("Tenant not found")
        return tenant


class TenantDeletion:
    """The owner's request to delete the tenant, its state, and its cancellation."""

    def __init__(self, caller: Caller, credentials: Credentials, origin: Origin, grace: timedelta) -> None:
        self.caller = caller
        self.tenants = TenantRowRepository(caller.transaction)
        self.auth = AuthService(caller.transaction, credentials, origin)
        self.audit = AuditTrail(caller.transaction, origin)
        self.grace = grace

    def _require_owner(self) -> None:
        if self.caller.role != UserRole.OWNER:
            raise Forbidden("Only an owner may delete the tenant")

    async def request(self, confirm: str, password: str) -> Record:
        """Disable the tenant and schedule its purge: its row, with ``purge_after``."""
        self._require_owner()
        tenant = await self.tenants.get(for_update=True)
        if tenant is None:  # pragma: no cover - purged under a live token
            raise TenantNotFound
        if confirm != tenant["slug"]:
            raise DeletionNotConfirmed
        await self.auth.check_password(self.caller, password, pointer="/password")
        requested = await self.tenants.request_deletion(self.grace)
        if requested is None:  # pragma: no cover - the caller check refuses a disabled tenant
            raise Conflict("A deletion of this tenant is already pending")
        await revoke_tenant_credentials(self.caller.transaction)
        await self.audit.record(
            AuditEventType.TENANT_DELETION_REQUESTED,
            actor_id=self.caller.id,
            subject_id=self.caller.tenant_id,
            details={"purge_after": requested["purge_after"].isoformat()},
        )
        return requested

    async def pending(self) -> Record:
        """The pending deletion (404 when there is none)."""
        self._require_owner()
        tenant = await self.tenants.get()
        if tenant is None or tenant["deletion_requested_at"] is None:
            raise NotFound("No deletion of this tenant is pending")
        return tenant

    async def cancel(self) -> Record:
        """Enable the tenant again (its members log in anew: their sessions stay ended)."""
        self._require_owner()
        tenant = await self.tenants.cancel_deletion()
        if tenant is None:
            await self.pending()  # 404 when none is pending
            raise Conflict("The tenant's purge is due: its deletion can no longer be cancelled")
        await self.audit.record(
            AuditEventType.TENANT_DELETION_CANCELLED,
            actor_id=self.caller.id,
            subject_id=self.caller.tenant_id,
        )
        return tenant
