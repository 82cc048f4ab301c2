"""Start-up check that row-level security can actually protect tenants.

RLS never applies to superusers or BYPASSRLS roles, and applies to a table's owner
only when forced; so the runtime role must be none of those, and every tenant table
must have RLS enabled and forced.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

_ROLE = text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
_TABLES = text(
    """
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
           pg_get_userbyid(c.relowner) = current_user AS owned
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname IN :tables
    """
).bindparams(bindparam("tables", expanding=True))


async def posture_problems(engine: AsyncEngine, tenant_tables: Sequence[str]) -> list[str]:
    problems: list[str] = []
    async with engine.connect() as conn:
        superuser, bypass = (await conn.execute(_ROLE)).one()
        if superuser:
            problems.append("the database role is a superuser")
        if bypass:
            problems.append("the database role has BYPASSRLS")
        seen = set()
        for name, enabled, forced, owned in await conn.execute(_TABLES, {"tables": list(tenant_tables)}):
            seen.add(name)
            if owned:
                problems.append(f"the database role owns table {name}")
            if not (enabled and forced):
                problems.append(f"table {name} lacks forced row-level security")
        problems += [f"table {name} is missing" for name in tenant_tables if name not in seen]
    return problems
