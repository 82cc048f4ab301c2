"""Start-up check that row-level security can actually protect tenants.

RLS never applies to superusers or BYPASSRLS roles, and applies to a table's owner only
when forced; so the runtime role must be none of those, must own no table, and every
tenant-owned table (derived from the models, ``platform_common.db.tables``) must have RLS
enabled and forced.
"""

from __future__ import annotations

from collections.abc import Collection

import asyncpg

_ROLE = "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
_TABLES = """
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
           pg_get_userbyid(c.relowner) = current_user AS owned
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
"""


async def posture_problems(connection: asyncpg.Connection, tenant_tables: Collection[str]) -> list[str]:
    """What would let the connected role read across tenants; empty when RLS holds."""
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
    return problems
