"""The job queue under the outbox: pgqueuer, on the same asyncpg connections as the rest.

Why pgqueuer: it is a maintained PostgreSQL queue built for asyncpg (the driver every
service already runs on), its enqueue is one SQL statement that runs on *our* connection
and so inside the caller's transaction (a job exists if and only if the change committed),
and its worker brings what a dispatcher needs without code of ours: ``FOR UPDATE SKIP
LOCKED`` dequeue across processes, LISTEN/NOTIFY wake-ups with polling as the fallback,
heartbeats that hand a job to another worker when its process died mid-job (SIGKILL), and
a graceful shutdown that lets running jobs finish. Procrastinate (the other candidate)
wants its own psycopg connector and its own connection management.

The queue's tables are **global**: one worker dequeues every tenant's jobs, so a job
carries only ``(tenant_id, id)``; what it is about lives in tenant-owned tables under
row-level security, read with that tenant entered. The tables are created by an Alembic
migration from the library's own DDL (``install_statements``), and are named as global here
(``GLOBAL_TABLES``) for the tenant-safety checks, since they are not SQLModel tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import orjson
from pgqueuer.adapters.persistence import qb, schema_ddl
from pgqueuer.domain.schema.declaration import target
from pgqueuer.domain.settings import db_settings

# The library's tables, and why each may hold every tenant's rows.
GLOBAL_TABLES: Mapping[str, str] = {
    "pgqueuer": "the job queue: one dispatcher dequeues for every tenant; a job holds only ids",
    "pgqueuer_log": "the queue's job history: ids, entrypoints and statuses, no tenant data",
    "pgqueuer_statistics": "the queue's counters per entrypoint and status, no tenant data",
    "pgqueuer_schedules": "the queue's cron table (unused), no tenant data",
}


def outside_the_queue(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's ``include_object``: autogenerate leaves the queue's tables to the library
    (they are created from its DDL, not from the SQLModel metadata)."""
    table = getattr(obj, "table", None)
    table_name = name if type_ == "table" else getattr(table, "name", None)
    return table_name not in GLOBAL_TABLES


# Entrypoints: what a job asks the dispatcher to do.
FAN_OUT = "outbox.event"  # an event was committed: find who hears it
DELIVER = "webhook.delivery"  # one delivery attempt is due
MAIL = "mail.send"  # an e-mail is due (its first attempt, or a retry)

_ENQUEUE = qb.QueryQueueBuilder().build_enqueue_query("raise")


def install_statements() -> list[str]:
    """The queue's schema (enum, tables, indexes, NOTIFY function and trigger) as the installed
    library declares it, one statement each (a migration runs them as prepared statements)."""
    settings = db_settings()
    schema = target(settings)
    return [
        *(schema_ddl.render_enum(entry, settings) for entry in schema.enums),
        *(schema_ddl.render_table(entry, settings) for entry in schema.tables),
        *(schema_ddl.render_index(entry, settings) for entry in schema.indexes),
        *(schema_ddl.render_function(entry, settings) for entry in schema.functions),
        *(schema_ddl.render_trigger(entry, settings) for entry in schema.triggers),
    ]


def uninstall_statements() -> list[str]:
    return schema_ddl.render_uninstall(db_settings()).splitlines()


def enqueue_sql(*, after: str = "") -> str:
    """pgqueuer's enqueue statement (parameters ``$1``..``$6``, one job per array element),
    optionally preceded by data-modifying CTEs ``after`` (``name AS (...)``, comma-ended):
    PostgreSQL runs every data-modifying CTE of a statement exactly once, so the change and
    its job are written by one statement, in one round trip."""
    statement = _ENQUEUE.strip()
    if not statement.startswith("WITH "):  # pragma: no cover - a pgqueuer upgrade changed its SQL
        raise RuntimeError("pgqueuer's enqueue statement no longer starts with a WITH clause")
    return f"WITH {after} {statement.removeprefix('WITH ')}" if after else statement


async def enqueue(
    connection: asyncpg.Connection, entrypoint: str, refs: Sequence[JobRef], delay: timedelta | None = None
) -> None:
    """Queue one job per ref on ``connection``, inside whatever transaction it has open."""
    if refs:
        await connection.execute(_ENQUEUE, *enqueue_args(entrypoint, refs, delay))


@dataclass(frozen=True, slots=True)
class JobRef:
    """What a job carries: the tenant to enter and the id of the row to read there."""

    tenant_id: uuid.UUID
    id: uuid.UUID

    def payload(self) -> bytes:
        return orjson.dumps({"tenant_id": str(self.tenant_id), "id": str(self.id)})

    @classmethod
    def parse(cls, payload: bytes | None) -> JobRef:
        data = orjson.loads(payload or b"{}")
        return cls(uuid.UUID(data["tenant_id"]), uuid.UUID(data["id"]))


def enqueue_args(
    entrypoint: str, refs: Sequence[JobRef], delay: timedelta | None = None
) -> tuple[list[int], list[str], list[bytes], list[timedelta], list[None], list[None]]:
    """The six array parameters of ``enqueue_sql``: one job per ref, each due after ``delay``."""
    count = len(refs)
    return (
        [0] * count,  # priority
        [entrypoint] * count,
        [ref.payload() for ref in refs],
        [delay or timedelta(0)] * count,  # execute_after (NOW() + it)
        [None] * count,  # dedupe_key
        [None] * count,  # headers
    )
