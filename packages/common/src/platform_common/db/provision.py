"""Create the database and its two roles on a server where we hold a superuser login.

Used by the development server, the benchmark and the test suite; in production an operator
(or a managed-database console) does the same once. Two roles, because PostgreSQL's
row-level security never applies to a table's owner unless forced and never to a
superuser: migrations run as the *owner*, the application as a *runtime* role that
owns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import URL, make_url


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
) -> ProvisionedDatabase:
    """Idempotently create both roles and ``database`` owned by ``owner_role``.

    ``recreate`` drops the database first (tests use it for a clean slate).
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
