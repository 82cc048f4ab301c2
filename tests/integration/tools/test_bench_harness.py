"""The benchmark harness against the live schema. The bench is a verb, not a CI stage, so a
schema change that breaks its seed or its look-ups would otherwise surface only on someone's
next ``./tools/task bench``: a small seed through the same code fails here first."""

from __future__ import annotations

import uuid

from tools.bench.postgres import prepare
from tools.bench.seed import SeedSpec

from tests.database import drop

SMALL = SeedSpec(tenants=3, users_per_tenant=2, tasks_per_user=4, bench_tasks=7)


async def test_a_small_seed_is_found_reused_and_reset(postgres_admin_url: str) -> None:
    name = f"bench_{uuid.uuid4().hex[:12]}"
    first = await prepare(postgres_admin_url, name, SMALL, reseed=False)
    try:
        assert first.seeded
        assert len(first.task_ids) == SMALL.bench_tasks  # the bench user's own tasks, found
        again = await prepare(postgres_admin_url, name, SMALL, reseed=False)
        assert not again.seeded  # the marker says this seed is there at this migration
        assert (again.bench, again.task_ids) == (first.bench, first.task_ids)
    finally:
        await drop(postgres_admin_url, first.urls)
