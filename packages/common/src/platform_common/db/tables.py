"""Every table says whether it belongs to a tenant; the rest is derived from that.

A tenant-owned table carries ``info={"tenancy": "tenant", "tenant_key": <column>}`` (its
rows belong to the tenant named by that column, ``tenant_id`` almost always); a global
table carries ``info={"tenancy": "global", "reason": ...}`` and says why it may hold rows
of every tenant (a job queue, a person-level identity, a lookup by a secret's hash).
Declare them in ``__table_args__``::

    class Task(..., table=True):
        __table_args__ = (Index(...), tenant_owned())

A tenant table whose rows are a record (an audit trail) says so with
``tenant_owned(append_only=True)``: the runtime role may add and read its rows, never change
or delete them (``rls.grant_runtime_access`` withholds UPDATE and DELETE, and the start-up
posture check reports a role that has them); only its retention purge removes rows.

From that, the code derives which tables row-level security must cover (the start-up
posture check, the RLS-coverage test) and which column each repository scopes by: nothing
is a hand-kept list that a new table could be missing from. A table that declares
neither is an error the coverage test reports.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from sqlalchemy import Column, MetaData, Table
from sqlalchemy.schema import SchemaItem

TENANT = "tenant"
GLOBAL = "global"


def tenant_owned(key: str = "tenant_id", *, append_only: bool = False) -> dict[str, Any]:
    """``__table_args__`` entry of a table whose rows belong to the tenant in ``key``; with
    ``append_only``, rows the runtime role may insert and read but never update or delete."""
    info: dict[str, Any] = {"tenancy": TENANT, "tenant_key": key}
    if append_only:
        info["append_only"] = True
    return {"info": info}


def global_table(reason: str) -> dict[str, Any]:
    """``__table_args__`` entry of a table that is not scoped by tenant, and why."""
    if not reason.strip():
        raise ValueError("say why a table may hold every tenant's rows")
    return {"info": {"tenancy": GLOBAL, "reason": reason}}


def table_of(model: type[Any]) -> Table:
    """The ``Table`` of a SQLModel table class (``__table__``, which type checkers cannot see)."""
    table: Table = model.__table__
    return table


def tenant_key(table: Table) -> str:
    """The column that names a tenant-owned table's tenant."""
    info: Mapping[str, Any] = table.info
    if info.get("tenancy") != TENANT:
        raise ValueError(f"table {table.name} is not declared tenant-owned")
    key: str = info["tenant_key"]
    return key


def tenant_tables(metadata: MetaData) -> dict[str, str]:
    """``{table name: tenant key column}`` of every tenant-owned table."""
    return {
        name: table.info["tenant_key"]
        for name, table in sorted(metadata.tables.items())
        if table.info.get("tenancy") == TENANT
    }


def append_only_tables(metadata: MetaData) -> list[str]:
    """Names of the tables declared ``tenant_owned(append_only=True)``."""
    return sorted(name for name, table in metadata.tables.items() if table.info.get("append_only"))


def global_tables(metadata: MetaData) -> dict[str, str]:
    """``{table name: reason}`` of every table declared global."""
    return {
        name: table.info["reason"]
        for name, table in sorted(metadata.tables.items())
        if table.info.get("tenancy") == GLOBAL
    }


def undeclared_tables(metadata: MetaData) -> list[str]:
    """Tables that declare neither ``tenant_owned()`` nor ``global_table()``."""
    return sorted(
        name for name, table in metadata.tables.items() if table.info.get("tenancy") not in {TENANT, GLOBAL}
    )


IncludeObject = Callable[[SchemaItem, str | None, str, bool, SchemaItem | None], bool]


def keep_retired_columns(retired: Mapping[str, Collection[str]]) -> IncludeObject:
    """Alembic's ``include_object`` hook for expand/contract: columns a release stopped
    using (``{table: columns}``) stay in the schema, unmapped, while the previous release
    may still write them; autogenerate neither drops them nor reports them until the next
    release's migration does."""

    def include(
        item: SchemaItem, name: str | None, kind: str, reflected: bool, compare_to: SchemaItem | None
    ) -> bool:
        if kind == "column" and reflected and compare_to is None and isinstance(item, Column):
            return name not in retired.get(item.table.name, ())
        return True

    return include
