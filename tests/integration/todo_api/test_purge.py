"""The retention purge (``python -m todo_api.purge``) on a real database: expired rows of
every kind and every tenant go, live ones stay (a second from expiry included), in batches,
as the runtime role, and a second run finds nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from platform_common.db.provision import ProvisionedDatabase
from tests.database import connected, empty_tables
from tests.integration.rows import execute
from todo_api.core.config import PurgeJobSettings
from todo_api.purge import run

pytestmark = pytest.mark.integration

# Past: expired a second ago. Live: a few seconds left (the purge runs well within them).
EXPIRED = -1.0
LIVE = 3.0
KINDS = (
    "idempotency_keys",
    "refresh_tokens",
    "sessions",
    "revoked_access_tokens",
    "reset_tokens",
    "pending_signups",
    "invitations",
    "events",
    "mail",
    "audit_events",
    "trashed_tasks",
    "tombstones",
)
# Made through the API, so tested with it (tests/integration/todo_api/api/test_trash.py).
TASK_KINDS = ("trashed_tasks", "tombstones")
# Kept for a retention rather than until an expiry: add_rows makes none of them.
AGED_KINDS = ("events", "mail", "audit_events", *TASK_KINDS)
# Each kind's table and the column that tells the test's rows apart.
TABLES = {
    "idempotency_keys": ("idempotency_key", "key"),
    "refresh_tokens": ("refresh_token", "token_hash"),
    "sessions": ("auth_session", "id::text"),
    "revoked_access_tokens": ("revoked_access_token", "jti"),
    "reset_tokens": ("password_reset_token", "token_hash"),
    "pending_signups": ("pending_signup", "token_hash"),
    "invitations": ("invitation", "token_hash"),
    "events": ("outbox_event", "type"),
    "mail": ("mail_message", "subject"),
    "audit_events": ("audit_event", "details->>'label'"),
}


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    user_id: str


@pytest.fixture
async def tenants(database: ProvisionedDatabase, owner_engine: AsyncEngine) -> AsyncIterator[list[Tenant]]:
    made = []
    for slug in ("acme", "globex"):
        tenant_id, user_id = str(uuid.uuid4()), str(uuid.uuid4())
        await execute(
            owner_engine,
            tenant_id,
            "INSERT INTO tenant (id, slug, name) VALUES (:t, :s, :s)",
            t=tenant_id,
            s=slug,
        )
        await execute(
            owner_engine,
            tenant_id,
            "INSERT INTO \"user\" (id, tenant_id, email, hashed_password, full_name) VALUES (:u, :t, :e, 'x', '')",
            u=user_id,
            t=tenant_id,
            e=f"owner@{slug}.example",
        )
        made.append(Tenant(tenant_id, user_id))
    yield made
    await empty_tables(database.owner_url)


async def add_rows(engine: AsyncEngine, tenant: Tenant, label: str, expires_in: float) -> None:
    """One row of every expiring kind, named ``label``, expiring ``expires_in`` seconds from now."""
    values = {
        "t": tenant.tenant_id,
        "u": tenant.user_id,
        "label": label,
        "unique": f"{tenant.tenant_id}:{label}",  # token hashes and jtis are unique across tenants
        "session": session_label(tenant, label),
        "expires_in": expires_in,
    }
    for statement in (
        "INSERT INTO idempotency_key (user_id, key, tenant_id, request_hash, expires_at) "
        "VALUES (:u, :label, :t, 'h', now() + make_interval(secs => :expires_in))",
        "INSERT INTO refresh_token (tenant_id, user_id, family_id, token_hash, user_token_version, "
        "expires_at, family_expires_at) VALUES (:t, :u, gen_random_uuid(), :unique, 0, "
        "now() + make_interval(secs => :expires_in), now() + make_interval(secs => :expires_in))",
        "INSERT INTO auth_session (id, tenant_id, user_id, expires_at) "
        "VALUES (CAST(:session AS uuid), :t, :u, now() + make_interval(secs => :expires_in))",
        "INSERT INTO revoked_access_token (jti, tenant_id, expires_at) "
        "VALUES (:unique, :t, now() + make_interval(secs => :expires_in))",
        "INSERT INTO password_reset_token (id, tenant_id, user_id, token_hash, expires_at) "
        "VALUES (gen_random_uuid(), :t, :u, :label, now() + make_interval(secs => :expires_in))",
        "INSERT INTO pending_signup (id, tenant_id, token_hash, email, tenant_name, tenant_slug, full_name, "
        "hashed_password, expires_at) VALUES (gen_random_uuid(), :t, :label, 'new@example.com', 'New', 'new', "
        "'', 'x', now() + make_interval(secs => :expires_in))",
        "INSERT INTO invitation (id, tenant_id, email, token_hash, invited_by, expires_at) "
        "VALUES (gen_random_uuid(), :t, 'guest@example.com', :label, :u, now() + make_interval(secs => :expires_in))",
    ):
        used = {name: value for name, value in values.items() if f":{name}" in statement}
        await execute(engine, tenant.tenant_id, statement, **used)


async def add_event(
    engine: AsyncEngine, tenant: Tenant, label: str, *, age: timedelta, delivery: str | None
) -> None:
    """An event ``age`` old, with one delivery attempt in state ``delivery``."""
    t, u, event_id = tenant.tenant_id, tenant.user_id, str(uuid.uuid4())
    await execute(
        engine,
        t,
        "INSERT INTO outbox_event (id, tenant_id, owner_id, type, data, created_at) "
        "VALUES (:id, :t, :u, :label, '{}', now() - CAST(:age AS interval))",
        id=event_id,
        t=t,
        u=u,
        label=label,
        age=age,
    )
    if delivery is None:
        return
    [(endpoint_id,)] = await execute(
        engine,
        t,
        "INSERT INTO webhook_endpoint (tenant_id, owner_id, url, events, secret) "
        "VALUES (:t, :u, 'https://example.com/hook', ARRAY['task.created'], '\\x00') RETURNING id",
        t=t,
        u=u,
    )
    await execute(
        engine,
        t,
        "INSERT INTO webhook_delivery (tenant_id, endpoint_id, event_id, event_type, attempt, status) "
        "VALUES (:t, :e, :id, 'task.created', 1, :status)",
        t=t,
        e=endpoint_id,
        id=event_id,
        status=delivery,
    )


async def add_mail(engine: AsyncEngine, tenant: Tenant, label: str, *, age: timedelta) -> None:
    """An e-mail ``age`` old, still pending (its sealed secrets with it)."""
    await execute(
        engine,
        tenant.tenant_id,
        "INSERT INTO mail_message (id, tenant_id, recipient, subject, text_body, sealed, created_at) "
        "VALUES (gen_random_uuid(), :t, 'someone@example.com', :label, 'text', '\\x00', "
        "now() - CAST(:age AS interval))",
        t=tenant.tenant_id,
        label=label,
        age=age,
    )


async def add_audit_event(engine: AsyncEngine, tenant: Tenant, label: str, *, age: timedelta) -> None:
    """An audit event ``age`` old (written as the owner: the runtime role cannot backdate one)."""
    await execute(
        engine,
        tenant.tenant_id,
        "INSERT INTO audit_event (tenant_id, type, subject_id, details, created_at) "
        "VALUES (:t, 'auth.login.succeeded', :u, jsonb_build_object('label', CAST(:label AS text)), "
        "now() - CAST(:age AS interval))",
        t=tenant.tenant_id,
        u=tenant.user_id,
        label=label,
        age=age,
    )


async def labels(engine: AsyncEngine, tenant: Tenant, kind: str) -> set[str]:
    table, column = TABLES[kind]
    rows = await execute(engine, tenant.tenant_id, f"SELECT {column} FROM {table}")  # noqa: S608  # the test's constants
    return {str(row[0]).rpartition(":")[2] for row in rows}


@dataclass(frozen=True)
class Run:
    deleted: dict[str, int]
    logged: list[dict[str, Any]]  # the JSON log lines of the run


PurgeJob = Callable[..., Awaitable[Run]]


@pytest.fixture
def purge_job(database: ProvisionedDatabase, capsys: pytest.CaptureFixture[str]) -> PurgeJob:
    """``python -m todo_api.purge`` as the runtime role, with some settings changed."""

    async def run_job(**values: object) -> Run:
        capsys.readouterr()
        settings = PurgeJobSettings(
            database_url=database.app_url,
            tracing_enabled=False,
            log_format="json",
            **values,  # type: ignore[arg-type]
        )
        deleted = retention_kinds(await run(settings))
        err = capsys.readouterr().err
        logged = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        for line in logged:
            if line.get("event") == "purge_finished":  # (a count under a table named *_token is redacted)
                line["deleted"] = {
                    k: v for k, v in line["deleted"].items() if not k.startswith(DELETED_TENANTS)
                }
        lines = [line for line in logged if not str(line.get("kind")).startswith(DELETED_TENANTS)]
        return Run(deleted, lines)

    return run_job


# Deleted tenants' rows (tests/integration/todo_api/test_tenant_purge.py): none here.
DELETED_TENANTS = "deleted_tenants."


def retention_kinds(deleted: dict[str, int]) -> dict[str, int]:
    """The run's counts of the retention purges (not those of deleted tenants, all 0 here)."""
    assert all(count == 0 for kind, count in deleted.items() if kind.startswith(DELETED_TENANTS))
    return {kind: count for kind, count in deleted.items() if not kind.startswith(DELETED_TENANTS)}


