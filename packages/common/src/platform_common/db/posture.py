"""Whether row-level security can actually protect tenants, asked of the database itself.

RLS never applies to superusers or BYPASSRLS roles, and applies to a table's owner only
when forced; so the connected (runtime) role must be none of those and must own no table.
Every tenant-owned table (derived from the models, ``platform_common.db.tables``) must have
RLS enabled and forced, and the isolation policy of ``platform_common.db.rls`` on its tenant
column; no other permissive policy may admit the role, since permissive policies add up.
A table declared append-only (an audit trail) must not let the role update or delete its
rows.

``posture_problems`` is the start-up check of every service; ``coverage_problems`` adds what
only the models can say (a table that declares no tenancy), for the RLS-coverage test.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import asyncpg
from sqlalchemy import MetaData

from platform_common.db.rls import CURRENT_TENANT_FUNCTION, ISOLATION_POLICY
from platform_common.db.tables import append_only_tables, tenant_tables, undeclared_tables

_ROLE = "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
_TABLES = """
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
           pg_get_userbyid(c.relowner) = current_user AS owned
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
"""
# Each policy of the schema, and whether it binds the connected role (PUBLIC or by name).
_POLICIES = """
    SELECT tablename, policyname, permissive = 'PERMISSIVE' AS permissive, cmd, qual, with_check,
           roles && ARRAY['public', current_user]::name[] AS binds_role
    FROM pg_policies WHERE schemaname = current_schema()
"""
# Of the named tables, those the connected role may change or empty.
_REWRITABLE = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])
      AND (has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE')
           OR has_table_privilege(c.oid, 'TRUNCATE'))
    ORDER BY c.relname
"""


async def posture_problems(
    connection: asyncpg.Connection, tenant_tables: Mapping[str, str], append_only: Collection[str] = ()
) -> list[str]:
    """What would let the connected role read across tenants (or rewrite a record); empty when
    RLS holds. ``tenant_tables``: ``{table: tenant key column}`` of every tenant-owned table;
    ``append_only``: the tables whose rows the role may only add and read."""
    problems: list[str] = []
    superuser, bypass = await connection.fetchrow(_ROLE)
    if superuser:
        problems.append("the database role is a superuser")
    if bypass:
        problems.append("the database role has BYPASSRLS")
    seen = set()
    for name, enabled, forced, owned in await connection.fetch(_TABLES):
        if owned:
            problems.append(f"the database role owns table {name}")
        if name in tenant_tables:
            seen.add(name)
            if not (enabled and forced):
                problems.append(f"table {name} lacks forced row-level security")
    problems += [f"table {name} is missing" for name in sorted(tenant_tables) if name not in seen]
    problems += _policy_problems(await connection.fetch(_POLICIES), tenant_tables)
    problems += [
        f"the database role may update or delete rows of append-only table {name}"
        for (name,) in await connection.fetch(_REWRITABLE, list(append_only))
    ]
    return problems


def _policy_problems(policies: list[asyncpg.Record], tenant_tables: Mapping[str, str]) -> list[str]:
    problems: list[str] = []
    isolated = set()
    for table, policy, permissive, command, using, check, binds_role in policies:
        if table not in tenant_tables:
            continue
        condition = f"({tenant_tables[table]} = {CURRENT_TENANT_FUNCTION}())"
        if policy == ISOLATION_POLICY and permissive and command == "ALL" and using == check == condition:
            isolated.add(table)
        elif permissive and binds_role:
            problems.append(f"policy {policy} on table {table} admits the database role")
    problems += [
        f"table {name} lacks the {ISOLATION_POLICY} policy on {key}"
        for name, key in sorted(tenant_tables.items())
        if name not in isolated
    ]
    return problems


async def coverage_problems(connection: asyncpg.Connection, metadata: MetaData) -> list[str]:
    """``posture_problems`` for every tenant table of ``metadata``, plus its tables that
    declare no tenancy: a new table is covered, or this says so."""
    undeclared = [
        f"table {name} declares neither tenant_owned() nor global_table()"
        for name in undeclared_tables(metadata)
    ]
    return undeclared + await posture_problems(
        connection, tenant_tables(metadata), append_only_tables(metadata)
    )
