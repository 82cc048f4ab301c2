"""Where every tenant-scoped query starts: ``TenantRepository``.

A repository is bound to one ``Transaction``, whose tenant (entered once, also set for
row-level security) is the only tenant its statements can name. Statements start from the
chokepoints of ``TenantScope``, ``Cls.scope.select()`` / ``update()`` / ``delete()`` /
``insert()`` / ``insert_from_select()``, which filter (or stamp) the table's tenant column
with the bound parameter ``tenant_id``;
the ``fetch*``/``execute`` helpers fill that parameter from the transaction and refuse a
statement that lacks it. So a query that forgot the tenant cannot run through a
repository, and a query cannot be pointed at another tenant by a caller's value: the
application's filter and RLS are two independent walls built from the same tenant.

Statements are built once per shape and cached (``cached_statement``); values are bound
per call. Repositories never commit: the unit of work (``Database.transaction``) does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, ClassVar, ParamSpec, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    FromClause,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record, Transaction
from platform_common.db.statements import Statement, compile_statement
from platform_common.db.tables import tenant_key

TENANT_PARAMETER = "tenant_id"

P = ParamSpec("P")


def cached_statement(build: Callable[P, ClauseElement]) -> Callable[P, Statement]:
    """Decorate a builder of one statement shape; each distinct argument tuple compiles once.
    Arguments describe the shape (which filters, which sort keys), never request values."""

    @cache
    def compiled(*args: P.args, **kwargs: P.kwargs) -> Statement:
        return compile_statement(build(*args, **kwargs))

    return cast(Callable[P, Statement], compiled)


class TenantScope:
    """The chokepoints for one tenant-owned table (built without a transaction, so
    statements can be composed and cached at import time)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.key = table.c[tenant_key(table)]

    def condition(self) -> ColumnElement[bool]:
        return self.key == bindparam(TENANT_PARAMETER, type_=self.key.type)

    def select(self, *columns: Any) -> Select[Any]:
        """``SELECT <columns or the whole row> FROM table WHERE <tenant> = :tenant_id``."""
        return select(*(columns or (self.table,))).where(self.condition())

    def update(self) -> Update:
        return update(self.table).where(self.condition())

    def delete(self) -> Delete:
        return delete(self.table).where(self.condition())

    def bound(self, *columns: str) -> dict[str, Any]:
        """``{column: bindparam(column)}``, typed like the columns: the values of an insert
        or update whose shape is the set of columns it writes."""
        return {name: bindparam(name, type_=self.table.c[name].type) for name in columns}

    def insert(self, **values: Any) -> Insert:
        """An insert whose tenant column is always the transaction's tenant (PostgreSQL's
        ``INSERT``, so ``on_conflict_do_*`` is available)."""
        return insert(self.table).values({self.key.name: self._tenant(), **values})

    def insert_from_select(self, values: Mapping[str, Any], source: FromClause) -> Insert:
        """``INSERT INTO table (<tenant>, <columns>) SELECT :tenant_id, <values> FROM
        source``: one row per row of ``source`` (none when it has none), whose columns the
        values may use (a number a CTE drew, say)."""
        names = [self.key.name, *values]
        return insert(self.table).from_select(
            names, select(self._tenant(), *values.values()).select_from(source), include_defaults=False
        )

    def _tenant(self) -> BindParameter[Any]:
        return bindparam(TENANT_PARAMETER, type_=self.key.type)


class TenantRepository:
    """Base of every repository of a tenant-owned table. Subclasses set ``table``."""

    table: ClassVar[Table]
    scope: ClassVar[TenantScope]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "table" in cls.__dict__:
            cls.scope = TenantScope(cls.table)

    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.transaction.tenant_id

    def _values(self, statement: Statement, values: Mapping[str, Any]) -> dict[str, Any]:
        if TENANT_PARAMETER not in statement.names:
            raise RuntimeError("a repository statement must start from its tenant scope")
        return {**values, TENANT_PARAMETER: self.transaction.tenant_id}

    async def fetch(self, statement: Statement, **values: Any) -> list[Record]:
        return await self.transaction.fetch(statement, self._values(statement, values))

    async def fetchrow(self, statement: Statement, **values: Any) -> Record | None:
        return await self.transaction.fetchrow(statement, self._values(statement, values))

    async def fetchval(self, statement: Statement, **values: Any) -> Any:  # noqa: ANN401  # a column of any type
        return await self.transaction.fetchval(statement, self._values(statement, values))

    async def execute(self, statement: Statement, **values: Any) -> str:
        return await self.transaction.execute(statement, self._values(statement, values))

    async def executemany(self, statement: Statement, rows: Sequence[Mapping[str, Any]]) -> None:
        await self.transaction.executemany(statement, [self._values(statement, row) for row in rows])


OWNER_PARAMETER = "owner_id"


class OwnedRepository(TenantRepository):
    """A repository of rows private to one user of the tenant (a user's webhooks): besides
    the tenant, every statement is narrowed to the owner, the bound parameter ``owner_id``,
    filled from the repository and refused when missing, like the tenant."""

    def __init__(self, transaction: Transaction, owner_id: uuid.UUID) -> None:
        super().__init__(transaction)
        self.owner_id = owner_id

    def _values(self, statement: Statement, values: Mapping[str, Any]) -> dict[str, Any]:
        if OWNER_PARAMETER not in statement.names:
            raise RuntimeError("a statement of an owned table must be narrowed to its owner")
        return super()._values(statement, {**values, OWNER_PARAMETER: self.owner_id})


def owner_condition(table: Table) -> ColumnElement[bool]:
    """``<table>.owner_id = :owner_id``."""
    column = table.c[OWNER_PARAMETER]
    return column == bindparam(OWNER_PARAMETER, type_=column.type)


def affected_rows(status: str) -> int:
    """The row count of a command tag such as ``UPDATE 3`` or ``DELETE 0``."""
    return int(status.rsplit(" ", 1)[-1])