def session_label(tenant: Tenant, label: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tenant.tenant_id}/{label}"))


async def test_expired_rows_of_every_kind_and_tenant_go_and_live_ones_stay(
    owner_engine: AsyncEngine, tenants: list[Tenant], purge_job: PurgeJob
) -> None:
    for tenant in tenants:
        await add_rows(owner_engine, tenant, "expired", EXPIRED)
        await add_rows(owner_engine, tenant, "live", LIVE)
        await add_event(owner_engine, tenant, "old.done", age=timedelta(days=31), delivery="succeeded")
        await add_event(owner_engine, tenant, "old.pending", age=timedelta(days=31), delivery="pending")
        await add_event(owner_engine, tenant, "old.undelivered", age=timedelta(days=31), delivery=None)
        await add_event(owner_engine, tenant, "recent.done", age=timedelta(days=29), delivery="succeeded")
        await add_mail(owner_engine, tenant, "old.mail", age=timedelta(days=31))
        await add_mail(owner_engine, tenant, "recent.mail", age=timedelta(days=29))
        await add_audit_event(owner_engine, tenant, "old.audit", age=timedelta(days=366))
        await add_audit_event(owner_engine, tenant, "recent.audit", age=timedelta(days=364))
    result = await purge_job()

    deleted = result.deleted
    assert deleted == {
        kind: {"events": 4, "trashed_tasks": 0, "tombstones": 0}.get(kind, 2) for kind in KINDS
    }
    for tenant in tenants:
        for kind in (
            "idempotency_keys",
            "refresh_tokens",
            "revoked_access_tokens",
            "reset_tokens",
            "pending_signups",
        ):
            assert await labels(owner_engine, tenant, kind) == {"live"}, kind
        assert await labels(owner_engine, tenant, "sessions") == {session_label(tenant, "live")}
        # Past the retention and over: gone, with its delivery attempts; pending or recent: kept.
        assert await labels(owner_engine, tenant, "events") == {"old.pending", "recent.done"}
        attempts = await execute(owner_engine, tenant.tenant_id, "SELECT status FROM webhook_delivery")
        assert sorted(status for (status,) in attempts) == ["pending", "succeeded"]
        # Past the retention: gone whatever its state (its link expired long ago).
        assert await labels(owner_engine, tenant, "mail") == {"recent.mail"}
        # Past AUDIT_RETENTION_DAYS (365 by default): gone; younger: kept.
        assert await labels(owner_engine, tenant, "audit_events") == {"recent.audit"}
    purged = {line["kind"]: line["deleted"] for line in result.logged if line["event"] == "rows_purged"}
    assert purged == deleted
    [finished] = [line for line in result.logged if line["event"] == "purge_finished"]
    assert finished["deleted"] == deleted


