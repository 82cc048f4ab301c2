"""Bulk seeding of a benchmark database as the owner role, with row-level security left on.

RLS is forced even for the owner, so every insert runs after ``set_config('app.tenant_id')``
for its tenant. The work happens server-side in two temporary PL/pgSQL functions (one
round trip per chunk of tenants, several connections in parallel), which is what makes a
million tasks take seconds rather than minutes. The benchmark user's tasks are inserted
a slice per tenant, so they end up spread over the whole table as a long-lived user's
would, not packed into the first pages. Column values derive from a hash of the row's
position: the same distribution on every seed.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass

import asyncpg

from platform_common.auth.passwords import PasswordHasher

BENCH_EMAIL = "bench@bench.example.com"
# The benchmark user's default list, made with a known id so a scenario can name it.
BENCH_LIST_ID = uuid.UUID("00000000-0000-4000-8000-00000000b1e7")
# The benchmark database is local and disposable; these are not secrets.
BENCH_PASSWORD = "bench-user-password-0001"  # noqa: S105
SHARED_PASSWORD = "shared-user-password-0001"  # noqa: S105
CREATED_TITLE_PREFIX = "bench-created"  # tasks created by the benchmark; removed before each scenario
SEARCH_WORD = "report"  # appears in about 1 title in 12, never in a description
TENANTS_PER_CHUNK = 25


def other_user_email(tenant: int, user: int) -> str:
    return f"user{user}@tenant{tenant:04d}.bench.example.com"


@dataclass(frozen=True)
class SeedSpec:
    """Tenant 0 holds the benchmark user (plus ``users_per_tenant - 1`` members without tasks);
    every other tenant has ``users_per_tenant`` users with ``tasks_per_user`` tasks each."""

    tenants: int
    users_per_tenant: int
    tasks_per_user: int
    bench_tasks: int

    @property
    def users(self) -> int:
        return self.tenants * self.users_per_tenant

    @property
    def tasks(self) -> int:
        return (self.tenants - 1) * self.users_per_tenant * self.tasks_per_user + self.bench_tasks

    @property
    def label(self) -> str:
        return f"tenants={self.tenants} users={self.users} tasks={self.tasks} bench_tasks={self.bench_tasks}"


FULL = SeedSpec(tenants=1000, users_per_tenant=10, tasks_per_user=100, bench_tasks=1000)
EMPTY = SeedSpec(tenants=1, users_per_tenant=1, tasks_per_user=0, bench_tasks=1000)

# Tasks g = lo..hi of one owner, in its default list (made here). h is a 31-bit hash of (salt, g); its bits pick the values.
_TASKS_FUNCTION = """
CREATE FUNCTION pg_temp.bench_tasks(tid uuid, oid uuid, salt bigint, lo int, hi int) RETURNS void
LANGUAGE sql AS $fn$
INSERT INTO task_list (tenant_id, owner_id, name, position, is_default)
VALUES (tid, oid, 'Inbox', 'a0', true)
ON CONFLICT (tenant_id, owner_id) WHERE is_default DO NOTHING;
INSERT INTO task (tenant_id, owner_id, list_id, position, title, description, completed, completed_at,
                  priority, due_at, tags, created_at, updated_at, version)
SELECT tid, oid,
       (SELECT id FROM task_list WHERE tenant_id = tid AND owner_id = oid AND is_default),
       'a0' || lpad(g::text, 7, '0') || 'V',  -- a fractional-index key: in g's order, unique
       (ARRAY['Prepare','Review','Send','Update','Plan','Fix','Call about','Draft'])[1 + (h >> 3) % 8]
         || ' ' || (ARRAY['report','invoice','meeting notes','budget','release','contract','roadmap',
                          'onboarding','newsletter','slides','backlog','survey'])[1 + (h >> 6) % 12]
         || ' #' || g,
       CASE WHEN (h >> 10) % 3 = 0 THEN '' ELSE 'Notes: ' || repeat('lorem ipsum dolor ', 1 + (h >> 12) % 8) END,
       done, CASE WHEN done THEN created + interval '2 days' END,
       (CASE WHEN (h >> 14) % 20 < 5 THEN 'low' WHEN (h >> 14) % 20 < 14 THEN 'normal'
             WHEN (h >> 14) % 20 < 18 THEN 'high' ELSE 'urgent' END)::task_priority,
       CASE WHEN (h >> 23) % 10 < 7 THEN created + ((h >> 5) % 90) * interval '1 day' END,
       (ARRAY['{}','{work}','{home,errands}','{work,q3}'])[1 + (h >> 27) % 4]::text[],
       created, CASE WHEN done THEN created + interval '2 days' ELSE created END, 1
FROM generate_series(lo, hi) g,
     LATERAL (SELECT hashint8(salt * 1000003 + g) & 2147483647 AS h) r,
     LATERAL (SELECT now() - (h % 525600) * interval '1 minute' AS created, (h >> 19) % 10 < 3 AS done) v
$fn$
"""

# Tenants first..last (each with its users and their tasks), and after each one its slice of
# the benchmark user's tasks, in the benchmark tenant.
_TENANTS_FUNCTION = """
CREATE FUNCTION pg_temp.bench_tenants(first int, last int, users int, per_user int, shared_hash text,
                                      bench_tid uuid, bench_uid uuid, bench_tasks int, others int)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  tid uuid;
  u record;
