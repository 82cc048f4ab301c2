"""todo-api's database and role names, for the tools that provision a server (the dev server,
the benchmark, the fuzzer, the tests). In production an operator creates them once."""

from __future__ import annotations

from platform_common.db.provision import TEXT_SEARCH_MATCH, ProvisionedDatabase, provision_database

DATABASE_NAME = "todo"
OWNER_ROLE = "todo_owner"
APP_ROLE = "todo_app"


async def provision(
    admin_url: str, *, database: str = DATABASE_NAME, recreate: bool = False
) -> ProvisionedDatabase:
    """Both roles, and ``database`` owned by the owner role (see ``provision_database``), with
    text search's match leakproof, so a search of tasks under row-level security can use
    the GIN index of ``task.search_vector``."""
    return await provision_database(
        admin_url,
        database=database,
        owner_role=OWNER_ROLE,
        app_role=APP_ROLE,
        recreate=recreate,
        leakproof=(TEXT_SEARCH_MATCH,),
    )
