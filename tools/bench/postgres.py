"""The benchmark's PostgreSQL: embedded (``.data/bench/postgres``) or BENCH_DATABASE_URL.

Each database is provisioned with the service's own ``provision_database`` (owner and
runtime roles), migrated with Alembic as the owner, and seeded once: a comment on the
database records what was seeded at which migration, so later runs reuse it and only
remove what earlier scenarios wrote.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from tools.bench.seed import BENCH_EMAIL, CREATED_TITLE_PREFIX, BenchUser, SeedSpec, seed
from tools.embedded_postgres import superuser_url

from platform_common.db.provision import ProvisionedDatabase
from todo_api.core.provisioning import provision

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / ".data" / "bench" / "postgres"
SEED_VERSION = "bench-seed-2"  # 2: tasks in their default list, with positions


def admin_url() -> AbstractContextManager[str]:
    """A superuser URL: BENCH_DATABASE_URL as given, or an embedded server for the block."""
    return superuser_url(DATA_DIR, override_env="BENCH_DATABASE_URL")


@dataclass(frozen=True)
class BenchDatabase:
    name: str
    urls: ProvisionedDatabase
    spec: SeedSpec
    bench: BenchUser
    task_ids: list[uuid.UUID]
    seeded: bool  # False when an earlier seed was reused
    seed_seconds: float


def _migrate(urls: ProvisionedDatabase) -> None:
    env = {**os.environ, "MIGRATIONS_DATABASE_URL": urls.owner_url, "DATABASE_APP_ROLE": urls.app_role}
    env.pop("DATABASE_URL", None)
    migrate = [sys.executable, "-m", "alembic", "upgrade", "head"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


async def _marker(owner_url: str, spec: SeedSpec) -> tuple[str, str | None]:
    """What the seed comment should say at the current migration, and what it says."""
    conn = await asyncpg.connect(owner_url)
    try:
        heads = await conn.fetch("SELECT version_num FROM alembic_version ORDER BY 1")
        wanted = f"{SEED_VERSION} {spec.label} at {','.join(row[0] for row in heads)}"
        found = await conn.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        return wanted, found
    finally:
        await conn.close()


async def _set_marker(owner_url: str, marker: str) -> None:
    conn = await asyncpg.connect(owner_url)
    try:  # COMMENT takes no bind parameters: let the server quote the statement
        statement = await conn.fetchval(
            "SELECT format('COMMENT ON DATABASE %I IS %L', current_database(), $1::text)", marker
        )
        await conn.execute(statement)
    finally:
        await conn.close()


async def find_bench_user(owner_url: str) -> BenchUser:
    conn = await asyncpg.connect(owner_url)
    try:
        # Before a tenant is known, row-level security admits a user only through the narrow
        # pre-tenant lookup that login itself uses.
        row = await conn.fetchrow("SELECT tenant_id, id FROM auth_login_account($1)", BENCH_EMAIL)
    finally:
        await conn.close()
    if row is None:
        raise RuntimeError(f"{BENCH_EMAIL} is missing from the seeded database; run with --reseed")
    return BenchUser(tenant_id=row["tenant_id"], user_id=row["id"])


async def reset(owner_url: str, bench: BenchUser) -> list[uuid.UUID]:
    """Remove the tasks earlier scenarios created (VACUUM when there were any, so the
    next scenario does not step over dead index entries); return the seeded task ids."""
    conn = await asyncpg.connect(owner_url)
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bench.tenant_id))
            deleted = await conn.execute(
                "DELETE FROM task WHERE owner_id = $1 AND title LIKE $2",
                bench.user_id,
                CREATED_TITLE_PREFIX + "%",
            )
            rows = await conn.fetch(
                "SELECT id FROM task WHERE owner_id = $1 ORDER BY created_at", bench.user_id
            )
        if deleted != "DELETE 0":
            await conn.execute("VACUUM (ANALYZE) task")
    finally:
        await conn.close()
    return [row["id"] for row in rows]


async def prepare(admin: str, name: str, spec: SeedSpec, *, reseed: bool) -> BenchDatabase:
    """Provision, migrate and (unless an equal seed is already there) seed database ``name``;
    a database seeded differently, or at another migration, is dropped and seeded again."""
    urls = await provision(admin, database=name)
    _migrate(urls)
    wanted, found = await _marker(urls.owner_url, spec)
    seeded, seconds = False, 0.0
    if reseed or found != wanted:
        urls = await provision(admin, database=name, recreate=True)
        _migrate(urls)
        print(f"bench: seeding {name} ({spec.label}) ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        await seed(urls.owner_url, spec)
        seconds = time.monotonic() - started
        await _set_marker(urls.owner_url, wanted)
        seeded = True
        print(f"bench: seeded {name} in {seconds:.1f} s", file=sys.stderr, flush=True)
    bench = await find_bench_user(urls.owner_url)
    task_ids = await reset(urls.owner_url, bench)
    return BenchDatabase(name, urls, spec, bench, task_ids, seeded, seconds)


async def server_facts(owner_url: str) -> dict[str, str]:
    conn = await asyncpg.connect(owner_url)
    try:
        names = ("server_version", "shared_buffers", "work_mem", "max_connections", "synchronous_commit")
        return {name: await conn.fetchval("SELECT current_setting($1)", name) for name in names}
    finally:
        await conn.close()
