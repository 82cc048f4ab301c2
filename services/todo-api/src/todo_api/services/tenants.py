"""The caller's own tenant: everyone reads it, owners and admins rename it."""

from __future__ import annotations

from platform_common.db.database import Record
from platform_common.errors import NotFound
from todo_api.repositories.tenants import TenantRowRepository
from todo_api.services.auth import Caller
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