async def test_audit_events_are_kept_audit_retention_days(
    owner_engine: AsyncEngine, tenants: list[Tenant], purge_job: PurgeJob
) -> None:
    """AUDIT_RETENTION_DAYS moves the cut-off for the audit trail alone, in every tenant."""
    for tenant in tenants:
        for days in (29, 31, 200):
            await add_audit_event(owner_engine, tenant, f"{days}.days", age=timedelta(days=days))
        await add_event(owner_engine, tenant, "old.done", age=timedelta(days=31), delivery="succeeded")
    result = await purge_job(audit_retention_days=30, event_retention_days=60)

    assert (result.deleted["audit_events"], result.deleted["events"]) == (4, 0)
    for tenant in tenants:
        assert await labels(owner_engine, tenant, "audit_events") == {"29.days"}
        assert await labels(owner_engine, tenant, "events") == {"old.done"}


async def test_a_second_run_finds_nothing(
    owner_engine: AsyncEngine, tenants: list[Tenant], purge_job: PurgeJob
) -> None:
    await add_rows(owner_engine, tenants[0], "expired", EXPIRED)
    assert (await purge_job()).deleted["sessions"] == 1
    assert (await purge_job()).deleted == dict.fromkeys(KINDS, 0)


async def test_more_rows_than_a_batch_are_purged_in_several_batches(
    owner_engine: AsyncEngine, tenants: list[Tenant], purge_job: PurgeJob
) -> None:
    for tenant in tenants:
        for n in range(5):
            await add_rows(owner_engine, tenant, f"expired-{n}", EXPIRED)
    await add_rows(owner_engine, tenants[0], "live", LIVE)
    result = await purge_job(purge_batch_size=3)

    assert result.deleted == {kind: 0 if kind in AGED_KINDS else 10 for kind in KINDS}
    batches = {line["kind"]: line["batches"] for line in result.logged if line["event"] == "rows_purged"}
    # 3 + 3 + 3 + 1: the short batch ends the loop (an empty one, when nothing is left).
    assert batches == {kind: 1 if kind in AGED_KINDS else 4 for kind in KINDS}
    assert await labels(owner_engine, tenants[0], "sessions") == {session_label(tenants[0], "live")}
    assert await labels(owner_engine, tenants[1], "sessions") == set()


