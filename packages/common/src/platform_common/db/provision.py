"""Create the database and its two roles on a server where we hold a superuser login.

Used by the development server, the benchmark and the test suite; in production an operator
(or a managed-database console) does the same once. Two roles, because PostgreSQL's
row-level security never applies to a table's owner unless forced and never to a
superuser: migrations run as the *owner*, the application as a *runtime* role that
owns nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import URL, make_url

# Text search's match operator (``tsvector @@ tsquery``). PostgreSQL evaluates a query's own
# conditions after the row-level security check unless their functions are LEAKPROOF (so a
# function could not reveal rows the policy hides, e.g. in an error message), and an index
# scan evaluates its condition first: without the mark, a GIN index on a tsvector is never
# used for a table under row-level security, and every search reads all the caller's rows.
# The match is a pure function of a stored tsvector and a tsquery the service builds; it
# raises no error that depends on a row, so the mark is safe. Only a superuser may set it,
# once per database: this step, or an operator's (README, Security model).
TEXT_SEARCH_MATCH = "pg_catalog.ts_match_vq(tsvector, tsquery)"


@dataclass(frozen=True)
class ProvisionedDatabase:
    owner_url: str
    app_url: str
    app_role: str


def _plain(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def _ensure_role(conn: asyncpg.Connection, role: str) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    if not exists:
        await conn.execute(f"CREATE ROLE {_quote(role)} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE")


async def provision_database(
    admin_url: str,
    *,
    database: str,
    owner_role: str,
    app_role: str,
    recreate: bool = False,
    leakproof: Sequence[str] = (),
) -> ProvisionedDatabase:
    """Idempotently create both roles and ``database`` owned by ``owner_role``.

    ``recreate`` drops the database first (tests use it for a clean slate). ``leakproof``
    names functions (signatures) to mark LEAKPROOF in the database (see ``TEXT_SEARCH_MATCH``).
    Returns plain ``postgresql://`` URLs that log in as each role; the server must
    let them in (trust or peer authentication, as on development machines and CI).
    """
    admin = make_url(admin_url)
    conn = await asyncpg.connect(_plain(admin))
    try:
        await _ensure_role(conn, owner_role)
        await _ensure_role(conn, app_role)
        if recreate:
            await conn.execute(f"DROP DATABASE IF EXISTS {_quote(database)} WITH (FORCE)")
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await conn.execute(f"CREATE DATABASE {_quote(database)} OWNER {_quote(owner_role)}")
    finally:
        await conn.close()
    if leakproof:
        conn = await asyncpg.connect(_plain(admin.set(database=database)))
        try:
            for signature in leakproof:
                await conn.execute(f"ALTER FUNCTION {signature} LEAKPROOF")
        finally:
            await conn.close()
    return ProvisionedDatabase(
        owner_url=_plain(admin.set(username=owner_role, password=None, database=database)),
        app_url=_plain(admin.set(username=app_role, password=None, database=database)),
        app_role=app_role,
    )


async def drop_database(admin_url: str, database: str) -> None:
    conn = await asyncpg.connect(_plain(make_url(admin_url)))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote(database)} WITH (FORCE)")
    finally:
        await conn.close()
