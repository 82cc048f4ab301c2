from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from todo_api.models import Tenant


class TenantRepository:
    """The caller's own tenant row (its key is ``id``, not ``tenant_id``)."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def get(self, *, for_update: bool = False) -> Tenant | None:
        statement = select(Tenant).where(col(Tenant.id) == self.tenant_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.exec(statement)).first()

    async def rename(self, tenant: Tenant, name: str) -> Tenant:
        tenant.name = name
        self.session.add(tenant)
        await self.session.flush()
        return tenant

    async def create(self, *, slug: str, name: str) -> Tenant:
        tenant = Tenant(id=self.tenant_id, slug=slug, name=name)
        self.session.add(tenant)
        await self.session.flush()
        return tenant


async def new_tenant_id(session: AsyncSession) -> uuid.UUID:
    """A server-generated id, known before the row exists so its tenant context can be set."""
    tenant_id: uuid.UUID = (await session.exec(select(func.gen_random_uuid()))).one()
    return tenant_id
