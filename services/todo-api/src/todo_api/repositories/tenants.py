"""The caller's own tenant row (scoped by its key ``id``, as the tenant's table declares)."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import Tenant

_TENANT = table_of(Tenant)


class TenantRowRepository(TenantRepository):
    table = _TENANT

    async def get(self, *, for_update: bool = False) -> Record | None:
        return await self.fetchrow(_get(for_update))

    async def create(self, *, slug: str, name: str) -> Record:
        row = await self.fetchrow(_create(), slug=slug, name=name)
        assert row is not None  # noqa: S101  # INSERT ... RETURNING returns the row
        return row

    async def rename(self, name: str) -> Record | None:
        return await self.fetchrow(_rename(), name=name)


@cached_statement
def _get(for_update: bool) -> ClauseElement:
    statement = TenantRowRepository.scope.select()
    return statement.with_for_update() if for_update else statement


@cached_statement
def _create() -> ClauseElement:
    return TenantRowRepository.scope.insert(
        slug=bindparam("slug", type_=_TENANT.c.slug.type), name=bindparam("name", type_=_TENANT.c.name.type)
    ).returning(_TENANT)


@cached_statement
def _rename() -> ClauseElement:
    return (
        TenantRowRepository.scope.update()
        .values(name=bindparam("name", type_=_TENANT.c.name.type))
        .returning(_TENANT)
    )