async def test_the_runtime_role_cannot_delete_across_tenants_by_itself(
    database: ProvisionedDatabase, owner_engine: AsyncEngine, tenants: list[Tenant]
) -> None:
    """The purge's cross-tenant reach is the function's alone: the runtime role's own DELETE
    (no tenant entered) sees no row, and it cannot switch the function's policy on for itself."""
    await add_rows(owner_engine, tenants[0], "expired", EXPIRED)
    async with connected(database.app_url) as connection, connection.transaction():
        await connection.execute("SELECT set_config('app.definer_purge_expired_sessions', 'on', true)")
        assert await connection.execute("DELETE FROM auth_session WHERE expires_at < now()") == "DELETE 0"
    assert await labels(owner_engine, tenants[0], "sessions") == {session_label(tenants[0], "expired")}


async def test_a_retention_below_a_day_is_held_at_a_day(
    database: ProvisionedDatabase, owner_engine: AsyncEngine, tenants: list[Tenant]
) -> None:
    """Whoever calls the function cannot shorten the event retention to nothing."""
    await add_event(owner_engine, tenants[0], "hours.old", age=timedelta(hours=2), delivery="succeeded")
    await add_event(owner_engine, tenants[0], "days.old", age=timedelta(days=2), delivery="succeeded")
    async with connected(database.app_url) as connection:
        assert await connection.fetchval("SELECT purge_finished_events(100, interval '0')") == 1
    assert await labels(owner_engine, tenants[0], "events") == {"hours.old"}
