"""The caller's own tenant: everyone reads it, owners and admins rename it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from platform_common.errors import NotFound
from todo_api.models import Tenant, User
from todo_api.repositories.tenants import TenantRepository
from todo_api.services.users import require_admin


class TenantService:
    def __init__(self, session: AsyncSession, actor: User) -> None:
        self.actor = actor
        self.tenants = TenantRepository(session, actor.tenant_id)

    async def current(self) -> Tenant:
        tenant = await self.tenants.get()
        if tenant is None:  # deleted under a live token; RLS hides nothing else
            raise NotFound("Tenant not found")
        return tenant

    async def rename(self, name: str) -> Tenant:
        require_admin(self.actor)
        return await self.tenants.rename(await self.current(), name)