BEGIN
  FOR t IN first..last LOOP
    tid := gen_random_uuid();
    PERFORM set_config('app.tenant_id', tid::text, true);
    INSERT INTO tenant (id, slug, name) VALUES (tid, 'bench-' || lpad(t::text, 4, '0'), 'Tenant ' || t);
    INSERT INTO "user" (tenant_id, email, hashed_password, full_name, role)
    SELECT tid, 'user' || n || '@tenant' || lpad(t::text, 4, '0') || '.bench.example.com', shared_hash,
           'User ' || n, (CASE WHEN n = 1 THEN 'owner' ELSE 'member' END)::user_role
    FROM generate_series(1, users) n;
    FOR u IN SELECT id, row_number() OVER (ORDER BY email) AS n FROM "user" WHERE tenant_id = tid LOOP
      PERFORM pg_temp.bench_tasks(tid, u.id, t * 100 + u.n, 1, per_user);
    END LOOP;
    PERFORM set_config('app.tenant_id', bench_tid::text, true);
    PERFORM pg_temp.bench_tasks(bench_tid, bench_uid, 0, (t - 1) * bench_tasks / others + 1,
                                t * bench_tasks / others);
  END LOOP;
END
$fn$
"""


@dataclass(frozen=True)
class BenchUser:
    tenant_id: uuid.UUID
    user_id: uuid.UUID


async def _set_tenant(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))


async def _create_functions(conn: asyncpg.Connection) -> None:
    await conn.execute(_TASKS_FUNCTION)
    await conn.execute(_TENANTS_FUNCTION)


async def _seed_bench_tenant(
    conn: asyncpg.Connection, spec: SeedSpec, bench_hash: str, shared_hash: str
) -> BenchUser:
    tenant_id = uuid.uuid4()
    async with conn.transaction():
        await _set_tenant(conn, tenant_id)
        await conn.execute(
            "INSERT INTO tenant (id, slug, name) VALUES ($1, 'bench-0000', 'Benchmark tenant')", tenant_id
        )
        user_id = await conn.fetchval(
            'INSERT INTO "user" (tenant_id, email, hashed_password, full_name, role) '
            "VALUES ($1, $2, $3, 'Benchmark user', 'owner') RETURNING id",
            tenant_id,
            BENCH_EMAIL,
            bench_hash,
        )
        await conn.execute(
            "INSERT INTO task_list (id, tenant_id, owner_id, name, position, is_default) "
            "VALUES ($1, $2, $3, 'Inbox', 'a0', true)",
            BENCH_LIST_ID,
            tenant_id,
            user_id,
        )
        await conn.execute(
            'INSERT INTO "user" (tenant_id, email, hashed_password, full_name) '
            "SELECT $1, 'user' || n || '@tenant0000.bench.example.com', $2, 'User ' || n "
            "FROM generate_series(2, $3::int) n",
            tenant_id,
            shared_hash,
            spec.users_per_tenant,
        )
        if spec.tenants == 1:  # no other tenants to spread the benchmark user's tasks over
            await conn.execute(
                "SELECT pg_temp.bench_tasks($1, $2, 0, 1, $3)", tenant_id, user_id, spec.bench_tasks
            )
    return BenchUser(tenant_id, user_id)


async def _seed_other_tenants(
    owner_url: str, spec: SeedSpec, shared_hash: str, bench: BenchUser, chunks: list[tuple[int, int]]
) -> None:
    conn = await asyncpg.connect(owner_url)
    try:
        await _create_functions(conn)
        for first, last in chunks:
            async with conn.transaction():
                await conn.execute(
                    "SELECT pg_temp.bench_tenants($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    first,
                    last,
                    spec.users_per_tenant,
                    spec.tasks_per_user,
                    shared_hash,
                    bench.tenant_id,
                    bench.user_id,
                    spec.bench_tasks,
                    spec.tenants - 1,
                )
    finally:
        await conn.close()


async def seed(owner_url: str, spec: SeedSpec, *, jobs: int | None = None) -> BenchUser:
    """Fill an empty, migrated database; returns the benchmark user. Runs VACUUM ANALYZE at
    the end so plans and index-only scans are what a settled production database gets."""
    hasher = PasswordHasher()  # the service's own parameters, so logins verify without a rehash
    bench_hash, shared_hash = await asyncio.gather(hasher.hash(BENCH_PASSWORD), hasher.hash(SHARED_PASSWORD))
    conn = await asyncpg.connect(owner_url)
    try:
        await _create_functions(conn)
        bench = await _seed_bench_tenant(conn, spec, bench_hash, shared_hash)
        tenants = range(1, spec.tenants)
        chunks = [(t, min(t + TENANTS_PER_CHUNK - 1, spec.tenants - 1)) for t in tenants[::TENANTS_PER_CHUNK]]
        workers = max(1, min(jobs or os.cpu_count() or 1, len(chunks)))
        await asyncio.gather(
            *(
                _seed_other_tenants(owner_url, spec, shared_hash, bench, chunks[i::workers])
                for i in range(workers)
            )
        )
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()
    return bench
