"""The generic CRUD repository: create/get/list/update/delete for any tenant-owned table.

Tenant scoping happens in exactly one place, ``TenantScopedRepository.select``; every
query a repository runs starts there. Repositories add and flush but never commit: the
caller's unit of work owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, func, update
from sqlalchemy.sql import Select
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

ModelT = TypeVar("ModelT", bound=SQLModel)


class TenantScopedRepository(Generic[ModelT]):
    """Data access for one table whose rows carry a ``tenant_id`` column."""

    model: ClassVar[type[Any]]

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def select(self, *columns: Any) -> Select[Any]:
        """The chokepoint: every read starts from this tenant-filtered statement.

        Extra ``columns`` are selected after the model (rows become tuples).
        """
        statement: Select[Any] = select(self.model, *columns).where(
            col(self.model.tenant_id) == self.tenant_id
        )
        return statement

    async def update_where(self, *conditions: ColumnElement[bool], values: Mapping[str, Any]) -> None:
        """Bulk ``UPDATE`` of this tenant's rows matching ``conditions`` (scoped like ``select``)."""
        statement = (
            update(self.model)
            .where(col(self.model.tenant_id) == self.tenant_id, *conditions)
            .values(**values)
        )
        await self.session.exec(statement)

    async def get(self, id_: uuid.UUID, *, for_update: bool = False) -> ModelT | None:
        statement = self.select().where(col(self.model.id) == id_)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.exec(statement)).first()  # type: ignore[call-overload, no-any-return]

    async def list(
        self,
        *,
        where: Iterable[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
        limit: int,
        offset: int = 0,
    ) -> tuple[Sequence[ModelT], int]:
        """One page of matching rows, and how many rows match in all."""
        filtered = self.select().where(*where)
        total_query = filtered.with_only_columns(func.count()).order_by(None)
        total = (await self.session.exec(total_query)).one()  # type: ignore[call-overload]
        if total == 0:
            return [], 0
        page = filtered.order_by(*order_by).limit(limit).offset(offset)
        rows = (await self.session.exec(page)).all()  # type: ignore[call-overload]
        return rows, int(total)

    async def create(self, values: Mapping[str, Any]) -> ModelT:
        """Insert a row in this repository's tenant; ``tenant_id`` cannot be overridden."""
        row: ModelT = self.model(**{**values, "tenant_id": self.tenant_id})
        self.session.add(row)
        await self.session.flush()
        return row

    async def update(self, row: ModelT, changes: Mapping[str, Any]) -> ModelT:
        for name, value in changes.items():
            setattr(row, name, value)
        self.session.add(row)
        await self.session.flush()
        return row

    async def delete(self, row: ModelT) -> None:
        await self.session.delete(row)
        await self.session.flush()
